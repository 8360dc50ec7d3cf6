//! `baylanys`: the contact-centre server and its admin commands. With no configuration it runs
//! on an embedded SQLite file; `BAYLANYS_DATABASE_URL=postgres://…` runs the same on PostgreSQL.

mod commands;
mod config;
mod demo;
mod directory;
mod knowledge;
mod serve;

use std::path::PathBuf;

use baylanys_domain::Role;
use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "baylanys",
    version,
    about = "Omnichannel contact-centre backend (Order 443/НҚ)"
)]
struct Cli {
    /// Configuration file (default: ./baylanys.toml if present; also BAYLANYS_CONFIG).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Manage staff accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Play a stretch of live traffic against a running server.
    ///
    /// Citizens on every channel through the server's API and web chat, operators answering,
    /// redirections, complaints, surveys; staff and topics named `demo-…` are created when
    /// missing.
    Demo(demo::Args),
    /// Import a folder of Markdown articles into a running server's knowledge base, or export
    /// them (one file per article and language, YAML front matter).
    Knowledge(knowledge::Args),
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a staff account. The password is read from BAYLANYS_USER_PASSWORD, or from the
    /// first line of standard input with --password-stdin, or generated and printed once.
    Add {
        #[arg(long)]
        login: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Display name (default: the login).
        #[arg(long)]
        name: Option<String>,
        /// For body officers: the id of their administrative body.
        #[arg(long)]
        body_id: Option<uuid::Uuid>,
        #[arg(long)]
        password_stdin: bool,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse()
        .map_err(|e: baylanys_domain::DomainError| e.to_string())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // The demo is a client of a server elsewhere: it reads no server configuration.
    let load_config = || config::Config::load(cli.config.as_deref());
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve::run(load_config()?).await,
        Command::Migrate => commands::migrate(load_config()?).await,
        Command::User {
            command:
                UserCommand::Add {
                    login,
                    role,
                    name,
                    body_id,
                    password_stdin,
                },
        } => commands::add_user(load_config()?, login, role, name, body_id, password_stdin).await,
        Command::Openapi => commands::print_openapi(),
        Command::Demo(args) => demo::run(args).await,
        Command::Knowledge(args) => knowledge::run(args).await,
    }
}
