// The editors' view of the knowledge base (issue 18; R5.5, R22): the articles by state and
// review date; an article's texts in Kazakh, Russian and English, tags, sources and review date,
// saved against the revision read (another editor's save in between is a 409, said in the
// console's language, and nothing typed is lost); the moves draft → in review → published →
// archived; the published versions and what changed between them. Editors (role `editor`),
// supervisors and admins; an editor's console opens on it, since editors take no contacts.
// Loaded after console.js and frame.js and uses their globals (T, t, $, api, me, lang,
// showProblem). Plain DOM, text only.
"use strict";

Object.assign(T.kk, {
  ar_open: "Мақалалар", ar_title: "Білім қорының мақалалары", ar_state: "Күйі", ar_stale_only: "Тек қайта қарау мерзімі өткендер",
  ar_new: "Жаңа мақала", ar_languages: "Тілдері", ar_version: "Жарияланған нұсқа", ar_slug: "Сілтемедегі атауы (a-z, 0-9, -)",
  ar_tags: "Тегтер, үтір арқылы", ar_sources: "Дереккөздер, әрқайсысы жеке жолда: құжат | бап не тармақ | сілтеме | күні (ЖЖЖЖ-АА-КК)",
  ar_save: "Сақтау", ar_close: "Жабу", ar_versions: "Жарияланған нұсқалар", ar_saved: "Сақталды", ar_moved: "Күйі өзгерді",
  ar_conflict: "Мақаланы басқа редактор өзгертті. Сіздің мәтініңіз осында қалды: жаңа нұсқасын оқып, қайта сақтаңыз.",
  ar_reload: "Жаңа нұсқасын оқу", ar_title_f: "Тақырыбы", ar_short: "Қысқа жауап (дауыстық мәзір мен Telegram үшін)", ar_body: "Мәтіні (Markdown)",
  ar_compare: "алдыңғысымен салыстыру", ar_compare_draft: "жұмыс нұсқасымен салыстыру", ar_none: "Мақала жоқ.",
  ar_all: "барлығы", ar_state_draft: "жоба", ar_state_in_review: "тексеруде", ar_state_published: "жарияланған", ar_state_archived: "мұрағатта",
  ar_to_in_review: "Тексеруге жіберу", ar_to_published: "Жариялау", ar_to_draft: "Жобаға қайтару", ar_to_archived: "Мұрағатқа жіберу",
  ar_new_h: "Жаңа мақала", ar_stale: "қайта қарау мерзімі өтті", ar_bad_source: "Дереккөз жолын тексеріңіз: құжат | бап | сілтеме | күні",
  ar_no_versions: "Әлі жарияланбаған.", ar_version_n: "{n}-нұсқа", ar_sources_changed: "Дереккөздер өзгерді.",
});
Object.assign(T.ru, {
  ar_open: "Статьи", ar_title: "Статьи базы знаний", ar_state: "Состояние", ar_stale_only: "Только с истёкшим сроком пересмотра",
  ar_new: "Новая статья", ar_languages: "Языки", ar_version: "Опубликованная версия", ar_slug: "Имя в ссылках (a-z, 0-9, -)",
  ar_tags: "Теги через запятую", ar_sources: "Источники, каждый с новой строки: документ | статья или пункт | ссылка | дата (ГГГГ-ММ-ДД)",
  ar_save: "Сохранить", ar_close: "Закрыть", ar_versions: "Опубликованные версии", ar_saved: "Сохранено", ar_moved: "Состояние изменено",
  ar_conflict: "Статью изменил другой редактор. Ваш текст остался здесь: прочитайте новую версию и сохраните снова.",
  ar_reload: "Прочитать новую версию", ar_title_f: "Заголовок", ar_short: "Краткий ответ (для голосового меню и Telegram)", ar_body: "Текст (Markdown)",
  ar_compare: "сравнить с предыдущей", ar_compare_draft: "сравнить с рабочей версией", ar_none: "Статей нет.",
  ar_all: "все", ar_state_draft: "черновик", ar_state_in_review: "на проверке", ar_state_published: "опубликована", ar_state_archived: "в архиве",
  ar_to_in_review: "Отправить на проверку", ar_to_published: "Опубликовать", ar_to_draft: "Вернуть в черновики", ar_to_archived: "В архив",
  ar_new_h: "Новая статья", ar_stale: "срок пересмотра истёк", ar_bad_source: "Проверьте строку источника: документ | статья | ссылка | дата",
  ar_no_versions: "Ещё не опубликована.", ar_version_n: "версия {n}", ar_sources_changed: "Источники изменились.",
});
Object.assign(T.en, {
  ar_open: "Articles", ar_title: "Knowledge base articles", ar_state: "State", ar_stale_only: "Past their review date only",
  ar_new: "New article", ar_languages: "Languages", ar_version: "Published version", ar_slug: "Name in links (a-z, 0-9, -)",
  ar_tags: "Tags, comma-separated", ar_sources: "Sources, one a line: document | article or clause | link | date (YYYY-MM-DD)",
  ar_save: "Save", ar_close: "Close", ar_versions: "Published versions", ar_saved: "Saved", ar_moved: "State changed",
  ar_conflict: "Another editor changed the article. Your text is still here: read the new version and save again.",
  ar_reload: "Read the new version", ar_title_f: "Title", ar_short: "Short answer (voice menu and Telegram)", ar_body: "Text (Markdown)",
  ar_compare: "compare with the previous", ar_compare_draft: "compare with the working copy", ar_none: "No articles.",
  ar_all: "all", ar_state_draft: "draft", ar_state_in_review: "in review", ar_state_published: "published", ar_state_archived: "archived",
  ar_to_in_review: "Send for review", ar_to_published: "Publish", ar_to_draft: "Back to draft", ar_to_archived: "Archive",
  ar_new_h: "New article", ar_stale: "past its review date", ar_bad_source: "Check the source line: document | clause | link | date",
  ar_no_versions: "Not published yet.", ar_version_n: "version {n}", ar_sources_changed: "The sources changed.",
});
translate();

const LANGS = ["kk", "ru", "en"];
// The moves an editor may make from each state (the server checks the same table).
const MOVES = { draft: ["in_review", "published", "archived"], in_review: ["published", "draft", "archived"], published: ["archived"], archived: ["draft"] };
const ar = { shown: false, items: [], current: null };
const writesArticles = () => Boolean(me) && ["editor", "supervisor", "admin"].includes(me.role);

// The texts of each language, built once; their labels follow the console's language.
for (const l of LANGS) {
  const fs = document.createElement("fieldset");
  fs.dataset.lang = l;
  const legend = document.createElement("legend");
  legend.dataset.t = "lang_" + l;
  fs.appendChild(legend);
  for (const [field, key, tag, rows] of [["title", "ar_title_f", "input", 0], ["short", "ar_short", "textarea", 2], ["body", "ar_body", "textarea", 8]]) {
    const label = document.createElement("label");
    const span = document.createElement("span");
    span.dataset.t = key;
    const input = document.createElement(tag);
    input.id = `ar-${field}-${l}`;
    input.maxLength = { title: 300, short: 600, body: 20000 }[field];
    if (rows) input.rows = rows;
    label.append(span, " ", input);
    fs.appendChild(label);
  }
  $("ar-texts").appendChild(fs);
}
translate();

function drawStates() {
  const sel = $("ar-state");
  const value = sel.value;
  sel.replaceChildren(new Option(t("ar_all"), ""), ...Object.keys(MOVES).map((s) => new Option(t("ar_state_" + s), s)));
  sel.value = value;
}

function drawArticleList() {
  const body = $("ar-list").querySelector("tbody");
  body.replaceChildren();
  for (const a of ar.items) {
    const tr = document.createElement("tr");
    tr.dataset.id = a.id;
    tr.dataset.slug = a.slug || "";
    tr.tabIndex = 0;
    const title = (a.texts[0] && a.texts[0].title) || a.slug || a.id;
    for (const [text, cls] of [
      [a.stale ? `${title} (⚠ ${t("ar_stale")})` : title, ""],
      [t("ar_state_" + a.state), ""],
      [a.texts.map((x) => x.language).join(", "), ""],
      [a.review_by ? new Date(a.review_by).toLocaleDateString(lang) : "—", ""],
      [a.published_version == null ? "—" : String(a.published_version), "num"],
    ]) {
      const td = document.createElement("td");
      td.textContent = text;
      if (cls) td.className = cls;
      tr.appendChild(td);
    }
    const open = () => openArticle(a.id);
    tr.addEventListener("click", open);
    tr.addEventListener("keydown", (ev) => { if (ev.key === "Enter") open(); });
    body.appendChild(tr);
  }
  $("ar-list").hidden = ar.items.length === 0;
  $("ar-error").textContent = ar.items.length === 0 ? t("ar_none") : "";
}

async function loadArticles() {
  const q = new URLSearchParams({ limit: "200" });
  if ($("ar-state").value) q.set("state", $("ar-state").value);
  if ($("ar-stale").checked) q.set("stale", "true");
  const r = await api("GET", "/api/v1/knowledge/articles?" + q);
  if (!r.ok) { showProblem(r, $("ar-error")); return; }
  ar.items = r.body;
  drawArticleList();
}

function sourceLine(s) {
  return [s.document, s.clause || "", s.url || "", s.date || ""].join(" | ").replace(/( \| )+$/, "");
}
function parseSources(text) {
  const out = [];
  for (const line of text.split("\n").map((l) => l.trim()).filter(Boolean)) {
    const [document, clause, url, date] = line.split("|").map((p) => p.trim());
    if (!document || (date && !/^\d{4}-\d{2}-\d{2}$/.test(date))) return null;
    out.push({ document, clause: clause || null, url: url || null, date: date || null });
  }
  return out;
}

function fillForm(a) {
  ar.current = a;
  $("ar-form").hidden = false;
  $("ar-form-h").textContent = a ? (a.texts[0] && a.texts[0].title) || a.slug : t("ar_new_h");
  drawMeta();
  $("ar-slug").value = (a && a.slug) || "";
  $("ar-slug").disabled = Boolean(a);
  for (const l of LANGS) {
    const x = a && a.texts.find((y) => y.language === l);
    $(`ar-title-${l}`).value = (x && x.title) || "";
    $(`ar-short-${l}`).value = (x && x.short) || "";
    $(`ar-body-${l}`).value = (x && x.body) || "";
  }
  $("ar-tags").value = a ? a.tags.join(", ") : "";
  $("ar-sources").value = a ? a.sources.map(sourceLine).join("\n") : "";
  $("ar-review").value = (a && a.review_by) || "";
  $("ar-status").textContent = "";
  $("ar-diff").replaceChildren();
  drawMoves();
  loadVersions();
}

function drawMeta() {
  const a = ar.current;
  $("ar-meta").textContent = a ? `${t("ar_state_" + a.state)} · ${t("ar_version")}: ${a.published_version ?? "—"}` : "";
}

function drawMoves() {
  const p = $("ar-moves");
  p.replaceChildren();
  const a = ar.current;
  if (!a) return;
  for (const to of MOVES[a.state] || []) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = to === "published" ? "" : "secondary";
    b.dataset.to = to;
    b.textContent = t("ar_to_" + to);
    b.addEventListener("click", () => moveArticle(to));
    p.appendChild(b);
  }
}

async function openArticle(id) {
  const r = await api("GET", `/api/v1/knowledge/articles/${id}`);
  if (!r.ok) { showProblem(r, $("ar-error")); return; }
  fillForm(r.body);
  $("ar-form").scrollIntoView({ block: "start" });
  $(`ar-title-kk`).focus();
}

// The form as the API wants it: the languages with a title or a body.
function formBody() {
  const texts = [];
  for (const l of LANGS) {
    const title = $(`ar-title-${l}`).value.trim();
    const body = $(`ar-body-${l}`).value.trim();
    const short = $(`ar-short-${l}`).value.trim();
    if (title || body || short) texts.push({ language: l, title, body, short: short || null });
  }
  const sources = parseSources($("ar-sources").value);
  if (sources === null) return null;
  return {
    texts,
    tags: $("ar-tags").value.split(",").map((x) => x.trim()).filter(Boolean),
    sources,
    review_by: $("ar-review").value || null,
  };
}

$("ar-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const body = formBody();
  if (!body) { $("ar-status").textContent = t("ar_bad_source"); $("ar-sources").focus(); return; }
  const a = ar.current;
  let r;
  if (a) r = await api("PUT", `/api/v1/knowledge/articles/${a.id}`, Object.assign(body, { revision: a.revision }));
  else r = await api("POST", "/api/v1/knowledge/articles", Object.assign(body, { slug: $("ar-slug").value.trim() || null }));
  if (r.status === 409 && a) { conflict(); return; }
  if (!r.ok) { showProblem(r, $("ar-status")); return; }
  fillForm(r.body);
  $("ar-status").textContent = t("ar_saved");
  loadArticles();
});

// Another editor saved first: keep what this one typed, offer to read theirs.
function conflict() {
  const s = $("ar-status");
  s.textContent = t("ar_conflict") + " ";
  const b = document.createElement("button");
  b.type = "button";
  b.className = "link";
  b.textContent = t("ar_reload");
  b.addEventListener("click", () => openArticle(ar.current.id));
  s.appendChild(b);
}

async function moveArticle(to) {
  const a = ar.current;
  if (!a) return;
  const r = await api("POST", `/api/v1/knowledge/articles/${a.id}/state`, { to, revision: a.revision });
  if (r.status === 409) { conflict(); return; }
  if (!r.ok) { showProblem(r, $("ar-status")); return; }
  fillForm(r.body);
  $("ar-status").textContent = t("ar_moved");
  loadArticles();
}

async function loadVersions() {
  const list = $("ar-versions");
  list.replaceChildren();
  const a = ar.current;
  if (!a) return;
  const r = await api("GET", `/api/v1/knowledge/articles/${a.id}/versions`);
  const versions = (r.ok && r.body) || [];
  if (!versions.length) {
    const li = document.createElement("li");
    li.className = "muted";
    li.textContent = t("ar_no_versions");
    list.appendChild(li);
    return;
  }
  for (const v of versions) {
    const li = document.createElement("li");
    li.dataset.version = v.version;
    li.append(`${t("ar_version_n").replace("{n}", v.version)} · ${new Date(v.published_at).toLocaleString(lang)} `);
    const add = (word, from, to) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "link";
      b.textContent = t(word);
      b.addEventListener("click", () => showDiff(from, to));
      li.append(b, " ");
    };
    if (v.version > 1) add("ar_compare", v.version - 1, v.version);
    if (v.version === versions[versions.length - 1].version) add("ar_compare_draft", v.version, null);
    list.appendChild(li);
  }
}

async function showDiff(from, to) {
  const a = ar.current;
  const q = new URLSearchParams({ from: String(from) });
  if (to != null) q.set("to", String(to));
  const r = await api("GET", `/api/v1/knowledge/articles/${a.id}/diff?` + q);
  const box = $("ar-diff");
  box.replaceChildren();
  if (!r.ok) { showProblem(r, $("ar-status")); return; }
  for (const d of r.body.languages) {
    const h = document.createElement("h5");
    h.textContent = t("lang_" + d.language) + (d.title_from !== d.title_to ? ` — ${d.title_from || "∅"} → ${d.title_to || "∅"}` : "");
    box.appendChild(h);
    for (const line of d.lines) {
      const p = document.createElement("p");
      p.className = line.op;
      p.textContent = (line.op === "added" ? "+ " : line.op === "removed" ? "− " : "  ") + line.text;
      box.appendChild(p);
    }
  }
  if (r.body.sources_changed) {
    const p = document.createElement("p");
    p.className = "muted";
    p.textContent = t("ar_sources_changed");
    box.appendChild(p);
  }
}

function showArticles(open) {
  ar.shown = open;
  $("articles").hidden = !open;
  $("articles-open").setAttribute("aria-expanded", String(open));
  if (!open) return;
  drawStates();
  loadArticles();
  $("articles").focus();
}

// Editors take no contacts: their console opens on the articles, without presence or work.
function onArticlesApp() {
  const on = !$("app").hidden && writesArticles();
  $("articles-open").hidden = !on;
  const editor = on && me.role === "editor";
  $("presence").hidden = editor;
  $("work-open").hidden = editor;
  if (!on) { ar.items = []; showArticles(false); }
  else if (editor && !ar.shown) showArticles(true);
}
new MutationObserver(onArticlesApp).observe($("app"), { attributes: true, attributeFilter: ["hidden"] });
onArticlesApp();
$("articles-open").addEventListener("click", () => showArticles(!ar.shown));
$("ar-state").addEventListener("change", loadArticles);
$("ar-stale").addEventListener("change", loadArticles);
$("ar-new").addEventListener("click", () => { fillForm(null); $("ar-slug").focus(); });
$("ar-close").addEventListener("click", () => { $("ar-form").hidden = true; ar.current = null; });
$("lang").addEventListener("change", () => { drawStates(); if (ar.items.length) drawArticleList(); drawMeta(); drawMoves(); });
