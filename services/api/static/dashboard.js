// The supervisors' dashboards and the semi-annual report. KPI panel (R35, Appendix 1): today's
// figures live from the staff socket's `kpis` frames (GET /api/v1/kpis/breakdown for today until
// the first one), each against its band (better / within / worse), per queue and per operator;
// the history of a period as charts drawn here in SVG from /api/v1/kpis/series, exported as CSV or
// XLSX; the events behind a figure (/api/v1/kpis/evidence), each opening its appeal. БОҚБЕ panel
// (R36, Appendix 2): a half-year's 28 rows in Kazakh or Russian with a comment on any row, the
// status with its due date (admins move it), the XLSX, CSV and printable HTML, and the centre's
// profile the form draws on (admins).
//
// Loaded after console.js and oversight.js and uses their globals (T, t, $, api, cell, me, lang,
// token, signOut, openAppeal, translate, lastLive; almatyToday, addDays, almatyMidnight);
// console.js hands each `kpis` frame to window.onKpis. Everything else lives inside the function
// below so no name clashes with the other scripts. Plain DOM, text only (never innerHTML).
"use strict";

Object.assign(T.kk, {
  kp_open: "KPI", kp_title: "Негізгі тиімділік көрсеткіштері (KPI)", kp_today: "Бүгін",
  kp_live: "нақты уақытта", kp_updated: "жаңартылды", kp_fetched: "сұралды",
  kp_better: "нормадан жақсы", kp_within: "норма шегінде", kp_worse: "нормадан нашар",
  kp_band: "норма {low}–{high}", kp_lower_better: "азы жақсы", kp_higher_better: "көбі жақсы",
  kp_no_data: "дерек жоқ", kp_basis_title: "Көрсеткіш негізделген жағдайлар саны",
  kp_events: "Оқиғалар", kp_total: "барлығы", kp_close: "Жабу", kp_time: "Уақыты", kp_event: "Оқиға",
  kp_no_events: "Оқиға жоқ.", kp_more: "Алғашқы {n} оқиға көрсетілген.",
  kp_by_queue: "Кезектер бойынша, бүгін", kp_by_operator: "Операторлар бойынша, бүгін",
  kp_nothing_today: "Бүгін әзірге байланыс болған жоқ.", kp_history: "Кезең бойынша динамика",
  kp_export_csv: "CSV жүктеп алу", kp_export_xlsx: "XLSX жүктеп алу", kp_period_today: "бүгін",
  kp_as_of: "Соңғы күндердің көрсеткіштері {time} жағдайы бойынша.", kp_in_period: "кезеңде", kp_load_error: "Көрсеткіштер алынбады", kp_download_error: "Файл жүктелмеді",
  kp_ch_appeals: "Күн сайынғы өтініштер мен қоңыраулар", kp_ch_wait: "IVR-дан кейінгі күту, с", kp_ch_wait_dist: "Жауап берілген қоңыраулардың күтуі (кезеңде), с",
  kp_ch_lost: "Жоғалған қоңыраулар, %", kp_ch_csat: "Клиенттің қанағаттануы (CSAT), балл",
  kp_ch_fcr: "Бірінші байланыста шешілгені (FCR), %", kp_lg_appeals: "өтініштер", kp_lg_calls: "қоңыраулар",
  kp_no_data_period: "Бұл кезеңде дерек жоқ", kp_click_day: "Күнді басып, сол күнгі жоғалған қоңырауларды көріңіз",
  kp_col_appeals: "Өтініштер", kp_col_calls: "Қоңыраулар", kp_col_answered: "Жауап берілді", kp_col_lost: "Жоғалды",
  kp_col_lost_pct: "Жоғалған, %", kp_col_wait: "Күту, с", kp_col_sl: "Қызмет деңгейі, %", kp_col_csat: "CSAT",
  kp_col_fcr: "FCR, %", kp_col_aht: "AHT, мин",
  kp_ev_abandoned: "қоңырау жоғалды", kp_ev_answered: "жауап берілді", kp_ev_ended: "байланыс аяқталды",
  kp_ev_created: "өтініш тіркелді", kp_ev_survey: "сауалнама: {n} балл", kp_ev_resolved: "шешім",
  kp_ev_fcr_yes: "бірінші байланыста", kp_ev_fcr_no: "бірінші байланыста емес", kp_ev_complaint: "шағым расталды",
  kp_ev_review: "сапа бағаланды",
  fig_appeals_received: "Қабылданған өтініштер", fig_calls_entered: "Кезекке түскен қоңыраулар",
  fig_calls_answered: "Жауап берілген қоңыраулар", fig_calls_lost: "Жоғалған қоңыраулар",
  fig_wait_after_ivr_secs: "IVR-дан кейінгі орташа күту", fig_wait_with_abandoned_secs: "Орташа күту (жоғалғандармен)",
  fig_lost_calls_pct: "Жоғалған қоңыраулар үлесі", fig_service_level_pct: "Қызмет деңгейі",
  fig_csat_mean: "Клиенттің қанағаттануы (CSAT)", fig_csat_share_pct: "4–5 баға үлесі",
  fig_fcr_pct: "Бірінші байланыста шешілгені (FCR)", fig_accuracy_pct: "Дәл әрі толық ақпарат",
  fig_aht_minutes: "Өңдеудің орташа уақыты (AHT)", fig_first_response_secs: "Алғашқы жауапқа дейін",
  fig_complaints_confirmed: "Расталған шағымдар", u_secs: "с", u_min: "мин", u_pct: "%", u_points: "/ 5",
  bq_open: "БОҚБЕ есебі", bq_title: "БОҚБЕ есебі: байланыс орталығының қызметі", bq_half: "Жартыжылдық",
  bq_half_label: "{y} ж. {r} жартыжылдығы", bq_current: "ағымдағы", bq_lang: "Есеп тілі",
  bq_xlsx: "XLSX жүктеп алу", bq_csv: "CSV жүктеп алу", bq_html: "Басып шығару нұсқасы (HTML)",
  bq_status: "Мәртебесі", bq_due: "Тапсыру мерзімі", bq_overdue: "мерзімі өтті",
  bq_preview: "Жартыжылдық әлі аяқталған жоқ: алдын ала көрініс.",
  bq_st_draft: "жоба", bq_st_checked: "тексерілді", bq_st_submitted: "тапсырылды",
  bq_mark_checked: "Тексерілді деп белгілеу", bq_back_to_draft: "Жобаға қайтару",
  bq_mark_submitted: "Тапсырылды деп белгілеу…", bq_final: "Тапсырылған есеп енді өзгертілмейді.",
  bq_confirm: "Иә, тапсырылды", bq_cancel: "Болдырмау", bq_indicator: "Көрсеткіш", bq_unit: "Өлшем бірлігі",
  bq_value: "Нақты деректер", bq_comment: "Түсініктеме", bq_add_comment: "+ түсініктеме", bq_edit_comment: "өзгерту",
  bq_comment_on: "{n}-жолға түсініктеме", bq_save: "Сақтау",
  bq_src_log: "оқиғалар журналы", bq_src_surveys: "сауалнамалар", bq_src_complaints: "шағымдар",
  bq_src_configuration: "баптаулар", bq_src_profile: "орталық профилі", bq_prepared: "Орындаған", bq_head: "Басшы",
  bq_load_error: "Есеп алынбады", bq_save_error: "Сақталмады", bq_status_error: "Мәртебе өзгертілмеді",
  bq_profile: "Орталық профилі",
  bq_profile_help: "Есептің 1–5, 11, 21–26, 28-жолдары мен қолтаңба бөлігі осы жерден алынады.",
  bq_save_profile: "Профильді сақтау", bq_profile_saved: "Профиль сақталды",
  pf_name_kk: "Атауы (қазақша)", pf_name_ru: "Атауы (орысша)",
  pf_founding_document: "Жұмысын бастауға негіз болған құжаттың нөмірі мен күні",
  pf_address_kk: "Мекенжайы (қазақша)", pf_address_ru: "Мекенжайы (орысша)", pf_phone: "Телефон нөмірі",
  pf_email: "Электрондық пошта", pf_staff_permanent: "Штаттағы қызметкерлер", pf_staff_non_permanent: "Штаттан тыс қызметкерлер",
  pf_software: "Бағдарламалық өнімдер (үтір арқылы), мысалы IVR, WFM",
  pf_integrations: "Мемлекеттік органдардың ақпараттық жүйелерімен интеграция (үтір арқылы)",
  pf_certification_date: "Сертификаттау аудитінің күні", pf_certified_managers: "Сертификатталған менеджерлер саны",
  pf_yes_no: "Орталықта бар", pf_branches: "құрылымдық бөлімшелер / филиалдар",
  pf_workplaces_equipped: "талаптарға сай жабдықталған жұмыс орындары",
  pf_auxiliary_rooms: "қосалқы бөлмелер (тамақтану, демалу, оқыту)", pf_internal_regulations: "ішкі регламенттер",
  pf_preparer: "Орындаушы", pf_preparer_phone: "Орындаушының телефоны", pf_head: "Басшы",
});
Object.assign(T.ru, {
  kp_open: "KPI", kp_title: "Ключевые показатели эффективности (KPI)", kp_today: "Сегодня",
  kp_live: "в реальном времени", kp_updated: "обновлено", kp_fetched: "запрошено",
  kp_better: "лучше нормы", kp_within: "в пределах нормы", kp_worse: "хуже нормы",
  kp_band: "норма {low}–{high}", kp_lower_better: "чем меньше, тем лучше", kp_higher_better: "чем больше, тем лучше",
  kp_no_data: "нет данных", kp_basis_title: "Сколько случаев легло в основу показателя",
  kp_events: "События", kp_total: "всего", kp_close: "Закрыть", kp_time: "Время", kp_event: "Событие",
  kp_no_events: "Событий нет.", kp_more: "Показаны первые {n} событий.",
  kp_by_queue: "По очередям, сегодня", kp_by_operator: "По операторам, сегодня",
  kp_nothing_today: "Сегодня обращений пока не было.", kp_history: "Динамика за период",
  kp_export_csv: "Скачать CSV", kp_export_xlsx: "Скачать XLSX", kp_period_today: "сегодня",
  kp_as_of: "Показатели последних дней — по состоянию на {time}.", kp_in_period: "за период", kp_load_error: "Не удалось получить показатели", kp_download_error: "Не удалось скачать файл",
  kp_ch_appeals: "Обращения и звонки по дням", kp_ch_wait: "Ожидание после IVR, с", kp_ch_wait_dist: "Ожидание отвеченных звонков (за период), с",
  kp_ch_lost: "Потерянные звонки, %", kp_ch_csat: "Удовлетворённость клиентов (CSAT), балл",
  kp_ch_fcr: "Решено при первом обращении (FCR), %", kp_lg_appeals: "обращения", kp_lg_calls: "звонки",
  kp_no_data_period: "Нет данных за период", kp_click_day: "Нажмите на день, чтобы увидеть его потерянные звонки",
  kp_col_appeals: "Обращения", kp_col_calls: "Звонки", kp_col_answered: "Отвечено", kp_col_lost: "Потеряно",
  kp_col_lost_pct: "Потеряно, %", kp_col_wait: "Ожидание, с", kp_col_sl: "Уровень сервиса, %", kp_col_csat: "CSAT",
  kp_col_fcr: "FCR, %", kp_col_aht: "AHT, мин",
  kp_ev_abandoned: "звонок потерян", kp_ev_answered: "отвечен", kp_ev_ended: "контакт завершён",
  kp_ev_created: "обращение зарегистрировано", kp_ev_survey: "опрос: {n} балла", kp_ev_resolved: "решение",
  kp_ev_fcr_yes: "при первом обращении", kp_ev_fcr_no: "не при первом обращении", kp_ev_complaint: "жалоба подтверждена",
  kp_ev_review: "оценка качества",
  fig_appeals_received: "Принято обращений", fig_calls_entered: "Поступило звонков в очередь",
  fig_calls_answered: "Отвечено звонков", fig_calls_lost: "Потеряно звонков",
  fig_wait_after_ivr_secs: "Среднее ожидание после IVR", fig_wait_with_abandoned_secs: "Среднее ожидание (с потерянными)",
  fig_lost_calls_pct: "Доля потерянных звонков", fig_service_level_pct: "Уровень сервиса",
  fig_csat_mean: "Удовлетворённость клиентов (CSAT)", fig_csat_share_pct: "Доля оценок 4–5",
  fig_fcr_pct: "Решено при первом обращении (FCR)", fig_accuracy_pct: "Точная и полная информация",
  fig_aht_minutes: "Среднее время обработки (AHT)", fig_first_response_secs: "Время до первого ответа",
  fig_complaints_confirmed: "Подтверждённые жалобы", u_secs: "с", u_min: "мин", u_pct: "%", u_points: "/ 5",
  bq_open: "Отчёт БОҚБЕ", bq_title: "Отчёт БОҚБЕ: деятельность контакт-центра", bq_half: "Полугодие",
  bq_half_label: "{r} полугодие {y} г.", bq_current: "текущее", bq_lang: "Язык отчёта",
  bq_xlsx: "Скачать XLSX", bq_csv: "Скачать CSV", bq_html: "Версия для печати (HTML)",
  bq_status: "Статус", bq_due: "Срок представления", bq_overdue: "просрочен",
  bq_preview: "Полугодие ещё не закончилось: предварительный просмотр.",
  bq_st_draft: "черновик", bq_st_checked: "проверен", bq_st_submitted: "представлен",
  bq_mark_checked: "Отметить как проверенный", bq_back_to_draft: "Вернуть в черновик",
  bq_mark_submitted: "Отметить как представленный…", bq_final: "Представленный отчёт больше не изменить.",
  bq_confirm: "Да, представлен", bq_cancel: "Отмена", bq_indicator: "Показатель", bq_unit: "Единица измерения",
  bq_value: "Фактические данные", bq_comment: "Комментарий", bq_add_comment: "+ комментарий", bq_edit_comment: "изменить",
  bq_comment_on: "Комментарий к строке {n}", bq_save: "Сохранить",
  bq_src_log: "журнал событий", bq_src_surveys: "опросы", bq_src_complaints: "жалобы",
  bq_src_configuration: "настройки", bq_src_profile: "профиль центра", bq_prepared: "Исполнитель", bq_head: "Руководитель",
  bq_load_error: "Не удалось получить отчёт", bq_save_error: "Не удалось сохранить", bq_status_error: "Статус не изменён",
  bq_profile: "Профиль центра",
  bq_profile_help: "Отсюда берутся строки 1–5, 11, 21–26, 28 отчёта и подписи.",
  bq_save_profile: "Сохранить профиль", bq_profile_saved: "Профиль сохранён",
  pf_name_kk: "Наименование (на казахском)", pf_name_ru: "Наименование (на русском)",
  pf_founding_document: "Номер и дата документа о начале работы",
  pf_address_kk: "Адрес (на казахском)", pf_address_ru: "Адрес (на русском)", pf_phone: "Номер телефона",
  pf_email: "Электронная почта", pf_staff_permanent: "Штатные сотрудники", pf_staff_non_permanent: "Внештатные сотрудники",
  pf_software: "Программные продукты (через запятую), напр. IVR, WFM",
  pf_integrations: "Интеграция с информационными системами госорганов (через запятую)",
  pf_certification_date: "Дата сертификационного аудита", pf_certified_managers: "Сертифицированных менеджеров",
  pf_yes_no: "В центре есть", pf_branches: "структурные подразделения / филиалы",
  pf_workplaces_equipped: "рабочие места, оснащённые по требованиям",
  pf_auxiliary_rooms: "вспомогательные помещения (питание, отдых, обучение)", pf_internal_regulations: "внутренние регламенты",
  pf_preparer: "Исполнитель", pf_preparer_phone: "Телефон исполнителя", pf_head: "Руководитель",
});
Object.assign(T.en, {
  kp_open: "KPI", kp_title: "Key performance indicators (KPI)", kp_today: "Today",
  kp_live: "live", kp_updated: "updated", kp_fetched: "fetched",
  kp_better: "better than the band", kp_within: "within the band", kp_worse: "worse than the band",
  kp_band: "band {low}–{high}", kp_lower_better: "lower is better", kp_higher_better: "higher is better",
  kp_no_data: "no data", kp_basis_title: "The cases the figure rests on",
  kp_events: "Events", kp_total: "total", kp_close: "Close", kp_time: "Time", kp_event: "Event",
  kp_no_events: "No events.", kp_more: "The first {n} events are shown.",
  kp_by_queue: "By queue, today", kp_by_operator: "By operator, today",
  kp_nothing_today: "No contacts today yet.", kp_history: "History",
  kp_export_csv: "Export CSV", kp_export_xlsx: "Export XLSX", kp_period_today: "today",
  kp_as_of: "Figures of the latest days as of {time}.", kp_in_period: "for the period", kp_load_error: "Could not load the KPIs", kp_download_error: "Could not download the file",
  kp_ch_appeals: "Appeals and calls per day", kp_ch_wait: "Wait after the voice menu, s", kp_ch_wait_dist: "How long answered calls waited (period), s",
  kp_ch_lost: "Lost calls, %", kp_ch_csat: "Client satisfaction (CSAT), points",
  kp_ch_fcr: "First contact resolution (FCR), %", kp_lg_appeals: "appeals", kp_lg_calls: "calls",
  kp_no_data_period: "No data in this period", kp_click_day: "Click a day to list its lost calls",
  kp_col_appeals: "Appeals", kp_col_calls: "Calls", kp_col_answered: "Answered", kp_col_lost: "Lost",
  kp_col_lost_pct: "Lost, %", kp_col_wait: "Wait, s", kp_col_sl: "Service level, %", kp_col_csat: "CSAT",
  kp_col_fcr: "FCR, %", kp_col_aht: "AHT, min",
  kp_ev_abandoned: "call lost", kp_ev_answered: "answered", kp_ev_ended: "contact ended",
  kp_ev_created: "appeal registered", kp_ev_survey: "survey: {n} points", kp_ev_resolved: "resolution",
  kp_ev_fcr_yes: "at the first contact", kp_ev_fcr_no: "not at the first contact", kp_ev_complaint: "complaint confirmed",
  kp_ev_review: "QA review",
  fig_appeals_received: "Appeals received", fig_calls_entered: "Calls entered the queue",
  fig_calls_answered: "Calls answered", fig_calls_lost: "Calls lost",
  fig_wait_after_ivr_secs: "Average wait after the voice menu", fig_wait_with_abandoned_secs: "Average wait incl. lost calls",
  fig_lost_calls_pct: "Share of lost calls", fig_service_level_pct: "Service level",
  fig_csat_mean: "Client satisfaction (CSAT)", fig_csat_share_pct: "Share of 4–5 ratings",
  fig_fcr_pct: "First contact resolution (FCR)", fig_accuracy_pct: "Accurate, complete information",
  fig_aht_minutes: "Average handling time (AHT)", fig_first_response_secs: "Time to first response",
  fig_complaints_confirmed: "Confirmed complaints", u_secs: "s", u_min: "min", u_pct: "%", u_points: "/ 5",
  bq_open: "БОҚБЕ report", bq_title: "БОҚБЕ report: the contact centre's activity", bq_half: "Half-year",
  bq_half_label: "{y}, half {n}", bq_current: "current", bq_lang: "Language of the report",
  bq_xlsx: "Download XLSX", bq_csv: "Download CSV", bq_html: "Printable (HTML)",
  bq_status: "Status", bq_due: "Due", bq_overdue: "overdue",
  bq_preview: "The half-year has not ended: a preview.",
  bq_st_draft: "draft", bq_st_checked: "checked", bq_st_submitted: "submitted",
  bq_mark_checked: "Mark checked", bq_back_to_draft: "Back to draft",
  bq_mark_submitted: "Mark submitted…", bq_final: "A submitted report cannot be changed.",
  bq_confirm: "Yes, submitted", bq_cancel: "Cancel", bq_indicator: "Indicator", bq_unit: "Unit",
  bq_value: "Actual data", bq_comment: "Comment", bq_add_comment: "+ comment", bq_edit_comment: "edit",
  bq_comment_on: "Comment on row {n}", bq_save: "Save",
  bq_src_log: "event log", bq_src_surveys: "surveys", bq_src_complaints: "complaints",
  bq_src_configuration: "configuration", bq_src_profile: "centre profile", bq_prepared: "Prepared by", bq_head: "Head",
  bq_load_error: "Could not load the report", bq_save_error: "Could not save", bq_status_error: "Could not change the status",
  bq_profile: "Centre profile",
  bq_profile_help: "Rows 1–5, 11, 21–26 and 28 of the report and its signatures come from here.",
  bq_save_profile: "Save the profile", bq_profile_saved: "Profile saved",
  pf_name_kk: "Name (Kazakh)", pf_name_ru: "Name (Russian)",
  pf_founding_document: "Number and date of the document that started its work",
  pf_address_kk: "Address (Kazakh)", pf_address_ru: "Address (Russian)", pf_phone: "Phone number",
  pf_email: "E-mail", pf_staff_permanent: "Permanent staff", pf_staff_non_permanent: "Non-permanent staff",
  pf_software: "Software products (comma-separated), e.g. IVR, WFM",
  pf_integrations: "Integrations with state bodies' information systems (comma-separated)",
  pf_certification_date: "Certification audit date", pf_certified_managers: "Certified managers",
  pf_yes_no: "The centre has", pf_branches: "structural units / branches",
  pf_workplaces_equipped: "workplaces equipped per the requirements",
  pf_auxiliary_rooms: "auxiliary rooms (meals, rest, training)", pf_internal_regulations: "internal regulations",
  pf_preparer: "Prepared by", pf_preparer_phone: "Preparer's phone", pf_head: "Head",
});
translate();

(() => {
  const SVG_NS = "http://www.w3.org/2000/svg";
  const oversees = () => Boolean(me) && (me.role === "supervisor" || me.role === "admin");
  const isAdmin = () => Boolean(me) && me.role === "admin";
  const problem = (r) => (r && r.body && (r.body.detail || r.body.title)) || (r ? String(r.status) : "");
  const fill = (key, vars) => Object.entries(vars).reduce((s, [k, v]) => s.split(`{${k}}`).join(String(v)), t(key));
  const num = (v, digits = 2) => (v == null ? "—" : Number(v).toLocaleString(lang, { maximumFractionDigits: digits }));
  const ALMATY_TZ = "Asia/Almaty";
  const dayLabel = (iso, opts) => new Date(iso + "T12:00:00Z").toLocaleDateString(lang, Object.assign({ timeZone: "UTC" }, opts));
  const stamp = (iso) => new Date(iso).toLocaleString(lang, { timeZone: ALMATY_TZ, dateStyle: "short", timeStyle: "medium" });
  const appealLabel = (id) => "…" + id.slice(-8);
  // An appeal open in a tab by its number; another by the end of its id (reading each one's
  // number would be an audited read of its client for every row).
  const numberOf = (id) => {
    const c = typeof convs !== "undefined" && convs.get(id);
    return c && c.number && c.number !== "…" ? c.number : appealLabel(id);
  };

  function link(text, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "link";
    b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  }

  // A file the API serves only with the bearer token: fetched, then saved or opened as a Blob.
  async function fetchFile(path) {
    const res = await fetch(path, { headers: token ? { authorization: "Bearer " + token } : {} });
    if (res.status === 401 && token) { signOut(); throw new Error("unauthorized"); }
    if (!res.ok) {
      let detail = String(res.status);
      try { const j = await res.json(); detail = j.detail || j.title || detail; } catch (e) { /* not JSON */ }
      return { ok: false, detail };
    }
    const m = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") || "");
    return { ok: true, blob: await res.blob(), name: m ? m[1] : null };
  }
  function saveBlob(blob, name) {
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = url;
    a.download = name;
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }
  async function download(anchor, path, fallbackName, errorEl) {
    errorEl.textContent = "";
    anchor.setAttribute("aria-busy", "true");
    try {
      const f = await fetchFile(path);
      if (f.ok) saveBlob(f.blob, f.name || fallbackName);
      else errorEl.textContent = `${t("kp_download_error")}: ${f.detail}`;
    } catch (e) {
      if (token) errorEl.textContent = t("kp_download_error");
    } finally {
      anchor.removeAttribute("aria-busy");
    }
  }

  // ---------------------------------------------------------------- KPIs ------------------------

  // The tiles, in the order a supervisor reads them: volumes, then Appendix 1's five KPIs, then
  // the rest. `evidence` is the figure of /kpis/evidence behind a tile.
  const TILES = [
    { key: "appeals_received", count: true, evidence: "appeals_received" },
    { key: "calls_entered", count: true },
    { key: "calls_answered", count: true, evidence: "calls_answered" },
    { key: "calls_lost", count: true, evidence: "calls_lost" },
    { key: "wait_after_ivr_secs", unit: "secs", evidence: "calls_answered" },
    { key: "lost_calls_pct", unit: "pct", evidence: "calls_lost" },
    { key: "csat_mean", unit: "points", evidence: "surveys" },
    { key: "fcr_pct", unit: "pct", evidence: "resolutions" },
    { key: "accuracy_pct", unit: "pct", evidence: "reviews" },
    { key: "service_level_pct", unit: "pct" },
    { key: "csat_share_pct", unit: "pct", evidence: "surveys" },
    { key: "aht_minutes", unit: "min", evidence: "handled" },
    { key: "first_response_secs", unit: "secs" },
    { key: "wait_with_abandoned_secs", unit: "secs" },
    { key: "complaints_confirmed", count: true, evidence: "complaints_confirmed" },
  ];
  // The columns of the per-queue and per-operator tables.
  const COLUMNS = [
    ["kp_col_calls", "calls_entered"], ["kp_col_answered", "calls_answered"], ["kp_col_lost", "calls_lost"],
    ["kp_col_lost_pct", "lost_calls_pct"], ["kp_col_wait", "wait_after_ivr_secs"], ["kp_col_sl", "service_level_pct"],
    ["kp_col_csat", "csat_mean"], ["kp_col_fcr", "fcr_pct"], ["kp_col_aht", "aht_minutes"],
  ];

  const kp = {
    shown: false, today: null, source: null, at: null,
    series: null, period: null,
    queues: new Map(), staff: new Map(), namesRead: null, namesAt: 0,
    evidence: null,
  };

  // Today's document from the socket; redrawn only while the panel is open.
  window.onKpis = (today) => {
    if (!today || !today.total) return;
    kp.today = today;
    kp.source = "live";
    kp.at = new Date();
    if (kp.shown) drawToday();
  };

  function bandText(f, unit) {
    if (!f || !f.band) return "";
    const b = f.band;
    const u = unit === "points" ? "" : " " + t("u_" + unit);
    return `${fill("kp_band", { low: num(b.low), high: num(b.high) })}${u} · ${t(b.higher_is_better ? "kp_higher_better" : "kp_lower_better")}`;
  }

  function drawTiles(k) {
    const list = $("kp-tiles");
    // A push redraws the tiles; keyboard focus stays on the tile it was on.
    const focused = list.contains(document.activeElement) ? document.activeElement.closest("li").dataset.kpi : null;
    list.replaceChildren();
    for (const d of TILES) {
      const li = document.createElement("li");
      li.className = "tile";
      li.dataset.kpi = d.key;
      const label = document.createElement("span");
      label.className = "label";
      label.textContent = t("fig_" + d.key);
      const value = document.createElement("span");
      value.className = "value";
      li.append(label, value);
      if (d.count) {
        value.textContent = num(k[d.key], 0);
        li.dataset.value = k[d.key];
      } else {
        const f = k[d.key] || { value: null, count: 0 };
        value.textContent = f.value == null ? "—" : num(f.value);
        if (f.value != null) {
          const u = document.createElement("small");
          u.textContent = t("u_" + d.unit);
          value.appendChild(u);
          li.dataset.value = f.value;
        }
        if (f.band) {
          const band = document.createElement("span");
          band.className = "band";
          band.textContent = bandText(f, d.unit);
          li.appendChild(band);
        }
        const verdict = document.createElement("span");
        verdict.className = "verdict";
        verdict.textContent = f.status ? t("kp_" + f.status) : f.value == null ? t("kp_no_data") : "";
        if (f.status) li.dataset.status = f.status;
        li.appendChild(verdict);
        const basis = document.createElement("span");
        basis.className = "basis";
        basis.textContent = `n = ${f.count}`;
        basis.title = t("kp_basis_title");
        li.appendChild(basis);
      }
      if (d.evidence) {
        const b = link(t("kp_events"), () => showEvidence(d.key, d.evidence, k.from, new Date(Date.now() + 1000).toISOString(), () => t("kp_period_today")));
        b.setAttribute("aria-label", `${t("kp_events")}: ${t("fig_" + d.key)}`);
        li.appendChild(b);
      }
      list.appendChild(li);
    }
    if (focused) list.querySelector(`li[data-kpi="${focused}"] button`)?.focus();
  }

  function nameOf(kind, id) {
    const m = kind === "queue" ? kp.queues : kp.staff;
    const n = m.get(id);
    if (n) return n;
    if (kind === "operator" && typeof lastLive !== "undefined" && lastLive) {
      const o = lastLive.operators.find((x) => x.staff_id === id);
      if (o) return o.display_name;
    }
    return appealLabel(id);
  }

  // Queue names, and the staff names a supervisor may see (the live view's) or, for an admin,
  // every account's; read once per opening of the panel.
  function readNames() {
    if (!kp.namesRead) kp.namesAt = Date.now();
    return (kp.namesRead ||= Promise.all([
      api("GET", "/api/v1/queues"),
      api("GET", "/api/v1/routing/live"),
      isAdmin() ? api("GET", "/api/v1/staff") : Promise.resolve({ ok: false }),
    ]).then(([q, live, staff]) => {
      for (const x of (q.ok && q.body) || []) kp.queues.set(x.id, x.name);
      for (const x of (live.ok && live.body && live.body.operators) || []) kp.staff.set(x.staff_id, x.display_name);
      for (const x of (staff.ok && staff.body) || []) kp.staff.set(x.id, x.display_name);
    }).catch(() => { kp.namesRead = null; }));
  }

  function drawSlices(id, kind, slices) {
    const table = $(id);
    const head = table.querySelector("thead tr");
    head.replaceChildren();
    const th = (text, cls) => { const x = document.createElement("th"); x.textContent = text; if (cls) x.className = cls; head.appendChild(x); };
    th(t(kind));
    for (const [label] of COLUMNS) th(t(label), "num");
    const body = table.querySelector("tbody");
    body.replaceChildren();
    const rows = slices.map((s) => ({ ...s, name: nameOf(kind, s.id) }))
      .sort((a, b) => b.kpis.calls_entered - a.kpis.calls_entered || a.name.localeCompare(b.name, lang));
    for (const s of rows) {
      const tr = document.createElement("tr");
      tr.dataset.id = s.id;
      cell(tr, s.name);
      for (const [, key] of COLUMNS) {
        const v = s.kpis[key];
        const td = typeof v === "object" && v !== null ? cell(tr, v.value == null ? "—" : num(v.value)) : cell(tr, num(v, 0));
        td.className = "num";
        td.dataset.kpi = key;
        if (v && v.status) { td.dataset.status = v.status; td.title = t("kp_" + v.status); }
      }
      body.appendChild(tr);
    }
    table.hidden = rows.length === 0;
    $(id + "-empty").hidden = rows.length !== 0;
  }

  function drawToday() {
    const d = kp.today;
    if (!d) return;
    drawTiles(d.total);
    drawSlices("kp-queues", "queue", d.queues || []);
    drawSlices("kp-operators", "operator", d.operators || []);
    const at = kp.at ? kp.at.toLocaleTimeString(lang) : "";
    $("kp-live").textContent = kp.source === "live" ? `● ${t("kp_live")} · ${t("kp_updated")} ${at}` : `${t("kp_fetched")} ${at}`;
    $("kp-live").dataset.source = kp.source;
    // A queue or an operator new since the names were read: read them again, at most once a minute.
    const unknown = (d.queues || []).some((s) => !kp.queues.has(s.id)) || (d.operators || []).some((s) => !kp.staff.has(s.id));
    if (unknown && kp.namesAt && Date.now() - kp.namesAt > 60000) {
      kp.namesRead = null;
      readNames().then(() => { if (kp.shown) drawToday(); });
    }
  }

  // Until the socket's first frame: today so far, once.
  async function fetchToday() {
    $("kp-error").textContent = "";
    const q = new URLSearchParams({
      from: almatyMidnight(almatyToday()).toISOString(),
      to: new Date(Date.now() + 1000).toISOString(),
    });
    try {
      const r = await api("GET", "/api/v1/kpis/breakdown?" + q);
      if (!r.ok) { $("kp-error").textContent = `${t("kp_load_error")}: ${problem(r)}`; return; }
      if (kp.source === "live") return; // a frame came meanwhile
      kp.today = r.body;
      kp.source = "fetched";
      kp.at = new Date();
      drawToday();
    } catch (e) {
      if (token) $("kp-error").textContent = t("kp_load_error");
    }
  }

  // --- The events behind a figure. ---

  function eventText(e) {
    const d = e.data || {};
    let s = e.kind;
    if (e.kind === "interaction.updated" && d.state) s = t("kp_ev_" + d.state) === "kp_ev_" + d.state ? `${e.kind}: ${d.state}` : t("kp_ev_" + d.state);
    else if (e.kind === "appeal.created") s = t("kp_ev_created");
    else if (e.kind === "survey.answered") s = fill("kp_ev_survey", { n: d.score });
    else if (e.kind === "appeal.status_changed") s = `${t("kp_ev_resolved")}: ${d.to ? v("status", d.to) : ""}` + (e.first_contact == null ? "" : ` · ${t(e.first_contact ? "kp_ev_fcr_yes" : "kp_ev_fcr_no")}`);
    else if (e.kind === "complaint.decided") s = t("kp_ev_complaint");
    else if (e.kind === "qa.reviewed") s = t("kp_ev_review");
    return d.channel ? `${s} · ${v("channel", d.channel)}` : s;
  }

  function drawEvidence() {
    const ev = kp.evidence;
    $("kp-evidence").hidden = !ev;
    if (!ev) return;
    $("kp-evidence-h").textContent = `${t("kp_events")}: ${t("fig_" + ev.key)} · ${ev.period()}` + (ev.list ? ` · ${t("kp_total")} ${ev.list.total}` : "");
    const body = $("kp-evidence-list").querySelector("tbody");
    body.replaceChildren();
    const items = (ev.list && ev.list.items) || [];
    for (const e of items) {
      const tr = document.createElement("tr");
      tr.dataset.event = e.id;
      if (e.appeal_id) tr.dataset.appeal = e.appeal_id;
      cell(tr, stamp(e.at));
      cell(tr, eventText(e));
      const c = cell(tr, e.appeal_id ? "" : "—");
      if (e.appeal_id) {
        const b = link(numberOf(e.appeal_id), async () => { await openAppeal(e.appeal_id); drawEvidence(); });
        b.title = e.appeal_id;
        c.appendChild(b);
      }
      body.appendChild(tr);
    }
    $("kp-evidence-list").hidden = items.length === 0;
    $("kp-evidence-empty").hidden = !ev.list || items.length !== 0;
    $("kp-evidence-more").hidden = !ev.list || ev.list.total <= items.length;
    $("kp-evidence-more").textContent = fill("kp_more", { n: items.length });
  }

  // `period()` names the days in the console's language.
  async function showEvidence(key, figure, from, to, period) {
    kp.evidence = { key, figure, period, list: null };
    drawEvidence();
    $("kp-evidence").scrollIntoView({ block: "nearest" });
    const q = new URLSearchParams({ from, to, figure });
    try {
      const r = await api("GET", "/api/v1/kpis/evidence?" + q);
      if (!kp.evidence || kp.evidence.figure !== figure || kp.evidence.period !== period) return;
      if (!r.ok) { $("kp-error").textContent = `${t("kp_load_error")}: ${problem(r)}`; return; }
      kp.evidence.list = r.body;
      drawEvidence();
      $("kp-evidence-close").focus();
    } catch (e) {
      if (token) $("kp-error").textContent = t("kp_load_error");
    }
  }

  // --- History: charts drawn here as SVG. ---

  function svg(name, attrs, parent) {
    const el = document.createElementNS(SVG_NS, name);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
    if (parent) parent.appendChild(el);
    return el;
  }
  function svgText(parent, x, y, text, attrs) {
    const el = svg("text", Object.assign({ x, y }, attrs || {}), parent);
    el.textContent = text;
    return el;
  }
  // A top and a step for the y axis that read well (1, 2, 2.5, 5 × 10ⁿ; whole numbers for counts).
  function axis(max, integer) {
    const raw = Math.max(max, integer ? 4 : 1e-9) / 4;
    const p = 10 ** Math.floor(Math.log10(raw));
    const steps = (integer ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10]).map((m) => m * p);
    const step = Math.max(integer ? 1 : 0, steps.find((s) => s >= raw) || 10 * p);
    return { top: Math.max(step, Math.ceil(max / step - 1e-9) * step), step };
  }

  const W = 600, H = 220, M = { l: 44, r: 14, t: 16, b: 30 };

  // One chart: `bars` ([{ key, cls, get }]) for counts per day, or a `line` (get) with its band.
  function chart(spec, days) {
    const box = document.createElement("figure");
    box.className = "chart-box";
    box.dataset.chart = spec.key;
    box.style.margin = "0";
    const h = document.createElement("h4");
    const title = document.createElement("span");
    title.textContent = t(spec.title);
    title.id = "kp-chart-" + spec.key;
    h.appendChild(title);
    if (spec.summary) {
      const s = document.createElement("span");
      s.className = "muted";
      s.textContent = spec.summary;
      h.appendChild(s);
    }
    box.appendChild(h);
    const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": title.id, "data-chart": spec.key }, box);
    const n = days.length;
    const pw = W - M.l - M.r, ph = H - M.t - M.b;
    const x = (i) => M.l + ((i + 0.5) * pw) / n;
    const series = spec.bars ? spec.bars.map((b) => days.map((d) => b.get(d.kpis))) : [days.map((d) => spec.line(d.kpis))];
    const values = series.flat().filter((v) => v != null);
    const band = spec.band;
    let top, step;
    if (spec.fixed) ({ top, step } = spec.fixed);
    else ({ top, step } = axis(Math.max(0, ...values, band ? band.high : 0), Boolean(spec.bars)));
    const y = (v) => M.t + ph - (Math.min(v, top) / top) * ph;
    // Grid and the y axis' labels.
    for (let v = 0; v <= top + 1e-9; v += step) {
      svg("line", { class: "grid", x1: M.l, x2: W - M.r, y1: y(v), y2: y(v) }, root);
      svgText(root, M.l - 6, y(v) + 4, num(v), { "text-anchor": "end" });
    }
    svg("line", { class: "axis", x1: M.l, x2: W - M.r, y1: y(0), y2: y(0) }, root);
    // The band, shaded, with its edges and what it is.
    if (band) {
      const hi = Math.min(band.high, top), lo = Math.min(band.low, top);
      svg("rect", { class: "band", x: M.l, width: pw, y: y(hi), height: Math.max(0, y(lo) - y(hi)) }, root);
      for (const v of [lo, hi]) svg("line", { class: "band-edge", x1: M.l, x2: W - M.r, y1: y(v), y2: y(v) }, root);
      svgText(root, W - M.r - 4, y(hi) - 4, fill("kp_band", { low: num(band.low), high: num(band.high) }), { "text-anchor": "end", class: "band-label" });
    }
    // Dates along the bottom, about eight of them.
    const every = Math.max(1, Math.ceil(n / 8));
    days.forEach((d, i) => {
      if (i % every !== 0 && i !== n - 1) return;
      if (i === n - 1 && i % every !== 0 && (n - 1) % every < every / 2) return;
      svgText(root, x(i), H - 10, `${d.date.slice(8, 10)}.${d.date.slice(5, 7)}`, { "text-anchor": "middle" });
    });
    if (!values.length) {
      svgText(root, M.l + pw / 2, M.t + ph / 2, t("kp_no_data_period"), { "text-anchor": "middle" });
    }
    const tip = (d, v, unit) => `${dayLabel(d.date, { dateStyle: "medium" })}: ${v == null ? t("kp_no_data") : num(v) + (unit ? " " + unit : "")}`;
    if (spec.bars) {
      const slot = pw / n;
      const bw = Math.min(18, (slot * 0.8) / spec.bars.length);
      spec.bars.forEach((b, j) => {
        days.forEach((d, i) => {
          const v = series[j][i] || 0;
          const left = x(i) - (bw * spec.bars.length) / 2 + j * bw;
          const r = svg("rect", { class: "col " + b.cls, x: left, width: Math.max(1, bw - 1), y: y(v), height: y(0) - y(v), "data-date": d.date, "data-value": v }, root);
          svg("title", {}, r).textContent = `${t(b.label)} · ${tip(d, v)}`;
        });
      });
    } else {
      // The line, broken where a day has no value; a point per day with one.
      let path = "", pen = false;
      days.forEach((d, i) => {
        const v = series[0][i];
        if (v == null) { pen = false; return; }
        path += `${pen ? "L" : "M"}${x(i).toFixed(1)} ${y(v).toFixed(1)} `;
        pen = true;
      });
      if (path) svg("path", { class: "line", d: path.trim() }, root);
      days.forEach((d, i) => {
        const v = series[0][i];
        if (v == null) return;
        const f = spec.figure(d.kpis);
        const c = svg("circle", { class: "point", cx: x(i), cy: y(v), r: 4, "data-date": d.date, "data-value": v }, root);
        if (f && f.status) c.setAttribute("data-status", f.status);
        svg("title", {}, c).textContent = tip(d, v, spec.unit) + (f && f.status ? ` · ${t("kp_" + f.status)}` : "");
        if (spec.onPoint) {
          c.classList.add("clickable");
          c.setAttribute("tabindex", "0");
          c.setAttribute("role", "button");
          c.setAttribute("aria-label", tip(d, v, spec.unit));
          c.addEventListener("click", () => spec.onPoint(d));
          c.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); spec.onPoint(d); } });
        }
      });
    }
    if (spec.legend) {
      const p = document.createElement("p");
      p.className = "legend muted";
      for (const [cls, label] of spec.legend) {
        const sw = document.createElement("span");
        sw.className = "swatch " + cls;
        p.append(sw, t(label));
      }
      box.appendChild(p);
    }
    if (spec.note) {
      const p = document.createElement("p");
      p.className = "legend muted";
      p.textContent = t(spec.note);
      box.appendChild(p);
    }
    return box;
  }

  // How long the period's answered calls waited after the voice menu, in buckets of seconds
  // (the engine's WAIT_BUCKETS; the last is everything longer).
  function histogram(p) {
    const box = document.createElement("figure");
    box.className = "chart-box";
    box.dataset.chart = "wait_distribution";
    box.style.margin = "0";
    const h = document.createElement("h4");
    const title = document.createElement("span");
    title.textContent = t("kp_ch_wait_dist");
    title.id = "kp-chart-wait-dist";
    h.appendChild(title);
    box.appendChild(h);
    const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": title.id, "data-chart": "wait_distribution" }, box);
    const counts = (p && p.wait_distribution) || [];
    const labels = ["≤10", "10–20", "20–40", "40–60", "60–120", "120–300", ">300"];
    const pw = W - M.l - M.r, ph = H - M.t - M.b, slot = pw / labels.length;
    const { top, step } = axis(Math.max(0, ...counts), true);
    const y = (v) => M.t + ph - (Math.min(v, top) / top) * ph;
    for (let v = 0; v <= top + 1e-9; v += step) {
      svg("line", { class: "grid", x1: M.l, x2: W - M.r, y1: y(v), y2: y(v) }, root);
      svgText(root, M.l - 6, y(v) + 4, num(v), { "text-anchor": "end" });
    }
    svg("line", { class: "axis", x1: M.l, x2: W - M.r, y1: y(0), y2: y(0) }, root);
    labels.forEach((label, i) => {
      const v = counts[i] || 0;
      const left = M.l + i * slot + slot * 0.15;
      const r = svg("rect", { class: "col calls", x: left, width: slot * 0.7, y: y(v), height: y(0) - y(v), "data-bucket": label, "data-value": v }, root);
      svg("title", {}, r).textContent = `${label} ${t("u_secs")}: ${num(v, 0)}`;
      svgText(root, left + slot * 0.35, H - 10, label, { "text-anchor": "middle" });
    });
    return box;
  }

  function bandOf(days, key) {
    for (const d of days) if (d.kpis[key] && d.kpis[key].band) return d.kpis[key].band;
    return null;
  }
  function periodSummary(key, unit) {
    const f = kp.period && kp.period[key];
    if (!f) return "";
    return `${t("kp_in_period")}: ${f.value == null ? t("kp_no_data") : num(f.value) + (unit ? " " + t("u_" + unit) : "")}${f.status ? " · " + t("kp_" + f.status) : ""}`;
  }

  function drawHistory() {
    const box = $("kp-charts");
    box.replaceChildren();
    const days = kp.series;
    if (!days) return;
    const p = kp.period;
    box.append(
      chart({
        key: "appeals", title: "kp_ch_appeals",
        summary: p ? `${t("kp_in_period")}: ${t("kp_lg_appeals")} ${num(p.appeals_received, 0)} · ${t("kp_lg_calls")} ${num(p.calls_entered, 0)}` : "",
        bars: [
          { cls: "appeals", label: "kp_lg_appeals", get: (k) => k.appeals_received },
          { cls: "calls", label: "kp_lg_calls", get: (k) => k.calls_entered },
        ],
        legend: [["appeals", "kp_lg_appeals"], ["calls", "kp_lg_calls"]],
      }, days),
      chart({
        key: "wait_after_ivr_secs", title: "kp_ch_wait", unit: t("u_secs"), summary: periodSummary("wait_after_ivr_secs", "secs"),
        line: (k) => k.wait_after_ivr_secs.value, figure: (k) => k.wait_after_ivr_secs, band: bandOf(days, "wait_after_ivr_secs"),
      }, days),
      chart({
        key: "lost_calls_pct", title: "kp_ch_lost", unit: "%", summary: periodSummary("lost_calls_pct", "pct"),
        line: (k) => k.lost_calls_pct.value, figure: (k) => k.lost_calls_pct, band: bandOf(days, "lost_calls_pct"),
        note: "kp_click_day",
        onPoint: (d) => showEvidence("calls_lost", "calls_lost", almatyMidnight(d.date).toISOString(),
          almatyMidnight(addDays(d.date, 1)).toISOString(), () => dayLabel(d.date, { dateStyle: "medium" })),
      }, days),
      chart({
        key: "csat_mean", title: "kp_ch_csat", summary: periodSummary("csat_mean", null), fixed: { top: 5, step: 1 },
        line: (k) => k.csat_mean.value, figure: (k) => k.csat_mean, band: bandOf(days, "csat_mean"),
      }, days),
      chart({
        key: "fcr_pct", title: "kp_ch_fcr", unit: "%", summary: periodSummary("fcr_pct", "pct"), fixed: { top: 100, step: 25 },
        line: (k) => k.fcr_pct.value, figure: (k) => k.fcr_pct, band: bandOf(days, "fcr_pct"),
      }, days),
      histogram(p),
    );
  }

  // The chosen days as the API's [from, to): Almaty midnights, both ends included.
  function period() {
    const from = $("kp-from").value, to = $("kp-to").value;
    if (!from || !to) return null;
    return { from: almatyMidnight(from).toISOString(), to: almatyMidnight(addDays(to, 1)).toISOString(), days: [from, to] };
  }
  function exportPath(format) {
    const p = period();
    return p ? "/api/v1/kpis/export?" + new URLSearchParams({ from: p.from, to: p.to, format }) : "/api/v1/kpis/export";
  }
  function setExportLinks() {
    $("kp-csv").href = exportPath("csv");
    $("kp-xlsx").href = exportPath("xlsx");
  }

  async function loadHistory() {
    $("kp-history-error").textContent = "";
    setExportLinks();
    const p = period();
    if (!p) { $("kp-history-error").textContent = t("kp_load_error"); return; }
    const q = new URLSearchParams({ from: p.from, to: p.to });
    try {
      const [s, k] = await Promise.all([api("GET", "/api/v1/kpis/series?" + q), api("GET", "/api/v1/kpis?" + q)]);
      if (!s.ok || !k.ok) {
        kp.series = null;
        kp.period = null;
        drawHistory();
        $("kp-history-error").textContent = `${t("kp_load_error")}: ${problem(s.ok ? k : s)}`;
        return;
      }
      kp.series = s.body;
      kp.period = k.body;
      // Today's and the unsettled days' totals are kept and brought up to date in the
      // background: say which instant the figures count the log to.
      const behind = k.body.as_of && new Date(k.body.as_of) < new Date(k.body.to);
      $("kp-as-of").textContent = behind ? t("kp_as_of").replace("{time}", stamp(k.body.as_of)) : "";
      drawHistory();
    } catch (e) {
      kp.series = null;
      drawHistory();
      if (token) $("kp-history-error").textContent = t("kp_load_error");
    }
  }

  function showKpis(open) {
    kp.shown = open;
    $("kpi").hidden = !open;
    $("kpi-open").setAttribute("aria-expanded", String(open));
    if (!open) return;
    if (!$("kp-from").value || !$("kp-to").value) {
      const today = almatyToday();
      $("kp-to").value = today;
      $("kp-from").value = addDays(today, -29);
    }
    readNames().then(() => { if (kp.shown) drawToday(); });
    if (kp.today) drawToday();
    if (kp.source !== "live") fetchToday();
    loadHistory();
    $("kpi").scrollIntoView({ block: "start" });
    $("kpi").focus();
  }

  $("kpi-open").addEventListener("click", () => showKpis(!kp.shown));
  $("kp-period").addEventListener("submit", (ev) => { ev.preventDefault(); loadHistory(); });
  for (const id of ["kp-from", "kp-to"]) $(id).addEventListener("change", setExportLinks);
  $("kp-csv").addEventListener("click", (ev) => { ev.preventDefault(); download($("kp-csv"), exportPath("csv"), "kpi.csv", $("kp-history-error")); });
  $("kp-xlsx").addEventListener("click", (ev) => { ev.preventDefault(); download($("kp-xlsx"), exportPath("xlsx"), "kpi.xlsx", $("kp-history-error")); });
  $("kp-evidence-close").addEventListener("click", () => { kp.evidence = null; drawEvidence(); });

  // ---------------------------------------------------------------- БОҚБЕ -----------------------

  const bq = { shown: false, report: null, info: null, editing: null, profile: null, loading: 0 };
  const ROMAN = ["", "I", "II"];

  // The current half-year and the five before it, newest first.
  function halves() {
    const [y, m] = almatyToday().split("-").map(Number);
    let year = y, half = m <= 6 ? 1 : 2;
    const out = [];
    for (let i = 0; i < 6; i++) {
      out.push({ value: `${year}-H${half}`, year, half, current: i === 0 });
      if (half === 2) half = 1; else { half = 2; year -= 1; }
    }
    return out;
  }
  function fillHalves() {
    const sel = $("bq-half");
    const keep = sel.value;
    sel.replaceChildren();
    for (const h of halves()) {
      const label = fill("bq_half_label", { y: h.year, r: ROMAN[h.half], n: h.half }) + (h.current ? ` (${t("bq_current")})` : "");
      sel.appendChild(new Option(label, h.value));
    }
    // The current half-year (issue 14): a fresh install has no past half to be overdue on; the
    // previous one, whose report falls due at the start of this one, is one step down the list.
    sel.value = keep && [...sel.options].some((o) => o.value === keep) ? keep : halves()[0].value;
  }
  const reportPath = (format) => {
    const q = new URLSearchParams({ lang: $("bq-lang").value });
    if (format) q.set("format", format);
    return `/api/v1/reports/boqbe/${encodeURIComponent($("bq-half").value)}?${q}`;
  };
  function setReportLinks() {
    $("bq-xlsx").href = reportPath("xlsx");
    $("bq-csv").href = reportPath("csv");
    $("bq-html").href = reportPath("html");
  }
  const dmy = (iso) => { const [y, m, d] = iso.split("-"); return `${d}.${m}.${y}`; };

  function drawState() {
    const info = bq.info;
    $("bq-state").hidden = !info;
    if (!info) return;
    $("bq-status").textContent = t("bq_st_" + info.status);
    $("bq-status").dataset.status = info.status;
    $("bq-due").textContent = dmy(info.due);
    $("bq-overdue").hidden = !info.overdue;
    $("bq-preview").hidden = almatyToday() > info.last_day;
    const admin = isAdmin();
    const ended = almatyToday() > info.last_day;
    $("bq-actions").hidden = !admin || info.status === "submitted";
    $("bq-to-checked").hidden = info.status !== "draft";
    $("bq-to-draft").hidden = info.status !== "checked";
    $("bq-to-submitted").hidden = info.status !== "checked" || !ended;
    $("bq-confirm").hidden = true;
  }

  function commentCell(td, row) {
    td.replaceChildren();
    const n = row.number;
    const final = bq.info && bq.info.status === "submitted";
    if (bq.editing === n) {
      const form = document.createElement("form");
      const area = document.createElement("textarea");
      area.rows = 3;
      area.maxLength = 2000;
      area.value = row.comment || "";
      area.setAttribute("aria-label", fill("bq_comment_on", { n }));
      const buttons = document.createElement("span");
      const save = document.createElement("button");
      save.type = "submit";
      save.textContent = t("bq_save");
      const cancel = document.createElement("button");
      cancel.type = "button";
      cancel.className = "secondary";
      cancel.textContent = t("bq_cancel");
      buttons.append(save, cancel);
      const err = document.createElement("p");
      err.className = "error";
      err.setAttribute("role", "alert");
      form.append(area, buttons, err);
      cancel.addEventListener("click", () => { bq.editing = null; commentCell(td, row); td.querySelector("button")?.focus(); });
      area.addEventListener("keydown", (ev) => { if (ev.key === "Escape") { ev.preventDefault(); cancel.click(); } });
      form.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        save.disabled = true;
        err.textContent = "";
        try {
          const r = await api("PUT", `/api/v1/reports/boqbe/${encodeURIComponent(bq.report.half_year)}/comments/${n}`, { text: area.value });
          if (!r.ok) { err.textContent = `${t("bq_save_error")}: ${problem(r)}`; return; }
          bq.info = r.body;
          for (const x of bq.report.rows) x.comment = r.body.comments[x.number] || null;
          bq.editing = null;
          drawState();
          commentCell(td, row);
          td.querySelector("button")?.focus();
        } catch (e) {
          if (token) err.textContent = t("bq_save_error");
        } finally {
          save.disabled = false;
        }
      });
      td.appendChild(form);
      area.focus();
      return;
    }
    if (row.comment) {
      const p = document.createElement("div");
      p.className = "text";
      p.textContent = row.comment;
      td.appendChild(p);
    }
    if (!final) {
      const b = link(t(row.comment ? "bq_edit_comment" : "bq_add_comment"), () => {
        const open = bq.editing && $("bq-rows").querySelector(`tr[data-row="${bq.editing}"]`);
        bq.editing = n;
        if (open) commentCell(open.querySelector("td.comment"), bq.report.rows.find((x) => x.number === Number(open.dataset.row)));
        commentCell(td, row);
      });
      b.setAttribute("aria-label", fill("bq_comment_on", { n }));
      td.appendChild(b);
    }
  }

  function drawReport() {
    const r = bq.report;
    $("bq-form").hidden = !r;
    if (!r) return;
    $("bq-recipient").textContent = `${r.recipient}\n${r.form_name}`;
    $("bq-heading").textContent = `${r.title} — ${r.period}`;
    const body = $("bq-rows").querySelector("tbody");
    body.replaceChildren();
    for (const row of r.rows) {
      const tr = document.createElement("tr");
      tr.dataset.row = row.number;
      tr.dataset.source = row.source;
      cell(tr, row.number).className = "n";
      cell(tr, row.indicator).className = "indicator";
      cell(tr, row.unit).className = "unit";
      const v = cell(tr, row.value);
      v.className = "value";
      const src = document.createElement("span");
      src.className = "source";
      src.textContent = t("bq_src_" + row.source) === "bq_src_" + row.source ? row.source : t("bq_src_" + row.source);
      v.appendChild(src);
      const c = cell(tr, "");
      c.className = "comment";
      commentCell(c, row);
      body.appendChild(tr);
    }
    const f = r.footer;
    $("bq-footer").textContent = [
      [f.name, f.address, f.phone, f.email].filter(Boolean).join(" · "),
      `${t("bq_prepared")}: ${f.preparer || "—"} ${f.preparer_phone || ""}`.trim(),
      `${t("bq_head")}: ${f.head || "—"}`,
    ].join("\n");
  }

  async function loadReport() {
    $("bq-error").textContent = "";
    setReportLinks();
    const half = $("bq-half").value;
    const seq = ++bq.loading;
    bq.editing = null;
    try {
      const [rep, st] = await Promise.all([api("GET", reportPath(null)), api("GET", `/api/v1/reports/boqbe/${encodeURIComponent(half)}/state`)]);
      if (seq !== bq.loading) return; // a newer choice is loading
      if (!rep.ok || !st.ok) {
        bq.report = null;
        bq.info = null;
        drawReport();
        drawState();
        $("bq-error").textContent = `${t("bq_load_error")}: ${problem(rep.ok ? st : rep)}`;
        return;
      }
      bq.report = rep.body;
      bq.info = st.body;
      drawState();
      drawReport();
    } catch (e) {
      if (token) $("bq-error").textContent = t("bq_load_error");
    }
  }

  async function moveStatus(status) {
    $("bq-error").textContent = "";
    const half = $("bq-half").value;
    try {
      const r = await api("PUT", `/api/v1/reports/boqbe/${encodeURIComponent(half)}/status`, { status });
      if (!r.ok) { $("bq-error").textContent = `${t("bq_status_error")}: ${problem(r)}`; return; }
      await loadReport();
    } catch (e) {
      if (token) $("bq-error").textContent = t("bq_status_error");
    }
  }

  // --- The centre's profile (admins). ---

  const TEXT = ["name_kk", "name_ru", "founding_document", "address_kk", "address_ru", "phone", "email", "preparer", "preparer_phone", "head"];
  const NUMBERS = ["staff_permanent", "staff_non_permanent", "certified_managers"];
  const FLAGS = ["branches", "workplaces_equipped", "auxiliary_rooms", "internal_regulations"];
  const LISTS = ["software", "integrations"];

  function fillProfile(p) {
    for (const k of TEXT) $("pf-" + k).value = p[k] || "";
    for (const k of NUMBERS) $("pf-" + k).value = p[k] == null ? "" : p[k];
    for (const k of FLAGS) $("pf-" + k).checked = Boolean(p[k]);
    for (const k of LISTS) $("pf-" + k).value = (p[k] || []).join(", ");
    $("pf-certification_date").value = p.certification_date || "";
  }
  function readProfile() {
    const p = {};
    for (const k of TEXT) p[k] = $("pf-" + k).value.trim();
    for (const k of NUMBERS) { const v = $("pf-" + k).value.trim(); p[k] = v === "" ? null : Number(v); }
    for (const k of FLAGS) p[k] = $("pf-" + k).checked;
    for (const k of LISTS) p[k] = $("pf-" + k).value.split(/[,\n;]/).map((s) => s.trim()).filter(Boolean);
    p.certification_date = $("pf-certification_date").value || null;
    return p;
  }
  async function loadProfile() {
    if (!isAdmin()) return;
    $("pf-error").textContent = "";
    const r = await api("GET", "/api/v1/settings/centre-profile").catch(() => null);
    if (r && r.ok) { bq.profile = r.body; fillProfile(r.body); }
    else if (r) $("pf-error").textContent = `${t("bq_load_error")}: ${problem(r)}`;
  }

  function showReport(open) {
    bq.shown = open;
    $("boqbe").hidden = !open;
    $("boqbe-open").setAttribute("aria-expanded", String(open));
    if (!open) return;
    fillHalves();
    if (!bq.langChosen) $("bq-lang").value = lang === "ru" ? "ru" : "kk";
    $("bq-profile-box").hidden = !isAdmin();
    loadReport();
    loadProfile();
    $("boqbe").scrollIntoView({ block: "start" });
    $("boqbe").focus();
  }

  $("boqbe-open").addEventListener("click", () => showReport(!bq.shown));
  $("bq-pick").addEventListener("submit", (ev) => { ev.preventDefault(); loadReport(); });
  $("bq-half").addEventListener("change", loadReport);
  $("bq-lang").addEventListener("change", () => { bq.langChosen = true; loadReport(); });
  $("bq-to-checked").addEventListener("click", () => moveStatus("checked"));
  $("bq-to-draft").addEventListener("click", () => moveStatus("draft"));
  $("bq-to-submitted").addEventListener("click", () => { $("bq-confirm").hidden = false; $("bq-confirm-yes").focus(); });
  $("bq-confirm-no").addEventListener("click", () => { $("bq-confirm").hidden = true; $("bq-to-submitted").focus(); });
  $("bq-confirm-yes").addEventListener("click", () => moveStatus("submitted"));
  for (const [id, format] of [["bq-xlsx", "xlsx"], ["bq-csv", "csv"]]) {
    $(id).addEventListener("click", (ev) => {
      ev.preventDefault();
      download($(id), reportPath(format), `BOQBE-${$("bq-half").value}-${$("bq-lang").value}.${format}`, $("bq-error"));
    });
  }
  // The printable page in a new tab: the tab opens at the click (so no popup blocker stops it)
  // and shows the page once it has come.
  $("bq-html").addEventListener("click", async (ev) => {
    ev.preventDefault();
    $("bq-error").textContent = "";
    const w = window.open("", "_blank");
    try {
      const f = await fetchFile(reportPath("html"));
      if (!f.ok) { if (w) w.close(); $("bq-error").textContent = `${t("kp_download_error")}: ${f.detail}`; return; }
      const url = URL.createObjectURL(f.blob);
      if (w) w.location.replace(url); else window.open(url, "_blank");
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch (e) {
      if (w) w.close();
      if (token) $("bq-error").textContent = t("kp_download_error");
    }
  });
  $("bq-profile").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    $("pf-error").textContent = "";
    $("pf-status").textContent = "";
    try {
      const r = await api("PUT", "/api/v1/settings/centre-profile", readProfile());
      if (!r.ok) { $("pf-error").textContent = `${t("bq_save_error")}: ${problem(r)}`; return; }
      bq.profile = r.body;
      fillProfile(r.body);
      $("pf-status").textContent = t("bq_profile_saved");
      loadReport();
    } catch (e) {
      if (token) $("pf-error").textContent = t("bq_save_error");
    }
  });

  // ---------------------------------------------------------------- both ------------------------

  // Signed in: the buttons for supervisors and admins; signed out: nothing is left for whoever
  // signs in next.
  function onApp() {
    const on = !$("app").hidden && oversees();
    $("kpi-open").hidden = !on;
    $("boqbe-open").hidden = !on;
    if (on) return;
    showKpis(false);
    showReport(false);
    Object.assign(kp, { today: null, source: null, at: null, series: null, period: null, evidence: null, namesRead: null, namesAt: 0 });
    kp.queues.clear();
    kp.staff.clear();
    Object.assign(bq, { report: null, info: null, editing: null, profile: null, langChosen: false });
    for (const id of ["kp-tiles", "kp-charts"]) $(id).replaceChildren();
    for (const id of ["kp-queues", "kp-operators", "kp-evidence-list", "bq-rows"]) $(id).querySelector("tbody").replaceChildren();
    for (const id of ["kp-error", "kp-history-error", "kp-live", "bq-error", "pf-error", "pf-status"]) $(id).textContent = "";
    for (const id of ["kp-from", "kp-to"]) $(id).value = "";
    $("kp-evidence").hidden = true;
    $("bq-form").hidden = true;
    $("bq-profile").reset();
  }
  new MutationObserver(onApp).observe($("app"), { attributes: true, attributeFilter: ["hidden"] });
  onApp();

  $("lang").addEventListener("change", () => {
    if (kp.shown) { drawToday(); drawHistory(); drawEvidence(); }
    if (bq.shown) { fillHalves(); drawState(); drawReport(); }
  });
})();
