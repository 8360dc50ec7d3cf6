// The console's frame (issue 14): the three panes and how an operator moves in them for a whole
// shift. It draws the left pane's items (channel icon, number, unread count, how long the client
// has waited, the due date in its SLA colour), the action tabs of the right pane, the header's
// views (a supervisor panel takes the panes' place instead of being appended below them), the
// server's refusals in the console's language, and the keyboard shortcuts with their help
// overlay (`?`). Loaded after console.js and uses its globals (T, t, v, $, me, lang, convs,
// active, activate, openAppeal, translate). Plain DOM, text only.
"use strict";

Object.assign(T.kk, {
  work: "Жұмыс", views: "Бөлімдер", client_and_appeal: "Клиент пен өтініш", live_open: "Кезектер", my_work: "Менің жұмысым", no_convs: "Ашық әңгіме жоқ.", actions: "Әрекеттер",
  pick_conversation: "Ұсынысты қабылдаңыз немесе сол жақтан әңгімені таңдаңыз.", keys_hint: "Пернелер тізімі: ?",
  keys_button: "?", keys_h: "Пернелер", act_notes: "Жазбалар", act_history: "Тарих", act_transfer: "Ауыстыру",
  act_redirect: "Органға", act_complaint: "Шағым", act_close: "Жабу", act_answer: "Жауап",
  history_locked: "Клиенттің басқа өтініштері ол тексерілгеннен кейін көрінеді.", complaint_none: "Жауап берілген не жабылған өтінішті шағым ретінде тіркеуге болмайды.", complaint_already: "Бұл өтініш шағым ретінде тіркелген: оны супервизорлар шағымдар тәртібімен қарайды.",
  waited: "күтуде", min: "мин", due_short: "мерзімі", overdue_short: "мерзімі өтті",
  k_accept: "Ең ерте ұсынысты қабылдау", k_next: "Келесі әңгіме", k_prev: "Алдыңғы әңгіме", k_reply: "Жауап жолына өту",
  k_canned: "Дайын жауап: ↑↓ таңдау, Enter — жолға", k_send: "Жіберу (жауап жолында)", k_fields: "Өтініштің түрі, тақырыбы, басымдығы",
  k_note: "Ішкі жазба", k_history: "Клиенттің тарихы", k_transfer: "Ауыстыру не супервизорға жіберу", k_redirect: "Құзыретті органға жіберу",
  k_complaint: "Шағым ретінде тіркеу", k_close: "Шешімімен жабу", k_help: "Осы тізім", k_escape: "Терезені жабу",
  p_invalid: "Деректерді тексеріңіз.", p_conflict: "Орындалмады: қазіргі жағдайда мүмкін емес.", p_transition: "Өтініштің қазіргі мәртебесінде бұлай істеуге болмайды.",
  p_forbidden: "Бұл әрекетке құқығыңыз жоқ.", p_not_found: "Табылмады: жойылған не қолжетімсіз.", p_rate: "Әрекет тым көп: кейінірек қайталаңыз.",
  p_unavailable: "Сервер уақытша қолжетімсіз: кейінірек қайталаңыз.", p_internal: "Сервер қатесі: әрекет орындалмады.", p_network: "Байланыс жоқ: әрекет орындалмады.",
  p_not_mine: "Бұл байланыс сізде емес.",
  via_web_chat: "Жауап веб-чатқа бірден жетеді.", via_email: "Жауап клиенттің хат тізбегіне хат болып кетеді (SMS — қосалқы жол).",
  via_telegram: "Жауап клиенттің Telegram чатына кетеді.", via_other: "Жауап тіркелген e-mail не SMS арқылы кетеді.",
  priority_1: "1 — ең төмен", priority_2: "2 — төмен", priority_3: "3 — қалыпты", priority_4: "4 — жоғары", priority_5: "5 — шұғыл",
});
Object.assign(T.ru, {
  work: "Работа", views: "Разделы", client_and_appeal: "Клиент и обращение", live_open: "Очереди", my_work: "Моя работа", no_convs: "Открытых разговоров нет.", actions: "Действия",
  pick_conversation: "Примите предложение или выберите разговор слева.", keys_hint: "Список клавиш: ?",
  keys_button: "?", keys_h: "Клавиши", act_notes: "Заметки", act_history: "История", act_transfer: "Перевод",
  act_redirect: "В орган", act_complaint: "Жалоба", act_close: "Закрытие", act_answer: "Ответ",
  history_locked: "Другие обращения клиента видны после проверки его личности.", complaint_none: "Обращение с ответом или закрытое нельзя зарегистрировать как жалобу.", complaint_already: "Обращение зарегистрировано как жалоба: её рассматривают супервизоры в порядке рассмотрения жалоб.",
  waited: "ждёт", min: "мин", due_short: "срок", overdue_short: "срок истёк",
  k_accept: "Принять самое раннее предложение", k_next: "Следующий разговор", k_prev: "Предыдущий разговор", k_reply: "Перейти к ответу",
  k_canned: "Шаблон: ↑↓ выбрать, Enter — в ответ", k_send: "Отправить (в поле ответа)", k_fields: "Вид, тема, приоритет обращения",
  k_note: "Внутренняя заметка", k_history: "История клиента", k_transfer: "Перевести или эскалировать", k_redirect: "Направить в компетентный орган",
  k_complaint: "Зарегистрировать как жалобу", k_close: "Закрыть с решением", k_help: "Этот список", k_escape: "Закрыть окно",
  p_invalid: "Проверьте данные.", p_conflict: "Не выполнено: сейчас это невозможно.", p_transition: "В текущем статусе обращения так нельзя.",
  p_forbidden: "Нет прав на это действие.", p_not_found: "Не найдено: удалено или недоступно.", p_rate: "Слишком много попыток: повторите позже.",
  p_unavailable: "Сервер временно недоступен: повторите позже.", p_internal: "Ошибка сервера: действие не выполнено.", p_network: "Нет связи: действие не выполнено.",
  p_not_mine: "Этот контакт не у вас.",
  via_web_chat: "Ответ сразу придёт в веб-чат.", via_email: "Ответ уйдёт письмом в переписку клиента (SMS — запасной путь).",
  via_telegram: "Ответ уйдёт в Telegram-чат клиента.", via_other: "Ответ уйдёт по e-mail или SMS из карточки.",
  priority_1: "1 — самый низкий", priority_2: "2 — низкий", priority_3: "3 — обычный", priority_4: "4 — высокий", priority_5: "5 — срочный",
});
Object.assign(T.en, {
  work: "Work", views: "Views", client_and_appeal: "Client and appeal", live_open: "Queues", my_work: "My work", no_convs: "No conversation is open.", actions: "Actions",
  pick_conversation: "Accept an offer or pick a conversation on the left.", keys_hint: "Keyboard shortcuts: ?",
  keys_button: "?", keys_h: "Keyboard shortcuts", act_notes: "Notes", act_history: "History", act_transfer: "Transfer",
  act_redirect: "To a body", act_complaint: "Complaint", act_close: "Close", act_answer: "Answer",
  history_locked: "The client's other appeals show once the client is verified.", complaint_none: "An answered or closed appeal cannot be registered as a complaint.", complaint_already: "This appeal is registered as a complaint: supervisors consider it by the complaints procedure.",
  waited: "waiting", min: "min", due_short: "due", overdue_short: "overdue",
  k_accept: "Accept the oldest offer", k_next: "Next conversation", k_prev: "Previous conversation", k_reply: "Go to the reply box",
  k_canned: "Canned reply: ↑↓ to pick, Enter to the box", k_send: "Send (in the reply box)", k_fields: "The appeal's kind, topic, priority",
  k_note: "Internal note", k_history: "The client's history", k_transfer: "Transfer or escalate", k_redirect: "Redirect to the competent body",
  k_complaint: "Register as a complaint", k_close: "Close with the resolution", k_help: "This list", k_escape: "Close the window",
  p_invalid: "Check what you entered.", p_conflict: "Not done: not possible as things stand.", p_transition: "Not possible in the appeal's present status.",
  p_forbidden: "You may not do this.", p_not_found: "Not found: removed or out of your reach.", p_rate: "Too many attempts: try again later.",
  p_unavailable: "The server is unavailable for now: try again later.", p_internal: "Server error: nothing was done.", p_network: "No connection: nothing was done.",
  p_not_mine: "This contact is not yours.",
  via_web_chat: "The reply reaches the web chat at once.", via_email: "The reply goes as a mail in the client's thread (SMS as the fallback).",
  via_telegram: "The reply goes to the client's Telegram chat.", via_other: "The reply goes by the e-mail or SMS on file.",
  priority_1: "1 — lowest", priority_2: "2 — low", priority_3: "3 — normal", priority_4: "4 — high", priority_5: "5 — urgent",
});
translate();

// --- Words -------------------------------------------------------------------------------------

const priorityWord = (p) => (p >= 1 && p <= 5 ? t("priority_" + p) : String(p));

// A refusal in the console's language, chosen by the problem's `type` (RFC 9457); the server's
// own words stay in the tooltip for support.
function problemWord(r) {
  const slug = ((r && r.body && r.body.type) || "").split("/").pop();
  const key = {
    "invalid-body": "p_invalid", "unknown-value": "p_invalid", "invalid-text": "p_invalid", "invalid-shape": "p_invalid",
    validation: "p_invalid", "invalid-iin": "p_invalid", "invalid-bin": "p_invalid", "malformed-json": "p_invalid",
    conflict: "p_conflict", "illegal-transition": "p_transition", forbidden: "p_forbidden", "not-found": "p_not_found",
    gone: "p_not_found", "rate-limited": "p_rate", "too-many-attempts": "p_rate", unavailable: "p_unavailable",
  }[slug] || (r && r.status >= 500 ? "p_internal" : "p_invalid");
  return t(key);
}
function showProblem(r, where) {
  const el = where || $("link");
  el.textContent = problemWord(r);
  el.title = (r && r.body && r.body.detail) || "";
}

// --- The left pane's items -----------------------------------------------------------------------

const ICONS = {
  web_chat: "M4 5h16v10H9l-5 4z",
  email: "M3 6h18v12H3z M3 6l9 7 9-7",
  telegram: "M21 4L3 11l6 2 2 6 3-4 5 4z M9 13l9-7",
  voice: "M6 3l4 4-2 3a11 11 0 0 0 6 6l3-2 4 4-3 3C10 21 3 14 3 6z",
  in_person: "M12 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8z M4 21a8 8 0 0 1 16 0",
};
function channelIcon(channel) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", "icon");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", ICONS[channel] || ICONS.web_chat);
  svg.appendChild(path);
  return svg;
}

// The SLA colour by the appeal's due date: past it, within a day of it, or in good time.
function slaOf(appeal) {
  if (!appeal || !appeal.due_at || appeal.status === "answered" || appeal.status === "closed") return "";
  const left = new Date(appeal.due_at).getTime() - Date.now();
  return left < 0 ? "over" : left < 24 * 3600 * 1000 ? "soon" : "ok";
}

function span(cls, text) {
  const s = document.createElement("span");
  s.className = cls;
  s.textContent = text;
  return s;
}

// Draws one item: icon | number | unread, then channel · status · waiting · due.
function drawItem(el, { number, appeal, unread, waitingSince }) {
  const parts = [channelIcon(appeal ? appeal.channel : "web_chat"), span("num", number)];
  parts.push(unread ? span("count", String(unread)) : span("", ""));
  const sub = [];
  if (appeal) sub.push(v("channel", appeal.channel), v("status", appeal.status));
  if (waitingSince) {
    const mins = Math.max(0, Math.floor((Date.now() - new Date(waitingSince).getTime()) / 60000));
    sub.push(`${t("waited")} ${mins} ${t("min")}`);
  }
  const line = span("sub", sub.join(" · "));
  const sla = slaOf(appeal);
  if (appeal && appeal.due_at) {
    const due = span("due", ` · ${t(sla === "over" ? "overdue_short" : "due_short")} ${new Date(appeal.due_at).toLocaleDateString(lang)}`);
    due.dataset.sla = sla;
    line.appendChild(due);
  }
  parts.push(line);
  el.replaceChildren(...parts);
  if (sla) el.dataset.sla = sla; else delete el.dataset.sla;
}
// Waiting times and SLA colours age: redraw the items every half minute.
setInterval(() => { if (typeof convs !== "undefined") for (const c of convs.values()) drawTab(c); }, 30000);

// --- The right pane's action tabs ------------------------------------------------------------------

const acts = [...document.querySelectorAll("#act-panels .act")];
let actShown = null;
for (const panel of acts) {
  const b = document.createElement("button");
  b.type = "button";
  b.id = "tab-" + panel.dataset.act;
  b.setAttribute("role", "tab");
  b.setAttribute("aria-controls", panel.id);
  b.dataset.act = panel.dataset.act;
  b.addEventListener("click", () => { selectAct(panel.dataset.act); revealActs(); });
  panel.setAttribute("aria-labelledby", b.id);
  $("acts").appendChild(b);
}
function drawActLabels() {
  const officer = me && me.role === "body_officer";
  for (const b of $("acts").children) {
    const key = document.querySelector(`#act-${b.dataset.act}`).dataset.key.replace("Key", "");
    const k = document.createElement("kbd");
    k.textContent = "Alt+" + key;
    k.setAttribute("aria-hidden", "true");
    // A body officer answers the citizen from the last tab; the centre closes from it.
    const word = b.dataset.act === "close" && officer ? "act_answer" : "act_" + b.dataset.act;
    b.replaceChildren(t(word), k);
    b.setAttribute("aria-keyshortcuts", "Alt+" + key);
  }
}
// A tab chosen by the operator brings its panel into sight: the right pane scrolls so the tab
// list is at its top (the client card and the fields above it are taller than a laptop screen).
function revealActs() {
  $("acts").scrollIntoView({ block: "start" });
}
function selectAct(name, focus) {
  const tabs = [...$("acts").children];
  if (!tabs.some((b) => b.dataset.act === name && !b.hidden)) return false;
  actShown = name;
  for (const b of tabs) {
    const on = b.dataset.act === name;
    b.setAttribute("aria-selected", String(on));
    b.tabIndex = on ? 0 : -1;
    $("act-" + b.dataset.act).hidden = !on;
  }
  if (focus) {
    const panel = $("act-" + name);
    const first = [...panel.querySelectorAll("input, select, textarea, button, summary")].find((e) => e.offsetParent !== null && !e.disabled);
    (first || $("tab-" + name)).focus();
  }
  return true;
}
// Which tabs an appeal has: a body officer answers from the close tab; the complaint tab only
// for the centre's staff. The one shown stays unless it went away.
window.drawActs = () => {
  const officer = me && me.role === "body_officer";
  for (const b of $("acts").children) {
    b.hidden = officer && ["transfer", "redirect", "complaint", "knowledge"].includes(b.dataset.act);
  }
  // Why there is no form: the appeal is a complaint already, or answered or closed.
  const a = convs.get(active)?.detail?.appeal;
  $("complaint-none").textContent = t(a && a.kind === "complaint" ? "complaint_already" : "complaint_none");
  $("complaint-none").hidden = !$("complaint-form").hidden;
  drawActLabels();
  if (!actShown || !selectAct(actShown)) selectAct(officer ? "close" : "notes");
};
$("acts").addEventListener("keydown", (ev) => {
  const step = { ArrowRight: 1, ArrowLeft: -1 }[ev.key];
  if (!step) return;
  const tabs = [...$("acts").children].filter((b) => !b.hidden);
  const i = tabs.findIndex((b) => b.dataset.act === actShown);
  const next = tabs[(i + step + tabs.length) % tabs.length];
  selectAct(next.dataset.act);
  next.focus();
});
drawActLabels();
selectAct("notes");
actShown = null;

// --- The composer says how the reply leaves, by the appeal's channel (R5.3) ------------------------

window.drawComposer = (c) => {
  const ch = c && c.detail && c.detail.appeal.channel;
  $("composer-via").textContent = !ch ? "" : t(["web_chat", "email", "telegram"].includes(ch) ? "via_" + ch : "via_other");
};

// --- Views: the operator's work, or one supervisor panel in its place ------------------------------
// Each module opens and closes its own panel (its section's `hidden`). The frame shows one thing
// at a time: the panes, or the newest panel. A conversation opened from a panel (a KPI's
// evidence, a QA review, a failed delivery) covers the panel without closing it, so its state —
// the period, the review being written — is there when its button brings it back.

const viewButtons = [...document.querySelectorAll("#views button[aria-controls]")];
const panelOf = (b) => $(b.getAttribute("aria-controls"));
let current = "work";
let closing = false; // the frame itself is closing the other panels through their buttons
function drawFrame() {
  if (current !== "work" && panelOf(viewButtons.find((b) => b.getAttribute("aria-controls") === current)).hidden) current = "work";
  $("work").hidden = current !== "work";
  for (const b of viewButtons) {
    const panel = panelOf(b);
    panel.classList.toggle("covered", panel.id !== current);
    if (panel.id === current) b.setAttribute("aria-current", "true"); else b.removeAttribute("aria-current");
  }
  $("work-open").setAttribute("aria-pressed", String(current === "work"));
}
// A panel opening becomes the view and closes the others through their own buttons.
const viewWatch = new MutationObserver((records) => {
  for (const r of records) {
    if (r.target.hidden) continue;
    current = r.target.id;
    closing = true;
    try {
      for (const b of viewButtons) if (panelOf(b) !== r.target && !panelOf(b).hidden) b.click();
    } finally {
      closing = false;
    }
  }
  drawFrame();
});
for (const b of viewButtons) viewWatch.observe(panelOf(b), { attributes: true, attributeFilter: ["hidden"] });
// A covered panel's button uncovers it (its module would otherwise read the click as "close").
$("views").addEventListener("click", (ev) => {
  const b = ev.target.closest("button[aria-controls]");
  if (closing || !b || panelOf(b).hidden || current === panelOf(b).id) return;
  ev.stopImmediatePropagation();
  current = panelOf(b).id;
  drawFrame();
  panelOf(b).focus();
}, true);
function showWork() {
  current = "work";
  drawFrame();
}
window.showWork = showWork;
$("work-open").addEventListener("click", () => {
  showWork();
  const c = typeof convs !== "undefined" && convs.get(active);
  (c ? $("reply-text") : $("work-open")).focus();
});
// The live wallboard of queues and operators: every centre role; not a body officer's.
function showLive(open) {
  $("live").hidden = !open;
  $("live-open").setAttribute("aria-expanded", String(open));
  if (open) $("live").focus();
}
$("live-open").addEventListener("click", () => showLive($("live").hidden));
new MutationObserver(() => {
  $("live-open").hidden = $("app").hidden || !me || me.role === "body_officer" || me.role === "editor";
  if ($("app").hidden) showLive(false);
}).observe($("app"), { attributes: true, attributeFilter: ["hidden"] });

// --- Keyboard first ------------------------------------------------------------------------------
// Alt with a letter, by the key's place (`code`), so the shortcuts work the same with the
// Kazakh or Russian keyboard layout on; Alt+D, Alt+E and Alt+F are left to the browser.

const KEYS = [
  ["Alt+A", "k_accept"], ["Alt+J / Alt+↓", "k_next"], ["Alt+K / Alt+↑", "k_prev"], ["Alt+R", "k_reply"],
  ["Alt+C", "k_canned"], ["Enter", "k_send"], ["Alt+I", "k_fields"], ["Alt+N", "k_note"], ["Alt+H", "k_history"],
  ["Alt+T", "k_transfer"], ["Alt+B", "k_redirect"], ["Alt+P", "k_complaint"], ["Alt+G", "k_knowledge"], ["Alt+X", "k_close"],
  ["?", "k_help"], ["Esc", "k_escape"],
];
function drawKeys() {
  const dl = $("keys-list");
  dl.replaceChildren();
  for (const [keys, what] of KEYS) {
    const dt = document.createElement("dt");
    dt.textContent = keys;
    const dd = document.createElement("dd");
    dd.textContent = t(what);
    dl.append(dt, dd);
  }
}
function showKeys() {
  drawKeys();
  if (!$("keys").open) $("keys").showModal();
}
$("keys-open").addEventListener("click", showKeys);

function moveConversation(step) {
  const ids = [...convs.keys()];
  if (!ids.length) return;
  const i = ids.indexOf(active);
  const id = ids[i < 0 ? 0 : (i + step + ids.length) % ids.length];
  activate(id);
  convs.get(id).tab.focus();
}
function toWork() {
  if ($("work").hidden) showWork();
}
const ACT_KEYS = { KeyN: "notes", KeyH: "history", KeyT: "transfer", KeyB: "redirect", KeyP: "complaint", KeyG: "knowledge", KeyX: "close" };
document.addEventListener("keydown", (ev) => {
  if ($("app").hidden || $("keys").open) return;
  const typing = ev.target.closest && ev.target.closest("input, textarea, select, [contenteditable]");
  if (!ev.altKey && !ev.ctrlKey && !ev.metaKey && ev.key === "?" && !typing) { ev.preventDefault(); showKeys(); return; }
  if (!ev.altKey || ev.ctrlKey || ev.metaKey) return;
  const code = ev.code;
  let done = true;
  if (code === "Slash") showKeys();
  else if (code === "KeyA") {
    toWork();
    const b = document.querySelector("#offers tbody tr button:not(.secondary)");
    if (b) b.click(); else $("offers-live").textContent = t("no_offers");
  }
  else if (code === "KeyJ" || code === "ArrowDown") { toWork(); moveConversation(1); }
  else if (code === "KeyK" || code === "ArrowUp") { toWork(); moveConversation(-1); }
  else if (!active) done = false;
  else if (code === "KeyR") { toWork(); $("reply-text").focus(); }
  else if (code === "KeyC") { toWork(); $("canned").focus(); }
  else if (code === "KeyI") { toWork(); if (!$("fields").hidden) $("field-kind").focus(); }
  else if (ACT_KEYS[code]) { toWork(); if (selectAct(ACT_KEYS[code], true)) revealActs(); }
  else done = false;
  if (done) ev.preventDefault();
});

$("lang").addEventListener("change", () => {
  drawActLabels();
  if ($("keys").open) drawKeys();
});
