// The operator console, first cut: sign in, presence, offers pushed over /ws/operator with
// accept/decline, and the supervisors' live view. Plain DOM, text only (never innerHTML with
// data), so nothing a client or operator typed can run as script.
"use strict";

const T = {
  kk: { title: "Baylanys", login: "Логин", password: "Құпиясөз", sign_in: "Кіру", sign_out: "Шығу",
        presence: "Күйі", online: "желіде", away: "уақытша жоқ", offline: "желіден тыс", language: "Тіл",
        offers: "Сізге ұсынылған байланыстар", no_offers: "Қазір ұсыныс жоқ.", channel: "Арна",
        waiting_since: "Күтуде", answer_by: "Жауап беру мерзімі", accept: "Қабылдау", decline: "Бас тарту",
        live: "Кезектер қазір", queue: "Кезек", waiting: "Күтуде", offered: "Ұсынылған", longest: "Ең ұзақ күту, с",
        open: "Ашық", answered: "Бүгін жауап берілді", abandoned: "Бүгін жоғалған", sl: "Қызмет деңгейі, %",
        operators: "Операторлар", operator: "Оператор", chats: "Чаттар", emails: "Хаттар", calls: "Қоңыраулар",
        yes: "иә", no: "жоқ", connected: "байланыс бар", reconnecting: "қайта қосылуда…", wrong: "Логин немесе құпиясөз қате",
        history: "Клиенттің тарихы", canned: "Дайын жауап", transfer_to: "Кезекке ауыстыру", transfer: "Ауыстыру", escalate: "Супервизорға жіберу", new_offer: "Жаңа ұсыныс", mine: "Менің өтініштерім", appeal: "Өтініш", reply: "Жауап", send: "Жіберу",
        note: "Ішкі жазба", add_note: "Жазба қосу", resolution: "Шешім", fcr: "Бірінші байланыста шешілді",
        close_appeal: "Өтінішті жабу", client: "Клиент", contacts: "Күтіп тұрған байланыстар", reason: "Себебі",
        offered_to: "Кімге ұсынылды", reassign: "Қайта тағайындау", to_operator: "Операторға…",
        default_reason: "Супервизор қайта тағайындады" },
  ru: { title: "Baylanys", login: "Логин", password: "Пароль", sign_in: "Войти", sign_out: "Выйти",
        presence: "Статус", online: "в сети", away: "отошёл", offline: "не в сети", language: "Язык",
        offers: "Предложенные вам обращения", no_offers: "Сейчас предложений нет.", channel: "Канал",
        waiting_since: "Ждёт с", answer_by: "Ответить до", accept: "Принять", decline: "Отклонить",
        live: "Очереди сейчас", queue: "Очередь", waiting: "Ждут", offered: "Предложено", longest: "Дольше всех ждёт, с",
        open: "Открыта", answered: "Отвечено сегодня", abandoned: "Потеряно сегодня", sl: "Уровень сервиса, %",
        operators: "Операторы", operator: "Оператор", chats: "Чаты", emails: "Письма", calls: "Звонки",
        yes: "да", no: "нет", connected: "на связи", reconnecting: "переподключение…", wrong: "Неверный логин или пароль",
        history: "История клиента", canned: "Шаблон ответа", transfer_to: "Перевести в очередь", transfer: "Перевести", escalate: "Эскалировать супервизору", new_offer: "Новое предложение", mine: "Мои обращения", appeal: "Обращение", reply: "Ответ", send: "Отправить",
        note: "Внутренняя заметка", add_note: "Добавить заметку", resolution: "Решение", fcr: "Решено при первом обращении",
        close_appeal: "Закрыть обращение", client: "Клиент", contacts: "Ожидающие обращения", reason: "Причина",
        offered_to: "Кому предложено", reassign: "Переназначить", to_operator: "Оператору…",
        default_reason: "Переназначено супервизором" },
  en: { title: "Baylanys", login: "Login", password: "Password", sign_in: "Sign in", sign_out: "Sign out",
        presence: "Presence", online: "online", away: "away", offline: "offline", language: "Language",
        offers: "Contacts offered to you", no_offers: "Nothing offered to you now.", channel: "Channel",
        waiting_since: "Waiting since", answer_by: "Answer by", accept: "Accept", decline: "Decline",
        live: "Queues now", queue: "Queue", waiting: "Waiting", offered: "Offered", longest: "Longest wait, s",
        open: "Open", answered: "Answered today", abandoned: "Lost today", sl: "Service level, %",
        operators: "Operators", operator: "Operator", chats: "Chats", emails: "E-mails", calls: "Calls",
        yes: "yes", no: "no", connected: "connected", reconnecting: "reconnecting…", wrong: "Wrong login or password",
        history: "Client's history", canned: "Canned reply", transfer_to: "Transfer to queue", transfer: "Transfer", escalate: "Escalate to a supervisor", new_offer: "New offer", mine: "My appeals", appeal: "Appeal", reply: "Reply", send: "Send",
        note: "Internal note", add_note: "Add note", resolution: "Resolution", fcr: "Resolved at first contact",
        close_appeal: "Close appeal", client: "Client", contacts: "Waiting contacts", reason: "Reason",
        offered_to: "Offered to", reassign: "Reassign", to_operator: "To operator…",
        default_reason: "Reassigned by a supervisor" },
};

let lang = localStorage.getItem("baylanys.lang") || "kk";
let token = sessionStorage.getItem("baylanys.token");
let me = null;
let socket = null;
let backoff = 500;
const $ = (id) => document.getElementById(id);
const t = (key) => (T[lang] && T[lang][key]) || T.en[key] || key;

function translate() {
  document.documentElement.lang = lang;
  document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
  $("lang").value = lang;
  if (socket && socket.readyState === WebSocket.OPEN) $("link").textContent = t("connected");
}

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text == null ? "—" : String(text);
  row.appendChild(td);
  return td;
}

function time(iso) {
  return iso ? new Date(iso).toLocaleTimeString(lang) : "—";
}

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: Object.assign({ "content-type": "application/json" }, token ? { authorization: "Bearer " + token } : {}),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // A 401 with a token means the session ended; without one it is a wrong password.
  if (res.status === 401 && token) { signOut(); throw new Error("unauthorized"); }
  const text = await res.text();
  return { ok: res.ok, status: res.status, body: text ? JSON.parse(text) : null };
}

function renderOffers(items) {
  const body = $("offers").querySelector("tbody");
  body.replaceChildren();
  for (const it of items) {
    const row = document.createElement("tr");
    row.dataset.id = it.id;
    cell(row, it.channel);
    cell(row, time(it.queued_at));
    cell(row, time(it.offer_expires_at));
    const actions = cell(row, "");
    for (const [key, verb] of [["accept", "accept"], ["decline", "decline"]]) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = t(key);
      b.className = key === "decline" ? "secondary" : "";
      b.addEventListener("click", async () => {
        const r = await api("POST", `/api/v1/interactions/${it.id}/${verb}`);
        if (r.ok && verb === "accept") { await loadMine(); openAppeal(it.appeal_id); }
      });
      actions.appendChild(b);
      actions.appendChild(document.createTextNode(" "));
    }
    body.appendChild(row);
  }
  $("offers").hidden = items.length === 0;
  $("no-offers").hidden = items.length !== 0;
  if (items.length) { $("offers-live").textContent = t("new_offer"); }
}

function renderLive(view) {
  $("live").hidden = false;
  const q = $("queues").querySelector("tbody");
  q.replaceChildren();
  for (const x of view.queues) {
    const row = document.createElement("tr");
    row.dataset.code = x.code;
    [x.name, x.waiting, x.offered, x.longest_wait_secs, x.open ? t("yes") : t("no"),
     x.answered_today, x.abandoned_today, x.service_level_today].forEach((v) => cell(row, v));
    q.appendChild(row);
  }
  const names = new Map(view.operators.map((x) => [x.staff_id, x.display_name]));
  const c = $("contacts").querySelector("tbody");
  // Keep the table while a supervisor is choosing in it; the next push redraws it.
  if (!c.contains(document.activeElement)) {
    c.replaceChildren();
    for (const x of view.contacts) {
      const row = document.createElement("tr");
      row.dataset.id = x.interaction_id;
      [x.channel, x.language, x.waiting_secs, x.offered_to ? names.get(x.offered_to) || x.offered_to : null]
        .forEach((v) => cell(row, v));
      const select = document.createElement("select");
      select.setAttribute("aria-label", t("reassign"));
      const none = document.createElement("option");
      none.value = "";
      none.textContent = t("to_operator");
      select.appendChild(none);
      for (const op of view.operators.filter((o) => o.presence === "online")) {
        const opt = document.createElement("option");
        opt.value = op.staff_id;
        opt.textContent = op.display_name;
        select.appendChild(opt);
      }
      select.addEventListener("change", async () => {
        if (!select.value) return;
        const reason = $("reassign-reason").value.trim() || t("default_reason");
        await api("POST", `/api/v1/interactions/${x.interaction_id}/transfer`, { to_operator: select.value, reason });
        select.blur();
      });
      cell(row, "").appendChild(select);
      c.appendChild(row);
    }
  }
  const o = $("operators").querySelector("tbody");
  o.replaceChildren();
  for (const x of view.operators) {
    const row = document.createElement("tr");
    row.dataset.login = x.login;
    [x.display_name, t(x.presence), `${x.load.web_chat}/${x.capacity.web_chat}`,
     `${x.load.email}/${x.capacity.email}`, `${x.load.voice}/${x.capacity.voice}`].forEach((v) => cell(row, v));
    o.appendChild(row);
  }
}

function connect() {
  const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/operator";
  socket = new WebSocket(url);
  socket.addEventListener("open", () => {
    socket.send(JSON.stringify({ type: "hello", v: 1, token }));
    // Resume the open conversation from the last message shown.
    if (current) socket.send(JSON.stringify({ type: "open", appeal_id: current, last_seq: lastSeq }));
  });
  socket.addEventListener("message", (ev) => {
    const f = JSON.parse(ev.data);
    if (f.type === "welcome") { backoff = 500; $("link").textContent = t("connected"); }
    else if (f.type === "offers") renderOffers(f.items);
    else if (f.type === "live") renderLive(f.view);
    else if (f.type === "message" && f.appeal_id === current) showMessage(f);
    else if (f.type === "error") $("link").textContent = f.message;
  });
  socket.addEventListener("close", (ev) => {
    socket = null;
    if (ev.code === 4401) { signOut(); return; }
    if (!token) return;
    $("link").textContent = t("reconnecting");
    setTimeout(connect, backoff);
    backoff = Math.min(backoff * 2, 10000);
  });
}

// The single window: one appeal at a time, its conversation live over the socket.
let current = null;
let lastSeq = 0;

function showMessage(m) {
  if ($("conv-log").querySelector(`li[data-seq="${m.seq}"]`)) return;
  const li = document.createElement("li");
  li.dataset.seq = m.seq;
  li.className = m.author;
  li.textContent = `${time(m.at)} · ${m.author}: ${m.body}`;
  $("conv-log").appendChild(li);
  lastSeq = Math.max(lastSeq, m.seq);
}

async function loadMine() {
  const r = await api("GET", `/api/v1/appeals?assignee_id=${me.id}&limit=50`);
  const list = $("mine");
  list.replaceChildren();
  for (const a of (r.body && r.body.items) || []) {
    if (a.status === "closed") continue;
    const li = document.createElement("li");
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = `${a.number} · ${a.kind} · ${a.channel} · ${a.status}`;
    b.addEventListener("click", () => openAppeal(a.id));
    li.appendChild(b);
    list.appendChild(li);
  }
}

let canned = [];
let mine = null; // the interaction this operator is handling in the open appeal

async function loadCanned() {
  const r = await api("GET", "/api/v1/canned-replies");
  canned = ((r.ok && r.body) || []).filter((c) => c.active);
  const sel = $("canned");
  sel.replaceChildren(new Option("", ""));
  for (const c of canned) sel.appendChild(new Option(c.title, c.id));
  const q = await api("GET", "/api/v1/queues");
  const qs = $("transfer-queue");
  qs.replaceChildren();
  for (const x of (q.ok && q.body) || []) if (x.active) qs.appendChild(new Option(x.name, x.id));
}

async function openAppeal(id) {
  if (current && socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "leave", appeal_id: current }));
  current = id;
  lastSeq = 0;
  $("conv-log").replaceChildren();
  // The detail shows personal data: the server audits this read (R11, R33).
  const r = await api("GET", `/api/v1/appeals/${id}`);
  if (!r.ok) return;
  const { appeal, client, timeline } = r.body;
  $("conversation").hidden = false;
  $("conv-number").textContent = appeal.number;
  $("conv-fields").textContent = `${appeal.kind} · ${appeal.status} · ${appeal.language} · P${appeal.priority}`;
  const card = $("client-card");
  card.replaceChildren();
  const ids = client.identities.map((i) => `${i.channel}: ${i.address}`).join(", ");
  card.textContent = `${t("client")}: ${client.name || "—"} · ${client.language}${ids ? " · " + ids : ""}`;
  mine = (r.body.interactions || []).filter((i) => i.operator_id === me.id && i.state === "answered").pop() || null;
  $("conversation").dataset.language = appeal.language;
  // Until the client is verified, warn and keep their other appeals out of sight (R11).
  const verified = Boolean(appeal.verified_at);
  $("verify").hidden = verified;
  $("history-box").hidden = !verified;
  const hist = $("history");
  hist.replaceChildren();
  // The client's other appeals across every channel (R32); an audited read too.
  const h = verified ? await api("GET", `/api/v1/clients/${client.id}/history`) : { ok: false };
  for (const x of (h.ok && h.body.appeals) || []) {
    const li = document.createElement("li");
    const last = x.messages.length ? x.messages[x.messages.length - 1].body : "";
    li.textContent = `${x.appeal.number} · ${x.appeal.channel} · ${x.appeal.status}${last ? " · " + last.slice(0, 80) : ""}`;
    hist.appendChild(li);
  }
  const notes = $("notes");
  notes.replaceChildren();
  for (const e of timeline) {
    if (e.note) { const li = document.createElement("li"); li.textContent = e.note.body; notes.appendChild(li); }
  }
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "open", appeal_id: id, last_seq: 0 }));
  $("reply-text").focus();
}

$("verify").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  if (!current) return;
  const r = await api("POST", `/api/v1/appeals/${current}/verify`, { iin: $("verify-iin").value.trim(), birth_date: $("verify-dob").value });
  if (r.ok) { $("verify-iin").value = ""; openAppeal(current); }
  else $("link").textContent = (r.body && r.body.detail) || "error";
});
$("canned").addEventListener("change", () => {
  const c = canned.find((x) => x.id === $("canned").value);
  if (!c) return;
  $("reply-text").value = $("conversation").dataset.language === "ru" ? c.body_ru : c.body_kk;
  $("canned").value = "";
  $("reply-text").focus();
});
async function move(path, body) {
  if (!mine) return;
  const r = await api("POST", `/api/v1/interactions/${mine.id}/${path}`, body);
  if (r.ok) { $("conversation").hidden = true; current = null; await loadMine(); }
  else $("link").textContent = (r.body && r.body.detail) || "error";
}
$("transfer").addEventListener("submit", (ev) => {
  ev.preventDefault();
  move("transfer", { to_queue: $("transfer-queue").value, reason: $("transfer-reason").value.trim() });
});
$("escalate").addEventListener("click", () => {
  const reason = $("transfer-reason").value.trim();
  if (!reason) { $("transfer-reason").focus(); return; }
  move("escalate", { reason });
});

$("reply").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const body = $("reply-text").value.trim();
  if (!body || !current || !socket) return;
  socket.send(JSON.stringify({ type: "message", appeal_id: current, client_id: crypto.randomUUID(), body }));
  $("reply-text").value = "";
});
$("reply-text").addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); $("reply").requestSubmit(); }
});
$("note").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const body = $("note-text").value.trim();
  if (!body || !current) return;
  const r = await api("POST", `/api/v1/appeals/${current}/notes`, { body });
  if (r.ok) { const li = document.createElement("li"); li.textContent = body; $("notes").appendChild(li); $("note-text").value = ""; }
});
$("close").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  if (!current) return;
  const r = await api("POST", `/api/v1/appeals/${current}/status`, {
    status: "closed", resolution: $("resolution").value.trim(), first_contact_resolved: $("fcr").checked,
  });
  if (r.ok) { $("conversation").hidden = true; current = null; await loadMine(); }
  else $("link").textContent = (r.body && r.body.detail) || "error";
});

async function start() {
  const r = await api("GET", "/api/v1/auth/me");
  if (!r.ok) { signOut(); return; }
  me = r.body;
  $("me").textContent = `${me.display_name} (${me.role})`;
  $("presence").value = me.presence;
  $("login").hidden = true;
  $("app").hidden = false;
  connect();
  loadMine();
  loadCanned();
}

function signOut() {
  token = null;
  sessionStorage.removeItem("baylanys.token");
  if (socket) socket.close(1000);
  $("app").hidden = true;
  $("login").hidden = false;
  $("login-name").focus();
}

$("login").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  $("login-error").textContent = "";
  const r = await api("POST", "/api/v1/auth/login", { login: $("login-name").value, password: $("login-password").value });
  if (!r.ok) { $("login-error").textContent = t("wrong"); return; }
  token = r.body.token;
  sessionStorage.setItem("baylanys.token", token);
  start();
});
$("logout").addEventListener("click", async () => { await api("POST", "/api/v1/auth/logout").catch(() => {}); signOut(); });
$("presence").addEventListener("change", () => api("PUT", "/api/v1/auth/me/presence", { presence: $("presence").value }));
$("lang").addEventListener("change", () => { lang = $("lang").value; localStorage.setItem("baylanys.lang", lang); translate(); });

translate();
if (token) start(); else signOut();
