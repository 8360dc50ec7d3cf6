//! The semi-annual report on the contact centre's activity, form БОҚБЕ of Appendix 2 (R36):
//! 28 rows for a half-year (January–June or July–December, Asia/Almaty), due on the 15th of the
//! month after it, filled in Kazakh and in Russian. Rows 13–20 come from the event log and the
//! surveys ([`Kpis`]), rows 6–12, 21, 22 and 27 from the configuration ([`Facts`]), the rest from
//! the centre's profile. Laid out as the form: header, the table (А, Б, В, 1), footer.

use std::fmt::Write as _;

use baylanys_domain::report::{CentreProfile, ReportState, ReportStatus};
use baylanys_domain::{Language, TZ};
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::Kpis;

/// A half-year, written `2026-H1` or `2026-H2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HalfYear {
    pub year: i32,
    /// 1 (January–June) or 2 (July–December).
    pub half: u8,
}

impl std::str::FromStr for HalfYear {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("{s:?} is not a half-year like 2026-H1 or 2026-H2");
        let (year, half) = s.split_once('-').ok_or_else(bad)?;
        let year: i32 = year.parse().map_err(|_| bad())?;
        let half = match half {
            "H1" | "h1" => 1,
            "H2" | "h2" => 2,
            _ => return Err(bad()),
        };
        if !(2000..=2100).contains(&year) {
            return Err(bad());
        }
        Ok(HalfYear { year, half })
    }
}

impl std::fmt::Display for HalfYear {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-H{}", self.year, self.half)
    }
}

fn local_midnight(d: NaiveDate) -> DateTime<Utc> {
    TZ.from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| d.and_time(chrono::NaiveTime::MIN).and_utc())
}

impl HalfYear {
    /// First and last day.
    pub fn days(&self) -> (NaiveDate, NaiveDate) {
        let (m1, m2, d2) = if self.half == 1 {
            (1, 6, 30)
        } else {
            (7, 12, 31)
        };
        let first = NaiveDate::from_ymd_opt(self.year, m1, 1).unwrap_or_default();
        let last = NaiveDate::from_ymd_opt(self.year, m2, d2).unwrap_or_default();
        (first, last)
    }

    /// `[from, to)` in UTC for local (Asia/Almaty) days.
    pub fn bounds(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let (first, last) = self.days();
        (
            local_midnight(first),
            local_midnight(last + chrono::Days::new(1)),
        )
    }

    /// The 15th of the month after the half-year: 15 July or 15 January.
    pub fn due(&self) -> NaiveDate {
        let d = if self.half == 1 {
            NaiveDate::from_ymd_opt(self.year, 7, 15)
        } else {
            NaiveDate::from_ymd_opt(self.year + 1, 1, 15)
        };
        d.unwrap_or_default()
    }

    fn title(&self, lang: Language) -> String {
        let roman = if self.half == 1 { "I" } else { "II" };
        match lang {
            Language::Ru => format!("{roman} полугодие {} года", self.year),
            _ => format!("{} жылғы {roman} жартыжылдық", self.year),
        }
    }
}

/// What the configuration says, for rows 6–12, 21, 22 and 27.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Row 6 in each language, e.g. "Дс–Жм 09:00–18:00".
    pub hours_kk: String,
    pub hours_ru: String,
    /// Row 7.
    pub weekends_and_holidays: bool,
    /// Row 8: active topics (kk, ru).
    pub topics: Vec<(String, String)>,
    /// Row 9: supervisors or an escalation queue take what the first line cannot.
    pub second_line: bool,
    /// Row 10: channels in use.
    pub channels: Vec<baylanys_domain::Channel>,
    /// Row 11: active staff accounts of the centre.
    pub staff: u32,
    /// Row 12: active operators at the period's end.
    pub operators: u32,
    /// Row 21: the product's modules in use (kk, ru).
    pub software: Vec<(String, String)>,
    /// Row 22: bodies whose systems exchange appeals with the centre (kk, ru).
    pub integrations: Vec<(String, String)>,
    /// Row 27: the knowledge base — published articles with their sources (R5.5, R22), served
    /// now and first published before the period's end. Canned replies are not one.
    pub knowledge_articles: i64,
}

/// One row of the form.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Row {
    /// Column А.
    pub number: u8,
    /// Column Б.
    pub indicator: String,
    /// Column В.
    pub unit: String,
    /// Column 1, as printed.
    pub value: String,
    /// The figure as a number, for rows that have one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<f64>,
    /// `log`, `surveys`, `complaints`, `configuration` or `profile`.
    pub source: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// The report in one language.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Report {
    pub index: &'static str,
    pub half_year: String,
    pub language: Language,
    pub title: String,
    /// Who it goes to, and what the form is.
    pub recipient: String,
    pub form_name: String,
    pub period: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub due: NaiveDate,
    pub status: ReportStatus,
    pub rows: Vec<Row>,
    pub footer: Footer,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Footer {
    pub name: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub preparer: String,
    pub preparer_phone: String,
    pub head: String,
}

/// Column Б and В of each row, in Kazakh (the order's own text) and Russian.
const ROWS: [(&str, &str, &str, &str); 28] = [
    ("Байланыс орталығының атауы", "атауы", "Наименование контакт-центра", "наименование"),
    ("Байланыс орталығының жұмысының басталуы туралы құжаттың № және күні", "№ және күні", "№ и дата документа о начале работы контакт-центра", "№ и дата"),
    ("Байланыс орталығының орналасқан жерінің мекенжайы", "мекенжайы", "Адрес местонахождения контакт-центра", "адрес"),
    ("Құрылымдық бөлімшелердің, филиалдардың болуы", "иә немесе жоқ", "Наличие структурных подразделений, филиалов", "да или нет"),
    ("Байланыс орталығының телефонының №", "нөмірі", "№ телефона контакт-центра", "номер"),
    ("Жұмыс режимі", "", "Режим работы", ""),
    ("Демалыс, мереке күндері жұмыс істеу", "иә немесе жоқ", "Работа в выходные и праздничные дни", "да или нет"),
    ("Кеңес беру, өтініштерді қабылдау мәселелері", "сұрақтар тізімін тізімдеңіз", "Вопросы консультирования, приёма обращений", "перечислите вопросы"),
    ("Қызметкерлердің екінші желісінің болуы", "иә немесе жоқ", "Наличие второй линии сотрудников", "да или нет"),
    ("Пайдаланушылармен өзара әрекет ету үшін қолданылатын байланыс арналары (атап көрсету)", "байланыс арналарын тізімдеңіз", "Каналы связи, используемые для взаимодействия с пользователями (перечислить)", "перечислите каналы связи"),
    ("Штаттық / штаттан тыс қызметкерлер саны, барлығы", "дана", "Количество штатных / внештатных сотрудников, всего", "единиц"),
    ("Жұмыс істеп тұрған операторлар саны, барлығы", "дана", "Количество работающих операторов, всего", "единиц"),
    ("Қабылданған өтініштердің жалпы саны, барлығы", "дана", "Общее количество принятых обращений, всего", "единиц"),
    ("Байланыс арналары бөлінісінде қабылданған өтініштердің саны", "дана", "Количество принятых обращений в разрезе каналов связи", "единиц"),
    ("Дауыстық мәзірді тыңдағаннан кейін клиенттің телефон байланыс арналары арқылы хабарласуы кезінде күту уақыты, секунд", "секундтар", "Время ожидания клиента при обращении по телефонным каналам связи после прослушивания голосового меню, секунд", "секунды"),
    ("Балдық шкала бойынша клиенттердің қанағаттану деңгейі", "балл", "Уровень удовлетворённости клиентов по балльной шкале", "балл"),
    ("Мәселесі бастапқы жүгінген кезде шешілген клиенттердің өтініштерінің үлесі, пайызбен", "пайызбен", "Доля обращений клиентов, вопрос которых решён при первичном обращении, в процентах", "в процентах"),
    ("Жоғалған қоңыраулардың үлесі, пайызбен", "пайызбен", "Доля потерянных звонков, в процентах", "в процентах"),
    ("Оператордың өтінімді өндеудің орташа уақыты, минут", "минут", "Среднее время обработки оператором обращения, минут", "минут"),
    ("Байланыс орталығының және байланыс орталығы операторларының қызметіне расталған шағымдардың саны", "дана", "Количество подтверждённых жалоб на деятельность контакт-центра и операторов контакт-центра", "единиц"),
    ("Бағдарламалық өнімдердің болуы (атап көрсету) (бар болса)", "иә немесе жоқ. \"иә\" кезінде бағдарламалық өнімдерді тізімдеңіз", "Наличие программных продуктов (перечислить) (при наличии)", "да или нет. При \"да\" перечислите программные продукты"),
    ("Мемлекеттік органдардың ақпараттық жүйелерімен интеграциялау (атап көрсету)", "иә немесе жоқ. \"иә\" кезінде ақпараттық жүйелерді тізімдеңіз", "Интеграция с информационными системами государственных органов (перечислить)", "да или нет. При \"да\" перечислите информационные системы"),
    ("Сертификаттау аудитінен, байланыс орталығының сертификаттаудан өткені туралы ақпарат", "күні", "Информация о прохождении сертификационного аудита, сертификации контакт-центра", "дата"),
    ("Байланыс орталығы менеджерлерінің сертификаттаудан өткені туралы ақпарат", "иә немесе жоқ. \"иә\" кезінде санын көрсетіңіз", "Информация о прохождении сертификации менеджерами контакт-центра", "да или нет. При \"да\" укажите количество"),
    ("Талаптарға сәйкес жұмыс орнының жарақтандырылуы", "иә немесе жоқ", "Оснащённость рабочего места в соответствии с требованиями", "да или нет"),
    ("Қажетті қосалқы орынжайлармен жарақтандыру", "иә немесе жоқ", "Оснащённость необходимыми вспомогательными помещениями", "да или нет"),
    ("Білім базасының болуы", "иә немесе жоқ", "Наличие базы знаний", "да или нет"),
    ("Байланыс орталығының қызметін регламенттейтін ішкі нормативтік құжаттардың болуы", "иә немесе жоқ", "Наличие внутренних нормативных документов, регламентирующих деятельность контакт-центра", "да или нет"),
];

fn yes(lang: Language, b: bool) -> String {
    match (lang, b) {
        (Language::Ru, true) => "да".into(),
        (Language::Ru, false) => "нет".into(),
        (_, true) => "иә".into(),
        (_, false) => "жоқ".into(),
    }
}

fn yes_list(lang: Language, items: &[String]) -> String {
    if items.is_empty() {
        yes(lang, false)
    } else {
        format!("{}: {}", yes(lang, true), items.join("; "))
    }
}

/// Numbers as Kazakh and Russian documents print them: a decimal comma.
fn number(v: f64) -> String {
    let s = format!("{:.2}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.').to_owned();
    s.replace('.', ",")
}

fn channel_name(c: &str, lang: Language) -> String {
    let (kk, ru) = match c {
        "web_chat" => ("веб-чат", "веб-чат"),
        "email" => ("электрондық пошта", "электронная почта"),
        "telegram" => ("Telegram-бот", "Telegram-бот"),
        "voice" => ("телефон", "телефон"),
        "in_person" => ("жеке қабылдау, хат", "личный приём, письмо"),
        other => (other, other),
    };
    if lang == Language::Ru { ru } else { kk }.to_owned()
}

/// The form filled for a half-year in one language.
pub fn build(
    half: HalfYear,
    lang: Language,
    kpis: &Kpis,
    facts: &Facts,
    profile: &CentreProfile,
    state: &ReportState,
) -> Report {
    let ru = lang == Language::Ru;
    let pick = |kk: &str, r: &str| if ru { r.to_owned() } else { kk.to_owned() };
    let pair = |list: &[(String, String)]| -> Vec<String> {
        list.iter().map(|(kk, r)| pick(kk, r)).collect()
    };
    let dash = "—".to_owned();
    let fig = |v: Option<f64>| v.map(number).unwrap_or_else(|| dash.clone());
    let staff = match (profile.staff_permanent, profile.staff_non_permanent) {
        (Some(p), Some(n)) => format!("{} / {} ({})", p, n, p + n),
        _ => facts.staff.to_string(),
    };
    let by_channel = kpis
        .appeals_by_channel
        .iter()
        .map(|(c, n)| format!("{}: {n}", channel_name(c, lang)))
        .collect::<Vec<_>>()
        .join("; ");
    let mut software = pair(&facts.software);
    software.extend(profile.software.iter().cloned());
    let mut integrations = pair(&facts.integrations);
    integrations.extend(profile.integrations.iter().cloned());
    let channels: Vec<String> = facts
        .channels
        .iter()
        .map(|c| channel_name(c.as_str(), lang))
        .collect();
    let values: [(String, Option<f64>, &'static str); 28] = [
        (pick(&profile.name_kk, &profile.name_ru), None, "profile"),
        (profile.founding_document.clone(), None, "profile"),
        (
            pick(&profile.address_kk, &profile.address_ru),
            None,
            "profile",
        ),
        (yes(lang, profile.branches), None, "profile"),
        (profile.phone.clone(), None, "profile"),
        (
            pick(&facts.hours_kk, &facts.hours_ru),
            None,
            "configuration",
        ),
        (
            yes(lang, facts.weekends_and_holidays),
            None,
            "configuration",
        ),
        (pair(&facts.topics).join("; "), None, "configuration"),
        (yes(lang, facts.second_line), None, "configuration"),
        (channels.join("; "), None, "configuration"),
        (staff, Some(f64::from(facts.staff)), "configuration"),
        (
            facts.operators.to_string(),
            Some(f64::from(facts.operators)),
            "configuration",
        ),
        (
            kpis.appeals_received.to_string(),
            Some(kpis.appeals_received as f64),
            "log",
        ),
        (
            if by_channel.is_empty() {
                dash.clone()
            } else {
                by_channel
            },
            None,
            "log",
        ),
        (
            fig(kpis.wait_after_ivr_secs.value),
            kpis.wait_after_ivr_secs.value,
            "log",
        ),
        (fig(kpis.csat_mean.value), kpis.csat_mean.value, "surveys"),
        (fig(kpis.fcr_pct.value), kpis.fcr_pct.value, "log"),
        (
            fig(kpis.lost_calls_pct.value),
            kpis.lost_calls_pct.value,
            "log",
        ),
        (fig(kpis.aht_minutes.value), kpis.aht_minutes.value, "log"),
        (
            kpis.complaints_confirmed.to_string(),
            Some(kpis.complaints_confirmed as f64),
            "complaints",
        ),
        (yes_list(lang, &software), None, "configuration"),
        (yes_list(lang, &integrations), None, "configuration"),
        (
            profile
                .certification_date
                .map(|d| d.format("%d.%m.%Y").to_string())
                .unwrap_or_else(|| yes(lang, false)),
            None,
            "profile",
        ),
        (
            match profile.certified_managers {
                Some(n) if n > 0 => format!("{}: {n}", yes(lang, true)),
                _ => yes(lang, false),
            },
            None,
            "profile",
        ),
        (yes(lang, profile.workplaces_equipped), None, "profile"),
        (yes(lang, profile.auxiliary_rooms), None, "profile"),
        (
            yes(lang, facts.knowledge_articles > 0),
            Some(facts.knowledge_articles as f64),
            "configuration",
        ),
        (yes(lang, profile.internal_regulations), None, "profile"),
    ];
    let rows = ROWS
        .iter()
        .zip(values)
        .enumerate()
        .map(
            |(i, ((ind_kk, unit_kk, ind_ru, unit_ru), (value, amount, source)))| {
                let number = u8::try_from(i + 1).unwrap_or(u8::MAX);
                Row {
                    number,
                    indicator: pick(ind_kk, ind_ru),
                    unit: pick(unit_kk, unit_ru),
                    value,
                    amount,
                    source,
                    comment: state.comments.get(&number).cloned(),
                }
            },
        )
        .collect();
    let (from, to) = half.bounds();
    Report {
        index: "БОҚБЕ",
        half_year: half.to_string(),
        language: lang,
        title: pick("Байланыс орталығының қызметі бойынша есеп", "Отчёт о деятельности контакт-центра"),
        recipient: pick(
            "«Қазақстан Республикасының цифрлық даму, инновациялар және аэроғарыш өнеркәсібі министрлігі Мемлекеттік көрсетілетін қызметтер комитеті» РММ-ге ұсынылады",
            "Представляется в РГУ «Комитет государственных услуг Министерства цифрового развития, инноваций и аэрокосмической промышленности Республики Казахстан»",
        ),
        form_name: pick(
            "Әкімшілік деректер нысанының индексі: БОҚБЕ. Жиілігі: жартыжылдық. Ұсыну мерзімі: есепті жартыжылдықтан кейінгі айдың 15-күніне дейін.",
            "Индекс формы административных данных: БОҚБЕ. Периодичность: полугодовая. Срок представления: до 15 числа месяца, следующего за отчётным полугодием.",
        ),
        period: half.title(lang),
        from,
        to,
        due: half.due(),
        status: state.status,
        rows,
        footer: Footer {
            name: pick(&profile.name_kk, &profile.name_ru),
            address: pick(&profile.address_kk, &profile.address_ru),
            phone: profile.phone.clone(),
            email: profile.email.clone(),
            preparer: profile.preparer.clone(),
            preparer_phone: profile.preparer_phone.clone(),
            head: profile.head.clone(),
        },
    }
}

struct Labels {
    columns: [&'static str; 4],
    comment: &'static str,
    name: &'static str,
    address: &'static str,
    phone: &'static str,
    email: &'static str,
    preparer: &'static str,
    head: &'static str,
    due: &'static str,
    status: &'static str,
}

fn labels(lang: Language) -> Labels {
    if lang == Language::Ru {
        Labels {
            columns: [
                "№ п/п",
                "Показатели",
                "Единицы измерения",
                "Фактические данные",
            ],
            comment: "Комментарий",
            name: "Наименование",
            address: "Адрес",
            phone: "Телефон",
            email: "Электронная почта",
            preparer: "Исполнитель",
            head: "Руководитель или лицо, исполняющее его обязанности",
            due: "Срок представления",
            status: "Статус",
        }
    } else {
        Labels {
            columns: [
                "№ р/с",
                "Көрсеткіштер",
                "Өлшем бірліктері",
                "Нақты деректер",
            ],
            comment: "Түсініктеме",
            name: "Атауы",
            address: "Мекенжайы",
            phone: "Телефон",
            email: "Электрондық почта",
            preparer: "Орындаушы",
            head: "Басшы немесе оның міндетін атқарушы тұлға",
            due: "Ұсыну мерзімі",
            status: "Мәртебесі",
        }
    }
}

fn status_name(s: ReportStatus, lang: Language) -> &'static str {
    match (s, lang == Language::Ru) {
        (ReportStatus::Draft, false) => "жоба",
        (ReportStatus::Checked, false) => "тексерілді",
        (ReportStatus::Submitted, false) => "ұсынылды",
        (ReportStatus::Draft, true) => "черновик",
        (ReportStatus::Checked, true) => "проверен",
        (ReportStatus::Submitted, true) => "представлен",
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r', ';']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// RFC 4180 CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the Cyrillic):
/// the four columns of the form and the comment.
pub fn csv(r: &Report) -> String {
    let l = labels(r.language);
    let mut out = String::from("\u{feff}");
    let head = [
        l.columns[0],
        l.columns[1],
        l.columns[2],
        l.columns[3],
        l.comment,
    ];
    out.push_str(&head.map(csv_field).join(","));
    out.push_str("\r\n");
    for row in &r.rows {
        let cells = [
            row.number.to_string(),
            row.indicator.clone(),
            row.unit.clone(),
            row.value.clone(),
            row.comment.clone().unwrap_or_default(),
        ];
        out.push_str(
            &cells
                .iter()
                .map(|c| csv_field(c))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A printable page laid out as the form.
pub fn html(r: &Report) -> String {
    let l = labels(r.language);
    let lang = if r.language == Language::Ru {
        "ru"
    } else {
        "kk"
    };
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{idx} {period}</title>\
         <style>body{{font-family:'Times New Roman',serif;max-width:60rem;margin:2rem auto;color:#000}}\
         table{{border-collapse:collapse;width:100%}}td,th{{border:1px solid #000;padding:.3rem;vertical-align:top}}\
         th{{text-align:center}}.n{{text-align:center;width:3rem}}.meta{{font-size:.9rem}}\
         .c{{font-style:italic;font-size:.85rem}}@media print{{body{{margin:0}}}}</style></head><body>",
        idx = r.index,
        period = esc(&r.period)
    );
    let _ = write!(
        out,
        "<p class=\"meta\">{}</p><p class=\"meta\">{}</p><h1 style=\"text-align:center;font-size:1.2rem\">{}<br>{}</h1>\
         <p class=\"meta\">{}: {} · {}: {}</p><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\
         <tr><th>А</th><th>Б</th><th>В</th><th>1</th></tr></thead><tbody>",
        esc(&r.recipient),
        esc(&r.form_name),
        esc(&r.title),
        esc(&r.period),
        l.due,
        r.due.format("%d.%m.%Y"),
        l.status,
        status_name(r.status, r.language),
        l.columns[0],
        l.columns[1],
        l.columns[2],
        l.columns[3]
    );
    for row in &r.rows {
        let comment = row
            .comment
            .as_deref()
            .map(|c| format!("<div class=\"c\">{}: {}</div>", l.comment, esc(c)))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<tr data-row=\"{n}\"><td class=\"n\">{n}</td><td>{}</td><td>{}</td><td>{}{comment}</td></tr>",
            esc(&row.indicator),
            esc(&row.unit),
            esc(&row.value),
            n = row.number
        );
    }
    let f = &r.footer;
    let _ = write!(
        out,
        "</tbody></table><p>{}: {}</p><p>{}: {}</p><p>{}: {}</p><p>{}: {}</p>\
         <p>{}: {} ______ {}</p><p>{}: {} ______</p></body></html>",
        l.name,
        esc(&f.name),
        l.address,
        esc(&f.address),
        l.phone,
        esc(&f.phone),
        l.email,
        esc(&f.email),
        l.preparer,
        esc(&f.preparer),
        esc(&f.preparer_phone),
        l.head,
        esc(&f.head)
    );
    out
}

/// The form as an XLSX workbook: header lines, the table with its А/Б/В/1 row, the footer.
pub fn xlsx(r: &Report) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};
    let l = labels(r.language);
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(r.index)?;
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let cell = wrap.clone().set_border(FormatBorder::Thin);
    let head = cell.clone().set_bold().set_align(FormatAlign::Center);
    let title = Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_font_size(13);
    sheet.set_column_width(0, 6)?;
    sheet.set_column_width(1, 60)?;
    sheet.set_column_width(2, 22)?;
    sheet.set_column_width(3, 40)?;
    sheet.set_column_width(4, 30)?;
    sheet.merge_range(0, 0, 0, 4, &r.recipient, &wrap)?;
    sheet.set_row_height(0, 32)?;
    sheet.merge_range(1, 0, 1, 4, &r.form_name, &wrap)?;
    sheet.set_row_height(1, 32)?;
    sheet.merge_range(2, 0, 2, 4, &r.title, &title)?;
    sheet.merge_range(3, 0, 3, 4, &r.period, &title)?;
    let meta = format!(
        "{}: {} · {}: {}",
        l.due,
        r.due.format("%d.%m.%Y"),
        l.status,
        status_name(r.status, r.language)
    );
    sheet.merge_range(4, 0, 4, 4, &meta, &wrap)?;
    let top = 6;
    for (c, text) in l.columns.iter().chain([&l.comment]).enumerate() {
        let c = u16::try_from(c).unwrap_or(0);
        sheet.write_with_format(top, c, *text, &head)?;
    }
    for (c, text) in ["А", "Б", "В", "1", ""].iter().enumerate() {
        let c = u16::try_from(c).unwrap_or(0);
        sheet.write_with_format(top + 1, c, *text, &head)?;
    }
    let mut line = top + 2;
    for row in &r.rows {
        sheet.write_with_format(line, 0, row.number, &cell)?;
        sheet.write_with_format(line, 1, &row.indicator, &cell)?;
        sheet.write_with_format(line, 2, &row.unit, &cell)?;
        match row.amount {
            Some(a) if row.value == number(a) || row.value == a.to_string() => {
                sheet.write_with_format(line, 3, a, &cell)?
            }
            _ => sheet.write_with_format(line, 3, &row.value, &cell)?,
        };
        sheet.write_with_format(line, 4, row.comment.as_deref().unwrap_or(""), &cell)?;
        line += 1;
    }
    let f = &r.footer;
    line += 1;
    for (label, value) in [
        (l.name, f.name.clone()),
        (l.address, f.address.clone()),
        (l.phone, f.phone.clone()),
        (l.email, f.email.clone()),
        (
            l.preparer,
            format!("{} ______ {}", f.preparer, f.preparer_phone),
        ),
        (l.head, format!("{} ______", f.head)),
    ] {
        sheet.write(line, 1, label)?;
        sheet.write(line, 3, value)?;
        line += 1;
    }
    book.save_to_buffer()
}

/// Today's date in the country, to say whether a report is late.
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&TZ).date_naive()
}

/// Whether `half` has ended by `today` (a report of a running half-year is a preview).
pub fn ended(half: HalfYear, today: NaiveDate) -> bool {
    today > half.days().1
}

/// The half-year `today` falls in.
pub fn current(today: NaiveDate) -> HalfYear {
    HalfYear {
        year: today.year(),
        half: if today.month() <= 6 { 1 } else { 2 },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_years_parse_and_bound_in_almaty() {
        let h: HalfYear = "2026-H1".parse().unwrap_or(HalfYear { year: 0, half: 0 });
        assert_eq!(
            h,
            HalfYear {
                year: 2026,
                half: 1
            }
        );
        let (from, to) = h.bounds();
        // Asia/Almaty is UTC+5 since 1 March 2024.
        assert_eq!(from.to_rfc3339(), "2025-12-31T19:00:00+00:00");
        assert_eq!(to.to_rfc3339(), "2026-06-30T19:00:00+00:00");
        assert_eq!(
            h.due(),
            NaiveDate::from_ymd_opt(2026, 7, 15).unwrap_or_default()
        );
        let h2: HalfYear = "2026-H2".parse().unwrap_or(HalfYear { year: 0, half: 0 });
        assert_eq!(
            h2.due(),
            NaiveDate::from_ymd_opt(2027, 1, 15).unwrap_or_default()
        );
        for bad in [
            "2026", "2026-H3", "H1-2026", "26-H1", "2026-Q1", "1999-H1", "",
        ] {
            assert!(bad.parse::<HalfYear>().is_err(), "{bad}");
        }
    }

    #[test]
    fn numbers_and_csv_fields() {
        assert_eq!(number(33.333), "33,33");
        assert_eq!(number(50.0), "50");
        assert_eq!(number(4.5), "4,5");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
