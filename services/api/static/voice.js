// The phone in the console (clause 3.15, R12): on a call's appeal, the call — the number it
// came from (as the network gave it), the way the caller took through the voice menu, where the
// call stands — and, once the caller or the operator hung up, the button that ends the
// after-contact work (it ends the handling time, report row 19).
// Loaded after console.js and uses its globals (T, t, $, api, lang, v, convs, active, translate);
// console.js calls drawVoice(c) when it draws an appeal's panel. Plain DOM, text only.
"use strict";

Object.assign(T.kk, {
  vc_call: "Қоңырау", vc_from: "нөмірден", vc_hidden: "нөмір жасырын", vc_path: "Мәзірдегі жолы", vc_path_none: "мәзірді өткізбеді",
  vc_state_menu: "дауыстық мәзірде", vc_state_queued: "кезекте күтіп тұр", vc_state_answered: "сөйлесуде",
  vc_state_wrap_up: "қоңырау аяқталды, кейінгі жұмыс", vc_state_ended: "аяқталды", vc_state_abandoned: "кезекте тұтқаны қойды",
  vc_finish: "Кейінгі жұмысты аяқтау", vc_finished: "Аяқталды", vc_failed: "Аяқтау мүмкін болмады",
  vc_wrap_left: "{t} қалды", vc_wrap_over: "уақыты бітті, өздігінен аяқталады",
  vc_wrap_limit: "Кейінгі жұмыс {t} кейін өздігінен аяқталады (орталықтың шегі)",
  vc_operator: "оператор", vc_language: "тіл",
  vc_callbacks: "Кері қоңырауға өтінімдер", vc_number: "Нөмір", vc_requested: "Сұралған уақыты", vc_attempts: "Әрекет саны",
  vc_out_answered: "Байланысты", vc_out_no_answer: "Жауап бермеді", vc_out_busy: "Бос емес", vc_out_cancelled: "Бас тарту",
  vc_open: "Өтініш", vc_saved: "Сақталды", vc_refused: "Қабылданбады: {why}",
  vc_err_hours: "қоңырау шалу уақыты емес (жұмыс күндері, белгіленген сағаттарда ғана)", vc_err_dnc: "клиент хабарласпауды сұраған — өтінімнен бас тартыңыз",
  vc_err_done: "өтінім жабылған", vc_err_other: "сервер қатесі",
  vc_place: "Қоңырау шалу", vc_placing: "Клиентке қоңырау шалынуда: ол жауап бергенде телефоныңыз шырылдайды",
  vc_dialling: "қоңырау шалынуда…", vc_err_nopbx: "АТС арқылы қоңырау шалу мүмкін емес — өз телефоныңыздан шалып, нәтижесін белгілеңіз",
  vc_err_phone: "сіздің телефоныңыз (ішкі нөмір) көрсетілмеген — әкімшіге жүгініңіз", vc_opening: "Алғашқы сөз",
  vc_call_client: "Клиентке қоңырау шалу", vc_reason: "Неге хабарласасыз (алғашқы сөзіңіз)", vc_err_number: "клиенттің телефон нөмірі жоқ",
  vc_hold: "Күтуге қою", vc_resume: "Күтуден қайтару", vc_held: "клиент күту режимінде, {t}",
  vc_err_hold_phone: "бұл қоңырауды консольден күтуге қою мүмкін емес — телефоныңыздағы күту батырмасын басыңыз",
  vc_err_hold_provider: "телефон провайдері қоңырауды алмады — қайталап көріңіз",
  vc_recordings: "Сөйлесу жазбалары", vc_rec_play: "Тыңдау", vc_rec_state_fetching: "провайдерден алынуда",
  vc_rec_state_failed: "алынбады", vc_rec_state_expired: "сақтау мерзімі өтті, жойылды", vc_rec_until: "{d} дейін сақталады",
  vc_rec_secs: "{s} сек",
});
Object.assign(T.ru, {
  vc_call: "Звонок", vc_from: "с номера", vc_hidden: "номер скрыт", vc_path: "Путь в меню", vc_path_none: "меню не проходил",
  vc_state_menu: "в голосовом меню", vc_state_queued: "ждёт в очереди", vc_state_answered: "идёт разговор",
  vc_state_wrap_up: "звонок завершён, постобработка", vc_state_ended: "завершён", vc_state_abandoned: "положил трубку в очереди",
  vc_finish: "Завершить постобработку", vc_finished: "Завершено", vc_failed: "Не удалось завершить",
  vc_wrap_left: "осталось {t}", vc_wrap_over: "время вышло, завершится автоматически",
  vc_wrap_limit: "Постобработка завершится автоматически через {t} (предел центра)",
  vc_operator: "оператор", vc_language: "язык",
  vc_callbacks: "Заказанные обратные звонки", vc_number: "Номер", vc_requested: "Заказан", vc_attempts: "Попытки",
  vc_out_answered: "Дозвонились", vc_out_no_answer: "Не ответил", vc_out_busy: "Занято", vc_out_cancelled: "Отменить",
  vc_open: "Обращение", vc_saved: "Сохранено", vc_refused: "Не принято: {why}",
  vc_err_hours: "сейчас не время для звонков (только в рабочие дни, в установленные часы)", vc_err_dnc: "клиент просил не связываться — отмените заявку",
  vc_err_done: "заявка уже закрыта", vc_err_other: "ошибка сервера",
  vc_place: "Позвонить", vc_placing: "Звоним клиенту: ваш телефон зазвонит, когда клиент ответит",
  vc_dialling: "идёт вызов…", vc_err_nopbx: "звонок через АТС сейчас невозможен — позвоните со своего телефона и отметьте результат",
  vc_err_phone: "ваш телефон (внутренний номер) не указан — обратитесь к администратору", vc_opening: "Первая фраза",
  vc_call_client: "Позвонить клиенту", vc_reason: "Зачем звоните (ваша первая фраза)", vc_err_number: "у клиента нет номера телефона",
  vc_hold: "Поставить на удержание", vc_resume: "Снять с удержания", vc_held: "клиент на удержании, {t}",
  vc_err_hold_phone: "этот звонок нельзя поставить на удержание из консоли — нажмите кнопку удержания на телефоне",
  vc_err_hold_provider: "телефонный провайдер не принял звонок — попробуйте ещё раз",
  vc_recordings: "Записи разговоров", vc_rec_play: "Прослушать", vc_rec_state_fetching: "загружается от провайдера",
  vc_rec_state_failed: "не получена", vc_rec_state_expired: "срок хранения истёк, удалена", vc_rec_until: "хранится до {d}",
  vc_rec_secs: "{s} с",
});
Object.assign(T.en, {
  vc_call: "Call", vc_from: "from", vc_hidden: "number withheld", vc_path: "Menu path", vc_path_none: "did not use the menu",
  vc_state_menu: "in the voice menu", vc_state_queued: "waiting in the queue", vc_state_answered: "talking",
  vc_state_wrap_up: "call over, after-call work", vc_state_ended: "ended", vc_state_abandoned: "hung up in the queue",
  vc_finish: "Finish after-call work", vc_finished: "Finished", vc_failed: "Could not finish",
  vc_wrap_left: "{t} left", vc_wrap_over: "time is up, it ends by itself",
  vc_wrap_limit: "After-call work ends by itself {t} after the call (the centre's limit)",
  vc_operator: "operator", vc_language: "language",
  vc_callbacks: "Callbacks requested", vc_number: "Number", vc_requested: "Asked at", vc_attempts: "Attempts",
  vc_out_answered: "Reached", vc_out_no_answer: "No answer", vc_out_busy: "Busy", vc_out_cancelled: "Cancel",
  vc_open: "Appeal", vc_saved: "Saved", vc_refused: "Refused: {why}",
  vc_err_hours: "outside the calling hours (working days, set hours only)", vc_err_dnc: "the client asked not to be contacted — cancel the callback",
  vc_err_done: "the callback is closed", vc_err_other: "server error",
  vc_place: "Call", vc_placing: "Calling the client: your phone rings when they answer",
  vc_dialling: "dialling…", vc_err_nopbx: "the PBX cannot place the call now — call from your phone and record the outcome",
  vc_err_phone: "your phone (extension) is not set — ask an administrator", vc_opening: "Opening line",
  vc_call_client: "Call the client", vc_reason: "Why you call (your opening line)", vc_err_number: "the client has no phone number",
  vc_hold: "Put on hold", vc_resume: "Take back", vc_held: "the caller is on hold, {t}",
  vc_err_hold_phone: "this call cannot be held from the console — use your phone's hold key",
  vc_err_hold_provider: "the phone provider did not take the call — try again",
  vc_recordings: "Call recordings", vc_rec_play: "Play", vc_rec_state_fetching: "on its way from the provider",
  vc_rec_state_failed: "could not be fetched", vc_rec_state_expired: "retention over, deleted", vc_rec_until: "kept until {d}",
  vc_rec_secs: "{s} s",
});
translate();

// The options the caller took, in order, from the call's menu steps on the appeal's timeline.
function menuPath(timeline) {
  const steps = [];
  for (const e of timeline || []) {
    if (e.kind !== "call.menu" || !e.data) continue;
    const d = e.data;
    if (d.led_to === "operator") steps.push(d.label || t("vc_operator"));
    else if (d.led_to === "language") steps.push(`${t("vc_language")}: ${v("lang", d.label)}`);
    else if (d.label && ["menu", "answer"].includes(d.led_to)) steps.push(d.label);
  }
  return steps;
}

// A ringing call in the offers: the number it comes from and the way through the menu, read
// from the appeal (a few offers at a time, each read once while it rings).
const ringing = new Map();
window.decorateOffer = async function decorateOffer(td, it) {
  if (it.channel !== "voice") return;
  let d = ringing.get(it.appeal_id);
  if (!d) {
    const r = await api("GET", `/api/v1/appeals/${it.appeal_id}`);
    if (!r.ok) return;
    d = r.body;
    if (ringing.size > 50) ringing.clear();
    ringing.set(it.appeal_id, d);
  }
  const number = ((d.client && d.client.identities) || []).find((i) => i.channel === "voice");
  const steps = menuPath(d.timeline);
  const extra = document.createElement("div");
  extra.className = "muted vc-offer";
  extra.textContent = [number ? number.address : t("vc_hidden"), steps.length ? steps.join(" › ") : null].filter(Boolean).join(" · ");
  td.appendChild(extra);
};

let callClientBox = null;

// Calling the client of any appeal through the PBX (R13), with the reason the operator opens
// with; the reason stays in the box until the PBX took the call.
function drawCallClient(c) {
  const card = $("client-card");
  const { appeal, client } = c.detail;
  const wanted = client && (client.identities || []).some((i) => i.channel === "voice")
    && appeal.status !== "closed" && me?.role !== "body_officer";
  // The console redraws the card from scratch; the same appeal gets the same box back, so
  // what was typed in it stays.
  const shown = callClientBox;
  if (shown && wanted && shown.dataset.appeal === appeal.id) { shown.relabel(); card.appendChild(shown); return; }
  shown?.remove();
  callClientBox = null;
  if (!wanted) return;
  const box = document.createElement("details");
  box.className = "vc-call-client";
  box.dataset.appeal = appeal.id;
  const head = document.createElement("summary");
  head.textContent = t("vc_call_client");
  const label = document.createElement("label");
  const caption = document.createElement("span");
  const reason = document.createElement("input");
  reason.maxLength = 300;
  reason.className = "vc-reason";
  label.append(caption, reason);
  const go = document.createElement("button");
  go.type = "button";
  // Kept across redraws, the box takes the console's language again each time.
  box.relabel = () => {
    head.textContent = t("vc_call_client");
    caption.textContent = t("vc_reason");
    go.textContent = t("vc_place");
  };
  box.relabel();
  const said = document.createElement("p");
  said.setAttribute("role", "status");
  go.addEventListener("click", async () => {
    if (!reason.value.trim()) { reason.focus(); return; }
    go.disabled = true;
    const r = await api("POST", `/api/v1/appeals/${appeal.id}/call`, { reason: reason.value.trim() });
    const detail = (r.body && r.body.detail) || "";
    if (r.ok) {
      reason.value = "";
      said.textContent = t("vc_placing");
    } else {
      const why = (r.status === 503 || detail.includes("no PBX")) ? "vc_err_nopbx" : detail.includes("R13.5") ? "vc_err_hours"
        : detail.includes("R13.4") ? "vc_err_dnc" : detail.includes("extension") ? "vc_err_phone"
        : detail.includes("phone number") ? "vc_err_number" : "vc_err_other";
      said.textContent = t("vc_refused").replace("{why}", t(why));
    }
    go.disabled = false;
  });
  box.append(head, label, go, said);
  card.appendChild(box);
  callClientBox = box;
}

// The appeal's recordings list, kept across redraws of the panel (see drawRecordings).
let recBox = null;

window.drawVoice = function drawVoice(c) {
  drawCallClient(c);
  const card = $("client-card");
  const old = card.querySelector(":scope > .vc-call");
  if (old) old.remove();
  const { appeal, client, timeline } = c.detail;
  const interactions = c.detail.interactions || [];
  if (recBox && (recBox.dataset.appeal !== appeal.id || appeal.channel !== "voice")) recBox = null;
  if (appeal.channel !== "voice") return;
  // The call's latest part: a transfer ends one contact and starts the next.
  const call = interactions.filter((i) => i.channel === "voice" && i.direction === "inbound").pop();
  if (!call) return;
  const box = document.createElement("div");
  box.className = "vc-call";
  const number = (client.identities || []).find((i) => i.channel === "voice");
  const head = document.createElement("div");
  head.textContent = `${t("vc_call")} ${number ? `${t("vc_from")} ${number.address}` : `(${t("vc_hidden")})`} · ${t("vc_state_" + call.state)}`;
  // The after-call work's running time: it counts in the handling time until it is finished.
  // Where the centre limits it, the time left too: at the limit the centre ends it itself.
  clearInterval(window.vcWrapTimer);
  if (call.state === "wrap_up" && call.wrap_up_at) {
    const clock = document.createElement("span");
    clock.className = "vc-wrap-clock";
    const mmss = (s) => `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
    const began = new Date(call.wrap_up_at).getTime();
    const ends = call.wrap_up_ends_at ? new Date(call.wrap_up_ends_at).getTime() : null;
    if (ends) clock.title = t("vc_wrap_limit").replace("{t}", mmss(Math.round((ends - began) / 1000)));
    const tick = () => {
      const now = Date.now();
      const s = Math.max(0, Math.floor((now - began) / 1000));
      let text = ` ${mmss(s)}`;
      if (ends) {
        const left = Math.ceil((ends - now) / 1000);
        text += left > 0 ? ` · ${t("vc_wrap_left").replace("{t}", mmss(left))}` : ` · ${t("vc_wrap_over")}`;
        clock.classList.toggle("vc-wrap-late", left <= 30);
      }
      clock.textContent = text;
    };
    tick();
    window.vcWrapTimer = setInterval(() => { if (clock.isConnected) tick(); else clearInterval(window.vcWrapTimer); }, 1000);
    head.appendChild(clock);
  }
  const path = document.createElement("div");
  const steps = menuPath(timeline);
  path.textContent = `${t("vc_path")}: ${steps.length ? steps.join(" › ") : t("vc_path_none")}`;
  box.append(head, path);
  if (call.state === "answered" && me && call.operator_id === me.id) box.append(holdControl(c, call));
  if (call.state === "wrap_up") {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "secondary";
    b.textContent = t("vc_finish");
    const said = document.createElement("span");
    said.setAttribute("role", "status");
    b.addEventListener("click", async () => {
      b.disabled = true;
      const r = await api("POST", `/api/v1/interactions/${call.id}/end`);
      if (r.ok) { call.state = "ended"; window.drawVoice(c); return; }
      said.textContent = t("vc_failed");
      b.disabled = false;
    });
    box.append(b, said);
  }
  card.appendChild(box);
  if (me && (me.role === "supervisor" || me.role === "admin")) {
    // Put back at once, in the same task as the redraw that took it out: a recording being
    // played keeps playing.
    if (recBox) card.appendChild(recBox);
    drawRecordings(card, appeal.id);
  }
};

// Hold (issue "The phone", point 6): the caller waits away from the operator's phone, told so
// every minute, until taken back — then the phone rings again. Where the centre's phone cannot
// be asked (a PBX without call control) the server says so and the panel says to use the phone.
function holdControl(c, call) {
  const wrap = document.createElement("div");
  wrap.className = "vc-hold";
  const held = !!call.held_at;
  const b = document.createElement("button");
  b.type = "button";
  b.className = "secondary";
  b.textContent = t(held ? "vc_resume" : "vc_hold");
  const said = document.createElement("span");
  said.setAttribute("role", "status");
  if (held) {
    const since = new Date(call.held_at).getTime();
    const tick = () => {
      const s = Math.max(0, Math.floor((Date.now() - since) / 1000));
      said.textContent = " " + t("vc_held").replace("{t}", `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`);
    };
    tick();
    const timer = setInterval(() => { if (said.isConnected && said.dataset.err !== "1") tick(); else clearInterval(timer); }, 1000);
  }
  b.addEventListener("click", async () => {
    b.disabled = true;
    const r = await api("POST", `/api/v1/interactions/${call.id}/${held ? "resume" : "hold"}`);
    if (r.ok) { Object.assign(call, r.body); window.drawVoice(c); return; }
    said.dataset.err = "1";
    const detail = (r.body && r.body.detail) || "";
    said.textContent = " " + (r.status === 503 ? t("vc_err_hold_provider")
      : r.status === 409 && detail.includes("hold key") ? t("vc_err_hold_phone") : t("vc_err_other"));
    b.disabled = false;
  });
  wrap.append(b, said);
  return wrap;
}

// The appeal's call recordings, for supervisors and administrators (R33: only those whose work
// needs them; each play is logged by the server). The audio is fetched with the session's
// token and played from memory: an <audio> element cannot send the token itself. The list
// stays in place across redraws of the panel, and a row being listened to is never redrawn.
async function drawRecordings(card, appealId) {
  const r = await api("GET", `/api/v1/appeals/${appealId}/recordings`);
  if (!r.ok || !Array.isArray(r.body) || !r.body.length) return;
  if (!recBox || recBox.dataset.appeal !== appealId) {
    recBox = document.createElement("div");
    recBox.className = "vc-recordings";
    recBox.dataset.appeal = appealId;
    const title = document.createElement("div");
    title.className = "vc-rec-title";
    recBox.appendChild(title);
  }
  const list = recBox;
  if (!list.isConnected) card.appendChild(list);
  list.querySelector(".vc-rec-title").textContent = t("vc_recordings");
  for (const rec of r.body) {
    const len = rec.duration_secs != null ? ` · ${t("vc_rec_secs").replace("{s}", rec.duration_secs)}` : "";
    const when = `${new Date(rec.created_at).toLocaleString(lang)}${len} · `;
    const until = t("vc_rec_until").replace("{d}", new Date(rec.expires_at).toLocaleDateString(lang)) + " ";
    let row = list.querySelector(`:scope > [data-id="${rec.id}"]`);
    // A row being listened to keeps its player; only its words follow the language.
    if (row && row.querySelector("audio")) {
      row.querySelector(".vc-rec-when").textContent = when;
      row.querySelector(".vc-rec-until").textContent = until;
      continue;
    }
    const fresh = document.createElement("div");
    fresh.dataset.id = rec.id;
    const text = document.createElement("span");
    text.className = "vc-rec-when";
    text.textContent = when;
    fresh.appendChild(text);
    if (rec.state === "stored") {
      const kept = document.createElement("span");
      kept.className = "vc-rec-until";
      kept.textContent = until;
      const play = document.createElement("button");
      play.type = "button";
      play.className = "secondary";
      play.textContent = t("vc_rec_play");
      play.addEventListener("click", async () => {
        play.disabled = true;
        const res = await fetch(`/api/v1/recordings/${rec.id}/audio`, { headers: { authorization: "Bearer " + token } });
        if (!res.ok) { kept.textContent = t("vc_err_other") + " "; play.disabled = false; return; }
        const audio = document.createElement("audio");
        audio.controls = true;
        audio.src = URL.createObjectURL(await res.blob());
        play.replaceWith(audio);
        audio.play().catch(() => {});
      });
      fresh.append(kept, play);
    } else {
      const state = document.createElement("span");
      state.textContent = t("vc_rec_state_" + rec.state);
      fresh.appendChild(state);
    }
    if (row) row.replaceWith(fresh); else list.appendChild(fresh);
  }
}

// Callbacks callers asked for (R12.2, R13), oldest first: the operator has the PBX call the
// number ("call": their phone rings when the client answers, and the outcome is recorded from
// the call), or calls from their own phone and records what came of it; the server refuses
// attempts outside the calling hours or to a client who asked not to be contacted, in words the
// panel shows. Each row carries the opening line, in the client's language: who calls and why
// (R13: the reason said at once).
const cb = { items: [], timer: null, said: null, noPbx: false };

const OPENING = {
  kk: "Сәлеметсіз бе! Бұл — байланыс орталығы. Сіз {at} кері қоңырау шалуды сұрадыңыз — сұрағыңыз бойынша хабарласып тұрмыз.",
  ru: "Здравствуйте! Это контакт-центр. Вы {at} просили перезвонить — звоню по вашему вопросу.",
  en: "Hello, this is the contact centre. You asked us to call you back on {at} — I am calling about your question.",
};
const opening = (x) => (OPENING[x.language] || OPENING.kk)
  .replace("{at}", new Date(x.requested_at).toLocaleString(x.language === "en" ? "en-GB" : x.language, { dateStyle: "short", timeStyle: "short" }));

// The last outcome's message, kept as keys so a language switch redraws it.
function drawSaid() {
  const s = cb.said;
  $("callbacks-said").textContent = !s ? "" : s.ok ? t(s.msg || "vc_saved") : t("vc_refused").replace("{why}", t(s.why));
}

function drawCallbacks() {
  const table = $("callbacks-list");
  for (const old of table.querySelectorAll("tbody")) old.remove();
  for (const x of cb.items) {
    // One body per callback: its facts, then the opening line and what can be done with it.
    const group = document.createElement("tbody");
    group.dataset.id = x.id;
    const row = document.createElement("tr");
    const add = (text) => { const td = document.createElement("td"); td.textContent = text; row.appendChild(td); return td; };
    add(x.number);
    add(new Date(x.requested_at).toLocaleString(lang));
    add(v("lang", x.language));
    const under = document.createElement("tr");
    const cell = document.createElement("td");
    cell.colSpan = 3;
    const tries = document.createElement("div");
    tries.className = "vc-attempts";
    tries.textContent = `${t("vc_attempts")}: ${x.attempts}`;
    const line = document.createElement("div");
    line.className = "muted vc-opening";
    line.textContent = `${t("vc_opening")}: «${opening(x)}»`;
    const actions = document.createElement("div");
    actions.className = "vc-actions";
    cell.append(tries, line, actions);
    under.appendChild(cell);
    if (x.state === "placed") {
      const s = document.createElement("span");
      s.className = "vc-dialling";
      s.textContent = t("vc_dialling");
      actions.append(s);
    } else if (!cb.noPbx) {
      const call = document.createElement("button");
      call.type = "button";
      call.className = "vc-place";
      call.textContent = t("vc_place");
      call.addEventListener("click", async () => {
        call.disabled = true;
        const r = await api("POST", `/api/v1/callbacks/${x.id}/place`);
        const detail = (r.body && r.body.detail) || "";
        if (detail.includes("no PBX")) cb.noPbx = true;
        cb.said = r.ok ? { ok: true, msg: "vc_placing" } : {
          ok: false,
          why: (r.status === 503 || detail.includes("no PBX")) ? "vc_err_nopbx" : detail.includes("R13.5") ? "vc_err_hours"
            : detail.includes("R13.4") ? "vc_err_dnc" : detail.includes("extension") ? "vc_err_phone"
            : r.status === 409 ? "vc_err_done" : "vc_err_other",
        };
        drawSaid();
        loadCallbacks();
      });
      actions.append(call);
    }
    const open = document.createElement("button");
    open.type = "button";
    open.className = "secondary";
    open.textContent = t("vc_open");
    open.addEventListener("click", () => openAppeal(x.appeal_id));
    actions.append(open);
    for (const outcome of ["answered", "no_answer", "busy", "cancelled"]) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = outcome === "answered" ? "" : "secondary";
      b.textContent = t("vc_out_" + outcome);
      b.addEventListener("click", async () => {
        const r = await api("POST", `/api/v1/callbacks/${x.id}/outcome`, { outcome });
        // The server's reason in the console's language, by the rule it names.
        const detail = (r.body && r.body.detail) || "";
        const why = detail.includes("R13.5") ? "vc_err_hours" : detail.includes("R13.4") ? "vc_err_dnc"
          : r.status === 409 ? "vc_err_done" : "vc_err_other";
        cb.said = { ok: r.ok, why };
        drawSaid();
        loadCallbacks();
      });
      actions.append(b);
    }
    group.append(row, under);
    table.appendChild(group);
  }
  $("callbacks").hidden = cb.items.length === 0;
}

async function loadCallbacks() {
  if (!token || $("app").hidden || !me || me.role === "body_officer") return;
  try {
    const [p, d] = await Promise.all([
      api("GET", "/api/v1/callbacks?state=pending&limit=50"),
      api("GET", "/api/v1/callbacks?state=placed&limit=50"),
    ]);
    if (p.ok && d.ok) {
      cb.items = [...p.body, ...d.body].sort((a, b) => a.requested_at.localeCompare(b.requested_at));
      drawCallbacks();
    }
  } catch { /* the next round tries again */ }
}

function onCallbacksApp() {
  clearInterval(cb.timer);
  if ($("app").hidden) { cb.items = []; drawCallbacks(); return; }
  loadCallbacks();
  cb.timer = setInterval(loadCallbacks, 15000);
}
new MutationObserver(onCallbacksApp).observe($("app"), { attributes: true, attributeFilter: ["hidden"] });
onCallbacksApp();
$("lang").addEventListener("change", () => { drawCallbacks(); drawSaid(); const c = convs.get(active); if (c) window.drawVoice(c); });
