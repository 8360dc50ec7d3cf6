// The service interruption switch (R34) in the console. Every member of staff sees a red mark in
// the header while it is on (its words in the tooltip), read when the console opens and every
// 30 s. Supervisors and admins get the panel: the words in Kazakh, Russian and English, the
// expected return (Astana time), recordings for a PBX without a speech synthesiser, and the
// switch. The centre adds the expected return and the other channels (the out-of-hours
// settings) to what citizens are told, and writes `service.interrupted` / `service.resumed`.
// Loaded after console.js and uses its globals (T, t, $, api, token, lang, me, translate).
// Plain DOM, text only; its own names stay inside the function (the console's scripts share
// one global scope).
(function () {
  "use strict";
  Object.assign(T.kk, {
    ou_open: "Қызмет үзілісі", ou_title: "Қызмет үзілісі", ou_mark: "⚠ Қызмет үзілген",
    ou_hint: "Не істемей тұрғанын жазыңыз. Күтілетін қайту уақыты мен басқа байланыс арналары (жұмыс уақытынан тыс хабарламаның баптауларынан) мәтінге өзі қосылады. Қосулы кезде қоңырау шалушылар мұны мәзірден бұрын естиді, ал веб-чат, Telegram және e-mail арқылы жазғандар автоматты жауап алады.",
    ou_kk: "Қазақша мәтін", ou_ru: "Орысша мәтін", ou_en: "Ағылшынша мәтін (міндетті емес)",
    ou_resumes: "Күтілетін қайту уақыты (Астана уақыты)", ou_audio: "АТС сөйлеу синтезаторынсыз ойнататын жазбалар",
    ou_audio_kk: "Қазақша жазба (http(s) не file://)", ou_audio_ru: "Орысша жазба", ou_audio_en: "Ағылшынша жазба",
    ou_switch_on: "Қосу", ou_save: "Сақтау", ou_switch_off: "Өшіру",
    ou_on_since: "Қосулы, {time} бастап.", ou_off: "Өшірулі.", ou_saved: "Сақталды.",
    oue_active: "Қосу үшін қазақша және орысша мәтін керек.", oue_text: "Әр мәтін 1–1000 таңба.",
    oue_audio: "Жазба мекенжайы http(s):// не file:// болуы керек, бос орынсыз.", oue_other: "Сақталмады, қайталап көріңіз.",
    oue_forbidden: "Бұл әрекетке рұқсатыңыз жоқ.",
  });
  Object.assign(T.ru, {
    ou_open: "Перерыв в работе", ou_title: "Перерыв в работе сервиса", ou_mark: "⚠ Сервис прерван",
    ou_hint: "Напишите, что не работает. Ожидаемое время возобновления и другие каналы связи (из настроек сообщения о нерабочем времени) центр добавит сам. Пока перерыв включён, звонящие слышат это до меню, а написавшие в веб-чат, Telegram и по e-mail получают автоответ.",
    ou_kk: "Текст на казахском", ou_ru: "Текст на русском", ou_en: "Текст на английском (необязательно)",
    ou_resumes: "Ожидаемое возобновление (время Астаны)", ou_audio: "Записи для АТС без синтеза речи",
    ou_audio_kk: "Запись на казахском (http(s) или file://)", ou_audio_ru: "Запись на русском", ou_audio_en: "Запись на английском",
    ou_switch_on: "Включить", ou_save: "Сохранить", ou_switch_off: "Выключить",
    ou_on_since: "Включён с {time}.", ou_off: "Выключен.", ou_saved: "Сохранено.",
    oue_active: "Чтобы включить, нужны тексты на казахском и русском.", oue_text: "Каждый текст — от 1 до 1000 символов.",
    oue_audio: "Адрес записи — http(s):// или file://, без пробелов.", oue_other: "Не сохранено, попробуйте ещё раз.",
    oue_forbidden: "Нет прав на это действие.",
  });
  Object.assign(T.en, {
    ou_open: "Service interruption", ou_title: "Service interruption", ou_mark: "⚠ Service interrupted",
    ou_hint: "Say what is not working. The centre adds the expected return and the other channels (from the out-of-hours settings). While it is on, callers hear it before the menu, and whoever writes in the web chat, Telegram or e-mail gets it as an auto-reply.",
    ou_kk: "Text in Kazakh", ou_ru: "Text in Russian", ou_en: "Text in English (optional)",
    ou_resumes: "Expected back (Astana time)", ou_audio: "Recordings for a PBX without speech synthesis",
    ou_audio_kk: "Kazakh recording (http(s) or file://)", ou_audio_ru: "Russian recording", ou_audio_en: "English recording",
    ou_switch_on: "Switch on", ou_save: "Save", ou_switch_off: "Switch off",
    ou_on_since: "On since {time}.", ou_off: "Off.", ou_saved: "Saved.",
    oue_active: "Switching on needs the Kazakh and Russian texts.", oue_text: "Each text is 1 to 1000 characters.",
    oue_audio: "A recording's address is http(s):// or file://, without spaces.", oue_other: "Not saved; try again.",
    oue_forbidden: "You may not do this.",
  });
  translate();

  // What the last save said is kept as keys, so a language switch rewords it.
  const ou = { notice: null, shown: false, timer: null, error: "", result: "" };
  const switchesOutage = () => Boolean(me) && (me.role === "supervisor" || me.role === "admin");
  const LANGS = ["kk", "ru", "en"];

  // The Almaty offset of a local date and time, from the browser's time zone data ("+05:00").
  function almatyOffset(date) {
    const name = new Intl.DateTimeFormat("en-US", { timeZone: "Asia/Almaty", timeZoneName: "longOffset" })
      .formatToParts(date).find((p) => p.type === "timeZoneName");
    const m = name && /GMT([+-]\d{2}:\d{2})/.exec(name.value);
    return m ? m[1] : "+05:00";
  }
  function toInput(iso) {
    if (!iso) return "";
    const parts = new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Almaty", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" })
      .format(new Date(iso));
    return parts.replace(" ", "T");
  }
  function fromInput(value) {
    if (!value) return null;
    return new Date(`${value}:00${almatyOffset(new Date(value + "Z"))}`).toISOString();
  }

  function drawMark() {
    const n = ou.notice;
    const on = Boolean(n && n.active) && !$("app").hidden;
    $("outage-mark").hidden = !on;
    if (!on) return;
    $("outage-mark").textContent = t("ou_mark");
    $("outage-mark").title = (lang === "kk" ? n.kk : lang === "en" ? n.en || n.ru : n.ru) || "";
  }

  function drawPanel() {
    const n = ou.notice || { active: false };
    $("ou-state").textContent = n.active
      ? t("ou_on_since").replace("{time}", new Date(n.since).toLocaleString(lang, { dateStyle: "short", timeStyle: "short" }))
      : t("ou_off");
    $("ou-state").className = n.active ? "error" : "muted";
    $("ou-on").textContent = t(n.active ? "ou_save" : "ou_switch_on");
    $("ou-off").hidden = !n.active;
    $("ou-error").textContent = ou.error ? t(ou.error) : "";
    $("ou-result").textContent = ou.result ? t(ou.result) : "";
  }

  function fillForm() {
    const n = ou.notice || {};
    for (const l of LANGS) {
      $("ou-" + l).value = n[l] || "";
      $("ou-audio-" + l).value = n[l + "_audio_url"] || "";
    }
    $("ou-resumes").value = toInput(n.resumes_at);
  }

  async function loadNotice() {
    if (!token || $("app").hidden) return;
    try {
      const r = await api("GET", "/api/v1/ivr/notice");
      if (r.ok) ou.notice = r.body;
    } catch { /* the next look tries again */ }
    drawMark();
    if (ou.shown) drawPanel();
  }

  // The API's refusal as a key of the user's words, by the field it names.
  function refusal(r) {
    if (r.status === 403) return "oue_forbidden";
    // The detail reads "<field>: <rule>".
    const named = (((r.body && r.body.detail) || "").split(":")[0] || "").trim();
    if (named === "active") return "oue_active";
    if (named && named.endsWith("_audio_url")) return "oue_audio";
    if (LANGS.includes(named)) return "oue_text";
    return "oue_other";
  }

  async function saveNotice(active) {
    ou.error = "";
    ou.result = "";
    drawPanel();
    const body = { active, resumes_at: fromInput($("ou-resumes").value) };
    for (const l of LANGS) {
      body[l] = $("ou-" + l).value.trim() || null;
      body[l + "_audio_url"] = $("ou-audio-" + l).value.trim() || null;
    }
    try {
      const r = await api("PUT", "/api/v1/ivr/notice", body);
      if (r.ok) {
        ou.notice = r.body;
        ou.result = "ou_saved";
      } else {
        ou.error = refusal(r);
      }
    } catch {
      ou.error = "oue_other";
    }
    drawMark();
    drawPanel();
  }

  function showOutage(open) {
    ou.shown = open;
    $("outage").hidden = !open;
    $("outage-open").setAttribute("aria-expanded", String(open));
    if (!open) return;
    ou.error = "";
    ou.result = "";
    fillForm();
    drawPanel();
    loadNotice().then(() => { if (ou.shown && !$("outage").contains(document.activeElement)) fillForm(); });
    $("outage").focus();
  }

  function onOutageApp() {
    const signedIn = !$("app").hidden;
    $("outage-open").hidden = !(signedIn && switchesOutage());
    clearInterval(ou.timer);
    ou.timer = null;
    if (!signedIn) { ou.notice = null; drawMark(); showOutage(false); return; }
    if (!switchesOutage()) showOutage(false);
    loadNotice();
    ou.timer = setInterval(loadNotice, 30000);
  }
  new MutationObserver(onOutageApp).observe($("app"), { attributes: true, attributeFilter: ["hidden"] });
  onOutageApp();
  $("outage-open").addEventListener("click", () => showOutage(!ou.shown));
  $("outage-mark").addEventListener("click", () => { if (switchesOutage() && !ou.shown) $("outage-open").click(); });
  $("ou-form").addEventListener("submit", (ev) => { ev.preventDefault(); saveNotice(true); });
  $("ou-off").addEventListener("click", () => saveNotice(false));
  $("lang").addEventListener("change", () => setTimeout(() => { drawMark(); if (ou.shown) drawPanel(); }, 0));
})();
