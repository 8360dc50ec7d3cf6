// Baylanys web-chat widget. Embed on any site:
//   <script src="https://<centre>/widget.js" data-lang="kk" async></script>
// or open <centre>/chat for the full page. Plain DOM, no framework. Everything shown is set as
// text (never innerHTML), so what anyone typed cannot run as script. Keyboard only, an ARIA live
// log for new messages, sizes in rem so text scales, colours above WCAG AA contrast (R5.6).
(function () {
  "use strict";
  const script = document.currentScript;
  const origin = script ? new URL(script.src, location.href).origin : location.origin;
  const full = script && script.dataset.mode === "page";
  const T = {
    kk: { open: "Чат", title: "Байланыс орталығы", placeholder: "Хабарламаңызды жазыңыз…", send: "Жіберу",
          close: "Жабу", connecting: "Қосылуда…", reconnecting: "Байланыс үзілді, қайта қосылуда…",
          rate_limited: "Тым жиі жіберілді, бірнеше секунд күтіңіз.", too_long: "Хабарлама тым ұзын.",
          closed: "Бұл өтініш жабылды. Жаңа хабарлама жаңа өтініш ашады.", number: "Өтініш №",
          you: "Сіз", operator: "Оператор", system: "Жүйе", failed: "Жіберілмеді, қайталаймыз…" },
    ru: { open: "Чат", title: "Контакт-центр", placeholder: "Напишите сообщение…", send: "Отправить",
          close: "Закрыть", connecting: "Подключение…", reconnecting: "Связь прервалась, переподключаемся…",
          rate_limited: "Слишком часто, подождите несколько секунд.", too_long: "Сообщение слишком длинное.",
          closed: "Обращение закрыто. Новое сообщение откроет новое обращение.", number: "Обращение №",
          you: "Вы", operator: "Оператор", system: "Система", failed: "Не отправлено, повторяем…" },
    en: { open: "Chat", title: "Contact centre", placeholder: "Type your message…", send: "Send",
          close: "Close", connecting: "Connecting…", reconnecting: "Connection lost, reconnecting…",
          rate_limited: "Too many messages; wait a few seconds.", too_long: "The message is too long.",
          closed: "This appeal is closed. A new message opens a new appeal.", number: "Appeal no.",
          you: "You", operator: "Operator", system: "System", failed: "Not sent, retrying…" },
  };
  const stored = "baylanys.chat";
  let lang = (script && script.dataset.lang) || localStorage.getItem(stored + ".lang") || "kk";
  if (!T[lang]) lang = "kk";
  const t = (k) => T[lang][k];
  let token = localStorage.getItem(stored + ".token");
  let lastSeq = 0;
  let socket = null;
  let backoff = 500;
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
    .baylanys-chat .log { flex: 1; overflow-y: auto; padding: .6rem .8rem; margin: 0; list-style: none; }
    .baylanys-chat .log li { margin: .35rem 0; padding: .4rem .6rem; border-radius: .4rem; max-width: 85%; white-space: pre-wrap; overflow-wrap: anywhere; }
    .baylanys-chat .log li.client { background: #dbe8f6; margin-left: auto; }
    .baylanys-chat .log li.operator { background: #f1f1f1; }
    .baylanys-chat .log li.system, .baylanys-chat .status { color: #4a4a4a; font-size: .9rem; }
    .baylanys-chat .status { padding: .3rem .8rem; min-height: 1.5rem; }
    .baylanys-chat form { display: flex; gap: .4rem; padding: .6rem; border-top: 1px solid #767676; }
    .baylanys-chat textarea { flex: 1; font: inherit; resize: none; padding: .4rem; }
    .baylanys-chat button { font: inherit; padding: .4rem .8rem; background: #0b5394; color: #fff; border: 0; border-radius: .3rem; cursor: pointer; }
    .baylanys-chat :focus-visible { outline: 3px solid #f90; outline-offset: 2px; }
    .baylanys-chat .launcher { position: fixed; right: 1rem; bottom: 1rem; }
    .baylanys-chat .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  `);
  const panel = el("div", { class: "panel", role: "dialog", "aria-labelledby": "baylanys-title" });
  const header = el("header");
  const title = el("h2", { id: "baylanys-title" }, t("title"));
  const number = el("span", { class: "number" });
  header.append(title, number);
  const log = el("ol", { class: "log", role: "log", "aria-live": "polite", "aria-label": t("title") });
  const status = el("p", { class: "status", role: "status", "aria-live": "polite" }, t("connecting"));
  const form = el("form");
  const label = el("label", { for: "baylanys-input", class: "sr" }, t("placeholder"));
  const input = el("textarea", { id: "baylanys-input", rows: "2", placeholder: t("placeholder"), maxlength: "4000" });
  const send = el("button", { type: "submit" }, t("send"));
  form.append(label, input, send);
  panel.append(header, log, status, form);
  root.append(style, panel);
  if (!full) {
    const launcher = el("button", { type: "button", class: "launcher", "aria-expanded": "false" }, t("open"));
    panel.hidden = true;
    launcher.addEventListener("click", () => {
      panel.hidden = !panel.hidden;
      launcher.setAttribute("aria-expanded", String(!panel.hidden));
      if (!panel.hidden) { input.focus(); if (!socket) connect(); }
    });
    const close = el("button", { type: "button", "aria-label": t("close") }, "×");
    close.addEventListener("click", () => { panel.hidden = true; launcher.setAttribute("aria-expanded", "false"); launcher.focus(); });
    header.append(close);
    root.append(launcher);
  }
  (document.body || document.documentElement).append(root);

  function show(m) {
    if (log.querySelector(`li[data-seq="${m.seq}"]`)) return;
    const who = m.author === "client" ? t("you") : m.author === "system" ? t("system") : t("operator");
    const li = el("li", { class: m.author === "client" ? "client" : m.author === "system" ? "system" : "operator", "data-seq": String(m.seq) });
    li.append(el("span", { class: "sr" }, who + ": "), document.createTextNode(m.body));
    log.append(li);
    log.scrollTop = log.scrollHeight;
    lastSeq = Math.max(lastSeq, m.seq);
  }

  function connect() {
    const url = origin.replace(/^http/, "ws") + "/ws/chat";
    socket = new WebSocket(url);
    socket.addEventListener("open", () => {
      socket.send(JSON.stringify({ type: "hello", v: 1, token: token || undefined, last_seq: lastSeq, language: lang }));
    });
    socket.addEventListener("message", (ev) => {
      const f = JSON.parse(ev.data);
      if (f.type === "welcome") {
        backoff = 500;
        if (f.token !== token) { token = f.token; localStorage.setItem(stored + ".token", token); }
        number.textContent = t("number") + " " + f.number;
        status.textContent = "";
        // Anything not acknowledged before the drop is sent again; the server recognises it.
        for (const [id, body] of pending) socket.send(JSON.stringify({ type: "message", client_id: id, body }));
      } else if (f.type === "message") show(f);
      else if (f.type === "ack") pending.delete(f.client_id);
      else if (f.type === "queue_status") status.textContent = f.text;
      else if (f.type === "resync") { log.replaceChildren(); lastSeq = 0; socket.close(); }
      else if (f.type === "error") status.textContent = t(f.code) || f.message;
    });
    socket.addEventListener("close", () => {
      socket = null;
      status.textContent = t("reconnecting");
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 15000);
    });
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const body = input.value.trim();
    if (!body) return;
    const id = crypto.randomUUID();
    pending.set(id, body);
    input.value = "";
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "message", client_id: id, body }));
    else status.textContent = t("failed");
  });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); form.requestSubmit(); }
  });
  if (full) connect();
})();
