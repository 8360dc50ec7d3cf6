// The knowledge base in the console (issue 18; R5.5, R22). Beside the conversation, the
// "Knowledge" tab suggests served articles from the appeal's topic and the client's last message
// (GET /api/v1/knowledge/search), or from what the operator types in its search box; an article
// goes into the reply with its source line under it (POST …/insert, recorded as a use), after
// what the operator already typed, never over it. Canned replies standing on an article say when
// it went stale. Supervisors get the usage panel: views, insertions, "helped / did not help",
// the searches that found nothing and the stale articles (GET /api/v1/knowledge/usage).
// Loaded after console.js and frame.js and uses their globals (T, t, $, api, me, lang, convs,
// active, canned, showProblem, selectAct). Plain DOM, text only: matched words are marked by
// building nodes from the character offsets the server sends.
"use strict";

Object.assign(T.kk, {
  act_knowledge: "Білім қоры", k_knowledge: "Білім қоры: ұсынылған мақалалар", kb_search: "Білім қорынан іздеу",
  kb_suggested: "Клиенттің хабарламасы бойынша ұсыныстар", kb_found: "Іздеу нәтижесі", kb_none: "Сәйкес мақала табылмады",
  kb_searching: "Ізделуде…", kb_insert_short: "Қысқа жауапты қою", kb_insert_full: "Толық мәтінді қою",
  kb_inserted: "Жауапқа дереккөзімен қойылды", kb_stale: "Қайта қарау мерзімі өтті — фактілерді тексеріңіз",
  kb_other_language: "Өтініш тілінде мәтіні жоқ, мәтін тілі:", kb_open: "Білім қоры", kb_title: "Білім қоры: пайдалану",
  kb_articles_h: "Пайдаланылған мақалалар", kb_articles_none: "Бұл кезеңде мақала пайдаланылмады.",
  kb_article: "Мақала", kb_views: "Қаралды", kb_inserts: "Жауапқа қойылды", kb_helped: "Көмектесті", kb_not_helped: "Көмектеспеді",
  kb_gaps: "Жауабы табылмаған сұраулар", kb_gaps_none: "Әр іздеу бір нәрсе тапты.", kb_query: "Ізделген сөздер", kb_count: "Неше рет",
  kb_stale_list: "Қайта қарау мерзімі өткен мақалалар", kb_stale_none: "Мерзімі өткен мақала жоқ.", kb_review_by: "Қайта қарау мерзімі",
  kb_served_n: "Жарияланған мақалалар: {n}", kb_period: "Соңғы 30 күн: {from} – {to}", kb_error: "Деректерді оқу мүмкін болмады.",
  canned_stale: "мақаланың мерзімі өткен", canned_withdrawn: "мақала алынып тасталған",
  lang_kk: "қазақша", lang_ru: "орысша", lang_en: "ағылшынша",
});
Object.assign(T.ru, {
  act_knowledge: "База знаний", k_knowledge: "База знаний: предложенные статьи", kb_search: "Поиск по базе знаний",
  kb_suggested: "Предложено по сообщению клиента", kb_found: "Найдено", kb_none: "Подходящих статей не найдено",
  kb_searching: "Поиск…", kb_insert_short: "Вставить краткий ответ", kb_insert_full: "Вставить полный текст",
  kb_inserted: "Вставлено в ответ с источником", kb_stale: "Срок пересмотра истёк — проверьте факты",
  kb_other_language: "Нет текста на языке обращения, текст на языке:", kb_open: "База знаний", kb_title: "База знаний: использование",
  kb_articles_h: "Использованные статьи", kb_articles_none: "За период статьи не использовались.",
  kb_article: "Статья", kb_views: "Просмотры", kb_inserts: "Вставлено в ответы", kb_helped: "Помогло", kb_not_helped: "Не помогло",
  kb_gaps: "Вопросы без ответа", kb_gaps_none: "Каждый поиск что-то нашёл.", kb_query: "Искомые слова", kb_count: "Сколько раз",
  kb_stale_list: "Статьи с истёкшим сроком пересмотра", kb_stale_none: "Статей с истёкшим сроком нет.", kb_review_by: "Пересмотреть до",
  kb_served_n: "Опубликовано статей: {n}", kb_period: "Последние 30 дней: {from} – {to}", kb_error: "Не удалось прочитать данные.",
  canned_stale: "статья устарела", canned_withdrawn: "статья снята",
  lang_kk: "казахский", lang_ru: "русский", lang_en: "английский",
});
Object.assign(T.en, {
  act_knowledge: "Knowledge", k_knowledge: "Knowledge base: suggested articles", kb_search: "Search the knowledge base",
  kb_suggested: "Suggested from the client's message", kb_found: "Found", kb_none: "No matching article",
  kb_searching: "Searching…", kb_insert_short: "Insert the short answer", kb_insert_full: "Insert the full text",
  kb_inserted: "Inserted into the reply with its source", kb_stale: "Past its review date — check the facts",
  kb_other_language: "No text in the appeal's language; the text is in:", kb_open: "Knowledge base", kb_title: "Knowledge base: use",
  kb_articles_h: "Articles used", kb_articles_none: "No article was used in the period.",
  kb_article: "Article", kb_views: "Views", kb_inserts: "Inserted", kb_helped: "Helped", kb_not_helped: "Did not help",
  kb_gaps: "Questions with no answer", kb_gaps_none: "Every search found something.", kb_query: "Searched words", kb_count: "Times",
  kb_stale_list: "Articles past their review date", kb_stale_none: "No article is past its review date.", kb_review_by: "Review by",
  kb_served_n: "Published articles: {n}", kb_period: "Last 30 days: {from} – {to}", kb_error: "The figures could not be read.",
  canned_stale: "the article is stale", canned_withdrawn: "the article was withdrawn",
  lang_kk: "Kazakh", lang_ru: "Russian", lang_en: "English",
});
translate();

// --- Suggestions and search beside the conversation ------------------------------------------

const kb = { appeal: null, heard: null, typed: "", hits: [], mode: "suggested", timer: null, seq: 0 };

// The client's last message in the conversation, from the appeal's timeline.
function lastClientText(c) {
  const entries = (c.detail && c.detail.timeline) || [];
  for (let i = entries.length - 1; i >= 0; i--) {
    const m = entries[i].message;
    if (m && m.author === "client" && m.kind === "text" && m.body) return m.body;
  }
  return (c.detail && c.detail.appeal && (c.detail.appeal.description || c.detail.appeal.subject)) || "";
}

function marked(snippet) {
  const frag = document.createDocumentFragment();
  const chars = [...snippet.text];
  let at = 0;
  for (const [a, b] of snippet.marks || []) {
    if (a < at || b > chars.length) continue;
    frag.append(chars.slice(at, a).join(""));
    const m = document.createElement("mark");
    m.textContent = chars.slice(a, b).join("");
    frag.append(m);
    at = b;
  }
  frag.append(chars.slice(at).join(""));
  return frag;
}

function drawHits() {
  const list = $("kb-hits");
  list.replaceChildren();
  const c = convs.get(active);
  const convLang = $("conversation").dataset.language;
  for (const h of kb.hits) {
    const li = document.createElement("li");
    li.className = "kb-hit";
    li.dataset.slug = h.slug || "";
    const title = document.createElement("h4");
    title.textContent = h.title;
    li.appendChild(title);
    if (h.stale) {
      const s = document.createElement("p");
      s.className = "error kb-stale";
      s.textContent = t("kb_stale");
      li.appendChild(s);
    }
    if (h.language !== convLang) {
      const l = document.createElement("p");
      l.className = "muted";
      l.textContent = `${t("kb_other_language")} ${t("lang_" + h.language)}`;
      li.appendChild(l);
    }
    const snip = document.createElement("p");
    snip.className = "kb-snippet";
    snip.appendChild(marked(h.snippet));
    li.appendChild(snip);
    for (const line of h.source_lines) {
      const s = document.createElement("p");
      s.className = "muted kb-source";
      s.textContent = line;
      li.appendChild(s);
    }
    const row = document.createElement("p");
    row.className = "row";
    const add = (word, short) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "secondary";
      b.textContent = t(word);
      b.addEventListener("click", () => insertArticle(c, h, short));
      row.appendChild(b);
    };
    if (h.short) add("kb_insert_short", true);
    add("kb_insert_full", false);
    li.appendChild(row);
    list.appendChild(li);
  }
  $("kb-status").textContent = kb.hits.length ? t(kb.mode === "suggested" ? "kb_suggested" : "kb_found") : t("kb_none");
}

async function searchKb(q, mode) {
  const c = convs.get(active);
  if (!c || !c.detail || !q.trim()) {
    kb.hits = [];
    $("kb-hits").replaceChildren();
    $("kb-status").textContent = "";
    return;
  }
  const seq = ++kb.seq;
  $("kb-status").textContent = t("kb_searching");
  const a = c.detail.appeal;
  const params = new URLSearchParams({ q: [...q.trim()].slice(0, 300).join(""), language: a.language, limit: "5", appeal_id: a.id });
  if (a.topic_id) params.set("topic", a.topic_id);
  try {
    const r = await api("GET", "/api/v1/knowledge/search?" + params);
    if (seq !== kb.seq) return; // a newer search answered first
    if (!r.ok) { kb.hits = []; drawHits(); showProblem(r, $("kb-status")); return; }
    kb.hits = r.body || [];
    kb.mode = mode;
    drawHits();
  } catch {
    if (seq === kb.seq) $("kb-status").textContent = t("p_network");
  }
}

// Called when a conversation is drawn: suggest from its last client message unless the operator
// is searching by their own words.
window.drawKnowledge = (c) => {
  if (!c || !c.detail || (me && me.role === "body_officer")) return;
  const heard = lastClientText(c);
  if (kb.appeal !== c.id) {
    kb.appeal = c.id;
    kb.typed = "";
    $("kb-q").value = "";
  }
  if (kb.typed || heard === kb.heard) return;
  kb.heard = heard;
  searchKb(heard, "suggested");
};
// A new message from the client in the open conversation: new suggestions.
window.knowledgeHeard = (c, m) => {
  if (c.id !== active || kb.typed || !m.body || m.body === kb.heard) return;
  kb.heard = m.body;
  searchKb(m.body, "suggested");
};

$("kb-q").addEventListener("input", () => {
  clearTimeout(kb.timer);
  kb.typed = $("kb-q").value.trim();
  kb.timer = setTimeout(() => {
    if (kb.typed) searchKb(kb.typed, "found");
    else { kb.heard = null; const c = convs.get(active); if (c) window.drawKnowledge(c); }
  }, 250);
});
$("kb-search").addEventListener("submit", (ev) => {
  ev.preventDefault();
  clearTimeout(kb.timer);
  kb.typed = $("kb-q").value.trim();
  if (kb.typed) searchKb(kb.typed, "found");
});

// The answer goes after what the operator typed, with its source line (R22); the server records
// the use against the appeal.
async function insertArticle(c, hit, short) {
  if (!c || !c.detail) return;
  const r = await api("POST", `/api/v1/knowledge/articles/${hit.article_id}/insert`, {
    language: hit.language, appeal_id: c.detail.appeal.id, short,
  });
  if (!r.ok) { showProblem(r, $("kb-status")); return; }
  const box = $("reply-text");
  box.value = [box.value.trimEnd(), r.body.text].filter(Boolean).join("\n\n");
  $("kb-status").textContent = t("kb_inserted");
  box.focus();
  box.setSelectionRange(box.value.length, box.value.length);
}

// --- Canned replies standing on an article say when it went stale ------------------------------

function markCanned() {
  const sel = $("canned");
  for (const o of sel.options) {
    const c = typeof canned !== "undefined" && canned.find((x) => x.id === o.value);
    if (!c || !c.article) continue;
    const why = !c.article.served ? t("canned_withdrawn") : c.article.stale ? t("canned_stale") : "";
    o.textContent = why ? `${c.title} (⚠ ${why})` : c.title;
  }
}
new MutationObserver(markCanned).observe($("canned"), { childList: true });
$("lang").addEventListener("change", () => { markCanned(); if (kb.hits.length) drawHits(); if (kbu.data) drawUsage(); });

// --- The supervisors' usage panel --------------------------------------------------------------

const kbu = { data: null, shown: false };
const overseesKb = () => Boolean(me) && (me.role === "supervisor" || me.role === "admin");

function drawUsage() {
  const d = kbu.data;
  if (!d) return;
  const day = (x) => new Date(x).toLocaleDateString(lang);
  $("kb-period").textContent = t("kb_period").replace("{from}", day(d.from)).replace("{to}", day(d.to));
  $("kb-served").textContent = t("kb_served_n").replace("{n}", d.served);
  const fill = (id, rows, cells) => {
    const body = $(id).querySelector("tbody");
    body.replaceChildren();
    for (const x of rows) {
      const tr = document.createElement("tr");
      for (const [text, num] of cells(x)) {
        const td = document.createElement("td");
        td.textContent = text;
        if (num) td.className = "num";
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
    $(id).hidden = rows.length === 0;
    $(id + "-none").hidden = rows.length !== 0;
  };
  const n = (x) => [Number(x).toLocaleString(lang), true];
  fill("kb-articles", d.articles, (a) => [[a.title, false], n(a.views), n(a.inserts), n(a.helped), n(a.not_helped)]);
  fill("kb-gaps", d.gaps, (g) => [[g.query, false], n(g.count)]);
  fill("kb-stale", d.stale, (s) => [[s.title, false], [s.review_by ? new Date(s.review_by).toLocaleDateString(lang) : "—", false]]);
}

async function loadUsage() {
  $("kb-error").textContent = "";
  try {
    const r = await api("GET", "/api/v1/knowledge/usage");
    if (r.ok) kbu.data = r.body;
    else { kbu.data = null; $("kb-error").textContent = t("kb_error"); }
  } catch {
    kbu.data = null;
    if (token) $("kb-error").textContent = t("kb_error");
  }
  drawUsage();
}

function showUsage(open) {
  kbu.shown = open;
  $("kbase").hidden = !open;
  $("kbase-open").setAttribute("aria-expanded", String(open));
  if (!open) return;
  loadUsage();
  $("kbase").focus();
}

function onKbApp() {
  const on = !$("app").hidden && overseesKb();
  $("kbase-open").hidden = !on;
  if (!on) { kbu.data = null; showUsage(false); }
}
new MutationObserver(onKbApp).observe($("app"), { attributes: true, attributeFilter: ["hidden"] });
onKbApp();
$("kbase-open").addEventListener("click", () => showUsage(!kbu.shown));
$("kb-refresh").addEventListener("click", loadUsage);
