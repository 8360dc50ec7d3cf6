//! Sessions: tokens expire, logout revokes, a disabled account or a new password ends every
//! session at once.

use std::time::Duration;

use baylanys_api::ApiConfig;
use baylanys_tests::{both, Backend, TestApp, TEST_COST};
use reqwest::{Method, StatusCode};
use serde_json::json;

both!(revocation);

async fn revocation(app: TestApp) -> anyhow::Result<()> {
    let (op_id, op) = app.staff("op", "operator", None).await?;
    let second = app.login("op", "op-password").await?;
    // Logout revokes only the token it was called with.
    let r = app
        .call(Method::POST, "/api/v1/auth/logout", Some(&op), None)
        .await?;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/v1/auth/me", &op).await?.status,
        StatusCode::UNAUTHORIZED
    );
    let r = app
        .call(Method::POST, "/api/v1/auth/logout", Some(&op), None)
        .await?;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "a revoked token cannot log out again"
    );
    assert_eq!(
        app.get("/api/v1/auth/me", &second).await?.status,
        StatusCode::OK
    );
    // A new password ends every session; the new password works, the old one not.
    let r = app
        .patch(
            &format!("/api/v1/staff/{op_id}"),
            app.admin(),
            json!({"password": "a-brand-new-password"}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        app.get("/api/v1/auth/me", &second).await?.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(app.login("op", "op-password").await.is_err());
    let third = app.login("op", "a-brand-new-password").await?;
    // Disabling the account ends its sessions and refuses login.
    let r = app
        .patch(
            &format!("/api/v1/staff/{op_id}"),
            app.admin(),
            json!({"active": false}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["active"], false);
    let r = app.get("/api/v1/auth/me", &third).await?;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.problem(), "/problems/unauthorized");
    assert!(app.login("op", "a-brand-new-password").await.is_err());
    // Admins cannot lock themselves out.
    let admin_id = app.get("/api/v1/auth/me", app.admin()).await?.id();
    let r = app
        .patch(
            &format!("/api/v1/staff/{admin_id}"),
            app.admin(),
            json!({"active": false}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Malformed Authorization headers.
    for header in ["Basic YWRtaW46eA==", "Bearer", "Bearer ", "token"] {
        let r = app
            .http
            .get(format!("{}/api/v1/auth/me", app.base))
            .header("authorization", header)
            .send()
            .await?;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{header}");
        assert_eq!(
            r.headers().get("www-authenticate").map(|v| v.as_bytes()),
            Some(&b"Bearer"[..])
        );
    }
    Ok(())
}

async fn expiry(backend: Backend) -> anyhow::Result<()> {
    let app = TestApp::spawn_with(
        backend,
        ApiConfig {
            token_ttl: Duration::from_secs(2),
            hash_cost: TEST_COST,
            ..ApiConfig::default()
        },
    )
    .await?;
    let token = app.login("admin", baylanys_tests::ADMIN_PASSWORD).await?;
    assert_eq!(
        app.get("/api/v1/auth/me", &token).await?.status,
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(2200)).await;
    let r = app.get("/api/v1/auth/me", &token).await?;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.problem(), "/problems/unauthorized");
    Ok(())
}

#[tokio::test]
async fn tokens_expire_sqlite() -> anyhow::Result<()> {
    expiry(Backend::Sqlite).await
}

#[tokio::test]
async fn tokens_expire_postgres() -> anyhow::Result<()> {
    expiry(Backend::Postgres).await
}

/// Password guessing: after too many failures a login is locked for a while, whatever the
/// password, and other logins are unaffected.
async fn lockout(backend: Backend) -> anyhow::Result<()> {
    let app = TestApp::spawn_with(
        backend,
        ApiConfig {
            hash_cost: TEST_COST,
            max_failed_logins: 3,
            lockout: Duration::from_secs(2),
            ..ApiConfig::default()
        },
    )
    .await?;
    app.staff("op", "operator", None).await?;
    let before = app.event_count().await?;
    let attempt = |password: &'static str| {
        let app = &app;
        async move {
            app.call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(&json!({"login": "op", "password": password})),
            )
            .await
        }
    };
    for _ in 0..3 {
        assert_eq!(
            attempt("wrong-password").await?.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let r = app
        .http
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({"login": "op", "password": "op-password"}))
        .send()
        .await?;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().get("retry-after").is_some());
    let body: serde_json::Value = r.json().await?;
    assert_eq!(body["type"], "/problems/too-many-attempts");
    assert_eq!(
        app.event_count().await?,
        before,
        "failed logins write nothing"
    );
    // Another account is not affected.
    assert!(app
        .login("admin", baylanys_tests::ADMIN_PASSWORD)
        .await
        .is_ok());
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert!(
        app.login("op", "op-password").await.is_ok(),
        "unlocked after the window"
    );
    Ok(())
}

#[tokio::test]
async fn lockout_sqlite() -> anyhow::Result<()> {
    lockout(Backend::Sqlite).await
}

#[tokio::test]
async fn lockout_postgres() -> anyhow::Result<()> {
    lockout(Backend::Postgres).await
}
