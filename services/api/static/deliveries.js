// How the notices and redirections of an appeal went out (R6, R30), from the outbox: under each
// notice in a conversation, the e-mail or SMS that carried it to the client and the fallback
// between them; under the appeal's fields, the e-mail or webhook that carried each redirection to
// the body; and for supervisors and admins the failed deliveries, each with a Retry. Loaded after
// console.js and uses its globals (T, t, $, api, cell, me, lang, token, convs, active,
// openAppeal, translate). console.js marks each conversation entry with its message id and calls
// drawDeliveries(c) when it draws an appeal's panel, drawDeliveries(c, li) when it adds an entry.
// Plain DOM, text only.
"use strict";

Object.assign(T.kk, {
  deliveries: "Жеткізу", failed_deliveries: "Жеткізілмеген хабарламалар", refresh: "Жаңарту",
  no_failed: "Жеткізілмеген хабарлама жоқ.", recipient: "Алушы", method: "Тәсілі", address: "Мекенжайы",
  attempts: "Әрекет", last_error: "Соңғы қате", created: "Уақыты", retry: "Қайта жіберу",
  retried: "Қайта жіберуге қойылды", retry_error: "Қайта жіберілмеді", list_error: "Тізім алынбады",
  rcpt_client: "клиент", rcpt_body: "орган", to_body: "Органға жеткізу",
  via_email: "✉ e-mail", via_sms: "SMS", via_webhook: "webhook", via_telegram: "Telegram",
  dv_sent: "жіберілді ✓", dv_pending: "күтуде", dv_failed: "жеткізілмеді", dv_attempt: "{n}-әрекет",
});
Object.assign(T.ru, {
  deliveries: "Доставка", failed_deliveries: "Недоставленные сообщения", refresh: "Обновить",
  no_failed: "Недоставленных сообщений нет.", recipient: "Получатель", method: "Способ", address: "Адрес",
  attempts: "Попыток", last_error: "Последняя ошибка", created: "Время", retry: "Повторить",
  retried: "Поставлено на повторную отправку", retry_error: "Не удалось повторить", list_error: "Не удалось получить список",
  rcpt_client: "клиент", rcpt_body: "орган", to_body: "Доставка в орган",
  via_email: "✉ e-mail", via_sms: "SMS", via_webhook: "webhook", via_telegram: "Telegram",
  dv_sent: "отправлено ✓", dv_pending: "в очереди", dv_failed: "не доставлено", dv_attempt: "попытка {n}",
});
Object.assign(T.en, {
  deliveries: "Deliveries", failed_deliveries: "Failed deliveries", refresh: "Refresh",
  no_failed: "No failed deliveries.", recipient: "Recipient", method: "Method", address: "Address",
  attempts: "Attempts", last_error: "Last error", created: "Time", retry: "Retry",
  retried: "Queued to be tried again", retry_error: "Could not retry", list_error: "Could not load the list",
  rcpt_client: "client", rcpt_body: "body", to_body: "Delivery to the body",
  via_email: "✉ e-mail", via_sms: "SMS", via_webhook: "webhook", via_telegram: "Telegram",
  dv_sent: "sent ✓", dv_pending: "queued", dv_failed: "failed", dv_attempt: "attempt {n}",
});
translate();

const ERROR_SHOWN = 80; // characters of an error in the line; the whole of it in the tooltip
const short = (s) => (s.length > ERROR_SHOWN ? s.slice(0, ERROR_SHOWN - 1) + "…" : s);
const when = (iso) => (iso ? new Date(iso).toLocaleString(lang) : "—");

// The deliveries that carried one notice or redirection: the server lists them oldest first, so
// the first try comes first and its fallback after it.
function chainOf(deliveries, field, id) {
  return deliveries.filter((d) => d[field] === id);
}

// "✉ e-mail: failed — <error> → SMS: sent ✓", one span per delivery (data-id, -method, -state).
function chainLine(el, chain) {
  el.replaceChildren();
  chain.forEach((d, i) => {
    if (i) el.appendChild(document.createTextNode(" → "));
    const s = document.createElement("span");
    s.dataset.id = d.id;
    s.dataset.method = d.method;
    s.dataset.state = d.state;
    let text = `${t("via_" + d.method)}: ${t("dv_" + d.state)}`;
    if (d.state === "pending" && d.attempts > 0) text += ` (${t("dv_attempt").replace("{n}", d.attempts + 1)})`;
    if (d.state === "failed" && d.last_error) text += ` — ${short(d.last_error)}`;
    s.textContent = text;
    s.title = [d.address, `${t("attempts")}: ${d.attempts}`, d.sent_at ? when(d.sent_at) : null, d.last_error]
      .filter(Boolean).join("\n");
    el.appendChild(s);
  });
}

// Puts (or takes away) the delivery line under one conversation entry.
function decorate(li, chain) {
  let el = li.querySelector(":scope > .delivery");
  if (!chain.length) { if (el) el.remove(); return; }
  if (!el) {
    el = document.createElement("span");
    el.className = "delivery";
    li.appendChild(el);
  }
  chainLine(el, chain);
}

// Bodies' names in the console's language, read when a redirection first needs one (again for a
// body added since, once).
const bodyNames = new Map();
const bodiesAsked = new Set();
function bodyName(id, redraw) {
  const b = bodyNames.get(id);
  if (b) return lang === "kk" ? b.name_kk : b.name_ru;
  if (!bodiesAsked.has(id)) {
    bodiesAsked.add(id);
    api("GET", "/api/v1/bodies").then((r) => {
      for (const x of (r.ok && r.body) || []) bodyNames.set(x.id, x);
      if (bodyNames.has(id)) redraw();
    }).catch(() => {});
  }
  return t("rcpt_body");
}

// The redirections of the active appeal that went to their body by e-mail or webhook.
function drawRedirections(c) {
  const list = $("conv-deliveries");
  list.replaceChildren();
  list.setAttribute("aria-label", t("to_body"));
  const all = c.detail.deliveries || [];
  const seen = new Set();
  for (const e of c.detail.timeline || []) {
    const r = e.redirection;
    if (!r || seen.has(r.id)) continue;
    seen.add(r.id);
    const chain = chainOf(all, "redirection_id", r.id);
    if (!chain.length) continue;
    const li = document.createElement("li");
    li.dataset.redirection = r.id;
    li.append(`→ ${bodyName(r.body_id, () => { if (c.id === active && convs.get(c.id) === c) drawRedirections(c); })}: `);
    const line = document.createElement("span");
    line.className = "delivery";
    chainLine(line, chain);
    li.appendChild(line);
    list.appendChild(li);
  }
  list.hidden = list.children.length === 0;
}

function drawDeliveries(c, li) {
  if (!c.detail) return;
  const all = c.detail.deliveries || [];
  for (const x of li ? [li] : c.log.querySelectorAll("li[data-message]")) {
    decorate(x, chainOf(all, "message_id", x.dataset.message));
  }
  if (li || c.id !== active) return;
  drawRedirections(c);
  follow(c);
}

// While a delivery of the open appeal is pending, read the appeal again once its next try is due,
// so the line moves on to sent or failed by itself; fewer reads the longer nothing changes.
function follow(c) {
  clearTimeout(c.deliveryTimer);
  const key = JSON.stringify(c.detail.deliveries || []);
  if (key !== c.deliveryKey) { c.deliveryKey = key; c.deliveryIdle = 0; }
  const pending = (c.detail.deliveries || []).filter((d) => d.state === "pending");
  if (!pending.length || c.deliveryIdle >= 8) return;
  const due = Math.max(...pending.map((d) => Date.parse(d.next_at)));
  const wait = Math.max(due - Date.now(), 0) + 1000 * 2 ** c.deliveryIdle;
  c.deliveryTimer = setTimeout(async () => {
    if (!token || convs.get(c.id) !== c || c.id !== active) return;
    const r = await api("GET", `/api/v1/appeals/${c.id}`).catch(() => null);
    if (!r || !r.ok || !c.detail) return;
    c.detail.deliveries = r.body.deliveries || [];
    if (JSON.stringify(c.detail.deliveries) === c.deliveryKey) c.deliveryIdle += 1;
    if (c.id === active) drawDeliveries(c);
  }, wait);
}

// The supervisors' and admins' list of failed deliveries.
const dl = { items: null, shown: false };
const overseesDeliveries = () => Boolean(me) && (me.role === "supervisor" || me.role === "admin");

function appealLabel(id) {
  const c = convs.get(id);
  // An appeal not open here: the end of its id (the start of a v7 id is its time, alike for many).
  return c && c.number && c.number !== "…" ? c.number : "…" + id.slice(-8);
}

function drawList() {
  const body = $("dl-list").querySelector("tbody");
  body.replaceChildren();
  const items = dl.items || [];
  for (const d of items) {
    const row = document.createElement("tr");
    row.dataset.id = d.id;
    row.dataset.appeal = d.appeal_id;
    const open = document.createElement("button");
    open.type = "button";
    open.className = "link";
    open.textContent = appealLabel(d.appeal_id);
    open.title = d.appeal_id;
    open.addEventListener("click", async () => { await openAppeal(d.appeal_id); if (dl.items) drawList(); });
    cell(row, "").appendChild(open);
    cell(row, t("rcpt_" + d.recipient));
    cell(row, t("via_" + d.method));
    cell(row, d.address);
    cell(row, d.attempts).className = "num";
    const why = cell(row, d.last_error);
    why.className = "why";
    cell(row, when(d.created_at));
    const retry = document.createElement("button");
    retry.type = "button";
    retry.className = "retry";
    retry.textContent = t("retry");
    retry.setAttribute("aria-label", `${t("retry")}: ${t("via_" + d.method)} ${d.address}`);
    retry.addEventListener("click", () => retryOne(d, retry));
    cell(row, "").appendChild(retry);
    body.appendChild(row);
  }
  $("dl-list").hidden = items.length === 0;
  $("dl-empty").hidden = dl.items === null || items.length !== 0;
}

async function loadFailed() {
  $("dl-error").textContent = "";
  try {
    const r = await api("GET", "/api/v1/deliveries?state=failed&limit=100");
    if (!r.ok) {
      dl.items = null;
      $("dl-error").textContent = `${t("list_error")}: ${(r.body && (r.body.detail || r.body.title)) || r.status}`;
    } else dl.items = r.body;
  } catch (e) {
    dl.items = null;
    if (token) $("dl-error").textContent = t("list_error");
  }
  drawList();
}

async function retryOne(d, button) {
  button.disabled = true;
  $("dl-status").textContent = "";
  const next = button.closest("tr").nextElementSibling;
  const nextId = next && next.dataset.id;
  let r = null;
  try { r = await api("POST", `/api/v1/deliveries/${d.id}/retry`); } catch (e) { r = null; }
  await loadFailed();
  if (r && r.ok) {
    $("dl-status").textContent = `${t("retried")}: ${t("via_" + d.method)} ${d.address}`;
    // An open appeal shows it queued straight away, and follows it from there.
    const c = convs.get(d.appeal_id);
    if (c && c.detail) {
      c.detail.deliveries = (c.detail.deliveries || []).map((x) => (x.id === r.body.id ? r.body : x));
      drawDeliveries(c);
    }
  } else if (r) {
    $("dl-error").textContent = `${t("retry_error")}: ${(r.body && (r.body.detail || r.body.title)) || r.status}`;
  } else if (token) {
    $("dl-error").textContent = t("retry_error");
  }
  // Keyboard users stay in the list: on the next row's Retry, or on Refresh.
  const to = (nextId && $("dl-list").querySelector(`tr[data-id="${nextId}"] button.retry`)) || $("dl-refresh");
  to.focus();
}

function showDeliveries(open) {
  dl.shown = open;
  $("deliveries").hidden = !open;
  $("deliveries-open").setAttribute("aria-expanded", String(open));
  if (!open) return;
  loadFailed();
  $("deliveries").scrollIntoView({ block: "start" });
  $("deliveries").focus();
}

// Signed in: the button for supervisors and admins only; signed out: nothing of it is left.
function onDeliveriesApp() {
  const on = !$("app").hidden && overseesDeliveries();
  $("deliveries-open").hidden = !on;
  if (!on) {
    dl.items = null;
    drawList();
    $("dl-error").textContent = "";
    $("dl-status").textContent = "";
    showDeliveries(false);
  }
}
new MutationObserver(onDeliveriesApp).observe($("app"), { attributes: true, attributeFilter: ["hidden"] });
onDeliveriesApp();

$("deliveries-open").addEventListener("click", () => showDeliveries(!dl.shown));
$("dl-refresh").addEventListener("click", () => { $("dl-status").textContent = ""; loadFailed(); });
$("lang").addEventListener("change", () => {
  if (dl.items) drawList();
  const c = convs.get(active);
  if (c) drawDeliveries(c);
});
