//! One integration-test binary (compile time): the real server on a random port, against
//! SQLite and PostgreSQL. Each scenario runs on both backends via `both!`.

mod body_webhooks;
mod boqbe;
mod browser;
mod cluster;
mod complaints;
mod conformance;
mod conformance_outbox;
mod contracts;
mod deadlines;
mod demo;
mod http_auth;
mod http_calendar;
mod http_canned;
mod http_dispatch;
mod http_errors;
mod http_flow;
mod http_roles;
mod http_routing;
mod kpis;
mod kpis_kept;
mod kpis_paths;
mod notifications;
mod parts;
pub mod process;
mod qa;
mod redirections;
mod replies;
mod routing_engine;
mod survey_links;
mod surveys;
mod templates;
mod verification;
mod workers;
mod ws_chat;
mod ws_chat_frames;
mod ws_operator;
