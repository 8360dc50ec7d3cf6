// Baylanys web-chat widget. Embed on any site:
//   <script src="https://<centre>/widget.js" data-lang="kk" async></script>
// or open <centre>/chat for the full page. Plain DOM, no framework. Everything shown is set as
// text (never innerHTML), so what anyone typed cannot run as script. Keyboard only, an ARIA live
// log for new messages, sizes in rem so text scales, colours above WCAG AA contrast (R5.6).
// While the citizen writes and waits, published articles that may answer the question are
// offered (place `widget`); the knowledge routes it calls answer any origin, since the widget
// lives on other sites.
(function () {
  "use strict";
  const script = document.currentScript;
  const origin = script ? new URL(script.src, location.href).origin : location.origin;
  const full = script && script.dataset.mode === "page";
  const T = {
    kk: { open: "Чат", title: "Байланыс орталығы", placeholder: "Хабарламаңызды жазыңыз…", send: "Жіберу",
          close: "Жабу", connecting: "Қосылуда…", reconnecting: "Байланыс үзілді, қайта қосылуда…",
          rate_limited: "Тым жиі жіберілді, бір минут күтіңіз.", too_long: "Хабарлама тым ұзын.",
          closed: "Бұл өтініш жабылды. Жаңа хабарлама жаңа өтініш ашады.", number: "Өтініш №",
          you: "Сіз", operator: "Оператор", system: "Жүйе", failed: "Жіберілмеді, қайталаймыз…",
          start: "Бастау", intro: "Өзіңіз туралы жазуға болады (міндетті емес). Құпия мәліметті оператор сізді тексергеннен кейін ғана айтады.",
          name: "Аты-жөніңіз", phone: "Телефон", email: "Электрондық пошта", iin: "ЖСН", lang: "Тіл",
          ended: "Әңгіме аяқталды. Жаңа хабарлама жазсаңыз, қайта жалғасады.", typing: "Оператор жазып жатыр…",
          read: "оқылды", invalid_frame: "Деректер қате, тексеріп қайталаңыз.",
          rate: "Баға", thanks: "Бағаңызға рақмет!", already_rated: "Бұл өтінішке баға берілген.",
          kb_title: "Бұл сұрағыңызға жауап болуы мүмкін", kb_full: "Толық мақала (жаңа қойындыда ашылады)",
          kb_source: "Дереккөз", kb_asked: "Бұл көмектесті ме?", kb_helped: "Көмектесті", kb_not_helped: "Көмектеспеді",
          kb_thanks: "Рақмет! Пікіріңіз ескерілді.", kb_thanks_no: "Рақмет! Сұрағыңызға оператор жауап береді.",
          kb_failed: "Жіберілмеді, кейінірек қайталаңыз.",
          kb_in: { kk: "қазақ тілінде", ru: "орыс тілінде", en: "ағылшын тілінде" } },
    ru: { open: "Чат", title: "Контакт-центр", placeholder: "Напишите сообщение…", send: "Отправить",
          close: "Закрыть", connecting: "Подключение…", reconnecting: "Связь прервалась, переподключаемся…",
          rate_limited: "Слишком часто, подождите минуту.", too_long: "Сообщение слишком длинное.",
          closed: "Обращение закрыто. Новое сообщение откроет новое обращение.", number: "Обращение №",
          you: "Вы", operator: "Оператор", system: "Система", failed: "Не отправлено, повторяем…",
          start: "Начать", intro: "Можете представиться (необязательно). Конфиденциальные сведения оператор сообщит только после проверки личности.",
          name: "Имя", phone: "Телефон", email: "Электронная почта", iin: "ИИН", lang: "Язык",
          ended: "Разговор завершён. Напишите снова, чтобы продолжить.", typing: "Оператор печатает…",
          read: "прочитано", invalid_frame: "Неверные данные, проверьте и повторите.",
          rate: "Оценка", thanks: "Спасибо за оценку!", already_rated: "Это обращение уже оценено.",
          kb_title: "Возможно, это ответ на ваш вопрос", kb_full: "Вся статья (откроется в новой вкладке)",
          kb_source: "Источник", kb_asked: "Это помогло?", kb_helped: "Помогло", kb_not_helped: "Не помогло",
          kb_thanks: "Спасибо! Отзыв учтён.", kb_thanks_no: "Спасибо! На ваш вопрос ответит оператор.",
          kb_failed: "Не отправлено, повторите позже.",
          kb_in: { kk: "на казахском", ru: "на русском", en: "на английском" } },
    en: { open: "Chat", title: "Contact centre", placeholder: "Type your message…", send: "Send",
          close: "Close", connecting: "Connecting…", reconnecting: "Connection lost, reconnecting…",
          rate_limited: "Too many messages; wait a minute.", too_long: "The message is too long.",
          closed: "This appeal is closed. A new message opens a new appeal.", number: "Appeal no.",
          you: "You", operator: "Operator", system: "System", failed: "Not sent, retrying…",
          start: "Start", intro: "You may introduce yourself (optional). Confidential information is given only after the operator verifies your identity.",
          name: "Name", phone: "Phone", email: "E-mail", iin: "IIN", lang: "Language",
          ended: "The conversation has ended. Write again to continue.", typing: "The operator is typing…",
          read: "read", invalid_frame: "Invalid details; check them and try again.",
          rate: "Rating", thanks: "Thank you for your rating!", already_rated: "This appeal was already rated.",
          kb_title: "This may answer your question", kb_full: "Full article (opens in a new tab)",
          kb_source: "Source", kb_asked: "Did this help?", kb_helped: "Helped", kb_not_helped: "Did not help",
          kb_thanks: "Thank you! Your feedback has been recorded.", kb_thanks_no: "Thank you! An operator will answer your question.",
          kb_failed: "Not sent; please try again later.",
          kb_in: { kk: "in Kazakh", ru: "in Russian", en: "in English" } },
  };
  const stored = "baylanys.chat";
  let lang = (script && script.dataset.lang) || localStorage.getItem(stored + ".lang") || "kk";
  if (!T[lang]) lang = "kk";
  const t = (k) => T[lang][k];
  let token = localStorage.getItem(stored + ".token");
  let appealId = null;
  let lastSeq = 0;
  let socket = null;
  let backoff = 500;
  let refused = false; // the server refused the hello: wait for the visitor, do not retry
  let readSent = 0;
  let typingTimer = null;
  let lastTyping = 0;
  const pending = new Map(); // client_id -> body, until acknowledged

  const el = (tag, attrs, text) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text != null) e.textContent = text;
    return e;
  };
  const root = el("section", { class: "baylanys-chat", "aria-label": t("title") });
  const style = el("style", {}, `
    .baylanys-chat { font: 1rem/1.45 system-ui, sans-serif; color: #111; }
    .baylanys-chat .panel { display: flex; flex-direction: column; background: #fff; border: 1px solid #767676;
      ${full ? "height: 100vh; max-width: 48rem; margin: 0 auto;" : "position: fixed; right: 1rem; bottom: 4.5rem; width: min(24rem, 92vw); height: min(34rem, 80vh); box-shadow: 0 .3rem 1rem rgba(0,0,0,.25);"} }
    .baylanys-chat header { padding: .6rem .8rem; background: #0b5394; color: #fff; display: flex; justify-content: space-between; align-items: center; gap: .5rem; }
    .baylanys-chat header h2 { font-size: 1.05rem; margin: 0; }
    .baylanys-chat .log-box { flex: 1; overflow-y: auto; }
    .baylanys-chat .log { padding: .6rem .8rem; margin: 0; list-style: none; }
    .baylanys-chat .log li { margin: .35rem 0; padding: .4rem .6rem; border-radius: .4rem; max-width: 85%; white-space: pre-wrap; overflow-wrap: anywhere; }
    .baylanys-chat .log li.client { background: #dbe8f6; margin-left: auto; }
    .baylanys-chat .log li.client.read::after { content: " ✓✓"; color: #0b5394; }
    .baylanys-chat .log li.operator { background: #f1f1f1; }
    .baylanys-chat .log li.system, .baylanys-chat .status { color: #4a4a4a; font-size: .9rem; }
    .baylanys-chat .log li.system { font-style: italic; max-width: 100%; text-align: center; }
    .baylanys-chat .status { padding: .3rem .8rem; min-height: 1.5rem; margin: 0; }
    .baylanys-chat form.reply { display: flex; gap: .4rem; padding: .6rem; border-top: 1px solid #767676; }
    .baylanys-chat form.intro { display: grid; gap: .5rem; padding: .8rem; overflow-y: auto; }
    .baylanys-chat form.intro label { display: grid; gap: .15rem; }
    .baylanys-chat input, .baylanys-chat select { font: inherit; padding: .35rem; border: 1px solid #767676; }
    .baylanys-chat textarea { flex: 1; font: inherit; resize: none; padding: .4rem; }
    .baylanys-chat button { font: inherit; padding: .4rem .8rem; background: #0b5394; color: #fff; border: 0; border-radius: .3rem; cursor: pointer; }
    .baylanys-chat :focus-visible { outline: 3px solid #f90; outline-offset: 2px; }
    .baylanys-chat .stars { display: flex; gap: .3rem; justify-content: center; margin-top: .3rem; }
    .baylanys-chat .stars button { min-width: 2.4rem; }
    .baylanys-chat .launcher { position: fixed; right: 1rem; bottom: 1rem; }
    .baylanys-chat [hidden] { display: none !important; }
    .baylanys-chat .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
    .baylanys-chat .kb { flex: none; max-height: 45%; overflow-y: auto; padding: .4rem .8rem; border-top: 1px solid #767676; background: #fffbea; }
    .baylanys-chat .kb h3 { font-size: .95rem; margin: -.4rem 0 .2rem; padding: .4rem 0 .1rem; position: sticky; top: -.4rem; background: #fffbea; }
    .baylanys-chat .kb ul { list-style: none; margin: 0; padding: 0; }
    .baylanys-chat .kb li { margin: .15rem 0; }
    .baylanys-chat .kb button.kb-q { background: none; color: #0b5394; padding: .15rem 0; border-radius: 0; text-align: left; text-decoration: underline; }
    .baylanys-chat .kb .kb-other { color: #4a4a4a; font-size: .85rem; }
    .baylanys-chat .kb .kb-a { margin: .2rem 0 .5rem; padding: .5rem .6rem; background: #fff; border: 1px solid #c4c4c4; border-radius: .3rem; }
    .baylanys-chat .kb .kb-a p { margin: 0 0 .4rem; overflow-wrap: anywhere; }
    .baylanys-chat .kb .kb-src { font-size: .85rem; color: #4a4a4a; }
    .baylanys-chat .kb a { color: #0b5394; }
    .baylanys-chat .kb .kb-fb { display: flex; flex-wrap: wrap; gap: .4rem; margin-top: .4rem; }
    .baylanys-chat .kb .kb-fb button.kb-no { background: #fff; color: #0b5394; border: 1px solid #0b5394; }
    .baylanys-chat .kb .kb-said { font-size: .9rem; margin: .3rem 0 0; }
    .baylanys-chat .outage { margin: 0; padding: .5rem .8rem; background: #fde8e8; color: #5a0000; border-bottom: 1px solid #b00020; white-space: pre-wrap; overflow-wrap: anywhere; }
  `);
  const panel = el("div", { class: "panel", role: "dialog", "aria-labelledby": "baylanys-title" });
  const header = el("header");
  const title = el("h2", { id: "baylanys-title" }, t("title"));
  const number = el("span", { class: "number" });
  header.append(title, number);
  // The live region is a box around the list, so the list keeps its list semantics.
  const log = el("ol", { class: "log" });
  const logBox = el("div", { class: "log-box", role: "log", "aria-live": "polite", "aria-label": t("title") });
  logBox.append(log);
  const status = el("p", { class: "status", role: "status", "aria-live": "polite" }, "");
  const form = el("form", { class: "reply" });
  const label = el("label", { for: "baylanys-input", class: "sr" }, t("placeholder"));
  const input = el("textarea", { id: "baylanys-input", rows: "2", placeholder: t("placeholder"), maxlength: "4000" });
  const send = el("button", { type: "submit" }, t("send"));
  form.append(label, input, send);

  // Optional identification before the first conversation (R11: it is not proof; the operator
  // verifies before anything confidential is said).
  const intro = el("form", { class: "intro" });
  const field = (key, attrs) => {
    const l = el("label", {}, null);
    const span = el("span", { "data-t": key }, t(key));
    const i = el("input", Object.assign({ id: "baylanys-" + key, name: key }, attrs));
    l.append(span, i);
    return [l, i];
  };
  const introText = el("p", { "data-t": "intro" }, t("intro"));
  const langLabel = el("label", {});
  const langSelect = el("select", { id: "baylanys-lang" });
  for (const [v, n] of [["kk", "Қазақша"], ["ru", "Русский"], ["en", "English"]]) {
    const o = el("option", { value: v }, n);
    if (v === lang) o.selected = true;
    langSelect.append(o);
  }
  langLabel.append(el("span", { "data-t": "lang" }, t("lang")), langSelect);
  const [nameL, nameI] = field("name", { autocomplete: "name", maxlength: "200" });
  const [phoneL, phoneI] = field("phone", { type: "tel", autocomplete: "tel", maxlength: "32" });
  const [emailL, emailI] = field("email", { type: "email", autocomplete: "email", maxlength: "320" });
  const [iinL, iinI] = field("iin", { inputmode: "numeric", pattern: "[0-9]{12}", maxlength: "12" });
  const startButton = el("button", { type: "submit", "data-t": "start" }, t("start"));
  intro.append(introText, langLabel, nameL, phoneL, emailL, iinL, startButton);

  // Self-service while the citizen writes and waits (clause 3.15, R12.3): articles that may
  // answer the question, each opened in place with its short answer and its source.
  const kb = el("section", { class: "kb", "aria-labelledby": "baylanys-kb-title" });
  const kbList = el("ul");
  kb.append(el("h3", { id: "baylanys-kb-title", "data-t": "kb_title" }, t("kb_title")), kbList);
  kb.hidden = true;

  // A service interruption (R34), as the server words it in the visitor's language.
  const outage = el("p", { class: "outage", role: "alert", hidden: "" });
  panel.append(header, outage, intro, logBox, status, kb, form);
  root.append(style, panel);
  const translate = () => {
    panel.querySelectorAll("[data-t]").forEach((e) => { e.textContent = t(e.dataset.t); });
    input.placeholder = t("placeholder");
    label.textContent = t("placeholder");
    send.textContent = t("send");
    title.textContent = t("title");
  };
  langSelect.addEventListener("change", () => { lang = langSelect.value; localStorage.setItem(stored + ".lang", lang); translate(); clearSuggestions(); });
  const showIntro = (on) => { intro.hidden = !on; log.hidden = on; form.hidden = on; kb.hidden = on || !kbList.children.length; };
  showIntro(!token);
  intro.addEventListener("submit", (ev) => {
    ev.preventDefault();
    refused = false;
    showIntro(false);
    connect();
    input.focus();
  });
  if (!full) {
    const launcher = el("button", { type: "button", class: "launcher", "aria-expanded": "false" }, t("open"));
    panel.hidden = true;
    launcher.addEventListener("click", () => {
      panel.hidden = !panel.hidden;
      launcher.setAttribute("aria-expanded", String(!panel.hidden));
      if (!panel.hidden) {
        if (token) { input.focus(); if (!socket) connect(); } else langSelect.focus();
      }
    });
    const close = el("button", { type: "button", "aria-label": t("close") }, "×");
    close.addEventListener("click", () => { panel.hidden = true; launcher.setAttribute("aria-expanded", "false"); launcher.focus(); });
    header.append(close);
    root.append(launcher);
  }
  (document.body || document.documentElement).append(root);

  const visible = () => !panel.hidden && document.visibilityState === "visible";
  function markRead() {
    if (!visible() || lastSeq <= readSent || !socket || socket.readyState !== WebSocket.OPEN) return;
    readSent = lastSeq;
    socket.send(JSON.stringify({ type: "read", seq: lastSeq }));
  }
  document.addEventListener("visibilitychange", markRead);

  // One entry of the conversation, by its seq: shown once, whatever the replays.
  function show(f) {
    const key = appealId + ":" + f.seq;
    if (log.querySelector(`li[data-key="${key}"]`)) return;
    const author = f.type === "message" ? f.author : "system";
    const cls = author === "client" ? "client" : author === "operator" || author === "bot" ? "operator" : "system";
    const who = cls === "client" ? t("you") : cls === "system" ? t("system") : t("operator");
    const li = el("li", { class: cls, "data-key": key, "data-seq": String(f.seq) });
    li.append(el("span", { class: "sr" }, who + ": "), document.createTextNode(f.type === "message" ? f.body : f.text));
    if (f.type === "survey") li.append(stars());
    log.append(li);
    logBox.scrollTop = logBox.scrollHeight;
    lastSeq = Math.max(lastSeq, f.seq);
    if (f.type === "close") { status.textContent = t("ended"); waiting = true; kbQuery = ""; }
    // Someone answers now: the place in line no longer applies, nor do the suggestions (one the
    // citizen is reading stays until they close it).
    if (f.type === "assignment") {
      status.textContent = "";
      waiting = false;
      if (!reading()) clearSuggestions();
    }
    if (f.type === "transfer") waiting = true;
    markRead();
  }

  // ---- suggestions from the knowledge base ----
  // Searched as the citizen writes the first message and while they wait for an operator; a
  // failed search shows nothing and stops nothing. What the citizen typed is never touched.
  let waiting = true; // no operator has the conversation
  let kbQuery = ""; // the words the suggestions on screen are for
  let kbSeq = 0;
  let kbTimer = null;
  const rated = new Map(); // article id -> helped, answered once per page
  const reading = () => !!kbList.querySelector('[aria-expanded="true"]');
  const enough = (q) => q.length >= 12 || q.split(" ").length >= 3;
  // Personal numbers and addresses are no search words: they are left out of what is sent.
  const searchable = (text) => text.replace(/\S+@\S+/g, " ").replace(/\+?\d[\d\s()-]{4,}\d/g, " ")
    .replace(/\s+/g, " ").trim().slice(0, 300);
  function clearSuggestions() {
    kbSeq++;
    kbQuery = "";
    kbList.replaceChildren();
    kb.hidden = true;
  }
  function suggestFor(text) {
    const q = searchable(text);
    if (!waiting || !enough(q) || q === kbQuery || reading()) return;
    kbQuery = q;
    const seq = ++kbSeq;
    const asked = lang;
    fetch(`${origin}/api/v1/public/knowledge/search?place=widget&limit=3&language=${asked}&q=${encodeURIComponent(q)}`)
      .then((r) => (r.ok ? r.json() : null))
      .then((hits) => {
        if (!Array.isArray(hits) || seq !== kbSeq || asked !== lang || reading()) return;
        kbList.replaceChildren(...hits.slice(0, 3).map(suggestion));
        kb.hidden = !hits.length || !intro.hidden;
      })
      .catch(() => { if (seq === kbSeq) kbQuery = ""; });
  }
  function suggestion(h) {
    const li = el("li");
    const key = "baylanys-kb-" + h.article_id;
    const open = el("button", { type: "button", class: "kb-q", "aria-expanded": "false", "aria-controls": key });
    open.append(el("span", { lang: h.language }, h.title));
    if (h.language !== lang) open.append(el("span", { class: "kb-other" }, " (" + t("kb_in")[h.language] + ")"));
    const answer = el("div", { class: "kb-a", id: key, lang: h.language });
    answer.hidden = true;
    answer.append(el("p", {}, h.short || h.snippet.text));
    for (const line of h.source_lines) answer.append(el("p", { class: "kb-src" }, t("kb_source") + ": " + line));
    const full = el("a", { href: `${origin}/help?article=${encodeURIComponent(h.slug || h.article_id)}&lang=${h.language}`,
      target: "_blank", rel: "noopener", lang }, t("kb_full"));
    const said = el("p", { class: "kb-said", role: "status", lang });
    const p = el("p");
    p.append(full);
    answer.append(p);
    if (rated.has(h.article_id)) said.textContent = rated.get(h.article_id) ? t("kb_thanks") : t("kb_thanks_no");
    else answer.append(feedback(h.article_id, said));
    answer.append(said);
    let viewed = false;
    open.addEventListener("click", () => {
      const on = answer.hidden;
      answer.hidden = !on;
      open.setAttribute("aria-expanded", String(on));
      if (on) li.scrollIntoView({ block: "nearest" });
      // Reading it is a view, as on the help pages; nothing waits for the answer.
      if (on && !viewed) {
        viewed = true;
        fetch(`${origin}/api/v1/public/knowledge/articles/${h.article_id}?place=widget&language=${h.language}`).catch(() => {});
      }
      // Closed after the operator took the conversation: the suggestions have done their part.
      if (!on && !waiting && !reading()) clearSuggestions();
    });
    li.append(open, answer);
    return li;
  }
  function feedback(id, said) {
    const group = el("div", { class: "kb-fb", role: "group", "aria-label": t("kb_asked"), lang });
    const yes = el("button", { type: "button", class: "kb-yes" }, t("kb_helped"));
    const no = el("button", { type: "button", class: "kb-no" }, t("kb_not_helped"));
    const send = async (helped) => {
      yes.disabled = no.disabled = true;
      let r = null;
      try {
        r = await fetch(`${origin}/api/v1/public/knowledge/articles/${id}/feedback`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ helped, place: "widget" }),
        });
      } catch (_) { /* offline: said below */ }
      if (r && r.ok) {
        rated.set(id, helped);
        group.remove();
        said.textContent = helped ? t("kb_thanks") : t("kb_thanks_no");
        return;
      }
      said.textContent = r && r.status === 429 ? t("rate_limited") : t("kb_failed");
      yes.disabled = no.disabled = false;
    };
    yes.addEventListener("click", () => send(true));
    no.addEventListener("click", () => send(false));
    group.append(yes, no);
    return group;
  }
  // The citizen's last message, to suggest from while they wait after a reload.
  function lastQuestion() {
    const mine = log.querySelectorAll("li.client");
    const li = mine[mine.length - 1];
    if (!li) return "";
    return Array.from(li.childNodes).filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join("");
  }

  // The satisfaction survey (R5.7): five buttons, answered once.
  function stars() {
    const group = el("div", { class: "stars", role: "group", "aria-label": t("rate") });
    for (let n = 1; n <= 5; n++) {
      const b = el("button", { type: "button", "aria-label": `${t("rate")}: ${n}` }, String(n));
      b.addEventListener("click", () => {
        if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "rate", score: n }));
      });
      group.append(b);
    }
    return group;
  }
  function surveyDone(text) {
    log.querySelectorAll(".stars").forEach((g) => g.replaceWith(el("p", {}, text)));
    status.textContent = text;
  }

  function showRead(seq) {
    for (const li of log.querySelectorAll(`li.client[data-key^="${appealId}:"]`)) {
      if (Number(li.dataset.seq) <= seq && !li.classList.contains("read")) {
        li.classList.add("read");
        li.append(el("span", { class: "sr" }, " (" + t("read") + ")"));
      }
    }
  }

  function connect() {
    if (socket || refused) return;
    const url = origin.replace(/^http/, "ws") + "/ws/chat";
    socket = new WebSocket(url);
    // While reconnecting, keep saying so rather than flickering between two texts.
    if (status.textContent !== t("reconnecting")) status.textContent = t("connecting");
    socket.addEventListener("open", () => {
      const hello = { type: "hello", v: 1, token: token || undefined, last_seq: lastSeq, language: lang };
      if (!token) {
        for (const [k, i] of [["name", nameI], ["phone", phoneI], ["email", emailI], ["iin", iinI]]) {
          if (i.value.trim()) hello[k] = i.value.trim();
        }
      }
      socket.send(JSON.stringify(hello));
    });
    socket.addEventListener("message", (ev) => {
      const f = JSON.parse(ev.data);
      if (f.type === "welcome") {
        backoff = 500;
        // The appeal, its number and the token come with the first message, not before.
        if (f.token && f.token !== token) { token = f.token; localStorage.setItem(stored + ".token", token); }
        const aid = f.appeal_id || null;
        if (aid !== appealId) { appealId = aid; lastSeq = 0; readSent = 0; }
        number.textContent = f.number ? t("number") + " " + f.number : "";
        status.textContent = "";
        outage.textContent = f.service_notice || "";
        outage.hidden = !f.service_notice;
        showRead(f.read_seq);
        // Anything not acknowledged before the drop is sent again; the server recognises it.
        for (const [id, body] of pending) socket.send(JSON.stringify({ type: "message", client_id: id, body }));
      } else if (["message", "notice", "assignment", "transfer", "close", "survey"].includes(f.type)) show(f);
      else if (f.type === "ack") { pending.delete(f.client_id); if (status.textContent === t("failed")) status.textContent = ""; }
      else if (f.type === "read") showRead(f.seq);
      else if (f.type === "rated") surveyDone(t("thanks"));
      else if (f.type === "typing") {
        status.textContent = t("typing");
        clearTimeout(typingTimer);
        typingTimer = setTimeout(() => { if (status.textContent === t("typing")) status.textContent = ""; }, 4000);
      }
      else if (f.type === "queue_status") {
        status.textContent = f.text;
        if (!kbList.children.length) suggestFor(lastQuestion());
      }
      else if (f.type === "resync") { log.replaceChildren(); lastSeq = 0; readSent = 0; waiting = true; socket.close(); }
      else if (f.type === "error") {
        status.textContent = (T[lang][f.code] || f.message);
        // Refused before the conversation opened (bad details): back to the form.
        if (!appealId && f.code === "invalid_frame") { refused = true; showIntro(true); iinI.focus(); }
        if (f.code === "rate_limited" && !appealId) backoff = 60000;
        if (f.code === "already_rated") surveyDone(t("already_rated"));
      }
    });
    socket.addEventListener("close", () => {
      socket = null;
      if (refused) return;
      if (status.textContent !== t("rate_limited")) status.textContent = t("reconnecting");
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 60000);
    });
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const body = input.value.trim();
    if (!body) return;
    clearTimeout(kbTimer);
    suggestFor(body);
    const id = crypto.randomUUID();
    pending.set(id, body);
    input.value = "";
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "message", client_id: id, body }));
    else status.textContent = t("failed");
  });
  input.addEventListener("input", () => {
    clearTimeout(kbTimer);
    kbTimer = setTimeout(() => suggestFor(input.value), 500);
  });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); form.requestSubmit(); return; }
    const now = Date.now();
    if (now - lastTyping > 3000 && socket && socket.readyState === WebSocket.OPEN) {
      lastTyping = now;
      socket.send(JSON.stringify({ type: "typing" }));
    }
  });
  if (full && token) connect();
})();
