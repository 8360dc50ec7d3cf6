//! The console, the citizens' chat page and the embeddable widget, compiled into the binary so
//! a fresh machine needs nothing else. `/console` is the single window; this first cut signs in, sets presence,
//! answers offers and shows supervisors the live view; `/oversight.js` adds the supervisors'
//! complaint analytics (R10); `/deliveries.js` shows how notices and redirections went out and
//! lets supervisors retry the failed ones (R6); `/parts.js` proposes the bodies competent for an
//! appeal's topic, splits an appeal into parts and lists them (R30); `/dashboard.js` shows
//! supervisors today's KPIs live and their history against the bands (R35) and prepares the
//! semi-annual БОҚБЕ report (R36); `/qa.js` lets supervisors review a sample of contacts against
//! the scorecard and calibrate, and operators read their own reviews (R26–R28, KPI 2);
//! `/frame.js` lays the console out in three panes with views, action tabs and keyboard
//! shortcuts, and `/fields.js` sets an appeal's kind, topic and priority (issue 14);
//! `/knowledge.js` suggests knowledge-base articles beside the conversation, inserts them into
//! the reply with their source, and shows supervisors the usage panel; `/articles.js` is the
//! editors' view: articles written, reviewed, published and archived, versions compared
//! (issue 18). `/help` is the
//! citizens' self-service pages: published articles searched, listed by topic and read in
//! Kazakh, Russian or English, and whether one helped (issue 18; clause 3.15, R12.3).

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

const CONSOLE_HTML: &str = include_str!("../../static/console.html");
const CONSOLE_JS: &str = include_str!("../../static/console.js");
const OVERSIGHT_JS: &str = include_str!("../../static/oversight.js");
const DELIVERIES_JS: &str = include_str!("../../static/deliveries.js");
const MAIL_JS: &str = include_str!("../../static/mail.js");
const TELEGRAM_JS: &str = include_str!("../../static/telegram.js");
const VOICE_JS: &str = include_str!("../../static/voice.js");
const INTERRUPTION_JS: &str = include_str!("../../static/interruption.js");
const PARTS_JS: &str = include_str!("../../static/parts.js");
const DASHBOARD_JS: &str = include_str!("../../static/dashboard.js");
const QA_JS: &str = include_str!("../../static/qa.js");
const FRAME_JS: &str = include_str!("../../static/frame.js");
const FIELDS_JS: &str = include_str!("../../static/fields.js");
const KNOWLEDGE_JS: &str = include_str!("../../static/knowledge.js");
const ARTICLES_JS: &str = include_str!("../../static/articles.js");
const CHAT_HTML: &str = include_str!("../../static/chat.html");
const WIDGET_JS: &str = include_str!("../../static/widget.js");
const HELP_HTML: &str = include_str!("../../static/help.html");
const HELP_JS: &str = include_str!("../../static/help.js");

/// Pages must not be framed by other sites, and scripts come only from this origin. Audio may
/// also play from `blob:`: a call's recording is fetched with the session's token and played
/// from memory (an `<audio>` element cannot send the token).
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   connect-src 'self'; media-src 'self' blob:; frame-ancestors 'none'";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/console", get(console))
        .route("/console.js", get(|| script(CONSOLE_JS)))
        .route("/oversight.js", get(|| script(OVERSIGHT_JS)))
        .route("/deliveries.js", get(|| script(DELIVERIES_JS)))
        .route("/mail.js", get(|| script(MAIL_JS)))
        .route("/telegram.js", get(|| script(TELEGRAM_JS)))
        .route("/voice.js", get(|| script(VOICE_JS)))
        .route("/interruption.js", get(|| script(INTERRUPTION_JS)))
        .route("/parts.js", get(|| script(PARTS_JS)))
        .route("/dashboard.js", get(|| script(DASHBOARD_JS)))
        .route("/qa.js", get(|| script(QA_JS)))
        .route("/frame.js", get(|| script(FRAME_JS)))
        .route("/fields.js", get(|| script(FIELDS_JS)))
        .route("/knowledge.js", get(|| script(KNOWLEDGE_JS)))
        .route("/articles.js", get(|| script(ARTICLES_JS)))
        .route("/chat", get(chat))
        .route("/widget.js", get(widget_js))
        .route("/help", get(help))
        .route("/help.js", get(|| script(HELP_JS)))
}

async fn console() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::X_FRAME_OPTIONS, "DENY"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        CONSOLE_HTML,
    )
}

async fn chat() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        CHAT_HTML,
    )
}

async fn help() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        HELP_HTML,
    )
}

/// Embedded on other sites, so it may be loaded cross-origin; the socket it opens goes back to
/// this server.
async fn widget_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=300"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        WIDGET_JS,
    )
}

/// The console's scripts: text, never cached stale across a deploy.
async fn script(body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
}
