//! The directory of administrative bodies a fresh install starts with (issue 5, point 1): the
//! central state bodies of the Republic of Kazakhstan most appeals to a government contact
//! centre concern, each with its department for citizens' appeals and the position answerable
//! there. Admins edit, extend or deactivate them; BINs and delivery (e-mail, webhook) are theirs
//! to fill in, so none is invented here. Nothing is added once any body exists.

use std::sync::Arc;

use baylanys_domain::DeliveryMethod;
use baylanys_store::{Actor, NewBody, NewDepartment, Store};

/// (name kk, name ru, department kk, department ru)
const BODIES: &[(&str, &str, &str, &str)] = &[
    (
        "Қазақстан Республикасының Цифрлық даму, инновациялар және аэроғарыш өнеркәсібі министрлігі",
        "Министерство цифрового развития, инноваций и аэрокосмической промышленности Республики Казахстан",
        "Мемлекеттік көрсетілетін қызметтер департаменті",
        "Департамент государственных услуг",
    ),
    (
        "Қазақстан Республикасының Еңбек және халықты әлеуметтік қорғау министрлігі",
        "Министерство труда и социальной защиты населения Республики Казахстан",
        "Әлеуметтік көмек департаменті",
        "Департамент социальной помощи",
    ),
    (
        "Қазақстан Республикасының Денсаулық сақтау министрлігі",
        "Министерство здравоохранения Республики Казахстан",
        "Медициналық көмекті ұйымдастыру департаменті",
        "Департамент организации медицинской помощи",
    ),
    (
        "Қазақстан Республикасының Оқу-ағарту министрлігі",
        "Министерство просвещения Республики Казахстан",
        "Мектепке дейінгі және орта білім департаменті",
        "Департамент дошкольного и среднего образования",
    ),
    (
        "Қазақстан Республикасының Ішкі істер министрлігі",
        "Министерство внутренних дел Республики Казахстан",
        "Көші-қон қызметі департаменті",
        "Департамент миграционной службы",
    ),
    (
        "Қазақстан Республикасының Әділет министрлігі",
        "Министерство юстиции Республики Казахстан",
        "Тіркеу қызметі департаменті",
        "Департамент регистрационной службы",
    ),
    (
        "Қазақстан Республикасының Көлік министрлігі",
        "Министерство транспорта Республики Казахстан",
        "Автомобиль көлігі департаменті",
        "Департамент автомобильного транспорта",
    ),
    (
        "Қазақстан Республикасының Қаржы министрлігі",
        "Министерство финансов Республики Казахстан",
        "Бюджет заңнамасы департаменті",
        "Департамент бюджетного законодательства",
    ),
    (
        "Қазақстан Республикасының Ауыл шаруашылығы министрлігі",
        "Министерство сельского хозяйства Республики Казахстан",
        "Мемлекеттік қолдау департаменті",
        "Департамент государственной поддержки",
    ),
    (
        "«Азаматтарға арналған үкімет» мемлекеттік корпорациясы",
        "Государственная корпорация «Правительство для граждан»",
        "Халыққа қызмет көрсету орталықтары департаменті",
        "Департамент центров обслуживания населения",
    ),
];

/// Adds the sample directory when there are no bodies yet.
pub async fn seed(store: &Arc<dyn Store>) -> anyhow::Result<()> {
    if !store.list_bodies().await?.is_empty() {
        return Ok(());
    }
    for (name_kk, name_ru, dept_kk, dept_ru) in BODIES {
        let body = store
            .create_body(
                NewBody {
                    name_kk: (*name_kk).to_owned(),
                    name_ru: (*name_ru).to_owned(),
                    bin: None,
                    parent_id: None,
                    delivery_method: DeliveryMethod::Portal,
                    delivery_address: None,
                },
                Actor::SYSTEM,
            )
            .await?;
        store
            .create_department(
                body.id,
                NewDepartment {
                    name_kk: (*dept_kk).to_owned(),
                    name_ru: (*dept_ru).to_owned(),
                    position_kk: "Департамент директоры".into(),
                    position_ru: "Директор департамента".into(),
                    active: true,
                },
                Actor::SYSTEM,
            )
            .await?;
    }
    tracing::info!(
        bodies = BODIES.len(),
        "created the sample directory of administrative bodies"
    );
    Ok(())
}
