//! What the demo's people say: topics a government contact centre hears every day, citizens'
//! names, and the operators' and ministries' answers, in Kazakh and Russian. The appeal's
//! language decides which one is used (Law on Languages, art. 11), as it does for real staff.

use baylanys_domain::{ComplaintCategory, Language};

/// Text in Kazakh and Russian; any other language reads the Russian.
#[derive(Debug, Clone, Copy)]
pub struct Both(pub &'static str, pub &'static str);

impl Both {
    pub fn get(self, l: Language) -> &'static str {
        match l {
            Language::Kk => self.0,
            _ => self.1,
        }
    }
}

/// A demo topic, created once by `code`, with the question citizens ask about it, the answer
/// the centre gives, and the ministry competent for it.
#[derive(Debug)]
pub struct TopicSpec {
    pub code: &'static str,
    pub name: Both,
    pub name_en: &'static str,
    /// A piece of the competent body's Russian name in the seeded directory.
    pub body_hint: &'static str,
    pub question: Both,
    pub answer: Both,
    pub body_answer: Both,
}

pub const TOPICS: &[TopicSpec] = &[
    TopicSpec {
        code: "demo-pensions",
        name: Both("Зейнетақы", "Пенсии"),
        name_en: "Pensions",
        body_hint: "труда и социальной защиты",
        question: Both(
            "Сәлеметсіз бе! Зейнетақы төлемі осы айда неге кешікті? Қайда хабарласуым керек?",
            "Здравствуйте! Почему в этом месяце задержали выплату пенсии? Куда мне обратиться?",
        ),
        answer: Both(
            "Кесте бойынша зейнетақы айдың 25-іне дейін аударылады. Төлем мәртебесін eGov порталындағы «Зейнетақы төлемдері» қызметінен көре аласыз.",
            "По графику пенсия перечисляется до 25 числа. Статус выплаты виден на портале eGov в услуге «Пенсионные выплаты».",
        ),
        body_answer: Both(
            "Министрлік өтінішіңізді қарады: төлем қайта есептеліп, шотыңызға аударылды.",
            "Министерство рассмотрело обращение: выплата пересчитана и перечислена на ваш счёт.",
        ),
    },
    TopicSpec {
        code: "demo-benefits",
        name: Both("Әлеуметтік жәрдемақылар", "Социальные пособия"),
        name_en: "Social benefits",
        body_hint: "труда и социальной защиты",
        question: Both(
            "Бала күтіміне арналған жәрдемақыны қалай рәсімдеймін? Қандай құжаттар керек?",
            "Как оформить пособие по уходу за ребёнком? Какие нужны документы?",
        ),
        answer: Both(
            "Жәрдемақы eGov порталы немесе ХҚКО арқылы рәсімделеді: жеке куәлік пен баланың туу туралы куәлігі жеткілікті.",
            "Пособие оформляется через портал eGov или ЦОН: достаточно удостоверения личности и свидетельства о рождении ребёнка.",
        ),
        body_answer: Both(
            "Министрлік өтінішіңізді қарады: жәрдемақы тағайындалды, алғашқы төлем келесі айда түседі.",
            "Министерство рассмотрело обращение: пособие назначено, первая выплата поступит в следующем месяце.",
        ),
    },
    TopicSpec {
        code: "demo-egov",
        name: Both("eGov қызметтері", "Услуги eGov"),
        name_en: "eGov services",
        body_hint: "цифрового развития",
        question: Both(
            "eGov порталына ЭЦҚ арқылы кіре алмай жатырмын, «сертификат жарамсыз» деп шығады.",
            "Не могу войти на портал eGov по ЭЦП, пишет «сертификат недействителен».",
        ),
        answer: Both(
            "ЭЦҚ мерзімі өтіп кеткен болуы мүмкін. Жаңа кілтті pki.gov.kz сайтында немесе ХҚКО-да алуға болады.",
            "Вероятно, истёк срок ЭЦП. Новый ключ можно получить на pki.gov.kz или в ЦОН.",
        ),
        body_answer: Both(
            "Министрлік өтінішіңізді қарады: порталдағы ақау жойылды, ЭЦҚ арқылы кіруге болады.",
            "Министерство рассмотрело обращение: сбой на портале устранён, вход по ЭЦП работает.",
        ),
    },
    TopicSpec {
        code: "demo-land",
        name: Both("Жер қатынастары", "Земельные отношения"),
        name_en: "Land",
        body_hint: "сельского хозяйства",
        question: Both(
            "Жеке тұрғын үй құрылысына жер учаскесін алу кезегімді қалай білемін?",
            "Как узнать свою очередь на земельный участок под ИЖС?",
        ),
        answer: Both(
            "Кезектегі орныңызды eGov порталындағы «Жер учаскесін алу кезегі» қызметінен тексере аласыз.",
            "Номер в очереди можно проверить на портале eGov в услуге «Очередь на получение земельного участка».",
        ),
        body_answer: Both(
            "Министрлік өтінішіңізді қарады: кезектегі нөміріңіз — 1 284, өтініш дұрыс тіркелген.",
            "Министерство рассмотрело обращение: ваш номер в очереди — 1 284, заявление зарегистрировано верно.",
        ),
    },
    TopicSpec {
        code: "demo-documents",
        name: Both("Жеке куәлік және құжаттар", "Удостоверение личности и документы"),
        name_en: "Identity documents",
        body_hint: "внутренних дел",
        question: Both(
            "Жеке куәлігімді жоғалтып алдым. Жаңасын қалай алуға болады?",
            "Я потерял удостоверение личности. Как получить новое?",
        ),
        answer: Both(
            "ХҚКО-ға барыңыз немесе eGov арқылы өтініш беріңіз; жаңа куәлік 15 жұмыс күні ішінде дайын болады.",
            "Подайте заявление в ЦОН или через eGov; новое удостоверение будет готово в течение 15 рабочих дней.",
        ),
        body_answer: Both(
            "Министрлік өтінішіңізді қарады: жаңа куәлік дайын, оны тұрғылықты жеріңіздегі ХҚКО-дан алуға болады.",
            "Министерство рассмотрело обращение: новое удостоверение готово, его можно получить в ЦОН по месту жительства.",
        ),
    },
    TopicSpec {
        code: "demo-schools",
        name: Both("Мектеп және балабақша", "Школы и детские сады"),
        name_en: "Schools, kindergartens",
        body_hint: "просвещения",
        question: Both(
            "Баламды балабақшаға кезекке қалай қоямын?",
            "Как поставить ребёнка в очередь в детский сад?",
        ),
        answer: Both(
            "Балабақшаға кезекке eGov порталы арқылы тұруға болады, кезек нөмірі SMS арқылы келеді.",
            "Встать в очередь в детский сад можно через портал eGov, номер очереди придёт по SMS.",
        ),
        body_answer: Both(
            "Министрлік өтінішіңізді қарады: балаңызға қыркүйектен бастап балабақшадан орын берілді.",
            "Министерство рассмотрело обращение: ребёнку выделено место в детском саду с сентября.",
        ),
    },
];

/// (name, female) of people who write and call in Kazakh by preference.
pub const KAZAKH_NAMES: &[(&str, bool)] = &[
    ("Айгүл Серікқызы", true),
    ("Ерлан Сейітов", false),
    ("Әлия Қасымова", true),
    ("Нұрлан Әбенов", false),
    ("Динара Бекова", true),
    ("Дәурен Қасымов", false),
    ("Гүлжан Мұратова", true),
    ("Асқар Жұмабеков", false),
    ("Жанна Төлеубаева", true),
    ("Бауыржан Омаров", false),
    ("Сәуле Есенова", true),
    ("Серік Әлімжанов", false),
];

/// (name, female) of people who use Russian.
pub const RUSSIAN_NAMES: &[(&str, bool)] = &[
    ("Ольга Ким", true),
    ("Сергей Иванов", false),
    ("Наталья Петрова", true),
    ("Андрей Ли", false),
    ("Елена Пак", true),
    ("Тимур Ахметов", false),
    ("Светлана Нургалиева", true),
    ("Виктор Шевченко", false),
];

/// (login, display name, languages, chats at once).
pub const OPERATORS: &[(&str, &str, &[Language], u8)] = &[
    (
        "demo-op-1",
        "Айгерім Нұрланқызы",
        &[Language::Kk, Language::Ru],
        3,
    ),
    ("demo-op-2", "Дмитрий Ли", &[Language::Ru], 2),
    ("demo-op-3", "Асхат Бекұлы", &[Language::Kk], 2),
    (
        "demo-op-4",
        "Мария Ахметова",
        &[Language::Kk, Language::Ru],
        3,
    ),
    (
        "demo-op-5",
        "Ержан Сәрсенов",
        &[Language::Kk, Language::Ru],
        2,
    ),
];

pub const SUPERVISOR: (&str, &str) = ("demo-supervisor", "Гүлнар Тоқтарова");

/// Names of the ministries' officers, one per body the demo redirects to.
pub const OFFICERS: &[&str] = &[
    "Серік Әлиев",
    "Наталья Ким",
    "Бақыт Жақсылықова",
    "Арман Тұрсынов",
    "Ирина Пак",
    "Мадина Ержанова",
];

pub fn greeting(l: Language, client: &str, operator: &str) -> String {
    match l {
        Language::Kk => {
            format!("Сәлеметсіз бе, {client}! Менің атым {operator}. Қазір қарап жатырмын.")
        }
        _ => format!("Здравствуйте, {client}! Меня зовут {operator}. Сейчас посмотрю."),
    }
}

pub const THANKS_WAITING: Both = Both("Рақмет, күтемін.", "Спасибо, жду.");
pub const GOODBYE: Both = Both(
    "Тағы сұрақтарыңыз болса, жазыңыз. Сау болыңыз!",
    "Если появятся вопросы, пишите. Всего доброго!",
);
pub const REDIRECTING: Both = Both(
    "Бұл сұрақ министрліктің құзыретінде. Өтінішіңізді сонда жібереміз, жауап сол жақтан келеді.",
    "Этот вопрос в компетенции министерства. Передаём обращение туда, ответ придёт оттуда.",
);
pub const REDIRECT_REASON: Both = Both(
    "Сұрақ министрліктің құзыретіне жатады",
    "Вопрос относится к компетенции министерства",
);
pub const EXTENDING: Both = Both(
    "Жауап беру үшін мұрағаттан мәліметтер сұрату керек, қарау мерзімін ұзартамыз.",
    "Для ответа нужно запросить сведения из архива, срок рассмотрения продлеваем.",
);
pub const EXTEND_REASON: Both = Both(
    "Мұрағаттан қосымша мәліметтер сұратылды",
    "Запрошены дополнительные сведения из архива",
);
pub const EMAIL_SUBJECT: Both = Both("Өтініш", "Обращение");
pub const REVIEW_NOTE: Both = Both(
    "Жазба тыңдалды, өтініш тарихы қаралды",
    "Запись прослушана, история обращения изучена",
);

pub fn complaint_text(c: ComplaintCategory) -> Both {
    match c {
        ComplaintCategory::OperatorConduct => Both(
            "Өткен жолы оператор менің сұрағымды аяғына дейін тыңдамады.",
            "В прошлый раз оператор не дослушал мой вопрос.",
        ),
        ComplaintCategory::Waiting => Both(
            "Желіде 20 минуттай күттім, ешкім жауап бермеді.",
            "Ждал на линии около 20 минут, никто не ответил.",
        ),
        ComplaintCategory::WrongInformation => Both(
            "Маған қате ақпарат берілді, ХҚКО-ға бекер бардым.",
            "Мне дали неверную информацию, в ЦОН сходил напрасно.",
        ),
        _ => Both(
            "Сұрағым әлі шешілмеді, мерзімі өтіп кетті.",
            "Мой вопрос так и не решён, срок прошёл.",
        ),
    }
}

pub fn decision(confirmed: bool) -> Both {
    if confirmed {
        Both(
            "Шағым расталды: операторға ескерту жасалды, сұрағыңыз қайта қаралады.",
            "Жалоба подтверждена: оператору сделано замечание, вопрос рассмотрят повторно.",
        )
    } else {
        Both(
            "Шағым расталмады: жазба тыңдалды, қызмет стандартқа сай көрсетілген.",
            "Жалоба не подтвердилась: запись прослушана, услуга оказана по стандарту.",
        )
    }
}

pub fn survey_comment(score: u8) -> Option<Both> {
    match score {
        5 => Some(Both(
            "Рақмет, тез әрі түсінікті!",
            "Спасибо, быстро и понятно!",
        )),
        1 | 2 => Some(Both("Жауапты ұзақ күттім.", "Долго ждал ответа.")),
        _ => None,
    }
}
