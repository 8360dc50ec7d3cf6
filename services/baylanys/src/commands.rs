//! One-shot admin commands.

use std::io::BufRead;

use anyhow::Context;
use baylanys_domain::Role;
use baylanys_store::Actor;

use crate::config::Config;

pub async fn migrate(config: Config) -> anyhow::Result<()> {
    let store = baylanys_store::connect(config.database_url.expose()).await?;
    store.migrate().await?;
    println!("migrations applied ({})", store.backend());
    Ok(())
}

pub async fn add_user(
    config: Config,
    login: String,
    role: Role,
    name: Option<String>,
    body_id: Option<uuid::Uuid>,
    password_stdin: bool,
) -> anyhow::Result<()> {
    let (password, generated) = if password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        (line.trim_end_matches(['\r', '\n']).to_owned(), false)
    } else if let Ok(p) = std::env::var("BAYLANYS_USER_PASSWORD") {
        (p, false)
    } else {
        (baylanys_api::generate_password(), true)
    };
    let store = baylanys_store::connect(config.database_url.expose()).await?;
    store.migrate().await?;
    let staff = baylanys_api::create_account(
        store.as_ref(),
        config.api().hash_cost,
        baylanys_proto::CreateStaff {
            display_name: name.unwrap_or_else(|| login.clone()),
            login,
            password: password.clone(),
            role,
            body_id,
            languages: Vec::new(),
            skills: Vec::new(),
        },
        Actor::SYSTEM,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("created {} {} ({})", staff.role, staff.login, staff.id);
    if generated {
        println!("password (shown once): {password}");
    }
    Ok(())
}

pub fn print_openapi() -> anyhow::Result<()> {
    let doc = baylanys_api::openapi();
    println!("{}", doc.to_pretty_json()?);
    Ok(())
}
