//! The supervisors' dashboards (R35): a period's KPIs per day for the charts, per queue and per
//! operator for the live view, and the per-day table as CSV or XLSX. Each reads the period's
//! events once and computes every slice from them.

use baylanys_domain::TZ;
use baylanys_store::{Store, StoreResult};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{KpiQuery, Kpis};

/// One local (Asia/Almaty) day's KPIs.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Day {
    pub date: NaiveDate,
    pub kpis: Kpis,
}

/// The KPIs of the period, per queue and per operator.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Breakdown {
    pub total: Kpis,
    pub queues: Vec<Slice>,
    pub operators: Vec<Slice>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Slice {
    pub id: Uuid,
    pub kpis: Kpis,
}

fn midnight(d: NaiveDate) -> DateTime<Utc> {
    TZ.from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| d.and_time(chrono::NaiveTime::MIN).and_utc())
}

/// The local day `at` falls on, and its bounds.
pub fn local_day(at: DateTime<Utc>) -> (NaiveDate, DateTime<Utc>, DateTime<Utc>) {
    let d = at.with_timezone(&TZ).date_naive();
    (d, midnight(d), midnight(d + chrono::Days::new(1)))
}

/// The KPIs of each local day the period touches (at most 366), from kept totals where they
/// hold them (see [`crate::kept`]).
pub async fn series(
    store: &dyn Store,
    q: &KpiQuery,
    refresh: chrono::Duration,
) -> StoreResult<Vec<Day>> {
    crate::kept::series(store, q, refresh).await
}

/// The period's KPIs, and the same for each queue and each operator that had any.
pub async fn breakdown(
    store: &dyn Store,
    q: &KpiQuery,
    refresh: chrono::Duration,
) -> StoreResult<Breakdown> {
    crate::kept::breakdown(store, q, refresh).await
}

/// The columns of the per-day table: heading (kk, ru) and how to read the figure.
type Column = (&'static str, &'static str, fn(&Kpis) -> Option<f64>);

const COLUMNS: [Column; 12] = [
    ("Өтініштер", "Обращения", |k| {
        Some(k.appeals_received as f64)
    }),
    ("Қоңыраулар", "Звонки", |k| {
        Some(k.calls_entered as f64)
    }),
    (
        "Жоғалған қоңыраулар, %",
        "Потерянные звонки, %",
        |k| k.lost_calls_pct.value,
    ),
    ("Күту, сек", "Ожидание, сек", |k| {
        k.wait_after_ivr_secs.value
    }),
    (
        "Қызмет деңгейі, %",
        "Уровень обслуживания, %",
        |k| k.service_level_pct.value,
    ),
    ("CSAT, балл", "CSAT, балл", |k| k.csat_mean.value),
    ("CSAT 4–5, %", "CSAT 4–5, %", |k| k.csat_share_pct.value),
    ("FCR, %", "FCR, %", |k| k.fcr_pct.value),
    ("Дәлдік, %", "Точность, %", |k| {
        k.accuracy_pct.value
    }),
    ("AHT, мин", "AHT, мин", |k| k.aht_minutes.value),
    (
        "Алғашқы жауап, сек",
        "Первый ответ, сек",
        |k| k.first_response_secs.value,
    ),
    (
        "Расталған шағымдар",
        "Подтверждённые жалобы",
        |k| Some(k.complaints_confirmed as f64),
    ),
];

/// The per-day table as CSV (UTF-8 with a byte-order mark), headings in Russian and Kazakh.
pub fn series_csv(days: &[Day]) -> String {
    let mut out = String::from("\u{feff}Күні / Дата");
    for (kk, ru, _) in COLUMNS {
        out.push(',');
        out.push_str(&format!("\"{kk} / {ru}\""));
    }
    out.push_str("\r\n");
    for d in days {
        out.push_str(&d.date.format("%Y-%m-%d").to_string());
        for (_, _, get) in COLUMNS {
            out.push(',');
            if let Some(v) = get(&d.kpis) {
                out.push_str(&v.to_string());
            }
        }
        out.push_str("\r\n");
    }
    out
}

/// The per-day table as an XLSX workbook, one row per day, numbers as numbers.
pub fn series_xlsx(days: &[Day]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("KPI")?;
    let bold = Format::new().set_bold().set_text_wrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    sheet.write_with_format(0, 0, "Күні / Дата", &bold)?;
    sheet.set_column_width(0, 12)?;
    for (i, (kk, ru, _)) in COLUMNS.iter().enumerate() {
        let c = u16::try_from(i + 1).unwrap_or(u16::MAX);
        sheet.write_with_format(0, c, format!("{kk} / {ru}"), &bold)?;
        sheet.set_column_width(c, 16)?;
    }
    for (r, d) in days.iter().enumerate() {
        let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
        sheet.write_with_format(
            r,
            0,
            &rust_xlsxwriter::ExcelDateTime::parse_from_str(
                &d.date.format("%Y-%m-%d").to_string(),
            )?,
            &date,
        )?;
        for (i, (_, _, get)) in COLUMNS.iter().enumerate() {
            let c = u16::try_from(i + 1).unwrap_or(u16::MAX);
            if let Some(v) = get(&d.kpis) {
                sheet.write(r, c, v)?;
            }
        }
    }
    book.save_to_buffer()
}
