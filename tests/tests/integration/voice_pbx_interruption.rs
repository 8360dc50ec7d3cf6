//! A service interruption through a real PBX (issue "The phone", point 8 and its test list;
//! R34): RustPBX here has no speech synthesiser, so the administrators' recording of the
//! notice in Kazakh is what a caller hears first — RustPBX's own log shows it played before the
//! menu's prompt — and the caller then goes on through the menu to the queue as on any day.
//! Switched off, the next caller hears the menu alone. The notice's text, which this PBX cannot
//! speak, is still what the web chat and the other channels show (`service_interruption`).

use std::time::Duration;

use baylanys_tests::pbx::{centre_with_pbx, contact_in_state, kk_menu, silence_wav};
use serde_json::json;

/// The lines of RustPBX's log that start playing `file`.
fn played(log: &str, file: &str) -> Vec<usize> {
    log.lines()
        .enumerate()
        .filter(|(_, l)| l.contains("Playback started") && l.contains(file))
        .map(|(i, _)| i)
        .collect()
}

#[tokio::test]
async fn the_pbx_plays_the_interruption_first() -> anyhow::Result<()> {
    let (app, pbx) = centre_with_pbx().await?;
    kk_menu(&app, &pbx, None).await?;
    let notice = pbx.dir.join("notice-kk.wav");
    silence_wav(&notice)?;
    let notice_file = notice.display().to_string();
    let menu_file = pbx.dir.join("menu-kk.wav").display().to_string();
    let r = app
        .put(
            "/api/v1/ivr/notice",
            app.admin(),
            json!({
                "active": true,
                "kk": "Байланыс орталығында техникалық үзіліс.",
                "ru": "В контакт-центре технический перерыв.",
                "kk_audio_url": format!("file://{notice_file}"),
            }),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);

    // The caller waits past both prompts (a second each), presses 2 and is queued; hangs up.
    let mut caller = pbx.call("77011230041", '2', 4500, 9000)?;
    contact_in_state(&app, "77011230041", "queued").await?;
    let done = tokio::time::timeout(Duration::from_secs(60), caller.wait()).await??;
    assert!(done.success(), "the caller: {done}\n{}", pbx.log());
    let log = pbx.log();
    let notice_at = played(&log, &notice_file);
    let menu_at = played(&log, &menu_file);
    assert_eq!(notice_at.len(), 1, "the notice played once:\n{log}");
    assert!(
        menu_at.first().is_some_and(|m| *m > notice_at[0]),
        "the menu after the notice:\n{log}"
    );
    contact_in_state(&app, "77011230041", "abandoned").await?;

    // Off: the next caller hears the menu alone and reaches the queue.
    let r = app
        .put(
            "/api/v1/ivr/notice",
            app.admin(),
            json!({"active": false, "kk": "Байланыс орталығында техникалық үзіліс.", "ru": "В контакт-центре технический перерыв.",
                   "kk_audio_url": format!("file://{notice_file}")}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut caller = pbx.call("77011230042", '2', 2500, 7000)?;
    contact_in_state(&app, "77011230042", "queued").await?;
    let done = tokio::time::timeout(Duration::from_secs(60), caller.wait()).await??;
    assert!(done.success(), "the second caller: {done}\n{}", pbx.log());
    let log = pbx.log();
    assert_eq!(
        played(&log, &notice_file).len(),
        1,
        "no notice once off:\n{log}"
    );
    assert_eq!(played(&log, &menu_file).len(), 2, "{log}");
    Ok(())
}
