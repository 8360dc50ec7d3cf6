//! The semi-annual БОҚБЕ report (R36, Appendix 2): all 28 rows in Kazakh and in Russian; rows
//! 13–20 equal to an independent computation from the raw events; the XLSX read back with a
//! spreadsheet library, the CSV parsed; profile rows from the centre's profile; the due date,
//! the status workflow and row comments; bad input a clear error that changes nothing.

use baylanys_tests::{both, TestApp};
use serde_json::{json, Value};

use crate::kpis::{all_events, generate, independent, round};

both!(boqbe_report_in_both_languages);

async fn boqbe_report_in_both_languages(app: TestApp) -> anyhow::Result<()> {
    let (log, _, _) = generate();
    log.write(&app).await?;
    let (_, sup) = app.staff("sup", "supervisor", None).await?;
    let profile = json!({
        "name_kk": "«Азаматтарға арналған үкімет» байланыс орталығы",
        "name_ru": "Контакт-центр «Правительство для граждан»",
        "founding_document": "№ 443/НҚ, 22.08.2024",
        "address_kk": "Астана қ., Мәңгілік Ел даңғылы, 8",
        "address_ru": "г. Астана, проспект Мангилик Ел, 8",
        "branches": true, "phone": "1414", "email": "cc@gov.example.kz",
        "staff_permanent": 40, "staff_non_permanent": 5,
        "software": ["IVR"], "certification_date": "2026-04-01", "certified_managers": 3,
        "workplaces_equipped": true, "auxiliary_rooms": true, "internal_regulations": true,
        "preparer": "Сейітова А. Б.", "preparer_phone": "+7 7172 00 00 00", "head": "Жұмабеков Н. К."});
    let r = app
        .put("/api/v1/settings/centre-profile", app.admin(), profile)
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        app.put("/api/v1/settings/centre-profile", &sup, json!({}))
            .await?
            .status,
        403
    );
    let r = app
        .post(
            "/api/v1/canned-replies",
            app.admin(),
            json!({"title": "eGov", "body_kk": "eGov.kz", "body_ru": "eGov.kz"}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    // Row 27 counts published articles of the knowledge base (R5.5, R22), and only those first
    // published before the period ends: this one, published today, is in 2026-H2's report.
    let r = app
        .post(
            "/api/v1/knowledge/articles",
            app.admin(),
            json!({"slug": "egov", "texts": [{"language": "kk", "title": "eGov", "body": "eGov.kz порталы"}],
                   "sources": [{"document": "«Ақпараттандыру туралы» Заң"}]}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = app
        .post(
            &format!("/api/v1/knowledge/articles/{}/state", r.id()),
            app.admin(),
            json!({"to": "published", "revision": 1}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let now = app
        .get("/api/v1/reports/boqbe/2026-H2?lang=kk", &sup)
        .await?;
    assert_eq!(now.status, 200, "{}", now.text);
    assert_eq!(
        (
            now.body["rows"][26]["value"].clone(),
            now.body["rows"][26]["amount"].clone()
        ),
        (json!("иә"), json!(1.0))
    );

    let path = "/api/v1/reports/boqbe/2026-H1";
    let kk = app.get(&format!("{path}?lang=kk"), &sup).await?;
    assert_eq!(kk.status, 200, "{}", kk.text);
    let ru = app.get(&format!("{path}?lang=ru"), &sup).await?;
    assert_eq!(ru.status, 200, "{}", ru.text);
    let rows = |r: &Value| r["rows"].as_array().cloned().unwrap_or_default();
    assert_eq!(rows(&kk.body).len(), 28);
    assert_eq!(rows(&ru.body).len(), 28);
    assert_eq!(kk.body["index"], "БОҚБЕ");
    assert_eq!(kk.body["due"], "2026-07-15");
    assert_eq!(kk.body["status"], "draft");
    assert!(kk.body["title"]
        .as_str()
        .is_some_and(|t| t.contains("қызметі бойынша есеп")));
    assert!(ru.body["title"]
        .as_str()
        .is_some_and(|t| t.contains("Отчёт о деятельности")));
    for (k, r) in rows(&kk.body).iter().zip(rows(&ru.body)) {
        assert_eq!(k["number"], r["number"]);
        assert_ne!(
            k["indicator"], r["indicator"],
            "row {} is translated",
            k["number"]
        );
        assert_eq!(
            k["amount"], r["amount"],
            "row {} has the same figure",
            k["number"]
        );
    }
    let row = |n: usize| rows(&kk.body)[n - 1].clone();
    assert_eq!(
        row(1)["value"],
        "«Азаматтарға арналған үкімет» байланыс орталығы"
    );
    assert_eq!(
        rows(&ru.body)[0]["value"],
        "Контакт-центр «Правительство для граждан»"
    );
    assert_eq!(row(4)["value"], "иә");
    assert_eq!(row(11)["value"], "40 / 5 (45)");
    assert_eq!(row(23)["value"], "01.04.2026");
    assert_eq!(row(24)["value"], "иә: 3");
    assert_eq!(
        (row(27)["value"].clone(), row(27)["amount"].clone()),
        (json!("жоқ"), json!(0.0)),
        "a canned answer is not a knowledge base, nor an article published after the period"
    );
    assert!(row(21)["value"].as_str().is_some_and(|v| v.contains("IVR")));
    assert_eq!(rows(&ru.body)[26]["value"], "нет");
    assert_eq!(rows(&ru.body)[27]["value"], "да");

    // Rows 13–20: as computed independently from the raw events of the half-year.
    let (from, to) = (
        chrono::DateTime::parse_from_rfc3339("2025-12-31T19:00:00Z")?.to_utc(),
        chrono::DateTime::parse_from_rfc3339("2026-06-30T19:00:00Z")?.to_utc(),
    );
    let mine = independent(&all_events(&app).await?, from, to);
    for (n, name) in [
        (13, "received"),
        (15, "wait"),
        (16, "csat"),
        (17, "fcr"),
        (18, "lost_pct"),
        (19, "aht"),
        (20, "complaints"),
    ] {
        assert_eq!(
            row(n)["amount"].as_f64(),
            round(mine[name]),
            "row {n} ({name})"
        );
    }
    assert!(
        row(14)["value"]
            .as_str()
            .is_some_and(|v| v.contains("телефон")),
        "{}",
        row(14)
    );

    // CSV: parses, 28 rows of 5 columns after the header.
    let csv = app.get(&format!("{path}?lang=ru&format=csv"), &sup).await?;
    assert_eq!(csv.status, 200);
    assert!(csv.content_type.starts_with("text/csv"));
    let mut reader = csv::Reader::from_reader(csv.text.trim_start_matches('\u{feff}').as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>()?;
    assert_eq!(records.len(), 28);
    assert!(records.iter().all(|r| r.len() == 5));
    assert_eq!(&records[12][0], "13");
    assert!(records[12][1].starts_with("Общее количество принятых обращений"));

    // XLSX: opens in a spreadsheet library; the table carries the same rows.
    let url = format!("{}{path}?lang=kk&format=xlsx", app.base);
    let bytes = reqwest::Client::new()
        .get(&url)
        .bearer_auth(&sup)
        .send()
        .await?
        .bytes()
        .await?;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec()))?;
    use calamine::Reader as _;
    let sheet = book.worksheet_range("БОҚБЕ")?;
    let table: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .filter(|r: &Vec<String>| r.first().is_some_and(|c| c.parse::<u32>().is_ok()))
        .collect();
    assert_eq!(table.len(), 28, "{table:?}");
    assert_eq!(table[12][1], "Қабылданған өтініштердің жалпы саны, барлығы");
    assert_eq!(table[12][3].parse::<f64>().ok(), row(13)["amount"].as_f64());
    assert!(
        sheet.rows().any(|r| r.iter().any(|c| *c == "А")),
        "the А Б В 1 row"
    );

    // HTML: a printable page with every row.
    let html = app
        .get(&format!("{path}?lang=kk&format=html"), &sup)
        .await?;
    assert!(html.content_type.starts_with("text/html"));
    assert_eq!(html.text.matches("<tr data-row=").count(), 28);
    assert!(html.text.contains("Жұмабеков Н. К."));

    // Comments and status.
    let r = app
        .put(
            &format!("{path}/comments/17"),
            &sup,
            json!({"text": "Өтініштердің 3 пайызы қайталанды"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let kk = app.get(&format!("{path}?lang=kk"), &sup).await?;
    assert_eq!(
        rows(&kk.body)[16]["comment"],
        "Өтініштердің 3 пайызы қайталанды"
    );
    let before = app.event_count().await?;
    for (bad, status) in [
        (
            app.put(&format!("{path}/comments/29"), &sup, json!({"text": "x"}))
                .await?,
            422,
        ),
        (
            app.put(&format!("{path}/comments/0"), &sup, json!({"text": "x"}))
                .await?,
            422,
        ),
        (
            app.put(
                &format!("{path}/status"),
                app.admin(),
                json!({"status": "submitted"}),
            )
            .await?,
            409,
        ),
        (
            app.put(
                &format!("{path}/status"),
                &sup,
                json!({"status": "checked"}),
            )
            .await?,
            403,
        ),
        (
            app.put(
                &format!("{path}/status"),
                app.admin(),
                json!({"status": "sent"}),
            )
            .await?,
            422,
        ),
        (
            app.get("/api/v1/reports/boqbe/2026-H3?lang=kk", &sup)
                .await?,
            422,
        ),
        (
            app.get("/api/v1/reports/boqbe/H1?lang=kk", &sup).await?,
            422,
        ),
        (app.get(&format!("{path}?lang=en"), &sup).await?, 422),
        (app.get(&format!("{path}?lang=de"), &sup).await?, 422),
        (
            app.get(&format!("{path}?lang=kk&format=pdf"), &sup).await?,
            422,
        ),
        (app.get(path, &sup).await?, 400),
    ] {
        assert_eq!(bad.status, status, "{}", bad.text);
    }
    assert_eq!(
        app.event_count().await?,
        before,
        "refused changes change nothing"
    );
    let (_, op) = app.staff("op", "operator", None).await?;
    assert_eq!(app.get(&format!("{path}?lang=kk"), &op).await?.status, 403);
    let r = app
        .put(
            &format!("{path}/status"),
            app.admin(),
            json!({"status": "checked"}),
        )
        .await?;
    assert_eq!(r.body["status"], "checked", "{}", r.text);
    let r = app
        .put(
            &format!("{path}/status"),
            app.admin(),
            json!({"status": "submitted"}),
        )
        .await?;
    assert_eq!(r.body["status"], "submitted", "{}", r.text);
    assert_eq!(r.body["overdue"], false);
    assert_eq!(r.body["comments"]["17"], "Өтініштердің 3 пайызы қайталанды");
    let r = app
        .put(&format!("{path}/comments/18"), &sup, json!({"text": "кеш"}))
        .await?;
    assert_eq!(r.status, 409, "submitted is final");
    let r = app
        .put(
            &format!("{path}/status"),
            app.admin(),
            json!({"status": "draft"}),
        )
        .await?;
    assert_eq!(r.status, 409);
    // A half-year that has not ended cannot be submitted; its due date is 15 January.
    let h2 = "/api/v1/reports/boqbe/2026-H2";
    let r = app.get(&format!("{h2}/state"), &sup).await?;
    assert_eq!(r.body["due"], "2027-01-15");
    app.put(
        &format!("{h2}/status"),
        app.admin(),
        json!({"status": "checked"}),
    )
    .await?;
    let r = app
        .put(
            &format!("{h2}/status"),
            app.admin(),
            json!({"status": "submitted"}),
        )
        .await?;
    assert_eq!(r.status, 409, "{}", r.text);
    Ok(())
}
