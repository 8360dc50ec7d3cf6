// The citizens' help pages (clause 3.15, R12.3): published articles in Kazakh, Russian and
// English, searched as you type, listed by topic, read with their sources and the date of the
// version, and "did this help?" recorded. Plain DOM. Everything from the server is set as text,
// except an article's body, which the server renders from Markdown and sanitises (raw HTML in
// it comes out as text). Deep links: /help?article=<slug>&lang=kk, /help?q=<words>&lang=ru.
(function () {
  "use strict";
  const T = {
    kk: {
      centre: "Байланыс орталығы", help: "Анықтама", skip: "Негізгі мазмұнға өту", langs: "Тіл",
      title: "Жиі қойылатын сұрақтар",
      lead: "Жауабын осында іздеңіз: сұрағыңызды жазыңыз немесе тақырыпты таңдаңыз.",
      search_label: "Сұрағыңызды жазыңыз", placeholder: "Мысалы: жеке куәлікті ауыстыру",
      results: "Іздеу нәтижелері", searching: "Іздеу…", loading: "Жүктелуде…",
      found: (n) => `${n} мақала табылды`,
      none: "Ештеңе табылмады. Басқа сөздермен іздеп көріңіз немесе онлайн-чатта сұраңыз.",
      topics: "Тақырыптар", other_topic: "Басқа сұрақтар", empty: "Әзірге жарияланған мақала жоқ.",
      cta: "Жауап таппадыңыз ба?", cta_link: "Онлайн-чатта сұраңыз",
      back: "← Барлық сұрақтар", short: "Қысқаша:", sources: "Дереккөздер",
      published: (d, v) => `${d} жарияланды · ${v}-нұсқа`,
      asked: "Бұл мақала көмектесті ме?", yes: "Иә", no: "Жоқ",
      thanks_yes: "Рақмет! Пікіріңіз ескерілді.",
      thanks_no: "Рақмет, пікіріңіз ескерілді. Сұрағыңызды онлайн-чатта қойыңыз — оператор көмектеседі.",
      missing: "Бұл мақала қазақ тілінде әлі жоқ.", read_in: "Оқуға болатын тілдер:",
      in_lang: { kk: "қазақ тілінде", ru: "орыс тілінде", en: "ағылшын тілінде" },
      rate_limited: "Сұраулар тым көп. Бір минуттан кейін қайталаңыз.",
      offline: "Байланыс жоқ. Интернетті тексеріп, қайталаңыз.",
      failed: "Бір нәрсе дұрыс болмады. Кейінірек қайталаңыз.",
      not_found: "Мақала табылмады: ол жариялаудан алынған болуы мүмкін.",
    },
    ru: {
      centre: "Контакт-центр", help: "Справка", skip: "Перейти к основному содержанию", langs: "Язык",
      title: "Частые вопросы",
      lead: "Найдите ответ здесь: напишите свой вопрос или выберите тему.",
      search_label: "Напишите свой вопрос", placeholder: "Например: замена удостоверения личности",
      results: "Результаты поиска", searching: "Поиск…", loading: "Загрузка…",
      found: (n) => `Найдено статей: ${n}`,
      none: "Ничего не найдено. Попробуйте другие слова или спросите в онлайн-чате.",
      topics: "Темы", other_topic: "Другие вопросы", empty: "Пока нет опубликованных статей.",
      cta: "Не нашли ответ?", cta_link: "Спросите в онлайн-чате",
      back: "← Все вопросы", short: "Коротко:", sources: "Источники",
      published: (d, v) => `Опубликовано ${d} · версия ${v}`,
      asked: "Эта статья помогла?", yes: "Да", no: "Нет",
      thanks_yes: "Спасибо! Ваш отзыв учтён.",
      thanks_no: "Спасибо, отзыв учтён. Задайте вопрос в онлайн-чате — оператор поможет.",
      missing: "Эта статья пока не переведена на русский.", read_in: "Её можно прочитать на языках:",
      in_lang: { kk: "на казахском", ru: "на русском", en: "на английском" },
      rate_limited: "Слишком много запросов. Повторите через минуту.",
      offline: "Нет связи. Проверьте интернет и повторите.",
      failed: "Что-то пошло не так. Повторите позже.",
      not_found: "Статья не найдена: возможно, её сняли с публикации.",
    },
    en: {
      centre: "Contact centre", help: "Help", skip: "Skip to main content", langs: "Language",
      title: "Frequently asked questions",
      lead: "Find your answer here: type your question or choose a topic.",
      search_label: "Type your question", placeholder: "For example: replacing an ID card",
      results: "Search results", searching: "Searching…", loading: "Loading…",
      found: (n) => (n === 1 ? "1 article found" : `${n} articles found`),
      none: "Nothing found. Try other words or ask in the online chat.",
      topics: "Topics", other_topic: "Other questions", empty: "No articles have been published yet.",
      cta: "Didn't find an answer?", cta_link: "Ask in the online chat",
      back: "← All questions", short: "In short:", sources: "Sources",
      published: (d, v) => `Published ${d} · version ${v}`,
      asked: "Did this help?", yes: "Yes", no: "No",
      thanks_yes: "Thank you! Your feedback has been recorded.",
      thanks_no: "Thank you, your feedback has been recorded. Ask your question in the online chat and an operator will help.",
      missing: "This article is not yet available in English.", read_in: "It can be read in:",
      in_lang: { kk: "in Kazakh", ru: "in Russian", en: "in English" },
      rate_limited: "Too many requests. Please try again in a minute.",
      offline: "No connection. Check your internet and try again.",
      failed: "Something went wrong. Please try again later.",
      not_found: "Article not found: it may have been withdrawn.",
    },
  };
  const NAMES = { kk: "Қазақша", ru: "Русский", en: "English" };
  const LANGS = ["kk", "ru", "en"];
  const stored = "baylanys.help.lang";
  const $ = (id) => document.getElementById(id);
  const el = (tag, attrs, text) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text != null) e.textContent = text;
    return e;
  };
  const saved = () => {
    try { return localStorage.getItem(stored) || localStorage.getItem("baylanys.chat.lang"); } catch (_) { return null; }
  };
  const params = () => new URLSearchParams(location.search);
  let lang = LANGS.includes(params().get("lang")) ? params().get("lang") : (LANGS.includes(saved()) ? saved() : "kk");
  const t = (k) => T[lang][k];

  // Feedback once per article and browser session, remembered across language switches.
  const given = (() => {
    try { return JSON.parse(sessionStorage.getItem("baylanys.help.feedback") || "{}"); } catch (_) { return {}; }
  })();
  const remember = (id, helped) => {
    given[id] = helped;
    try { sessionStorage.setItem("baylanys.help.feedback", JSON.stringify(given)); } catch (_) { /* private mode */ }
  };

  const notice = $("notice");
  const say = (text, error) => {
    notice.textContent = text || "";
    notice.classList.toggle("error", !!error);
  };

  // A failed request, by what the citizen can do about it.
  class Failure extends Error {
    constructor(kind) { super(kind); this.kind = kind; }
  }
  const explain = (e) => t(e instanceof Failure ? e.kind : "failed");
  async function api(path, init) {
    let r;
    try {
      r = await fetch(path, init);
    } catch (e) {
      if (e.name === "AbortError") throw e;
      throw new Failure("offline");
    }
    if (r.status === 429) throw new Failure("rate_limited");
    if (r.status === 404) throw new Failure("not_found");
    if (!r.ok) throw new Failure("failed");
    return r.status === 204 ? null : r.json();
  }

  const link = (params) => "/help?" + new URLSearchParams(params).toString();
  const articleLink = (key, language) => link({ article: key, lang: language || lang });
  function go(url, replace) {
    if (replace) history.replaceState(null, "", url);
    else history.pushState(null, "", url);
    route();
  }
  let focusTitle = false; // an article opened from a link takes the focus to its title
  // In-page links: the page changes without a reload; a new tab still works.
  function follow(a, focus) {
    a.addEventListener("click", (ev) => {
      if (ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey) return;
      ev.preventDefault();
      if (focus) focusTitle = true;
      go(a.getAttribute("href"));
    });
    return a;
  }

  // Dates as the centre's calendar shows them, Asia/Almaty: digits only, the same in every
  // language.
  function day(iso) {
    const d = new Date(iso);
    const p = Object.fromEntries(new Intl.DateTimeFormat("en-CA", {
      timeZone: "Asia/Almaty", year: "numeric", month: "2-digit", day: "2-digit",
    }).formatToParts(d).map((x) => [x.type, x.value]));
    return `${p.day}.${p.month}.${p.year}`;
  }

  function translate() {
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-t]").forEach((e) => { e.textContent = t(e.dataset.t); });
    $("q").placeholder = t("placeholder");
    $("langs").setAttribute("aria-label", t("langs"));
    for (const a of document.querySelectorAll("#langs a")) {
      const l = a.dataset.lang;
      if (l === lang) a.setAttribute("aria-current", "true");
      else a.removeAttribute("aria-current");
      const p = params();
      p.set("lang", l);
      a.href = "/help?" + p.toString();
    }
    $("home").href = link({ lang });
    document.querySelector(".chat-cta a").href = "/chat";
  }
  for (const a of document.querySelectorAll("#langs a")) {
    a.addEventListener("click", (ev) => {
      if (ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
      ev.preventDefault();
      lang = a.dataset.lang;
      try { localStorage.setItem(stored, lang); } catch (_) { /* private mode */ }
      const p = params();
      p.set("lang", lang);
      go("/help?" + p.toString(), true);
    });
  }
  follow($("home"));

  // A title in another language than the page says so, and carries its own language.
  function titled(a, title, language) {
    const span = el("span", { lang: language }, title);
    a.append(span);
    const frag = [a];
    if (language !== lang) frag.push(document.createTextNode(" "), el("span", { class: "other-lang" }, "(" + t("in_lang")[language] + ")"));
    return frag;
  }

  // ---- the table of contents: topics and their articles ----
  let contents = null; // { lang, topics, headings }
  async function showTopics() {
    const list = $("topic-list");
    if (contents && contents.lang === lang) return;
    const asked = lang;
    list.replaceChildren(el("p", {}, t("loading")));
    let topics, headings;
    try {
      [topics, headings] = await Promise.all([
        api("/api/v1/public/knowledge/topics"),
        api("/api/v1/public/knowledge/articles?language=" + asked),
      ]);
    } catch (e) {
      if (asked === lang) { list.replaceChildren(); say(explain(e), true); }
      return;
    }
    if (asked !== lang) return;
    contents = { lang: asked, topics, headings };
    const name = (tp) => {
      if (lang === "kk") return [tp.name_kk, "kk"];
      if (lang === "ru") return [tp.name_ru, "ru"];
      return tp.name_en ? [tp.name_en, "en"] : [tp.name_ru, "ru"];
    };
    // In the language's own order: Kazakh puts Ә after А and Қ after К.
    headings.sort((a, b) => a.title.localeCompare(b.title, a.language));
    const groups = topics.map((tp) => ({ name: name(tp), items: headings.filter((h) => h.topics.includes(tp.id)) }))
      .filter((g) => g.items.length)
      .sort((a, b) => a.name[0].localeCompare(b.name[0], lang));
    const known = new Set(topics.map((tp) => tp.id));
    const rest = headings.filter((h) => !h.topics.some((id) => known.has(id)));
    if (rest.length) groups.push({ name: [t("other_topic"), lang], items: rest });
    list.replaceChildren();
    if (!groups.length) list.append(el("p", {}, t("empty")));
    groups.forEach((g, i) => {
      const sec = el("section", { class: "topic", "aria-labelledby": "topic-" + i });
      sec.append(el("h3", { id: "topic-" + i, lang: g.name[1] }, g.name[0]));
      const ul = el("ul");
      for (const h of g.items) {
        const li = el("li");
        li.append(...titled(follow(el("a", { href: articleLink(h.slug || h.id) }), true), h.title, h.language));
        ul.append(li);
      }
      sec.append(ul);
      list.append(sec);
    });
  }

  // ---- search as you type ----
  let searchTimer = null;
  let searchSeq = 0;
  let searchAbort = null;
  let shownQuery = null; // the words and language the results on screen are for
  const input = $("q");
  function marked(snippet) {
    const p = el("p", { class: "snippet" });
    const chars = Array.from(snippet.text); // the offsets count characters, not UTF-16 units
    const marks = (snippet.marks || []).slice().sort((a, b) => a[0] - b[0]);
    let at = 0;
    for (const [s0, e0] of marks) {
      const s = Math.max(at, Math.min(s0, chars.length));
      const e = Math.max(s, Math.min(e0, chars.length));
      if (s > at) p.append(document.createTextNode(chars.slice(at, s).join("")));
      if (e > s) p.append(el("mark", {}, chars.slice(s, e).join("")));
      at = e;
    }
    if (at < chars.length) p.append(document.createTextNode(chars.slice(at).join("")));
    return p;
  }
  async function search(q) {
    const key = lang + "\n" + q;
    if (shownQuery === key) return;
    const seq = ++searchSeq;
    if (searchAbort) searchAbort.abort();
    searchAbort = new AbortController();
    say(t("searching"));
    let hits;
    try {
      hits = await api(`/api/v1/public/knowledge/search?place=help&limit=10&language=${lang}&q=${encodeURIComponent(q)}`,
        { signal: searchAbort.signal });
    } catch (e) {
      if (seq === searchSeq && e.name !== "AbortError") say(explain(e), true);
      return;
    }
    if (seq !== searchSeq) return;
    shownQuery = key;
    const ol = $("hits");
    ol.replaceChildren();
    for (const h of hits) {
      const li = el("li");
      const head = el("div");
      head.append(...titled(follow(el("a", { href: articleLink(h.slug || h.article_id) }), true), h.title, h.language));
      const snip = marked(h.snippet);
      snip.setAttribute("lang", h.language);
      li.append(head, snip);
      ol.append(li);
    }
    $("results").hidden = hits.length === 0;
    say(hits.length ? t("found")(hits.length) : t("none"));
  }
  function typed() {
    clearTimeout(searchTimer);
    const q = input.value.trim();
    const p = params();
    if (q) p.set("q", q); else p.delete("q");
    p.delete("article");
    p.set("lang", lang);
    const url = "/help?" + p.toString();
    if (url !== location.pathname + location.search) history.replaceState(null, "", url);
    if (!$("article").hidden) { route(); return; }
    searchTimer = setTimeout(() => showHome(), 300);
  }
  input.addEventListener("input", typed);
  $("search").addEventListener("submit", (ev) => {
    ev.preventDefault();
    clearTimeout(searchTimer);
    showHome();
  });

  function showHome() {
    const q = input.value.trim();
    $("home-view").hidden = false;
    $("article").hidden = true;
    document.title = `${t("help")} — ${t("centre")}`;
    if (q.length >= 2) {
      $("topics").hidden = true;
      search(q);
    } else {
      ++searchSeq;
      shownQuery = null;
      $("results").hidden = true;
      $("topics").hidden = false;
      say("");
      showTopics();
    }
  }

  // ---- one article ----
  let articleSeq = 0;
  async function showArticle(key) {
    const view = $("article");
    const seq = ++articleSeq;
    $("home-view").hidden = true;
    $("results").hidden = true;
    $("topics").hidden = true;
    view.hidden = false;
    view.replaceChildren(el("p", {}, t("loading")));
    say("");
    let a;
    try {
      a = await api(`/api/v1/public/knowledge/articles/${encodeURIComponent(key)}?place=help&language=${lang}`);
    } catch (e) {
      if (seq !== articleSeq) return;
      view.replaceChildren(backLink(), el("h1", { tabindex: "-1" }, t(e instanceof Failure && e.kind === "not_found" ? "not_found" : "help")));
      if (!(e instanceof Failure && e.kind === "not_found")) say(explain(e), true);
      return;
    }
    if (seq !== articleSeq) return;
    document.title = `${a.title} — ${t("help")}`;
    const h1 = el("h1", { tabindex: "-1", lang: a.language }, a.title);
    const parts = [backLink(), h1];
    if (a.language !== lang) {
      // The page's language is missing: said plainly, with the languages it has.
      const box = el("div", { class: "missing", role: "note" });
      box.append(el("p", {}, t("missing")));
      const p = el("p", {}, t("read_in"));
      const ul = el("ul");
      for (const l of LANGS.filter((l) => a.languages.includes(l))) {
        const li = el("li");
        li.append(follow(el("a", { href: articleLink(a.slug || a.id, l), lang: l, hreflang: l }, NAMES[l])));
        ul.append(li);
      }
      p.append(ul);
      box.append(p);
      parts.push(box);
      view.replaceChildren(...parts);
    } else {
      parts.push(el("p", { class: "meta" }, t("published")(day(a.published_at), a.version)));
      if (a.short) {
        const s = el("p", { class: "short" });
        s.append(el("strong", {}, t("short")), document.createTextNode(" "), el("span", { lang: a.language }, a.short));
        parts.push(s);
      }
      const body = el("div", { class: "body", lang: a.language });
      body.innerHTML = a.html; // rendered and sanitised by the server; raw HTML in it is text
      parts.push(body);
      if (a.source_lines.length) {
        const sec = el("section", { class: "sources", "aria-labelledby": "sources-title" });
        sec.append(el("h2", { id: "sources-title" }, t("sources")));
        // An article's sources are the same in every language: their language is not claimed.
        const ul = el("ul");
        for (const line of a.source_lines) ul.append(sourceLine(line));
        sec.append(ul);
        parts.push(sec);
      }
      parts.push(feedbackBox(a.id));
      view.replaceChildren(...parts);
    }
    if (focusTitle) { focusTitle = false; h1.focus(); }
  }
  function backLink() {
    const p = el("p");
    p.append(follow(el("a", { class: "back", href: link({ lang }) }, t("back"))));
    return p;
  }
  // «Document, clause (date) — https://…»: the address becomes a link, the rest stays text.
  function sourceLine(line) {
    const li = el("li");
    const cut = line.lastIndexOf(" — ");
    const url = cut >= 0 ? line.slice(cut + 3) : "";
    if (/^https?:\/\/\S+$/.test(url)) {
      li.append(document.createTextNode(line.slice(0, cut) + " — "), el("a", { href: url, rel: "noopener noreferrer" }, url));
    } else {
      li.textContent = line;
    }
    return li;
  }

  function feedbackBox(id) {
    const sec = el("section", { class: "feedback", "aria-labelledby": "feedback-title" });
    sec.append(el("h2", { id: "feedback-title" }, t("asked")));
    const said = el("p", { class: "said", role: "status", "aria-live": "polite" });
    const thank = (helped) => {
      said.replaceChildren(document.createTextNode(helped ? t("thanks_yes") : t("thanks_no")));
      if (!helped) said.append(document.createTextNode(" "), el("a", { href: "/chat" }, t("cta_link")));
    };
    if (id in given) {
      sec.append(said);
      thank(given[id]);
      return sec;
    }
    const buttons = el("div", { class: "buttons", role: "group", "aria-labelledby": "feedback-title" });
    const yes = el("button", { type: "button", class: "yes" }, t("yes"));
    const no = el("button", { type: "button", class: "no" }, t("no"));
    const send = async (helped) => {
      yes.disabled = no.disabled = true;
      said.classList.remove("error");
      try {
        await api(`/api/v1/public/knowledge/articles/${id}/feedback`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ helped, place: "help" }),
        });
      } catch (e) {
        said.textContent = explain(e);
        yes.disabled = no.disabled = false;
        return;
      }
      remember(id, helped);
      buttons.remove();
      thank(helped);
    };
    yes.addEventListener("click", () => send(true));
    no.addEventListener("click", () => send(false));
    buttons.append(yes, no);
    sec.append(buttons, said);
    return sec;
  }

  // ---- the address decides what is shown ----
  function route() {
    const p = params();
    if (LANGS.includes(p.get("lang")) && p.get("lang") !== lang) lang = p.get("lang");
    translate();
    const q = p.get("q") || "";
    if (document.activeElement !== input && input.value !== q) input.value = q;
    const key = p.get("article");
    if (key) showArticle(key);
    else { ++articleSeq; showHome(); }
  }
  window.addEventListener("popstate", route);
  route();
})();
