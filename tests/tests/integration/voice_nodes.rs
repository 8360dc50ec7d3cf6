//! A call outlives the node that answered it (issue "The phone", point 1): the call's state is in
//! the database, so when the node that took the caller through the menu and into the queue dies,
//! the provider's next requests — through the load balancer, to another node — carry on where
//! the call stood: no second announcement, the operator's accept on the surviving node puts the
//! caller through.

use baylanys_api::Secret;
use baylanys_tests::twilio::Provider;
use baylanys_tests::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::json;

use crate::http_dispatch::online;
use crate::voice_twiml::offered;
use crate::voice_twiml::{kk_and_ru_menus, ok, voice_app, PUBLIC, TOKEN};

#[tokio::test]
async fn a_call_carries_on_when_its_node_dies() -> anyhow::Result<()> {
    // PostgreSQL: the nodes share it as a deployment does (an SQLite file belongs to one node).
    let first = voice_app(Backend::Postgres, Some(TOKEN)).await?;
    first.default_queue().await?;
    kk_and_ru_menus(&first).await?;
    let mut config = baylanys_tests::test_config();
    config.public_url = PUBLIC.into();
    config.twilio_auth_token = Some(Secret(TOKEN.into()));
    let second = TestApp::spawn_node_with(&first, baylanys_bus::Bus::local(), config).await?;
    let (op_id, op) = online(&second, "op", "operator", json!(["kk", "ru"]), 1).await?;
    let r = second
        .patch(
            &format!("/api/v1/staff/{op_id}"),
            second.admin(),
            json!({"extension": "sip:101@pbx.example"}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // On the first node: the menu, the queue, the first announcement.
    let sid = "CA-node";
    let (gather, wait) = {
        let tw = Provider {
            app: &first,
            token: TOKEN.into(),
            public: PUBLIC.into(),
        };
        let t = tw
            .post(
                &tw.hook("incoming"),
                &[("CallSid", sid), ("From", "+77011112233")],
            )
            .await?;
        let q = tw
            .post(
                &t.gather().unwrap_or_default(),
                &[("CallSid", sid), ("Digits", "2")],
            )
            .await?;
        assert!(q.has("Enqueue"), "{}", q.xml);
        let w = tw
            .post(&tw.hook("wait"), &[("CallSid", sid), ("QueueTime", "0")])
            .await?;
        assert!(w.said().contains("кезекте"), "{}", w.xml);
        (w.gather().unwrap_or_default(), tw.hook("wait"))
    };
    drop(first);

    // The provider's next requests reach the second node.
    let tw = Provider {
        app: &second,
        token: TOKEN.into(),
        public: PUBLIC.into(),
    };
    // Nothing pressed at the announcement: still waiting, and no second announcement yet.
    let n = tw.post(&gather, &[("CallSid", sid)]).await?;
    ok(&n)?;
    assert!(n.has("Pause") && n.says().is_empty(), "{}", n.xml);
    let contact = second
        .get("/api/v1/appeals?channel=voice&limit=1", second.admin())
        .await?
        .body["items"][0]["id"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_default();
    let detail = second
        .get(&format!("/api/v1/appeals/{contact}"), second.admin())
        .await?
        .body;
    let contact_id = detail["interactions"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    offered(&second, &op, &contact_id).await?;
    let r = second
        .post(
            &format!("/api/v1/interactions/{contact_id}/accept"),
            &op,
            json!({}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let w = tw
        .post(&wait, &[("CallSid", sid), ("QueueTime", "6")])
        .await?;
    assert!(w.has("Leave"), "{}", w.xml);
    let l = tw
        .post(
            &tw.hook("left"),
            &[
                ("CallSid", sid),
                ("QueueResult", "leave"),
                ("QueueTime", "6"),
            ],
        )
        .await?;
    assert_eq!(
        l.text_of("Sip").as_deref(),
        Some("sip:101@pbx.example"),
        "{}",
        l.xml
    );
    Ok(())
}
