//! Configuration: defaults that run out of the box, then `baylanys.toml`, then `BAYLANYS_*`
//! environment variables (the fixed contract of DESIGN.md). Secrets never appear in `Debug`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use serde::Deserialize;

/// A value that must not reach a log.
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A connection URL whose password is hidden in `Debug`.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Url(String);

impl Url {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact_url(&self.0))
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub listen: String,
    /// `sqlite://…` (embedded default) or `postgres://…`.
    pub database_url: Url,
    /// Redis for fan-out across nodes; unset means the in-process bus of a single node.
    pub redis_url: Option<Url>,
    /// This deployment's name on Redis: its signals go on `<name>:signals`, so two deployments
    /// sharing one Redis keep apart.
    pub redis_prefix: String,
    /// On first start, the password of the `admin` account; generated and printed when unset.
    pub admin_password: Option<Secret>,
    /// The address citizens and bodies reach this centre at, for links and webhook signatures.
    pub public_url: String,
    pub log_format: LogFormat,
    /// `tracing` filter, e.g. `info` or `baylanys=debug,info`.
    pub log: String,
    pub token_ttl_secs: u64,
    pub body_limit_bytes: usize,
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    /// Seconds to let in-flight requests finish on SIGTERM before exiting.
    pub shutdown_grace_secs: u64,
    /// Wrong passwords allowed for one login before it is locked for `lockout_secs`.
    pub max_failed_logins: u32,
    pub lockout_secs: u64,
    /// Queue status to a waiting web-chat visitor at least this often, 1–60 s (R12.2).
    pub chat_queue_status_secs: u64,
    /// Flood limits of the public web chat.
    pub chat_visitor_messages_per_minute: u32,
    pub chat_ip_sockets: u32,
    pub chat_ip_messages_per_minute: u32,
    pub chat_ip_conversations_per_hour: u32,
    /// Reverse proxies whose `X-Forwarded-For` names the visitor's address.
    pub trusted_proxies: Vec<baylanys_api::limits::TrustedProxy>,
    /// SMTP relay for mail out (verification codes now; notifications later); unset = no mail.
    pub smtp_url: Option<Url>,
    pub mail_from: String,
    /// Twilio-compatible SMS gateway; unset = no SMS.
    pub sms_api_url: Option<String>,
    pub sms_account_sid: String,
    pub sms_auth_token: Option<Secret>,
    pub sms_from: String,
    /// The outbox (notices to clients, appeals to bodies): the wait after the first failed
    /// attempt, doubling after each up to an hour, and the attempts per channel.
    pub outbox_retry_secs: u64,
    pub outbox_max_attempts: u32,
    /// How old the kept KPI totals of today and the unsettled days may be when read (the
    /// background keeper refreshes them at this pace); 0 reads them from the log every time.
    pub kpi_refresh_secs: u64,
    /// Where the files that come with messages are kept (mail attachments, documents): a local
    /// directory, files named by their SHA-256.
    pub attachments_dir: String,
    /// An S3-compatible bucket for those files instead (several nodes then share one store):
    /// set the bucket to use it. The endpoint of one's own server (MinIO, Ceph), else AWS's.
    pub attachments_s3_bucket: Option<String>,
    pub attachments_s3_endpoint: Option<String>,
    pub attachments_s3_region: String,
    pub attachments_s3_access_key: String,
    pub attachments_s3_secret_key: Option<Secret>,
    /// The largest mail a mailbox takes whole, and the largest file kept of one, in MiB.
    pub mail_max_mib: u32,
    pub mail_file_max_mib: u32,
    /// New appeals one sender may open through one mailbox in a minute; more mails from them
    /// join their latest appeal, unanswered (a mail bomb, a looping robot).
    pub mail_per_sender_per_minute: u32,
    /// The TwiML provider's auth token (Twilio, SignalWire, Telnyx TeXML): it signs the voice
    /// webhooks; unset = the TwiML webhook answers 404.
    pub twilio_auth_token: Option<Secret>,
    /// The TwiML provider's account id (`AC…`): with the auth token, it fetches the recordings
    /// of recorded calls from the provider.
    pub twilio_account_sid: String,
    /// The provider's REST address (Twilio's, or a compatible provider's).
    pub twilio_api_url: String,
    /// Days a call's recording is kept before its audio is deleted (R33).
    pub recording_retention_days: u32,
    /// The token RustPBX's step IVR sends in `X-Baylanys-Token` (its route's `app_params.headers`);
    /// unset = the RustPBX webhooks answer 404.
    pub rustpbx_token: Option<Secret>,
    /// Text prompts are spoken by RustPBX's synthesiser (a `tts` driver in its route); `false`:
    /// only recorded prompts play.
    pub rustpbx_tts: bool,
    /// RustPBX's call control (RWI), `ws://host:port/rwi/v1`: with it the centre places
    /// callbacks itself (R13); unset = operators call from their phones and record outcomes.
    pub rustpbx_rwi_url: Option<String>,
    /// One of the PBX's `[[rwi.tokens]]`.
    pub rustpbx_rwi_token: Option<Secret>,
    /// The SIP URI a client's number is dialled as, `{number}` standing for it.
    pub rustpbx_dial: String,
    /// The PBX trunk placed calls leave by (its name in `[proxy.trunks]`), if any.
    pub rustpbx_trunk: Option<String>,
    /// The number clients see when the centre calls them; required with the call control.
    pub voice_caller_id: String,
    /// Seconds a client's phone rings before the attempt counts as not answered.
    pub voice_ring_secs: u32,
    /// The language a call starts in: `kk` (default), `ru` or `en`.
    pub voice_language: String,
    /// Seconds between announcements to a waiting caller: 60 or more (R12.2, "at intervals of
    /// at least one minute").
    pub voice_announce_secs: u32,
    /// When clients may be called back, local time, on working days (R13.5): `HH:MM-HH:MM`.
    pub voice_calling_hours: String,
    /// Seconds after which after-contact work ends by itself, as the operator's "finish" would
    /// (the handling time of report row 19 stops there); 0: only the operator ends it.
    pub wrap_up_limit_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        let api = baylanys_api::ApiConfig::default();
        Config {
            listen: "127.0.0.1:8080".into(),
            database_url: Url("sqlite://./data/baylanys.db".into()),
            redis_url: None,
            redis_prefix: "baylanys".into(),
            admin_password: None,
            public_url: "http://127.0.0.1:8080".into(),
            log_format: LogFormat::Text,
            log: "info".into(),
            token_ttl_secs: api.token_ttl.as_secs(),
            body_limit_bytes: api.body_limit,
            argon2_memory_kib: api.hash_cost.memory_kib,
            argon2_iterations: api.hash_cost.iterations,
            shutdown_grace_secs: 20,
            max_failed_logins: api.max_failed_logins,
            lockout_secs: api.lockout.as_secs(),
            chat_queue_status_secs: api.chat.queue_status_every.as_secs(),
            chat_visitor_messages_per_minute: api.chat.visitor_messages_per_minute,
            chat_ip_sockets: api.chat.ip_sockets,
            chat_ip_messages_per_minute: api.chat.ip_messages_per_minute,
            chat_ip_conversations_per_hour: api.chat.ip_conversations_per_hour,
            trusted_proxies: api.chat.trusted_proxies,
            smtp_url: None,
            mail_from: "Contact centre <noreply@localhost>".into(),
            sms_api_url: None,
            sms_account_sid: String::new(),
            sms_auth_token: None,
            sms_from: String::new(),
            outbox_retry_secs: 30,
            outbox_max_attempts: 8,
            kpi_refresh_secs: api.kpi_refresh.as_secs(),
            attachments_dir: "./data/attachments".into(),
            attachments_s3_bucket: None,
            attachments_s3_endpoint: None,
            attachments_s3_region: "us-east-1".into(),
            attachments_s3_access_key: String::new(),
            attachments_s3_secret_key: None,
            mail_max_mib: 64,
            mail_file_max_mib: 10,
            mail_per_sender_per_minute: 5,
            twilio_auth_token: None,
            twilio_account_sid: String::new(),
            twilio_api_url: "https://api.twilio.com".into(),
            recording_retention_days: 365,
            rustpbx_token: None,
            rustpbx_tts: false,
            rustpbx_rwi_url: None,
            rustpbx_rwi_token: None,
            rustpbx_dial: "sip:{number}@127.0.0.1".into(),
            rustpbx_trunk: None,
            voice_caller_id: String::new(),
            voice_ring_secs: 30,
            voice_language: "kk".into(),
            voice_announce_secs: 60,
            voice_calling_hours: "09:00-20:00".into(),
            wrap_up_limit_secs: 180,
        }
    }
}

impl Config {
    /// Loads the file (if any) and applies the environment on top.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Config> {
        let explicit = path.is_some() || std::env::var_os("BAYLANYS_CONFIG").is_some();
        let path: PathBuf = path
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("BAYLANYS_CONFIG").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("baylanys.toml"));
        let mut config = match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str::<Config>(&text)
                .with_context(|| format!("reading {}", path.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => Config::default(),
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        config.apply_env(|k| std::env::var(k).ok())?;
        config.check()?;
        Ok(config)
    }

    fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        fn num<T: std::str::FromStr>(key: &str, v: String) -> anyhow::Result<T> {
            v.parse()
                .map_err(|_| anyhow::anyhow!("{key} must be a number, got {v:?}"))
        }
        if let Some(v) = get("BAYLANYS_LISTEN") {
            self.listen = v;
        }
        if let Some(v) = get("BAYLANYS_DATABASE_URL") {
            self.database_url = Url(v);
        }
        if let Some(v) = get("BAYLANYS_REDIS_URL") {
            self.redis_url = (!v.is_empty()).then_some(Url(v));
        }
        if let Some(v) = get("BAYLANYS_REDIS_PREFIX") {
            self.redis_prefix = v;
        }
        if let Some(v) = get("BAYLANYS_ADMIN_PASSWORD") {
            self.admin_password = (!v.is_empty()).then_some(Secret(v));
        }
        if let Some(v) = get("BAYLANYS_PUBLIC_URL") {
            self.public_url = v;
        }
        if let Some(v) = get("BAYLANYS_LOG_FORMAT") {
            self.log_format = match v.as_str() {
                "text" => LogFormat::Text,
                "json" => LogFormat::Json,
                other => bail!("BAYLANYS_LOG_FORMAT must be text or json, got {other:?}"),
            };
        }
        if let Some(v) = get("BAYLANYS_LOG") {
            self.log = v;
        }
        if let Some(v) = get("BAYLANYS_TOKEN_TTL_SECS") {
            self.token_ttl_secs = num("BAYLANYS_TOKEN_TTL_SECS", v)?;
        }
        if let Some(v) = get("BAYLANYS_BODY_LIMIT_BYTES") {
            self.body_limit_bytes = num("BAYLANYS_BODY_LIMIT_BYTES", v)?;
        }
        if let Some(v) = get("BAYLANYS_ARGON2_MEMORY_KIB") {
            self.argon2_memory_kib = num("BAYLANYS_ARGON2_MEMORY_KIB", v)?;
        }
        if let Some(v) = get("BAYLANYS_ARGON2_ITERATIONS") {
            self.argon2_iterations = num("BAYLANYS_ARGON2_ITERATIONS", v)?;
        }
        if let Some(v) = get("BAYLANYS_MAX_FAILED_LOGINS") {
            self.max_failed_logins = num("BAYLANYS_MAX_FAILED_LOGINS", v)?;
        }
        if let Some(v) = get("BAYLANYS_LOCKOUT_SECS") {
            self.lockout_secs = num("BAYLANYS_LOCKOUT_SECS", v)?;
        }
        if let Some(v) = get("BAYLANYS_SHUTDOWN_GRACE_SECS") {
            self.shutdown_grace_secs = num("BAYLANYS_SHUTDOWN_GRACE_SECS", v)?;
        }
        if let Some(v) = get("BAYLANYS_OUTBOX_RETRY_SECS") {
            self.outbox_retry_secs = num("BAYLANYS_OUTBOX_RETRY_SECS", v)?;
        }
        if let Some(v) = get("BAYLANYS_OUTBOX_MAX_ATTEMPTS") {
            self.outbox_max_attempts = num("BAYLANYS_OUTBOX_MAX_ATTEMPTS", v)?;
        }
        if let Some(v) = get("BAYLANYS_KPI_REFRESH_SECS") {
            self.kpi_refresh_secs = num("BAYLANYS_KPI_REFRESH_SECS", v)?;
        }
        if let Some(v) = get("BAYLANYS_ATTACHMENTS_DIR") {
            self.attachments_dir = v;
        }
        if let Some(v) = get("BAYLANYS_ATTACHMENTS_S3_BUCKET") {
            self.attachments_s3_bucket = (!v.is_empty()).then_some(v);
        }
        if let Some(v) = get("BAYLANYS_ATTACHMENTS_S3_ENDPOINT") {
            self.attachments_s3_endpoint = (!v.is_empty()).then_some(v);
        }
        if let Some(v) = get("BAYLANYS_ATTACHMENTS_S3_REGION") {
            self.attachments_s3_region = v;
        }
        if let Some(v) = get("BAYLANYS_ATTACHMENTS_S3_ACCESS_KEY") {
            self.attachments_s3_access_key = v;
        }
        if let Some(v) = get("BAYLANYS_ATTACHMENTS_S3_SECRET_KEY") {
            self.attachments_s3_secret_key = (!v.is_empty()).then_some(Secret(v));
        }
        if let Some(v) = get("BAYLANYS_MAIL_MAX_MIB") {
            self.mail_max_mib = num("BAYLANYS_MAIL_MAX_MIB", v)?;
        }
        if let Some(v) = get("BAYLANYS_MAIL_FILE_MAX_MIB") {
            self.mail_file_max_mib = num("BAYLANYS_MAIL_FILE_MAX_MIB", v)?;
        }
        if let Some(v) = get("BAYLANYS_MAIL_PER_SENDER_PER_MINUTE") {
            self.mail_per_sender_per_minute = num("BAYLANYS_MAIL_PER_SENDER_PER_MINUTE", v)?;
        }
        if let Some(v) = get("BAYLANYS_CHAT_QUEUE_STATUS_SECS") {
            self.chat_queue_status_secs = num("BAYLANYS_CHAT_QUEUE_STATUS_SECS", v)?;
        }
        if let Some(v) = get("BAYLANYS_CHAT_VISITOR_MESSAGES_PER_MINUTE") {
            self.chat_visitor_messages_per_minute =
                num("BAYLANYS_CHAT_VISITOR_MESSAGES_PER_MINUTE", v)?;
        }
        if let Some(v) = get("BAYLANYS_CHAT_IP_SOCKETS") {
            self.chat_ip_sockets = num("BAYLANYS_CHAT_IP_SOCKETS", v)?;
        }
        if let Some(v) = get("BAYLANYS_CHAT_IP_MESSAGES_PER_MINUTE") {
            self.chat_ip_messages_per_minute = num("BAYLANYS_CHAT_IP_MESSAGES_PER_MINUTE", v)?;
        }
        if let Some(v) = get("BAYLANYS_CHAT_IP_CONVERSATIONS_PER_HOUR") {
            self.chat_ip_conversations_per_hour =
                num("BAYLANYS_CHAT_IP_CONVERSATIONS_PER_HOUR", v)?;
        }
        if let Some(v) = get("BAYLANYS_SMTP_URL") {
            self.smtp_url = (!v.is_empty()).then_some(Url(v));
        }
        if let Some(v) = get("BAYLANYS_MAIL_FROM") {
            self.mail_from = v;
        }
        if let Some(v) = get("BAYLANYS_SMS_API_URL") {
            self.sms_api_url = (!v.is_empty()).then_some(v);
        }
        if let Some(v) = get("BAYLANYS_SMS_ACCOUNT_SID") {
            self.sms_account_sid = v;
        }
        if let Some(v) = get("BAYLANYS_SMS_AUTH_TOKEN") {
            self.sms_auth_token = (!v.is_empty()).then_some(Secret(v));
        }
        if let Some(v) = get("BAYLANYS_TWILIO_AUTH_TOKEN") {
            self.twilio_auth_token = (!v.is_empty()).then_some(Secret(v));
        }
        if let Some(v) = get("BAYLANYS_TWILIO_ACCOUNT_SID") {
            self.twilio_account_sid = v;
        }
        if let Some(v) = get("BAYLANYS_TWILIO_API_URL") {
            self.twilio_api_url = v;
        }
        if let Some(v) = get("BAYLANYS_RECORDING_RETENTION_DAYS") {
            self.recording_retention_days = num("BAYLANYS_RECORDING_RETENTION_DAYS", v)?;
            if self.recording_retention_days == 0 {
                anyhow::bail!("BAYLANYS_RECORDING_RETENTION_DAYS: at least one day");
            }
        }
        if let Some(v) = get("BAYLANYS_RUSTPBX_TOKEN") {
            self.rustpbx_token = (!v.is_empty()).then_some(Secret(v));
        }
        if let Some(v) = get("BAYLANYS_RUSTPBX_TTS") {
            self.rustpbx_tts = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Some(v) = get("BAYLANYS_RUSTPBX_RWI_URL") {
            self.rustpbx_rwi_url = (!v.is_empty()).then_some(v);
        }
        if let Some(v) = get("BAYLANYS_RUSTPBX_RWI_TOKEN") {
            self.rustpbx_rwi_token = (!v.is_empty()).then_some(Secret(v));
        }
        if let Some(v) = get("BAYLANYS_RUSTPBX_DIAL") {
            self.rustpbx_dial = v;
        }
        if let Some(v) = get("BAYLANYS_RUSTPBX_TRUNK") {
            self.rustpbx_trunk = (!v.is_empty()).then_some(v);
        }
        if let Some(v) = get("BAYLANYS_VOICE_CALLER_ID") {
            self.voice_caller_id = v;
        }
        if let Some(v) = get("BAYLANYS_VOICE_RING_SECS") {
            self.voice_ring_secs = num("BAYLANYS_VOICE_RING_SECS", v)?;
        }
        if let Some(v) = get("BAYLANYS_VOICE_LANGUAGE") {
            self.voice_language = v;
        }
        if let Some(v) = get("BAYLANYS_VOICE_CALLING_HOURS") {
            self.voice_calling_hours = v;
        }
        if let Some(v) = get("BAYLANYS_WRAP_UP_LIMIT_SECS") {
            self.wrap_up_limit_secs = num("BAYLANYS_WRAP_UP_LIMIT_SECS", v)?;
        }
        if let Some(v) = get("BAYLANYS_VOICE_ANNOUNCE_SECS") {
            self.voice_announce_secs = num("BAYLANYS_VOICE_ANNOUNCE_SECS", v)?;
        }
        if let Some(v) = get("BAYLANYS_SMS_FROM") {
            self.sms_from = v;
        }
        if let Some(v) = get("BAYLANYS_TRUSTED_PROXIES") {
            self.trusted_proxies = v
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse()
                        .map_err(|e| anyhow::anyhow!("BAYLANYS_TRUSTED_PROXIES: {e}"))
                })
                .collect::<anyhow::Result<_>>()?;
        }
        Ok(())
    }

    /// Settings the Order bounds are refused rather than quietly clamped.
    fn check(&self) -> anyhow::Result<()> {
        if !(1..=60).contains(&self.chat_queue_status_secs) {
            bail!(
                "chat_queue_status_secs must be 1–60 (R12.2: waiting clients are told at least \
                 every minute), got {}",
                self.chat_queue_status_secs
            );
        }
        if self.rustpbx_rwi_url.is_some() {
            if self.rustpbx_rwi_token.is_none() || self.voice_caller_id.trim().is_empty() {
                bail!(
                    "the PBX's call control (rustpbx_rwi_url) needs rustpbx_rwi_token and \
                     voice_caller_id (the number clients see)"
                );
            }
            if !(5..=120).contains(&self.voice_ring_secs) {
                bail!(
                    "voice_ring_secs must be 5–120, got {}",
                    self.voice_ring_secs
                );
            }
        }
        if self.voice_announce_secs < 60 {
            bail!(
                "voice_announce_secs must be 60 or more (R12.2: waiting callers are told at \
                 intervals of at least one minute), got {}",
                self.voice_announce_secs
            );
        }
        if self
            .voice_language
            .parse::<baylanys_domain::Language>()
            .is_err()
        {
            bail!(
                "voice_language must be kk, ru or en, got {:?}",
                self.voice_language
            );
        }
        let prefix_ok = (1..=64).contains(&self.redis_prefix.len())
            && self
                .redis_prefix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !prefix_ok {
            bail!(
                "redis_prefix must be 1–64 letters, digits, '-', '_' or '.', got {:?}",
                self.redis_prefix
            );
        }
        Ok(())
    }

    /// The mail and SMS senders configured; a broken setting stops the start with its reason.
    pub fn delivery(&self) -> anyhow::Result<baylanys_api::Delivery> {
        let mailer = match &self.smtp_url {
            Some(url) => Some(std::sync::Arc::new(
                baylanys_channels::Mailer::new(url.expose(), &self.mail_from)
                    .map_err(|e| anyhow::anyhow!("smtp_url / mail_from: {e}"))?,
            )),
            None => None,
        };
        let sms = match &self.sms_api_url {
            Some(base) => Some(std::sync::Arc::new(
                baylanys_channels::SmsGateway::new(
                    base,
                    &self.sms_account_sid,
                    self.sms_auth_token
                        .as_ref()
                        .map(Secret::expose)
                        .unwrap_or(""),
                    &self.sms_from,
                )
                .map_err(|e| anyhow::anyhow!("sms_*: {e}"))?,
            )),
            None => None,
        };
        Ok(baylanys_api::Delivery { mailer, sms })
    }

    /// Where the files that come with messages are kept: the bucket when one is set, else the
    /// local directory.
    pub fn files(&self) -> anyhow::Result<baylanys_store::Files> {
        let Some(bucket) = &self.attachments_s3_bucket else {
            return Ok(baylanys_store::Files::new(&self.attachments_dir));
        };
        baylanys_store::Files::s3(&baylanys_store::S3Config {
            bucket: bucket.clone(),
            endpoint: self.attachments_s3_endpoint.clone(),
            region: self.attachments_s3_region.clone(),
            access_key: self.attachments_s3_access_key.clone(),
            secret_key: self
                .attachments_s3_secret_key
                .as_ref()
                .map(|s| s.expose().to_owned())
                .unwrap_or_default(),
        })
        .map_err(|e| anyhow::anyhow!("attachments_s3_*: {e}"))
    }

    /// How mailboxes are read.
    pub fn mail(&self) -> baylanys_workers::MailSettings {
        let mib = |n: u32| n.max(1).saturating_mul(1024 * 1024);
        baylanys_workers::MailSettings {
            limits: baylanys_centre::MailLimits {
                max_mail: mib(self.mail_max_mib),
                max_file: u64::from(mib(self.mail_file_max_mib)),
                per_sender_per_minute: self.mail_per_sender_per_minute.max(1),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    pub fn outbox(&self) -> baylanys_workers::OutboxSettings {
        baylanys_workers::OutboxSettings {
            retry_base: Duration::from_secs(self.outbox_retry_secs.max(1)),
            max_attempts: self.outbox_max_attempts.max(1),
            ..baylanys_workers::OutboxSettings::default()
        }
    }

    /// The PBX's call control, when configured (checked in `validate`).
    pub fn rwi(&self) -> Option<baylanys_channels::rwi::RwiSettings> {
        Some(baylanys_channels::rwi::RwiSettings {
            url: self.rustpbx_rwi_url.clone()?,
            token: self.rustpbx_rwi_token.as_ref()?.expose().to_owned(),
            dial: self.rustpbx_dial.clone(),
            trunk: self.rustpbx_trunk.clone(),
            caller_id: self.voice_caller_id.trim().to_owned(),
            ring_secs: self.voice_ring_secs,
        })
    }

    pub fn api(&self) -> baylanys_api::ApiConfig {
        baylanys_api::ApiConfig {
            token_ttl: Duration::from_secs(self.token_ttl_secs.max(60)),
            body_limit: self.body_limit_bytes.max(1024),
            hash_cost: baylanys_api::HashCost {
                memory_kib: self.argon2_memory_kib.max(8),
                iterations: self.argon2_iterations.max(1),
            },
            max_failed_logins: self.max_failed_logins.max(1),
            lockout: Duration::from_secs(self.lockout_secs),
            chat: baylanys_api::limits::ChatConfig {
                queue_status_every: Duration::from_secs(self.chat_queue_status_secs.clamp(1, 60)),
                visitor_messages_per_minute: self.chat_visitor_messages_per_minute.max(1),
                ip_sockets: self.chat_ip_sockets.max(1),
                ip_messages_per_minute: self.chat_ip_messages_per_minute.max(1),
                ip_conversations_per_hour: self.chat_ip_conversations_per_hour.max(1),
                trusted_proxies: self.trusted_proxies.clone(),
            },
            public_url: self.public_url.trim_end_matches('/').to_owned(),
            kpi_refresh: Duration::from_secs(self.kpi_refresh_secs.min(3600)),
            twilio_auth_token: self
                .twilio_auth_token
                .as_ref()
                .map(|s| baylanys_api::Secret(s.expose().to_owned())),
            twilio_account_sid: self.twilio_account_sid.clone(),
            twilio_api_url: self.twilio_api_url.clone(),
            twilio_caller_id: self.voice_caller_id.clone(),
            rustpbx_token: self
                .rustpbx_token
                .as_ref()
                .map(|s| baylanys_api::Secret(s.expose().to_owned())),
            rustpbx_tts: self.rustpbx_tts,
            wrap_up_limit: baylanys_workers::wrap_up_limit(self.wrap_up_limit_secs),
            rwi: self.rwi(),
            voice: baylanys_centre::VoiceSettings {
                language: self
                    .voice_language
                    .parse()
                    .unwrap_or(baylanys_domain::Language::Kk),
                announce_every_secs: self.voice_announce_secs.max(60),
                calling_window: baylanys_domain::voice::outbound::CallingWindow::parse(
                    &self.voice_calling_hours,
                )
                .unwrap_or_default(),
                recording_retention_days: self.recording_retention_days.max(1),
                ring_secs: self.voice_ring_secs.clamp(5, 600),
                ..baylanys_centre::VoiceSettings::default()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_in_debug() {
        let mut c = Config::default();
        c.apply_env(|k| match k {
            "BAYLANYS_DATABASE_URL" => Some("postgres://app:hunter2@db/baylanys".into()),
            "BAYLANYS_ADMIN_PASSWORD" => Some("s3cret-admin".into()),
            "BAYLANYS_REDIS_URL" => Some("redis://:redispw@cache:6379".into()),
            "BAYLANYS_SMTP_URL" => Some("smtp://mailer:smtppw@mail.gov.kz:587?tls=required".into()),
            "BAYLANYS_SMS_AUTH_TOKEN" => Some("sms-token-secret".into()),
            _ => None,
        })
        .unwrap_or_default();
        let text = format!("{c:?}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(!text.contains("s3cret-admin"), "{text}");
        assert!(!text.contains("redispw"), "{text}");
        assert!(!text.contains("smtppw"), "{text}");
        assert!(!text.contains("sms-token-secret"), "{text}");
        assert!(text.contains("postgres://app:***@db/baylanys"), "{text}");
        assert_eq!(
            c.database_url.expose(),
            "postgres://app:hunter2@db/baylanys"
        );
    }

    #[test]
    fn defaults_run_embedded() {
        let c = Config::default();
        assert_eq!(c.listen, "127.0.0.1:8080");
        assert_eq!(c.database_url.expose(), "sqlite://./data/baylanys.db");
        assert!(c.redis_url.is_none());
    }

    #[test]
    fn toml_and_bad_env() {
        let c: Config =
            toml::from_str("listen = \"0.0.0.0:9000\"\nlog_format = \"json\"").unwrap_or_default();
        assert_eq!(c.listen, "0.0.0.0:9000");
        assert_eq!(c.log_format, LogFormat::Json);
        assert!(toml::from_str::<Config>("no_such_key = 1").is_err());
        let mut c = Config::default();
        assert!(c
            .apply_env(|k| (k == "BAYLANYS_TOKEN_TTL_SECS").then(|| "soon".into()))
            .is_err());
        assert!(c
            .apply_env(|k| (k == "BAYLANYS_TRUSTED_PROXIES").then(|| "10.0.0.1, proxy".into()))
            .is_err());
    }

    /// R12.2: a queue-status period over a minute is refused, not clamped.
    #[test]
    fn queue_status_period_is_at_most_a_minute() {
        let mut c = Config::default();
        assert!(c.check().is_ok());
        c.chat_queue_status_secs = 61;
        assert!(c.check().is_err());
        c.chat_queue_status_secs = 0;
        assert!(c.check().is_err());
        c.chat_queue_status_secs = 60;
        assert!(c.check().is_ok());
    }
}

#[cfg(test)]
mod example_file {
    use super::*;

    /// The example shipped in deploy/ parses and states the real defaults.
    #[test]
    fn deploy_example_matches_defaults() -> anyhow::Result<()> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../deploy/baylanys.toml");
        let text = std::fs::read_to_string(path)?;
        let example: Config = toml::from_str(&text)?;
        let defaults = Config::default();
        assert_eq!(format!("{example:?}"), format!("{defaults:?}"));
        Ok(())
    }
}
