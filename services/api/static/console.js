// The operator console: sign in, presence, offers pushed over /ws/operator with accept/decline,
// several conversations at once with the client card, whole history, notes, canned replies,
// transfer and close, and the live view of queues and operators. Plain DOM, text only (never innerHTML with
// data), so nothing a client or operator typed can run as script.
"use strict";

const T = {
  kk: { title: "Baylanys", login: "Логин", password: "Құпиясөз", sign_in: "Кіру", sign_out: "Шығу",
        presence: "Күйі", online: "желіде", away: "уақытша жоқ", offline: "желіден тыс", language: "Тіл",
        offers: "Сізге ұсынылған байланыстар", no_offers: "Қазір ұсыныс жоқ.", channel: "Арна",
        waiting_since: "Күтуде", answer_by: "Жауап беру мерзімі", accept: "Қабылдау", decline: "Бас тарту",
        live: "Кезектер қазір", queue: "Кезек", waiting: "Күтуде", offered: "Ұсынылған", longest: "Ең ұзақ күту, с",
        open: "Ашық", answered: "Бүгін жауап берілген қоңыраулар", abandoned: "Бүгін жоғалған қоңыраулар", sl: "Қызмет деңгейі, %",
        operators: "Операторлар", operator: "Оператор", chats: "Чаттар", emails: "Хаттар", calls: "Қоңыраулар",
        yes: "иә", no: "жоқ", connected: "байланыс бар", reconnecting: "қайта қосылуда…", reply_waiting: "Байланыс қалпына келгенде жіберіледі", reply_sending: "Жіберілуде…", err_closed: "Өтініш жабылған: хабарлама жіберілмеді", err_unavailable: "Сақталмады: қайта жіберіледі", wrong: "Логин немесе құпиясөз қате",
        history: "Клиенттің тарихы", canned: "Дайын жауап", transfer_to: "Кезекке ауыстыру", transfer: "Ауыстыру", escalate: "Супервизорға жіберу", new_offer: "Жаңа ұсыныс", mine: "Менің өтініштерім", appeal: "Өтініш", reply: "Жауап", send: "Жіберу",
        note: "Ішкі жазба", add_note: "Жазба қосу", resolution: "Шешім", fcr: "Бірінші байланыста шешілді",
        close_appeal: "Өтінішті жабу", client: "Клиент", contacts: "Күтіп тұрған байланыстар", reason: "Себебі",
        offered_to: "Кімге ұсынылды", reassign: "Қайта тағайындау", to_operator: "Операторға…",
        default_reason: "Супервизор қайта тағайындады", conversations: "Әңгімелер", redirect_to: "Құзыретті органға жіберу", department: "Департамент", redirect: "Органға жіберу", accept_appeal: "Өтінішті қабылдау", return_reason: "Біздің құзырет емес: себебі", return_appeal: "Орталыққа қайтару", ask_what: "Азаматтан қажет мәлімет", ask: "Азаматтан сұрау", answer_text: "Жауап", answer: "Азаматқа жауап беру", body_appeals: "Органның өтініштері", due: "Мерзімі", code_email: "Поштаға код жіберу", code_sms: "SMS арқылы код жіберу", code: "Код", check_code: "Кодты тексеру", code_sent: "Код жіберілді:", or_operator: "немесе операторға",
        end_chat: "Чатты аяқтау (өтініш ашық қалады)", close_tab: "Қойындыны жабу", typing: "Клиент жазып жатыр…",
        unverified: "Клиенттің жеке басы тексерілмеген: құпия мәліметті айтпаңыз.", ve_failed: "Деректер жазбаға сәйкес келмейді.", ve_conflict: "Бұл тәсілмен тексеру мүмкін емес.", ve_rate: "Әрекет тым көп: кейінірек қайталаңыз.", ve_iin: "ЖСН қате.", ve_input: "Деректерді тексеріңіз.", ve_unavailable: "Код жеткізілмеді, қайталаңыз.", iin: "ЖСН", on_file: "Тіркелген телефон не e-mail", joins_record: "Клиент айтқан деректер бар жазбаға сәйкес келеді: тексерілгеннен кейін әңгіме сол жазбаға қосылады.",
        verify: "Тексеру", verified: "тексерілген", not_verified: "тексерілмеген", flags: "Белгілер",
        vulnerable: "ерекше көмек қажет", do_not_contact: "өзі хабарласпау", kind: "Түрі", status: "Мәртебесі",
        priority: "Басымдығы", topic: "Тақырып", author_client: "Клиент", author_operator: "Оператор", author_system: "Жүйе", author_bot: "Бот" },
  ru: { title: "Baylanys", login: "Логин", password: "Пароль", sign_in: "Войти", sign_out: "Выйти",
        presence: "Статус", online: "в сети", away: "отошёл", offline: "не в сети", language: "Язык",
        offers: "Предложенные вам обращения", no_offers: "Сейчас предложений нет.", channel: "Канал",
        waiting_since: "Ждёт с", answer_by: "Ответить до", accept: "Принять", decline: "Отклонить",
        live: "Очереди сейчас", queue: "Очередь", waiting: "Ждут", offered: "Предложено", longest: "Дольше всех ждёт, с",
        open: "Открыта", answered: "Отвечено звонков сегодня", abandoned: "Потеряно звонков сегодня", sl: "Уровень сервиса, %",
        operators: "Операторы", operator: "Оператор", chats: "Чаты", emails: "Письма", calls: "Звонки",
        yes: "да", no: "нет", connected: "на связи", reconnecting: "переподключение…", reply_waiting: "Будет отправлено, когда связь восстановится", reply_sending: "Отправляется…", err_closed: "Обращение закрыто: сообщение не отправлено", err_unavailable: "Не сохранено: будет отправлено снова", wrong: "Неверный логин или пароль",
        history: "История клиента", canned: "Шаблон ответа", transfer_to: "Перевести в очередь", transfer: "Перевести", escalate: "Эскалировать супервизору", new_offer: "Новое предложение", mine: "Мои обращения", appeal: "Обращение", reply: "Ответ", send: "Отправить",
        note: "Внутренняя заметка", add_note: "Добавить заметку", resolution: "Решение", fcr: "Решено при первом обращении",
        close_appeal: "Закрыть обращение", client: "Клиент", contacts: "Ожидающие обращения", reason: "Причина",
        offered_to: "Кому предложено", reassign: "Переназначить", to_operator: "Оператору…",
        default_reason: "Переназначено супервизором", conversations: "Разговоры", redirect_to: "Направить в компетентный орган", department: "Департамент", redirect: "Направить", accept_appeal: "Принять обращение", return_reason: "Не наша компетенция: причина", return_appeal: "Вернуть в центр", ask_what: "Какие сведения нужны от гражданина", ask: "Запросить у гражданина", answer_text: "Ответ", answer: "Ответить гражданину", body_appeals: "Обращения органа", due: "Срок", code_email: "Отправить код на почту", code_sms: "Отправить код по SMS", code: "Код", check_code: "Проверить код", code_sent: "Код отправлен:", or_operator: "или оператору",
        end_chat: "Завершить чат (обращение остаётся открытым)", close_tab: "Закрыть вкладку", typing: "Клиент печатает…",
        unverified: "Личность клиента не проверена: не сообщайте конфиденциальных сведений.", ve_failed: "Данные не совпадают с карточкой.", ve_conflict: "Так проверить нельзя.", ve_rate: "Слишком много попыток: повторите позже.", ve_iin: "Неверный ИИН.", ve_input: "Проверьте данные.", ve_unavailable: "Код не доставлен, повторите.", iin: "ИИН", on_file: "Телефон или e-mail из карточки", joins_record: "Указанные клиентом данные совпадают с карточкой: после проверки разговор присоединится к ней.",
        verify: "Проверить", verified: "проверен", not_verified: "не проверен", flags: "Отметки",
        vulnerable: "нужна особая помощь", do_not_contact: "не связываться первыми", kind: "Вид", status: "Статус",
        priority: "Приоритет", topic: "Тема", author_client: "Клиент", author_operator: "Оператор", author_system: "Система", author_bot: "Бот" },
  en: { title: "Baylanys", login: "Login", password: "Password", sign_in: "Sign in", sign_out: "Sign out",
        presence: "Presence", online: "online", away: "away", offline: "offline", language: "Language",
        offers: "Contacts offered to you", no_offers: "Nothing offered to you now.", channel: "Channel",
        waiting_since: "Waiting since", answer_by: "Answer by", accept: "Accept", decline: "Decline",
        live: "Queues now", queue: "Queue", waiting: "Waiting", offered: "Offered", longest: "Longest wait, s",
        open: "Open", answered: "Calls answered today", abandoned: "Calls lost today", sl: "Service level, %",
        operators: "Operators", operator: "Operator", chats: "Chats", emails: "E-mails", calls: "Calls",
        yes: "yes", no: "no", connected: "connected", reconnecting: "reconnecting…", reply_waiting: "Will be sent when the connection is back", reply_sending: "Sending…", err_closed: "The appeal is closed: the message was not sent", err_unavailable: "Not stored: it will be sent again", wrong: "Wrong login or password",
        history: "Client's history", canned: "Canned reply", transfer_to: "Transfer to queue", transfer: "Transfer", escalate: "Escalate to a supervisor", new_offer: "New offer", mine: "My appeals", appeal: "Appeal", reply: "Reply", send: "Send",
        note: "Internal note", add_note: "Add note", resolution: "Resolution", fcr: "Resolved at first contact",
        close_appeal: "Close appeal", client: "Client", contacts: "Waiting contacts", reason: "Reason",
        offered_to: "Offered to", reassign: "Reassign", to_operator: "To operator…",
        default_reason: "Reassigned by a supervisor", conversations: "Conversations", redirect_to: "Redirect to the competent body", department: "Department", redirect: "Redirect", accept_appeal: "Accept the appeal", return_reason: "Not our competence: why", return_appeal: "Return to the centre", ask_what: "Information needed from the citizen", ask: "Ask the citizen", answer_text: "Answer", answer: "Answer the citizen", body_appeals: "Appeals of your body", due: "Due", code_email: "Send a code to the e-mail on file", code_sms: "Send a code by SMS", code: "Code", check_code: "Check the code", code_sent: "Code sent to", or_operator: "or to an operator",
        end_chat: "End the chat (the appeal stays open)", close_tab: "Close tab", typing: "The client is typing…",
        unverified: "The client is not verified: do not disclose confidential information.", ve_failed: "That does not match the record.", ve_conflict: "The client cannot be verified this way.", ve_rate: "Too many attempts: try again later.", ve_iin: "The IIN is not valid.", ve_input: "Check what you entered.", ve_unavailable: "The code was not delivered; try again.", iin: "IIN", on_file: "Phone or e-mail on file", joins_record: "What the client gave matches a record on file: once verified, the conversation joins it.",
        verify: "Verify", verified: "verified", not_verified: "not verified", flags: "Flags",
        vulnerable: "needs assistance", do_not_contact: "do not contact first", kind: "Kind", status: "Status",
        priority: "Priority", topic: "Topic", author_client: "Client", author_operator: "Operator", author_system: "System", author_bot: "Bot" },
};

let lang = localStorage.getItem("baylanys.lang") || "kk";
let token = sessionStorage.getItem("baylanys.token");
let me = null;
let socket = null;
let backoff = 500;
const $ = (id) => document.getElementById(id);
const t = (key) => (T[lang] && T[lang][key]) || T.en[key] || key;

// The words for the API's enumerated values (kinds, statuses, channels, languages, roles), so
// no raw value such as `web_chat` or `in_progress` reaches the screen.
const V = {
  kk: {
    kind_request: "сұрау", kind_application: "өтініш", kind_complaint: "шағым", kind_proposal: "ұсыныс", word_chat: "чат",
    status_new: "жаңа", status_in_progress: "қаралуда", status_awaiting_client: "клиенттен күтілуде",
    status_redirected: "жіберілді", status_answered: "жауап берілді", status_closed: "жабылды",
    channel_web_chat: "веб-чат", channel_email: "e-mail", channel_telegram: "Telegram",
    channel_voice: "телефон", channel_in_person: "жеке қабылдау",
    lang_kk: "қазақша", lang_ru: "орысша", lang_en: "ағылшынша",
    role_admin: "әкімші", role_supervisor: "супервайзер", role_operator: "оператор", role_body_officer: "орган қызметкері", role_editor: "білім қорының редакторы",
  },
  ru: {
    kind_request: "запрос", kind_application: "заявление", kind_complaint: "жалоба", kind_proposal: "предложение", word_chat: "чат",
    status_new: "новое", status_in_progress: "в работе", status_awaiting_client: "ждёт клиента",
    status_redirected: "перенаправлено", status_answered: "дан ответ", status_closed: "закрыто",
    channel_web_chat: "веб-чат", channel_email: "e-mail", channel_telegram: "Telegram",
    channel_voice: "телефон", channel_in_person: "личный приём",
    lang_kk: "казахский", lang_ru: "русский", lang_en: "английский",
    role_admin: "администратор", role_supervisor: "супервайзер", role_operator: "оператор", role_body_officer: "сотрудник органа", role_editor: "редактор базы знаний",
  },
  en: {
    kind_request: "request", kind_application: "application", kind_complaint: "complaint", kind_proposal: "proposal", word_chat: "chat",
    status_new: "new", status_in_progress: "in progress", status_awaiting_client: "awaiting the client",
    status_redirected: "redirected", status_answered: "answered", status_closed: "closed",
    channel_web_chat: "web chat", channel_email: "e-mail", channel_telegram: "Telegram",
    channel_voice: "phone", channel_in_person: "in person",
    lang_kk: "Kazakh", lang_ru: "Russian", lang_en: "English",
    role_admin: "admin", role_supervisor: "supervisor", role_operator: "operator", role_body_officer: "body officer", role_editor: "knowledge editor",
  },
};
// `v("status", "in_progress")` → the word in the console's language (the value itself if new).
const v = (group, value) => (V[lang] && V[lang][`${group}_${value}`]) || V.en[`${group}_${value}`] || value;

// A client's address as a person reads it: a Telegram chat by its number, not the bot's id.
function identityText(i) {
  const address = i.channel === "telegram" ? `${v("word", "chat")} ${i.address.split(":").pop()}` : i.address;
  return `${v("channel", i.channel)}: ${address}`;
}

function translate() {
  document.documentElement.lang = lang;
  document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
  document.querySelectorAll("[data-t-label]").forEach((el) => { el.setAttribute("aria-label", t(el.dataset.tLabel)); });
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

// The contacts this operator answers or wraps up, as the server last sent them (id -> contact).
// When one of an open conversation's contacts changes (the caller hung up, the after-call work
// ended, the call was passed on), its call box is drawn again from the frame: no read of the
// appeal (an audited one), and nothing typed in the panel is touched.
let myContacts = new Map();
// Only where a contact stands, not its hold: a hold is the operator's own act here, drawn from
// its answer, and its failure briefly holds and releases the contact — a redraw for that would
// wipe the refusal the call box says.
const contactWhere = (i) => [i.state, i.wrap_up_at || null, i.operator_id || null].join("|");
function onContacts(items) {
  const now = new Map(items.map((i) => [i.id, i]));
  for (const c of convs.values()) {
    const list = (c.detail && c.detail.interactions) || [];
    let moved = false;
    list.forEach((was, k) => {
      const fresh = now.get(was.id);
      if (fresh) {
        if (contactWhere(fresh) !== contactWhere(was)) { list[k] = { ...was, ...fresh }; moved = true; }
      } else if (myContacts.has(was.id) && (was.state === "answered" || was.state === "wrap_up")) {
        // Out of this operator's hands: ended (or passed on, which ends it for them).
        list[k] = { ...was, state: "ended", held_at: null };
        moved = true;
      }
    });
    if (!moved) continue;
    c.mine = list.filter((i) => i.operator_id === me.id && i.state === "answered").pop() || null;
    if (c.id === active) window.drawVoice?.(c);
  }
  myContacts = now;
}

function renderOffers(items) {
  const body = $("offers").querySelector("tbody");
  body.replaceChildren();
  for (const it of items) {
    const row = document.createElement("tr");
    row.dataset.id = it.id;
    const channel = cell(row, v("channel", it.channel));
    channel.prepend(channelIcon(it.channel));
    window.decorateOffer?.(channel, it);
    // Since when in hours and minutes (the narrow pane); the answer-by to the second.
    cell(row, it.queued_at ? new Date(it.queued_at).toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" }) : "—");
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
  const q = $("queues").querySelector("tbody");
  q.replaceChildren();
  for (const x of view.queues) {
    const row = document.createElement("tr");
    row.dataset.code = x.code;
    [x.name, x.waiting, x.offered, x.longest_wait_secs, x.open ? t("yes") : t("no"),
     x.answered_today, x.abandoned_today, x.service_level_today].forEach((v) => cell(row, v));
    q.appendChild(row);
  }
  // Reassigning is a supervisor's act (R24); operators see the wallboard only.
  const oversight = me && (me.role === "supervisor" || me.role === "admin");
  $("contacts-box").hidden = !oversight;
  const names = new Map(view.operators.map((x) => [x.staff_id, x.display_name]));
  const c = $("contacts").querySelector("tbody");
  // Keep the table while a supervisor is choosing in it; the next push redraws it.
  if (!c.contains(document.activeElement)) {
    c.replaceChildren();
    for (const x of view.contacts) {
      const row = document.createElement("tr");
      row.dataset.id = x.interaction_id;
      [v("channel", x.channel), v("lang", x.language), x.waiting_secs, x.offered_to ? names.get(x.offered_to) || x.offered_to : null]
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
    // Resume every open conversation from the last entry shown: nothing missed, nothing twice.
    for (const c of convs.values()) socket.send(JSON.stringify({ type: "open", appeal_id: c.id, last_seq: c.lastSeq }));
  });
  socket.addEventListener("message", (ev) => {
    const f = JSON.parse(ev.data);
    if (f.type === "welcome") {
      backoff = 500; $("link").textContent = t("connected");
      // What was typed while the console was away goes now; the server knows a resend by its id.
      for (const [id, m] of unsent) socket.send(JSON.stringify({ type: "message", appeal_id: m.appeal_id, client_id: id, body: m.body }));
      showUnsent();
    }
    else if (f.type === "ack") { unsent.delete(f.client_id); showUnsent(); }
    else if (f.type === "offers") renderOffers(f.items);
    else if (f.type === "contacts") onContacts(f.items);
    else if (f.type === "live") { lastLive = f.view; renderLive(f.view); fillOperators(); }
    else if (f.type === "kpis") window.onKpis?.(f.today);
    else if (f.type === "message") showEntry(f);
    else if (f.type === "read") showRead(f.appeal_id, f.seq);
    else if (f.type === "typing" && f.appeal_id === active) {
      $("conv-typing").textContent = t("typing");
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => { $("conv-typing").textContent = ""; }, 4000);
    }
    else if (f.type === "error") {
      // In the console's language; the server's words in the tooltip.
      const known = { closed: "err_closed", unavailable: "err_unavailable" }[f.code];
      $("link").textContent = known ? t(known) : f.message;
      $("link").title = f.message || "";
      // A reply to a closed appeal will never be taken: back into the box, not lost.
      if (f.code === "closed") {
        for (const [id, m] of unsent) if (m.appeal_id === active) { $("reply-text").value = m.body; unsent.delete(id); }
        showUnsent();
      }
    }
  });
  socket.addEventListener("close", (ev) => {
    socket = null;
    showUnsent();
    if (ev.code === 4401) { signOut(); return; }
    if (!token) return;
    $("link").textContent = t("reconnecting");
    setTimeout(connect, backoff);
    backoff = Math.min(backoff * 2, 10000);
  });
}

function send(frame) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
}

// Replies not yet acknowledged, by their id: sent again after a reconnect, so nothing typed is
// lost while the console reconnects (the widget does the same for citizens).
const unsent = new Map();
function showUnsent() {
  const online = socket && socket.readyState === WebSocket.OPEN;
  $("reply-status").textContent = unsent.size ? t(online ? "reply_sending" : "reply_waiting") : "";
}
function sendReply(appealId, body) {
  const id = crypto.randomUUID();
  unsent.set(id, { appeal_id: appealId, body });
  send({ type: "message", appeal_id: appealId, client_id: id, body });
  showUnsent();
}

// The single window: several conversations at once, one tab each, every one live over the
// socket. convs: appeal id -> { id, number, lastSeq, clientRead, log, tab, unread, detail, mine }.
const convs = new Map();
let active = null;
let lastLive = null;
let typingTimer = null;

function showEntry(m) {
  const c = convs.get(m.appeal_id);
  if (!c || c.log.querySelector(`li[data-seq="${m.seq}"]`)) return;
  const li = document.createElement("li");
  li.dataset.seq = m.seq;
  li.dataset.message = m.id;
  const text = m.kind === "text" ? `${t("author_" + m.author)}: ${m.body}` : m.body;
  li.className = m.kind === "text" ? m.author : "system";
  li.textContent = `${time(m.at)} · ${text}`;
  if (m.author === "operator" && m.seq <= c.clientRead) li.classList.add("read");
  c.log.appendChild(li);
  window.drawDeliveries?.(c, li);
  window.drawMail?.(c, li);
  window.drawTelegram?.(c, li);
  c.log.scrollTop = c.log.scrollHeight;
  c.lastSeq = Math.max(c.lastSeq, m.seq);
  if (m.kind === "text" && m.author === "client") c.waitingSince = c.waitingSince || m.at;
  else if (m.kind === "text" && m.author === "operator") c.waitingSince = null;
  if (m.kind === "text") drawTab(c);
  if (m.kind === "text" && m.author === "client") window.knowledgeHeard?.(c, m);
  if (c.id === active && document.visibilityState === "visible") markRead(c);
  else if (m.author === "client") { c.unread += 1; drawTab(c); }
}

function showRead(appealId, seq) {
  const c = convs.get(appealId);
  if (!c) return;
  c.clientRead = Math.max(c.clientRead, seq);
  for (const li of c.log.querySelectorAll("li.operator")) if (Number(li.dataset.seq) <= c.clientRead) li.classList.add("read");
}

function markRead(c) {
  c.unread = 0;
  drawTab(c);
  if (c.lastSeq > (c.readSent || 0)) { c.readSent = c.lastSeq; send({ type: "read", appeal_id: c.id, seq: c.lastSeq }); }
}
document.addEventListener("visibilitychange", () => { const c = convs.get(active); if (c && document.visibilityState === "visible") markRead(c); });

// An open conversation in the left pane: channel, number, unread count, how long the client has
// waited for an answer and the due date in its SLA colour (drawItem, frame.js).
function drawTab(c) {
  drawItem(c.tab, { number: c.number, appeal: c.detail && c.detail.appeal, unread: c.unread, waitingSince: c.waitingSince });
  c.tab.classList.toggle("unread", c.unread > 0);
}

// Body officers see their body's appeals (the server's scope allows nothing else); centre
// staff see the appeals assigned to them.
async function loadMine() {
  const officer = me.role === "body_officer";
  $("mine-h").textContent = t(officer ? "body_appeals" : "mine");
  const r = await api("GET", officer ? "/api/v1/appeals?limit=50" : `/api/v1/appeals?assignee_id=${me.id}&limit=50`);
  const list = $("mine");
  list.replaceChildren();
  for (const a of (r.body && r.body.items) || []) {
    // Closed ones are done; open conversations are listed above, under Conversations.
    if (a.status === "closed" || convs.has(a.id)) continue;
    const li = document.createElement("li");
    const b = document.createElement("button");
    b.type = "button";
    b.className = "item";
    b.dataset.appeal = a.id;
    drawItem(b, { number: a.number, appeal: a });
    b.addEventListener("click", () => openAppeal(a.id));
    li.appendChild(b);
    list.appendChild(li);
  }
}

let canned = [];
const topics = new Map();

async function loadCanned() {
  const r = await api("GET", "/api/v1/canned-replies");
  canned = ((r.ok && r.body) || []).filter((c) => c.active);
  const sel = $("canned");
  sel.replaceChildren(new Option("", ""));
  for (const c of canned) sel.appendChild(new Option(c.title, c.id));
  const b = await api("GET", "/api/v1/bodies");
  const bs = $("redirect-body");
  bs.replaceChildren(new Option("", ""));
  for (const x of (b.ok && b.body) || []) if (x.active) bs.appendChild(new Option(lang === "ru" ? x.name_ru : x.name_kk, x.id));
  const tp = await api("GET", "/api/v1/topics");
  for (const x of (tp.ok && tp.body) || []) topics.set(x.id, x);
  const q = await api("GET", "/api/v1/queues");
  const qs = $("transfer-queue");
  qs.replaceChildren(new Option("", ""));
  for (const x of (q.ok && q.body) || []) if (x.active) qs.appendChild(new Option(x.name, x.id));
}

// Colleagues online, from the wallboard the socket pushes, to transfer a contact to.
function fillOperators() {
  const sel = $("transfer-operator");
  if (!lastLive || sel.contains(document.activeElement)) return;
  const keep = sel.value;
  sel.replaceChildren(new Option("", ""));
  for (const o of lastLive.operators) {
    if (o.presence === "online" && o.staff_id !== me.id) sel.appendChild(new Option(o.display_name, o.staff_id));
  }
  sel.value = keep;
}

// Opens (or switches to) an appeal's tab.
async function openAppeal(id) {
  let c = convs.get(id);
  if (!c) {
    const log = document.createElement("ol");
    log.className = "conv-log";
    const tab = document.createElement("button");
    tab.type = "button";
    tab.className = "item";
    tab.setAttribute("role", "tab");
    tab.setAttribute("aria-controls", "conv-panel");
    tab.dataset.appeal = id;
    tab.addEventListener("click", () => activate(id));
    c = { id, number: "…", lastSeq: 0, clientRead: 0, readSent: 0, unread: 0, log, tab, detail: null, mine: null };
    convs.set(id, c);
    $("conv-logs").appendChild(log);
    $("tabs").appendChild(tab);
    document.querySelector(`#mine button[data-appeal="${id}"]`)?.closest("li").remove();
    send({ type: "open", appeal_id: id, last_seq: 0 });
  }
  // The operator may pick another conversation while this one loads: their choice stands.
  const before = active;
  await refresh(c);
  if (active === before || active === id) {
    activate(id);
    $("reply-text").focus();
  }
}

// Reloads an appeal's fields, client card, history and notes (an audited read, R11, R33).
async function refresh(c) {
  const r = await api("GET", `/api/v1/appeals/${c.id}`);
  if (!r.ok) return;
  c.detail = r.body;
  c.number = r.body.appeal.number;
  c.mine = (r.body.interactions || []).filter((i) => i.operator_id === me.id && i.state === "answered").pop() || null;
  c.history = null;
  if (r.body.appeal.verified_at) {
    // The client's other appeals across every channel (R32); an audited read too.
    const h = await api("GET", `/api/v1/clients/${r.body.client.id}/history`);
    c.history = h.ok ? h.body.appeals : [];
  }
  drawTab(c);
  if (c.id === active) drawPanel(c);
}

function activate(id) {
  window.showWork?.();
  active = id;
  for (const x of convs.values()) {
    const on = x.id === id;
    x.log.hidden = !on;
    x.tab.setAttribute("aria-selected", String(on));
    x.tab.tabIndex = on ? 0 : -1;
  }
  $("conversation").hidden = false;
  $("no-conversation").hidden = true;
  $("no-convs").hidden = true;
  $("conv-typing").textContent = "";
  const c = convs.get(id);
  drawPanel(c);
  markRead(c);
}

function drawPanel(c) {
  if (!c.detail) return;
  const { appeal, client, timeline } = c.detail;
  $("conv-number").textContent = appeal.number;
  const topic = topics.get(appeal.topic_id);
  const topicName = topic ? (lang === "ru" ? topic.name_ru : lang === "en" ? topic.name_en || topic.name_ru : topic.name_kk) : "—";
  const dueAt = appeal.due_at ? new Date(appeal.due_at).toLocaleDateString(lang) : "—";
  $("conv-fields").textContent = `${t("kind")}: ${v("kind", appeal.kind)} · ${t("topic")}: ${topicName} · ${t("status")}: ${v("status", appeal.status)} · ${t("channel")}: ${v("channel", appeal.channel)} · ${t("language")}: ${v("lang", appeal.language)} · ${t("priority")}: ${priorityWord(appeal.priority)} · ${t("due")}: ${dueAt}`;
  $("conversation").dataset.language = appeal.language;
  const verified = Boolean(appeal.verified_at);
  const card = $("client-card");
  card.replaceChildren();
  const ids = client.identities.map(identityText).join(", ");
  const flags = [client.vulnerable ? t("vulnerable") : null, client.do_not_contact ? t("do_not_contact") : null].filter(Boolean).join(", ");
  for (const line of [
    `${t("client")}: ${client.name || "—"} · ${v("lang", client.language)} · ${verified ? t("verified") : t("not_verified")}`,
    client.iin ? `${t("iin")}: ${client.iin}` : null,
    ids || null,
    flags ? `${t("flags")}: ${flags}` : null,
  ]) {
    if (!line) continue;
    const p = document.createElement("div");
    p.textContent = line;
    card.appendChild(p);
  }
  // Until the client is verified, warn and keep their other appeals out of sight (R11).
  const officer = me.role === "body_officer";
  document.querySelectorAll(".centre-only").forEach((e) => { e.hidden = officer; });
  $("body-actions").hidden = !officer || appeal.status === "answered" || appeal.status === "closed";
  $("body-accept").hidden = appeal.status !== "redirected";
  $("body-return").hidden = appeal.status !== "redirected";
  $("verify").hidden = verified || officer;
  // Only the codes this server can send, to addresses that exist (R11).
  const ways = (c.detail.verification && c.detail.verification.codes) || [];
  $("code-email").hidden = !ways.some((w) => w.via === "email");
  $("code-sms").hidden = !ways.some((w) => w.via === "sms");
  $("verify-otp").hidden = verified || officer || !ways.length;
  $("verify-joins").hidden = verified || officer || !(c.detail.verification && c.detail.verification.joins_record);
  $("code-status").textContent = "";
  $("verify-status").textContent = "";
  $("history-box").hidden = !verified;
  $("history-box").open = verified;
  $("history-none").hidden = verified || officer;
  const hist = $("history");
  hist.replaceChildren();
  for (const x of c.history || []) {
    if (x.appeal.id === appeal.id) continue;
    const li = document.createElement("li");
    const d = document.createElement("details");
    const s = document.createElement("summary");
    s.textContent = `${x.appeal.number} · ${v("channel", x.appeal.channel)} · ${v("kind", x.appeal.kind)} · ${v("status", x.appeal.status)} · ${new Date(x.appeal.created_at).toLocaleDateString(lang)}`;
    const ol = document.createElement("ol");
    for (const m of x.messages) {
      const item = document.createElement("li");
      item.textContent = `${new Date(m.created_at).toLocaleString(lang)} · ${v("channel", m.channel)} · ${t("author_" + m.author)}: ${m.body}`;
      ol.appendChild(item);
    }
    d.append(s, ol);
    li.appendChild(d);
    hist.appendChild(li);
  }
  const notes = $("notes");
  notes.replaceChildren();
  for (const e of timeline) {
    if (e.note) { const li = document.createElement("li"); li.textContent = e.note.body; notes.appendChild(li); }
  }
  fillOperators();
  window.drawDeliveries?.(c);
  window.drawMail?.(c);
  window.drawTelegram?.(c);
  window.drawVoice?.(c);
  window.drawParts?.(c);
  window.drawComplaintForm?.(c);
  window.drawFields?.(c);
  window.drawKnowledge?.(c);
  window.drawActs?.(c);
  window.drawComposer?.(c);
}

function closeTab(id) {
  const c = convs.get(id);
  if (!c) return;
  send({ type: "leave", appeal_id: id });
  c.log.remove();
  c.tab.remove();
  convs.delete(id);
  if (me) loadMine();
  const next = convs.keys().next();
  if (next.done) { active = null; $("conversation").hidden = true; $("no-conversation").hidden = false; $("no-convs").hidden = false; }
  else activate(next.value);
}

$("tabs").addEventListener("keydown", (ev) => {
  const step = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 }[ev.key];
  if (!step || !active) return;
  ev.preventDefault();
  const ids = [...convs.keys()];
  const i = ids.indexOf(active) + step;
  const id = ids[(i + ids.length) % ids.length];
  activate(id);
  convs.get(id).tab.focus();
});

// A refused verification in the console's language; the server's words in the tooltip.
function verifyError(el, r) {
  const kind = ((r.body && r.body.type) || "").split("/").pop();
  const key = { "verification-failed": "ve_failed", conflict: "ve_conflict", "rate-limited": "ve_rate", "invalid-iin": "ve_iin", unavailable: "ve_unavailable" }[kind] || "ve_input";
  el.textContent = t(key);
  el.title = (r.body && r.body.detail) || "";
}
$("verify").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const c = convs.get(active);
  if (!c) return;
  const r = await api("POST", `/api/v1/appeals/${c.id}/verify`, { iin: $("verify-iin").value.trim(), on_file: $("verify-onfile").value.trim() });
  if (r.ok) { $("verify-iin").value = ""; $("verify-onfile").value = ""; $("verify-status").textContent = ""; await refresh(c); }
  else verifyError($("verify-status"), r);
});
async function sendCode(via) {
  const c = convs.get(active);
  if (!c) return;
  const r = await api("POST", `/api/v1/appeals/${c.id}/verify/code`, { via });
  if (r.ok) { $("code-status").textContent = `${t("code_sent")} ${r.body.sent_to}`; $("code-status").title = ""; }
  else verifyError($("code-status"), r);
  if (r.ok) $("verify-code").focus();
}
$("code-email").addEventListener("click", () => sendCode("email"));
$("code-sms").addEventListener("click", () => sendCode("sms"));
$("verify-otp").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const c = convs.get(active);
  if (!c) return;
  const r = await api("POST", `/api/v1/appeals/${c.id}/verify`, { code: $("verify-code").value.trim() });
  if (r.ok) { $("verify-code").value = ""; await refresh(c); }
  else verifyError($("code-status"), r);
});
// A canned reply goes after what the operator already typed, never over it. Arrow keys on the
// closed list change it at once (Chromium), so a pick by keys replaces only the previous pick
// until Enter takes the operator back to the box; a pick with the pointer goes back at once.
let typedBeforeCanned = null;
let cannedByKeys = false;
$("canned").addEventListener("keydown", (ev) => {
  if (ev.key === "Enter") { ev.preventDefault(); cannedDone(); return; }
  cannedByKeys = ev.key.startsWith("Arrow") || ev.key === "Home" || ev.key === "End" || ev.key.length === 1;
});
$("canned").addEventListener("change", () => {
  const c = canned.find((x) => x.id === $("canned").value);
  if (typedBeforeCanned === null) typedBeforeCanned = $("reply-text").value.trimEnd();
  const text = c ? ($("conversation").dataset.language === "ru" ? c.body_ru : c.body_kk) : "";
  $("reply-text").value = [typedBeforeCanned, text].filter(Boolean).join("\n");
  if (!cannedByKeys) cannedDone();
  cannedByKeys = false;
});
$("canned").addEventListener("blur", () => { typedBeforeCanned = null; });
function cannedDone() {
  $("canned").value = "";
  typedBeforeCanned = null;
  $("reply-text").focus();
}
async function move(path, body) {
  const c = convs.get(active);
  if (!c || !c.mine) { $("link").textContent = "—"; return; }
  const r = await api("POST", `/api/v1/interactions/${c.mine.id}/${path}`, body);
  if (r.ok) closeTab(c.id);
  else showProblem(r);
}
$("transfer").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const reason = $("transfer-reason").value.trim();
  const op = $("transfer-operator").value;
  const queue = $("transfer-queue").value;
  if (!op && !queue) { $("transfer-queue").focus(); return; }
  move("transfer", op ? { to_operator: op, reason } : { to_queue: queue, reason });
});
$("escalate").addEventListener("click", () => {
  const reason = $("transfer-reason").value.trim();
  if (!reason) { $("transfer-reason").focus(); return; }
  move("escalate", { reason });
});
$("end-chat").addEventListener("click", () => move("end", {}));

$("redirect-body").addEventListener("change", async () => {
  const sel = $("redirect-dept");
  sel.replaceChildren(new Option("", ""));
  if (!$("redirect-body").value) return;
  const r = await api("GET", `/api/v1/bodies/${$("redirect-body").value}/departments`);
  for (const d of (r.ok && r.body) || []) if (d.active) sel.appendChild(new Option(lang === "ru" ? d.name_ru : d.name_kk, d.id));
});
$("redirect").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const c = convs.get(active);
  if (!c || !$("redirect-body").value) { $("redirect-body").focus(); return; }
  const r = await api("POST", `/api/v1/appeals/${c.id}/redirect`, {
    body_id: $("redirect-body").value, department_id: $("redirect-dept").value || null, reason: $("redirect-reason").value.trim(),
  });
  if (r.ok) { $("redirect-reason").value = ""; await refresh(c); await loadMine(); }
  else showProblem(r);
});
// The body's side (R30): accept, return, ask the citizen, answer.
async function bodyAct(path, body) {
  const c = convs.get(active);
  if (!c) return false;
  const r = await api("POST", `/api/v1/appeals/${c.id}/${path}`, body);
  if (r.ok) { await refresh(c); await loadMine(); return true; }
  showProblem(r);
  return false;
}
$("body-accept").addEventListener("click", () => bodyAct("redirection/accept", {}));
$("body-return").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const id = active;
  if (await bodyAct("redirection/return", { reason: $("return-reason").value.trim() })) { $("return-reason").value = ""; closeTab(id); }
});
$("body-ask").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  if (await bodyAct("status", { status: "awaiting_client", reason: $("ask-text").value.trim() })) $("ask-text").value = "";
});
$("body-answer").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  if (await bodyAct("status", { status: "answered", resolution: $("answer-text").value.trim() })) $("answer-text").value = "";
});
$("close-tab").addEventListener("click", () => closeTab(active));

$("reply").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const body = $("reply-text").value.trim();
  if (!body || !active) return;
  sendReply(active, body);
  $("reply-text").value = "";
});
let lastTyping = 0;
$("reply-text").addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); $("reply").requestSubmit(); return; }
  if (active && Date.now() - lastTyping > 3000) { lastTyping = Date.now(); send({ type: "typing", appeal_id: active }); }
});
$("note").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const body = $("note-text").value.trim();
  if (!body || !active) return;
  const r = await api("POST", `/api/v1/appeals/${active}/notes`, { body });
  if (r.ok) { const li = document.createElement("li"); li.textContent = body; $("notes").appendChild(li); $("note-text").value = ""; }
});
$("close").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  if (!active) return;
  const id = active;
  const r = await api("POST", `/api/v1/appeals/${id}/status`, {
    status: "closed", resolution: $("resolution").value.trim(), first_contact_resolved: $("fcr").checked,
  });
  if (r.ok) { $("resolution").value = ""; $("fcr").checked = false; closeTab(id); }
  else showProblem(r);
});

async function start() {
  const r = await api("GET", "/api/v1/auth/me");
  if (!r.ok) { signOut(); return; }
  me = r.body;
  $("me").textContent = `${me.display_name} (${v("role", me.role)})`;
  $("presence").value = me.presence;
  $("login").hidden = true;
  $("login-main").hidden = true;
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
  $("login-main").hidden = false;
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
$("lang").addEventListener("change", () => {
  lang = $("lang").value;
  localStorage.setItem("baylanys.lang", lang);
  translate();
  // What was drawn from data redraws in the new language too.
  if (me) {
    $("me").textContent = `${me.display_name} (${v("role", me.role)})`;
    loadMine();
    if (lastLive) renderLive(lastLive);
    const c = convs.get(active);
    if (c) drawPanel(c);
  }
});

translate();
if (token) start(); else signOut();
