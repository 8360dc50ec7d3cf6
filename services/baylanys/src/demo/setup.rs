//! The cast and the scenery, set up through the admin API and only where missing, so a second
//! run reuses the first one's: demo topics by code, operators `demo-op-N`, a supervisor, one
//! officer per ministry the demo redirects to (`demo-body-N`), and those ministries'
//! competence for the demo topics. The seeded directory of bodies is used as it is.

use std::collections::{BTreeSet, HashMap};

use anyhow::Context;
use baylanys_domain::router::Presence;
use baylanys_domain::{AppealStatus, InteractionState, Language, Role};
use baylanys_proto::{
    AppealDetail, AppealPage, BodyTopics, BodyView, Capacity, CreateStaff, CreateTopic, LiveView,
    QueueOpenView, RoutingTable, SetPresence, SkillDto, StaffView, TopicView, UpdateStaff,
};
use serde::de::IgnoredAny;
use uuid::Uuid;

use super::api::{Api, Empty, Session};
use super::content::{TopicSpec, OFFICERS, OPERATORS, SUPERVISOR, TOPICS};

/// A demo topic as it exists on the server, with the ministry competent for it.
#[derive(Debug)]
pub struct Topic {
    pub id: Uuid,
    pub spec: &'static TopicSpec,
    pub body: Option<Uuid>,
}

/// Everyone the demo acts as, signed in.
pub struct Cast {
    /// Also plays the voice menu, which registers each call before it queues (an admin holds
    /// no routable capacity, so those registrations take no operator's line).
    pub admin: Session,
    pub supervisor: Session,
    pub operators: Vec<Session>,
    /// Body officers by body.
    pub officers: HashMap<Uuid, Session>,
    pub topics: Vec<Topic>,
    /// Of every demo account, for the console.
    pub password: String,
}

impl std::fmt::Debug for Cast {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cast")
            .field("operators", &self.operators)
            .field("officers", &self.officers.len())
            .field("topics", &self.topics.len())
            .finish_non_exhaustive()
    }
}

pub async fn stage(
    api: &Api,
    admin_password: &str,
    password: String,
    operators: usize,
) -> anyhow::Result<Cast> {
    let admin = api.login("admin", admin_password).await.with_context(|| {
        format!(
            "signing in as admin at {}: is the server running, and is the password \
                 (--admin-password or BAYLANYS_ADMIN_PASSWORD) right?",
            api.base()
        )
    })?;
    check_queue(&admin).await;
    let topics = topics(&admin).await?;
    let bodies: Vec<BodyView> = admin.get("/api/v1/bodies").await?;
    let topics: Vec<Topic> = topics
        .into_iter()
        .map(|(spec, id)| Topic {
            id,
            spec,
            body: bodies
                .iter()
                .find(|b| b.active && b.name_ru.contains(spec.body_hint))
                .map(|b| b.id),
        })
        .collect();
    competence(&admin, &topics).await?;

    let existing: HashMap<String, StaffView> = admin
        .get::<Vec<StaffView>>("/api/v1/staff")
        .await?
        .into_iter()
        .map(|s| (s.login.clone(), s))
        .collect();
    let skills: Vec<SkillDto> = topics
        .iter()
        .enumerate()
        .map(|(i, t)| SkillDto {
            topic_id: t.id,
            level: 2 + (i % 4) as u8,
        })
        .collect();
    let account = |login: &str, name: &str, role: Role| Account {
        login: login.to_owned(),
        name: name.to_owned(),
        role,
        body_id: None,
        languages: vec![Language::Kk, Language::Ru],
        skills: Vec::new(),
        capacity: None,
    };
    let mut cast_ops = Vec::new();
    for (login, name, languages, chats) in OPERATORS.iter().take(operators) {
        let a = Account {
            languages: languages.to_vec(),
            skills: skills.clone(),
            capacity: Some(Capacity {
                web_chat: *chats,
                email: 5,
                telegram: 0,
                voice: 1,
                in_person: 1,
            }),
            ..account(login, name, Role::Operator)
        };
        let s = enlist(api, &admin, &existing, &a, &password).await?;
        // On shift: the router offers contacts to online operators only.
        s.put::<IgnoredAny, _>(
            "/api/v1/auth/me/presence",
            &SetPresence {
                presence: Presence::Online,
            },
        )
        .await?;
        cast_ops.push(s);
    }
    release(&admin, &cast_ops).await;
    let supervisor = enlist(
        api,
        &admin,
        &existing,
        &account(SUPERVISOR.0, SUPERVISOR.1, Role::Supervisor),
        &password,
    )
    .await?;
    let mut officers = HashMap::new();
    let used: BTreeSet<Uuid> = topics.iter().filter_map(|t| t.body).collect();
    // In the order of the directory, so `demo-body-N` stays with the same body between runs.
    for (n, body) in bodies.iter().filter(|b| used.contains(&b.id)).enumerate() {
        let a = Account {
            body_id: Some(body.id),
            ..account(
                &format!("demo-body-{}", n + 1),
                OFFICERS.get(n).copied().unwrap_or("Officer"),
                Role::BodyOfficer,
            )
        };
        officers.insert(
            body.id,
            enlist(api, &admin, &existing, &a, &password).await?,
        );
    }
    Ok(Cast {
        admin,
        supervisor,
        operators: cast_ops,
        officers,
        topics,
        password,
    })
}

/// Contacts an earlier run left in a demo operator's hands (stopped midway, e.g. by Ctrl-C)
/// would keep their line busy for good: they are ended. Only operators the live view shows
/// with a load are looked at, so a normal start costs one request.
async fn release(admin: &Session, operators: &[Session]) {
    let live: LiveView = match admin.get("/api/v1/routing/live").await {
        Ok(l) => l,
        Err(e) => return eprintln!("! {e}"),
    };
    for op in operators {
        let busy = live
            .operators
            .iter()
            .any(|o| o.staff_id == op.id() && (o.load.web_chat > 0 || o.load.voice > 0));
        if !busy {
            continue;
        }
        let id = op.id().to_string();
        let page: AppealPage = match admin
            .get_query("/api/v1/appeals", &[("assignee_id", &id), ("limit", "200")])
            .await
        {
            Ok(p) => p,
            Err(e) => return eprintln!("! {e}"),
        };
        for appeal in page
            .items
            .iter()
            .filter(|a| a.status != AppealStatus::Closed)
        {
            let Ok(d) = op
                .get::<AppealDetail>(&format!("/api/v1/appeals/{}", appeal.id))
                .await
            else {
                continue;
            };
            for i in d
                .interactions
                .iter()
                .filter(|i| i.operator_id == Some(op.id()) && i.state == InteractionState::Answered)
            {
                let path = format!("/api/v1/interactions/{}/end", i.id);
                if let Err(e) = op.post::<IgnoredAny, _>(&path, &Empty {}).await {
                    eprintln!("! {e}");
                }
            }
        }
    }
}

/// A fresh install routes everything to `main`, open round the clock; a centre set up with
/// business hours may be closed now, and then its contacts wait with the out-of-hours reply.
async fn check_queue(admin: &Session) {
    let table: RoutingTable = match admin.get("/api/v1/routing/table").await {
        Ok(t) => t,
        Err(e) => return eprintln!("! {e}"),
    };
    let Some(queue) = table.default_queue_id else {
        return eprintln!("! the routing table has no default queue: contacts may wait unplaced");
    };
    match admin
        .get::<QueueOpenView>(&format!("/api/v1/queues/{queue}/open"))
        .await
    {
        Ok(v) if !v.open => eprintln!(
            "! the default queue is closed now (its business hours): contacts will get the out-of-hours reply and wait"
        ),
        Ok(_) => {}
        Err(e) => eprintln!("! {e}"),
    }
}

async fn topics(admin: &Session) -> anyhow::Result<Vec<(&'static TopicSpec, Uuid)>> {
    let existing: Vec<TopicView> = admin.get("/api/v1/topics").await?;
    let mut out = Vec::new();
    for spec in TOPICS {
        let id = match existing.iter().find(|t| t.code == spec.code) {
            Some(t) => t.id,
            None => {
                admin
                    .post::<TopicView, _>(
                        "/api/v1/topics",
                        &CreateTopic {
                            code: spec.code.to_owned(),
                            name_kk: spec.name.0.to_owned(),
                            name_ru: spec.name.1.to_owned(),
                            name_en: Some(spec.name_en.to_owned()),
                            queue_id: None,
                        },
                    )
                    .await?
                    .id
            }
        };
        out.push((spec, id));
    }
    Ok(out)
}

/// Adds the demo topics to each ministry's competence, keeping what it already had.
async fn competence(admin: &Session, topics: &[Topic]) -> anyhow::Result<()> {
    let mut by_body: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for t in topics {
        if let Some(b) = t.body {
            by_body.entry(b).or_default().push(t.id);
        }
    }
    for (body, mine) in by_body {
        let path = format!("/api/v1/bodies/{body}/topics");
        let mut now: BodyTopics = admin.get(&path).await?;
        let missing: Vec<Uuid> = mine
            .into_iter()
            .filter(|t| !now.topic_ids.contains(t))
            .collect();
        if !missing.is_empty() {
            now.topic_ids.extend(missing);
            admin.put::<IgnoredAny, _>(&path, &now).await?;
        }
    }
    Ok(())
}

#[derive(Debug)]
struct Account {
    login: String,
    name: String,
    role: Role,
    body_id: Option<Uuid>,
    languages: Vec<Language>,
    skills: Vec<SkillDto>,
    capacity: Option<Capacity>,
}

/// Creates the account when missing, or brings an existing one back to what the demo needs
/// (with this run's password), then signs in as it.
async fn enlist(
    api: &Api,
    admin: &Session,
    existing: &HashMap<String, StaffView>,
    a: &Account,
    password: &str,
) -> anyhow::Result<Session> {
    let id = match existing.get(&a.login) {
        Some(s) => s.id,
        None => {
            admin
                .post::<StaffView, _>(
                    "/api/v1/staff",
                    &CreateStaff {
                        login: a.login.clone(),
                        password: password.to_owned(),
                        display_name: a.name.clone(),
                        role: a.role,
                        body_id: a.body_id,
                        languages: a.languages.clone(),
                        skills: a.skills.clone(),
                    },
                )
                .await?
                .id
        }
    };
    let update = UpdateStaff {
        display_name: Some(a.name.clone()),
        role: Some(a.role),
        body_id: Some(a.body_id),
        languages: Some(a.languages.clone()),
        skills: Some(a.skills.clone()),
        active: Some(true),
        password: existing.contains_key(&a.login).then(|| password.to_owned()),
        capacity: a.capacity,
        extension: None,
    };
    admin
        .patch::<IgnoredAny, _>(&format!("/api/v1/staff/{id}"), &update)
        .await?;
    Ok(api.login(&a.login, password).await?)
}
