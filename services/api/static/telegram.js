// Telegram in the console (report row 10): under a message the citizen changed in their chat, a
// mark saying so and when the earlier text was sent (both stay on the timeline, R5.4); on the
// client card, what the citizen claimed — a phone shared with the bot's button, the IIN, phone or
// e-mail typed in the web chat — marked as a claim until verified (R11). For supervisors and admins, the Telegram bots panel: each bot's
// mode, state, when it last heard from Telegram, how late, and what the Bot API last said.
// Loaded after console.js and uses its globals (T, t, $, api, token, lang, me, convs, active,
// translate); console.js calls drawTelegram(c) when it draws an appeal's panel and
// drawTelegram(c, li) when it adds an entry. Plain DOM, text only.
"use strict";

Object.assign(T.kk, {
  tg_edit: "✎ клиент хабарламасын өзгертті", tg_edit_of: "✎ клиент {time} жіберген хабарламасын өзгертті",
  tg_claims: "Клиент айтқан, расталмаған", tg_claim_phone: "телефон", tg_claim_iin: "ЖСН", tg_claim_email: "e-mail", tg_ch_telegram: "Telegram", tg_ch_web_chat: "веб-чат", tg_ch_email: "e-mail",
  tg_open: "Telegram боттары", tg_title: "Telegram боттары", tg_none: "Telegram боты қосылмаған.", tg_name: "Бот",
  tg_mode: "Режимі", tg_mode_webhook: "вебхук", tg_mode_polling: "сұрау (long polling)", tg_state: "Күйі",
  tg_heard: "Соңғы жаңарту", tg_lag: "Кешігу", tg_ok: "жұмыс істеп тұр", tg_failing: "қате", tg_waiting: "күтуде",
  tg_disabled: "өшірілген", tg_list_error: "Тізім алынбады", tg_seconds: "{n} с",
  tge_token_refused: "Telegram бот токенін қабылдамады", tge_unreachable: "Bot API серверіне қосылу мүмкін болмады",
  tge_configuration: "Баптау дұрыс емес (мекенжай не вебхук)",
});
Object.assign(T.ru, {
  tg_edit: "✎ клиент изменил сообщение", tg_edit_of: "✎ клиент изменил сообщение, отправленное в {time}",
  tg_claims: "Со слов клиента, не подтверждено", tg_claim_phone: "телефон", tg_claim_iin: "ИИН", tg_claim_email: "e-mail", tg_ch_telegram: "Telegram", tg_ch_web_chat: "веб-чат", tg_ch_email: "e-mail",
  tg_open: "Telegram-боты", tg_title: "Telegram-боты", tg_none: "Telegram-ботов нет.", tg_name: "Бот",
  tg_mode: "Режим", tg_mode_webhook: "вебхук", tg_mode_polling: "опрос (long polling)", tg_state: "Состояние",
  tg_heard: "Последнее обновление", tg_lag: "Задержка", tg_ok: "работает", tg_failing: "ошибка", tg_waiting: "ожидает",
  tg_disabled: "отключён", tg_list_error: "Не удалось получить список", tg_seconds: "{n} с",
  tge_token_refused: "Telegram не принял токен бота", tge_unreachable: "Не удалось подключиться к серверу Bot API",
  tge_configuration: "Неверные настройки (адрес или вебхук)",
});
Object.assign(T.en, {
  tg_edit: "✎ the client changed their message", tg_edit_of: "✎ the client changed their message sent at {time}",
  tg_claims: "Claimed by the client, not verified", tg_claim_phone: "phone", tg_claim_iin: "IIN", tg_claim_email: "e-mail", tg_ch_telegram: "Telegram", tg_ch_web_chat: "web chat", tg_ch_email: "e-mail",
  tg_open: "Telegram bots", tg_title: "Telegram bots", tg_none: "No Telegram bots.", tg_name: "Bot",
  tg_mode: "Mode", tg_mode_webhook: "webhook", tg_mode_polling: "long polling", tg_state: "State",
  tg_heard: "Last update", tg_lag: "Lag", tg_ok: "working", tg_failing: "failing", tg_waiting: "waiting",
  tg_disabled: "disabled", tg_list_error: "Could not load the list", tg_seconds: "{n} s",
  tge_token_refused: "Telegram refused the bot's token", tge_unreachable: "The Bot API server could not be reached",
  tge_configuration: "The settings cannot work (address or webhook)",
});
translate();

// The mark under an entry that changes an earlier one.
function decorateEdit(li, m, byId) {
  const old = li.querySelector(":scope > .tg-edit");
  if (old) old.remove();
  if (!m || !m.edit) return;
  const mark = document.createElement("div");
  mark.className = "tg-edit muted";
  const of = m.edit.of && byId.get(m.edit.of);
  mark.textContent = of
    ? t("tg_edit_of").replace("{time}", new Date(of.created_at).toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" }))
    : t("tg_edit");
  li.appendChild(mark);
}

// The claims on the client card, marked as claims.
function drawClaims(c) {
  const card = $("client-card");
  const old = card.querySelector(":scope > .tg-claims");
  if (old) old.remove();
  const claims = (c.detail.client && c.detail.client.claims) || [];
  if (!claims.length) return;
  const p = document.createElement("div");
  p.className = "tg-claims";
  const list = claims.map((x) => `${T[lang]["tg_claim_" + x.kind] ? t("tg_claim_" + x.kind) : ""} ${x.value} (${T[lang]["tg_ch_" + x.channel] ? t("tg_ch_" + x.channel) : ""})`.replace(" ()", "").trim());
  p.textContent = `${t("tg_claims")}: ${list.join(", ")}`;
  card.appendChild(p);
}

window.drawTelegram = function (c, li) {
  if (!c || !c.detail) return;
  const byId = new Map();
  for (const e of c.detail.timeline || []) if (e.message) byId.set(e.message.id, e.message);
  const entries = li ? [li] : c.log.querySelectorAll("li[data-message]");
  for (const x of entries) decorateEdit(x, byId.get(x.dataset.message), byId);
  if (!li) drawClaims(c);
};

$("lang").addEventListener("change", () => setTimeout(() => window.drawTelegram(convs.get(active)), 0));

// The Telegram bots panel (supervisors, admins): read when opened and on Refresh.
const tg = { items: null, shown: false };
const overseesBots = () => Boolean(me) && (me.role === "supervisor" || me.role === "admin");

function botState(b) {
  if (!b.enabled) return "disabled";
  if (b.last_error_kind) return "failing";
  return b.last_update_at ? "ok" : "waiting";
}

function drawBots() {
  const body = $("tg-list").querySelector("tbody");
  body.replaceChildren();
  for (const b of tg.items || []) {
    const row = document.createElement("tr");
    row.dataset.id = b.id;
    const add = (text) => { const td = document.createElement("td"); td.textContent = text; row.appendChild(td); return td; };
    add(b.name);
    add(t("tg_mode_" + b.mode));
    const state = botState(b);
    add(t("tg_" + state)).dataset.state = state;
    add(b.last_update_at ? new Date(b.last_update_at).toLocaleString(lang) : "—");
    add(b.last_lag_ms == null ? "—" : t("tg_seconds").replace("{n}", (b.last_lag_ms / 1000).toLocaleString(lang, { maximumFractionDigits: 1 }))).className = "num";
    // In the user's language; the Bot API's own words in the tooltip.
    const why = add(b.last_error_kind ? t("tge_" + b.last_error_kind) : "");
    why.className = "why";
    if (b.last_error) why.title = b.last_error;
    body.appendChild(row);
  }
  const items = tg.items || [];
  $("tg-list").hidden = items.length === 0;
  $("tg-empty").hidden = tg.items === null || items.length !== 0;
}

async function loadBots() {
  $("tg-error").textContent = "";
  try {
    const r = await api("GET", "/api/v1/telegram/bots");
    if (r.ok) tg.items = r.body;
    else { tg.items = null; $("tg-error").textContent = t("tg_list_error"); }
  } catch {
    tg.items = null;
    if (token) $("tg-error").textContent = t("tg_list_error");
  }
  drawBots();
}

function showBots(open) {
  tg.shown = open;
  $("bots").hidden = !open;
  $("bots-open").setAttribute("aria-expanded", String(open));
  if (!open) return;
  loadBots();
  $("bots").scrollIntoView({ block: "start" });
  $("bots").focus();
}

function onBotsApp() {
  const on = !$("app").hidden && overseesBots();
  $("bots-open").hidden = !on;
  if (!on) { tg.items = null; drawBots(); showBots(false); }
}
new MutationObserver(onBotsApp).observe($("app"), { attributes: true, attributeFilter: ["hidden"] });
onBotsApp();
$("bots-open").addEventListener("click", () => showBots(!tg.shown));
$("tg-refresh").addEventListener("click", loadBots);
$("lang").addEventListener("change", () => { if (tg.items) drawBots(); });
