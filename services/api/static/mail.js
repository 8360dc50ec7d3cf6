// E-mail in the console (R5.3): under each entry that came as a mail, its subject, sender and
// recipients, the quoted history folded away (shown on demand, as text), and its files — each a
// download, never opened in the console's page; a file the limits refused says why. For
// supervisors and admins, the Mailboxes panel: each mailbox's state, when it was last read, how
// far (last UID) and what its mail server last said when it failed.
// Loaded after console.js and uses its globals (T, t, $, api, token, lang, convs, translate);
// console.js calls drawMail(c) when it draws an appeal's panel and drawMail(c, li) when it
// adds an entry. Plain DOM, text only: a mail's HTML is never rendered.
"use strict";

Object.assign(T.kk, {
  mail_subject: "Тақырып", mail_from: "Кімнен", mail_to: "Кімге", mail_cc: "Көшірме",
  mail_recipients: "барлығы {n} алушы", mail_quoted: "Бұрынғы хат-хабар", mail_files: "Файлдар",
  mail_refused: "сақталмады: {why}", mail_download_error: "Файл жүктелмеді", mail_auto: "автоматты хат",
  refused_too_large: "шектен үлкен", refused_program: "бағдарлама не скрипт, сақталмайды",
  refused_too_many: "бір хаттағы файлдар шегінен асты", refused_mail_too_large: "хат тым үлкен, пошта серверінде қалды",
  mb_open: "Пошта жәшіктері", mb_title: "Пошта жәшіктері", mb_none: "Пошта жәшігі қосылмаған.", mb_name: "Жәшік",
  mb_state: "Күйі", mb_synced: "Соңғы оқылған", mb_last_uid: "Соңғы UID", mb_connected: "қосулы",
  mb_failing: "қате", mb_waiting: "қосылуда", mb_disabled: "өшірілген", mb_list_error: "Тізім алынбады",
  mbe_login_refused: "Логин немесе құпиясөз қабылданбады", mbe_unreachable: "Пошта серверіне қосылу мүмкін болмады",
  mbe_configuration: "Баптау дұрыс емес (сервер, порт не қалта)",
});
Object.assign(T.ru, {
  mail_subject: "Тема", mail_from: "От", mail_to: "Кому", mail_cc: "Копия",
  mail_recipients: "всего получателей: {n}", mail_quoted: "Предыдущая переписка", mail_files: "Файлы",
  mail_refused: "не сохранён: {why}", mail_download_error: "Не удалось скачать файл", mail_auto: "автоматическое письмо",
  refused_too_large: "больше допустимого размера", refused_program: "программа или скрипт, не сохраняются",
  refused_too_many: "сверх числа файлов в одном письме", refused_mail_too_large: "письмо слишком велико, осталось на почтовом сервере",
  mb_open: "Почтовые ящики", mb_title: "Почтовые ящики", mb_none: "Почтовых ящиков нет.", mb_name: "Ящик",
  mb_state: "Состояние", mb_synced: "Последнее чтение", mb_last_uid: "Последний UID", mb_connected: "подключён",
  mb_failing: "ошибка", mb_waiting: "подключается", mb_disabled: "отключён", mb_list_error: "Не удалось получить список",
  mbe_login_refused: "Логин или пароль не приняты", mbe_unreachable: "Не удалось подключиться к почтовому серверу",
  mbe_configuration: "Неверные настройки (сервер, порт или папка)",
});
Object.assign(T.en, {
  mail_subject: "Subject", mail_from: "From", mail_to: "To", mail_cc: "Cc",
  mail_recipients: "{n} recipients in all", mail_quoted: "Earlier correspondence", mail_files: "Files",
  mail_refused: "not kept: {why}", mail_download_error: "The file could not be downloaded", mail_auto: "automatic mail",
  refused_too_large: "over the size limit", refused_program: "a program or script, never kept",
  refused_too_many: "past the files one mail may bring", refused_mail_too_large: "the mail was too large and stays on the mail server",
  mb_open: "Mailboxes", mb_title: "Mailboxes", mb_none: "No mailboxes.", mb_name: "Mailbox",
  mb_state: "State", mb_synced: "Last read", mb_last_uid: "Last UID", mb_connected: "connected",
  mb_failing: "failing", mb_waiting: "connecting", mb_disabled: "disabled", mb_list_error: "Could not load the list",
  mbe_login_refused: "The login or password was refused", mbe_unreachable: "The mail server could not be reached",
  mbe_configuration: "The settings cannot work (server, port or folder)",
});
translate();

function sizeText(n) {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} B`;
}

// Fetches a file with the session's token and hands it to the browser as a download.
async function download(file, status) {
  try {
    const res = await fetch(`/api/v1/attachments/${file.id}`, { headers: { authorization: "Bearer " + token } });
    if (!res.ok) throw new Error(String(res.status));
    const blob = await res.blob();
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = file.name || "attachment";
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  } catch {
    status.textContent = t("mail_download_error");
  }
}

// The mail block under one entry, from the message as the appeal's timeline has it.
function mailBlock(m) {
  const box = document.createElement("div");
  box.className = "mail";
  if (m.mail) {
    const head = document.createElement("div");
    head.className = "mail-head";
    const lines = [];
    if (m.mail.subject) lines.push(`${t("mail_subject")}: ${m.mail.subject}`);
    if (m.mail.from) lines.push(`${t("mail_from")}: ${m.mail.from}`);
    if (m.mail.to.length) lines.push(`${t("mail_to")}: ${m.mail.to.join(", ")}`);
    if (m.mail.cc.length) lines.push(`${t("mail_cc")}: ${m.mail.cc.join(", ")}`);
    if (m.mail.recipients > m.mail.to.length + m.mail.cc.length) lines.push(t("mail_recipients").replace("{n}", m.mail.recipients));
    if (m.mail.automatic) lines.push(t("mail_auto"));
    for (const l of lines) { const p = document.createElement("div"); p.textContent = l; head.appendChild(p); }
    box.appendChild(head);
    if (m.mail.quoted) {
      const d = document.createElement("details");
      const s = document.createElement("summary");
      s.textContent = t("mail_quoted");
      const pre = document.createElement("pre");
      pre.textContent = m.mail.quoted;
      d.append(s, pre);
      box.appendChild(d);
    }
  }
  if (m.attachments && m.attachments.length) {
    const ul = document.createElement("ul");
    ul.className = "mail-files";
    ul.setAttribute("aria-label", t("mail_files"));
    const status = document.createElement("span");
    status.setAttribute("role", "status");
    for (const f of m.attachments) {
      const li = document.createElement("li");
      const label = `${f.name || "attachment"} (${f.content_type}, ${sizeText(f.size)})`;
      if (f.refused) {
        li.textContent = `${label} — ${t("mail_refused").replace("{why}", t("refused_" + f.refused))}`;
      } else {
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = label;
        b.addEventListener("click", () => download(f, status));
        li.appendChild(b);
      }
      ul.appendChild(li);
    }
    box.append(ul, status);
  }
  return box;
}

function decorateMail(li, m) {
  const old = li.querySelector(":scope > .mail");
  if (old) old.remove();
  if (!m || (!m.mail && !(m.attachments && m.attachments.length))) return;
  li.appendChild(mailBlock(m));
}

window.drawMail = function (c, li) {
  if (!c || !c.detail) return;
  const byId = new Map();
  for (const e of c.detail.timeline || []) if (e.message) byId.set(e.message.id, e.message);
  const entries = li ? [li] : c.log.querySelectorAll("li[data-message]");
  for (const x of entries) decorateMail(x, byId.get(x.dataset.message));
};

// The open conversation's mail blocks follow the console's language.
$("lang").addEventListener("change", () => setTimeout(() => window.drawMail(convs.get(active)), 0));

// The Mailboxes panel (supervisors, admins): read when opened and on Refresh.
const mb = { items: null, shown: false };
const overseesMail = () => Boolean(me) && (me.role === "supervisor" || me.role === "admin");

function mailboxState(m) {
  if (!m.enabled) return "disabled";
  if (m.health.last_error && !m.health.connected) return "failing";
  return m.health.connected ? "connected" : "waiting";
}

function drawMailboxes() {
  const body = $("mb-list").querySelector("tbody");
  body.replaceChildren();
  for (const m of mb.items || []) {
    const row = document.createElement("tr");
    row.dataset.id = m.id;
    const add = (text) => { const td = document.createElement("td"); td.textContent = text; row.appendChild(td); return td; };
    add(m.name);
    add(m.address || `${m.login} @ ${m.host}`);
    const state = mailboxState(m);
    add(t("mb_" + state)).dataset.state = state;
    add(m.health.last_sync_at ? new Date(m.health.last_sync_at).toLocaleString(lang) : "—");
    add(String(m.health.last_uid)).className = "num";
    // In the operator's language; the server's own words in the tooltip.
    const why = add(m.health.last_error_kind ? t("mbe_" + m.health.last_error_kind) : "");
    why.className = "why";
    if (m.health.last_error) why.title = m.health.last_error;
    body.appendChild(row);
  }
  const items = mb.items || [];
  $("mb-list").hidden = items.length === 0;
  $("mb-empty").hidden = mb.items === null || items.length !== 0;
}

async function loadMailboxes() {
  $("mb-error").textContent = "";
  try {
    const r = await api("GET", "/api/v1/mailboxes");
    if (r.ok) mb.items = r.body;
    else { mb.items = null; $("mb-error").textContent = t("mb_list_error"); }
  } catch {
    mb.items = null;
    if (token) $("mb-error").textContent = t("mb_list_error");
  }
  drawMailboxes();
}

function showMailboxes(open) {
  mb.shown = open;
  $("mailboxes").hidden = !open;
  $("mailboxes-open").setAttribute("aria-expanded", String(open));
  if (!open) return;
  loadMailboxes();
  $("mailboxes").scrollIntoView({ block: "start" });
  $("mailboxes").focus();
}

function onMailboxesApp() {
  const on = !$("app").hidden && overseesMail();
  $("mailboxes-open").hidden = !on;
  if (!on) { mb.items = null; drawMailboxes(); showMailboxes(false); }
}
new MutationObserver(onMailboxesApp).observe($("app"), { attributes: true, attributeFilter: ["hidden"] });
onMailboxesApp();
$("mailboxes-open").addEventListener("click", () => showMailboxes(!mb.shown));
$("mb-refresh").addEventListener("click", loadMailboxes);
$("lang").addEventListener("change", () => { if (mb.items) drawMailboxes(); });
