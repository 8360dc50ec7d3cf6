// The supervisors' and admins' complaint analytics (R10: use complaint data to improve the
// service): complaints registered in a period, by category, by the operator complained about and
// by topic, from GET /api/v1/complaints/stats. And for every centre staff member, registering the
// open appeal as a complaint (R8), with its category and the operator it is about. Loaded after console.js and uses its globals
// (T, t, $, api, cell, me, lang); it notices sign-in and sign-out by watching #app, so console.js
// needs no hook. Plain DOM, text only.
"use strict";

Object.assign(T.kk, {
  complaint_category: "Шағым санаты", complaint_operator: "Шағым жасалған оператор",
  register_complaint: "Шағым ретінде тіркеу", complaint_registered: "Шағым тіркелді",
  complaint_refused: "Шағым тіркелмеді",
  complaints: "Шағымдар", complaint_analytics: "Шағымдар талдауы", period_from: "Бастап", period_to: "Дейін",
  show: "Көрсету", period_note: "Күндер Астана уақытымен, екі шеті қоса.", registered: "Тіркелген",
  decided: "Қаралған", confirmed: "Расталған", confirmed_share: "Расталғандар үлесі (қаралғандардан), %",
  no_complaints: "Бұл кезеңде шағым жоқ.", by_category: "Санаттар бойынша",
  by_operator: "Шағым жасалған операторлар бойынша", by_topic: "Тақырыптар бойынша", category: "Санат",
  not_operator: "— (операторға қатысты емес)", no_topic: "— (тақырыпсыз)", stats_error: "Статистика алынбады",
  cat_operator_conduct: "Оператордың әдепсіз не дұрыс емес әрекеті", cat_wrong_information: "Қате не толық емес ақпарат",
  cat_waiting: "Ұзақ күту, байланысу мүмкін болмады", cat_not_resolved: "Мәселе шешілмеді не мерзім өтіп кетті",
  cat_data_protection: "Дербес деректерді дұрыс өңдемеу", cat_language: "Қызмет клиент сұраған тілде көрсетілмеді",
  cat_other: "Басқа",
});
Object.assign(T.ru, {
  complaint_category: "Категория жалобы", complaint_operator: "Оператор, на которого жалуются",
  register_complaint: "Зарегистрировать как жалобу", complaint_registered: "Жалоба зарегистрирована",
  complaint_refused: "Жалоба не зарегистрирована",
  complaints: "Жалобы", complaint_analytics: "Аналитика жалоб", period_from: "С", period_to: "По",
  show: "Показать", period_note: "Дни по времени Астаны, включительно.", registered: "Зарегистрировано",
  decided: "Рассмотрено", confirmed: "Подтверждено", confirmed_share: "Доля подтверждённых (из рассмотренных), %",
  no_complaints: "За этот период жалоб нет.", by_category: "По категориям",
  by_operator: "По операторам, на которых жалуются", by_topic: "По темам", category: "Категория",
  not_operator: "— (не об операторе)", no_topic: "— (без темы)", stats_error: "Не удалось получить статистику",
  cat_operator_conduct: "Грубость, некорректное поведение оператора", cat_wrong_information: "Неверная или неполная информация",
  cat_waiting: "Долгое ожидание, не удалось связаться", cat_not_resolved: "Вопрос не решён или нарушен срок",
  cat_data_protection: "Нарушения при обработке персональных данных", cat_language: "Обслуживание не на языке клиента",
  cat_other: "Другое",
});
Object.assign(T.en, {
  complaint_category: "Complaint category", complaint_operator: "Operator complained about",
  register_complaint: "Register as a complaint", complaint_registered: "Complaint registered",
  complaint_refused: "The complaint was not registered",
  complaints: "Complaints", complaint_analytics: "Complaint analytics", period_from: "From", period_to: "To",
  show: "Show", period_note: "Days in Astana time, both ends included.", registered: "Registered",
  decided: "Decided", confirmed: "Confirmed", confirmed_share: "Confirmed share of decided, %",
  no_complaints: "No complaints in this period.", by_category: "By category",
  by_operator: "By operator complained about", by_topic: "By topic", category: "Category",
  not_operator: "— (not about an operator)", no_topic: "— (no topic)", stats_error: "Could not load the statistics",
  cat_operator_conduct: "Operator's rudeness or misconduct", cat_wrong_information: "Wrong or incomplete information",
  cat_waiting: "Long wait, could not get through", cat_not_resolved: "Not resolved, or a deadline missed",
  cat_data_protection: "Personal data mishandled", cat_language: "Service not in the client's language",
  cat_other: "Other",
});
translate();

// Days are Asia/Almaty calendar days, through the browser's tz database (no hard-coded offset).
const ALMATY = new Intl.DateTimeFormat("en-US", {
  timeZone: "Asia/Almaty", hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", second: "2-digit",
});
// The Almaty wall-clock time of an instant, written as if it were UTC.
function almatyWall(ms) {
  const p = {};
  for (const x of ALMATY.formatToParts(new Date(ms))) p[x.type] = Number(x.value);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour % 24, p.minute, p.second);
}
function almatyToday() {
  return new Date(almatyWall(Date.now())).toISOString().slice(0, 10);
}
function addDays(day, n) {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}
// The instant an Almaty day ("YYYY-MM-DD") begins.
function almatyMidnight(day) {
  const [y, m, d] = day.split("-").map(Number);
  const naive = Date.UTC(y, m - 1, d);
  let at = naive - (almatyWall(naive) - naive);
  at = naive - (almatyWall(at) - at); // again, should the offset differ at the answer
  return new Date(at);
}

const cs = { stats: null, operators: new Map(), topics: new Map(), shown: false };
const oversees = () => Boolean(me) && (me.role === "supervisor" || me.role === "admin");

function categoryLabel(key) {
  const label = t("cat_" + key);
  return label === "cat_" + key ? key : label;
}
function operatorLabel(key) {
  return key === "none" ? t("not_operator") : cs.operators.get(key) || key;
}
function topicLabel(key) {
  if (key === "none") return t("no_topic");
  const x = cs.topics.get(key);
  if (!x) return key;
  return lang === "ru" ? x.name_ru : lang === "en" ? x.name_en || x.name_ru : x.name_kk;
}

function drawTable(id, rows, label) {
  const body = $(id).querySelector("tbody");
  body.replaceChildren();
  const sorted = rows.map((r) => ({ ...r, label: r.name || label(r.key) }))
    .sort((a, b) => b.total - a.total || b.confirmed - a.confirmed || a.label.localeCompare(b.label, lang));
  const max = Math.max(1, ...sorted.map((r) => r.total));
  for (const r of sorted) {
    const row = document.createElement("tr");
    row.dataset.key = r.key;
    cell(row, r.label);
    cell(row, r.total).className = "num";
    cell(row, r.confirmed).className = "num";
    // The bar: the row's complaints against the largest row; the confirmed part in red.
    const chart = cell(row, "");
    chart.className = "chart";
    chart.setAttribute("aria-hidden", "true");
    const bar = document.createElement("div");
    bar.className = "bar";
    const all = document.createElement("span");
    all.className = "all";
    all.style.width = `${(100 * r.total) / max}%`;
    const confirmed = document.createElement("span");
    confirmed.className = "confirmed";
    confirmed.style.width = r.total ? `${(100 * r.confirmed) / r.total}%` : "0";
    all.appendChild(confirmed);
    bar.appendChild(all);
    chart.appendChild(bar);
    body.appendChild(row);
  }
  $(id).hidden = sorted.length === 0;
}

function drawStats() {
  const s = cs.stats;
  $("cs-result").hidden = !s;
  if (!s) return;
  $("cs-total").textContent = s.total;
  $("cs-decided").textContent = s.decided;
  $("cs-confirmed").textContent = s.confirmed;
  $("cs-share").textContent = s.decided ? (Math.round((1000 * s.confirmed) / s.decided) / 10).toLocaleString(lang) : "—";
  $("cs-empty").hidden = s.total !== 0;
  $("cs-tables").hidden = s.total === 0;
  drawTable("cs-by-category", s.by_category, categoryLabel);
  drawTable("cs-by-operator", s.by_operator, operatorLabel);
  drawTable("cs-by-topic", s.by_topic, topicLabel);
}

// Names to show: topics from the catalog; operators from the live view (the active operators and
// supervisors a supervisor may see) and, for an admin, every staff account.
async function loadNames() {
  const [tp, live, staff] = await Promise.all([
    api("GET", "/api/v1/topics"),
    api("GET", "/api/v1/routing/live"),
    me.role === "admin" ? api("GET", "/api/v1/staff") : Promise.resolve({ ok: false }),
  ]);
  for (const x of (tp.ok && tp.body) || []) cs.topics.set(x.id, x);
  for (const x of (live.ok && live.body && live.body.operators) || []) cs.operators.set(x.staff_id, x.display_name);
  for (const x of (staff.ok && staff.body) || []) cs.operators.set(x.id, x.display_name);
}

async function loadStats() {
  $("cs-error").textContent = "";
  const from = $("cs-from").value;
  const to = $("cs-to").value;
  if (!from || !to) { $("cs-error").textContent = t("stats_error"); return; }
  const q = new URLSearchParams({
    from: almatyMidnight(from).toISOString(),
    to: almatyMidnight(addDays(to, 1)).toISOString(),
  });
  try {
    const [r] = await Promise.all([api("GET", "/api/v1/complaints/stats?" + q), loadNames()]);
    if (!r.ok) {
      cs.stats = null;
      drawStats();
      const why = (r.body && (r.body.detail || r.body.title)) || r.status;
      $("cs-error").textContent = `${t("stats_error")}: ${why}`;
      return;
    }
    cs.stats = r.body;
    drawStats();
  } catch (e) {
    cs.stats = null;
    drawStats();
    if (token) $("cs-error").textContent = t("stats_error");
  }
}

function showPanel(open) {
  cs.shown = open;
  $("complaints").hidden = !open;
  $("complaints-open").setAttribute("aria-expanded", String(open));
  if (!open) return;
  if (!$("cs-from").value || !$("cs-to").value) {
    const today = almatyToday();
    $("cs-to").value = today;
    $("cs-from").value = addDays(today, -29);
  }
  loadStats();
  $("complaints").scrollIntoView({ block: "start" });
  $("complaints").focus();
}

// Signed in: the button for supervisors and admins only; signed out: nothing of it is left for
// whoever signs in next.
function onApp() {
  const on = !$("app").hidden && oversees();
  $("complaints-open").hidden = !on;
  if (!on) {
    cs.stats = null;
    cs.operators.clear();
    drawStats();
    $("cs-error").textContent = "";
    $("cs-from").value = "";
    $("cs-to").value = "";
    showPanel(false);
  }
}
new MutationObserver(onApp).observe($("app"), { attributes: true, attributeFilter: ["hidden"] });
onApp();

$("complaints-open").addEventListener("click", () => showPanel(!cs.shown));
$("cs-period").addEventListener("submit", (ev) => { ev.preventDefault(); loadStats(); });
$("lang").addEventListener("change", () => { if (cs.stats) drawStats(); });

// Registering the open appeal as a complaint (R8): centre staff, while it is not one already
// and is not answered or closed. The categories in the console's language; the operators from
// the live view every centre socket gets.
const CATEGORIES = ["operator_conduct", "wrong_information", "waiting", "not_resolved", "data_protection", "language", "other"];
window.drawComplaintForm = function (c) {
  const form = $("complaint-form");
  const a = c && c.detail && c.detail.appeal;
  const centre = Boolean(me) && me.role !== "body_officer";
  form.hidden = !a || !centre || a.kind === "complaint" || a.status === "answered" || a.status === "closed";
  if (form.hidden) return;
  const cat = $("complaint-category");
  const keep = cat.value;
  cat.replaceChildren(...CATEGORIES.map((k) => new Option(t("cat_" + k), k)));
  if (keep) cat.value = keep;
  const op = $("complaint-operator");
  const keepOp = op.value;
  const ops = (typeof lastLive !== "undefined" && lastLive && lastLive.operators) || [];
  op.replaceChildren(new Option("—", ""), ...ops.map((o) => new Option(o.display_name, o.staff_id)));
  if (keepOp) op.value = keepOp;
};
$("complaint-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const c = convs.get(active);
  if (!c) return;
  const body = { category: $("complaint-category").value };
  if ($("complaint-operator").value) body.about_operator_id = $("complaint-operator").value;
  const r = await api("POST", `/api/v1/appeals/${c.id}/complaint`, body);
  $("complaint-status").textContent = t(r.ok ? "complaint_registered" : "complaint_refused");
  $("complaint-status").title = r.ok ? "" : (r.body && r.body.detail) || "";
  if (r.ok) await refresh(c);
});
$("lang").addEventListener("change", () => setTimeout(() => window.drawComplaintForm(convs.get(active)), 0));
