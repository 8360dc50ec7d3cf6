//! A real PBX for the phone's tests: RustPBX (MIT, `cargo install rustpbx
//! --no-default-features`) on 127.0.0.1 with a fresh configuration per test — SIP over UDP,
//! calls to 2000 handed to the centre's step webhook, hang-ups to its event webhook — and SIPp
//! (Debian's `sip-tester`) as the callers, with RTP and RFC 2833 keys, and as the operator's
//! phone. The scenarios and their audio are in `tests/pbx/`.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context};
use tokio::process::{Child, Command};

/// A port nobody holds right now (the PBX and SIPp bind it next).
pub fn free_port(udp: bool) -> anyhow::Result<u16> {
    Ok(if udp {
        std::net::UdpSocket::bind("127.0.0.1:0")?
            .local_addr()?
            .port()
    } else {
        std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port()
    })
}

/// `tests/pbx`: the SIPp scenarios and their audio.
pub fn scenarios() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("pbx")
}

/// One second of silence as an 8 kHz μ-law WAV: what the PBX plays for a recorded prompt.
pub fn silence_wav(path: &Path) -> anyhow::Result<()> {
    let data = vec![0xFFu8; 8000];
    let mut w = Vec::with_capacity(58 + data.len());
    w.extend_from_slice(b"RIFF");
    w.extend_from_slice(&(50u32 + data.len() as u32).to_le_bytes());
    w.extend_from_slice(b"WAVEfmt ");
    w.extend_from_slice(&18u32.to_le_bytes());
    w.extend_from_slice(&7u16.to_le_bytes()); // μ-law
    w.extend_from_slice(&1u16.to_le_bytes()); // mono
    w.extend_from_slice(&8000u32.to_le_bytes());
    w.extend_from_slice(&8000u32.to_le_bytes());
    w.extend_from_slice(&1u16.to_le_bytes());
    w.extend_from_slice(&8u16.to_le_bytes());
    w.extend_from_slice(&0u16.to_le_bytes());
    w.extend_from_slice(b"fact");
    w.extend_from_slice(&4u32.to_le_bytes());
    w.extend_from_slice(&(data.len() as u32).to_le_bytes());
    w.extend_from_slice(b"data");
    w.extend_from_slice(&(data.len() as u32).to_le_bytes());
    w.extend_from_slice(&data);
    std::fs::write(path, w)?;
    Ok(())
}

/// The token of the PBX's call control (`[[rwi.tokens]]`) in the tests.
pub const RWI_TOKEN: &str = "rwi-token-for-tests";

/// RustPBX running for one test; killed when dropped.
#[derive(Debug)]
pub struct Pbx {
    pub dir: PathBuf,
    pub sip_port: u16,
    pub http_port: u16,
    child: Child,
}

impl Drop for Pbx {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn binary(name: &str, env: &str) -> PathBuf {
    if let Ok(p) = std::env::var(env) {
        return PathBuf::from(p);
    }
    let home = std::env::var("HOME").unwrap_or_default();
    let cargo_bin = PathBuf::from(home).join(".cargo/bin").join(name);
    if cargo_bin.exists() {
        cargo_bin
    } else {
        PathBuf::from(name)
    }
}

impl Pbx {
    /// Starts RustPBX with calls to 2000 going to the step webhook under `hook` (…/webhooks/
    /// voice/rustpbx), each request carrying `token`.
    pub async fn start(hook: &str, token: &str) -> anyhow::Result<Pbx> {
        Self::start_at(hook, token, free_port(false)?).await
    }

    /// The PBX's call control (RWI), as the centre's `rustpbx_rwi_url` names it.
    pub fn rwi_url(http_port: u16) -> String {
        format!("ws://127.0.0.1:{http_port}/rwi/v1")
    }

    /// As [`Pbx::start`], its HTTP side (and call control) on `http_port`, chosen before the
    /// centre starts so its configuration can name it.
    pub async fn start_at(hook: &str, token: &str, http_port: u16) -> anyhow::Result<Pbx> {
        Self::start_with(hook, token, http_port, false).await
    }

    /// As [`Pbx::start_at`], recording the calls the centre asks it to (`record_start` before
    /// the operator's phone; `auto_start = false`) and uploading each recording to the centre
    /// (`[recording] type = "http"`), as a centre that records configures it.
    pub async fn start_recording(hook: &str, token: &str, http_port: u16) -> anyhow::Result<Pbx> {
        Self::start_with(hook, token, http_port, true).await
    }

    async fn start_with(
        hook: &str,
        token: &str,
        http_port: u16,
        recording: bool,
    ) -> anyhow::Result<Pbx> {
        let dir = std::env::temp_dir().join(format!("bl-pbx-{}", uuid::Uuid::now_v7().simple()));
        for sub in ["routes", "config/sounds", "sounds", "storage"] {
            std::fs::create_dir_all(dir.join(sub))?;
        }
        // The PBX's own fallback prompt, so an outage never leaves a caller in silence.
        silence_wav(&dir.join("config/sounds/error.wav"))?;
        silence_wav(&dir.join("sounds/error.wav"))?;
        let sip_port = free_port(true)?;
        let d = dir.display();
        let recording = if recording {
            format!(
                r#"
[recording]
enabled = true
auto_start = false
type = "http"
url = "{hook}/recordings"
path = "{d}/recorders"
headers = {{ "X-Baylanys-Token" = "{token}" }}
"#
            )
        } else {
            String::new()
        };
        let config = format!(
            r#"http_addr = "127.0.0.1:{http_port}"
log_level = "info"
database_url = "sqlite://{d}/rustpbx.sqlite3"
rtp_start_port = 20000
rtp_end_port = 20999

[storage]
type = "local"
path = "{d}/storage"

[proxy]
addr = "127.0.0.1"
udp_port = {sip_port}
modules = ["acl", "auth", "registrar", "call"]
media_proxy = "all"
rtp_timeout = 0
generated_dir = "{d}/config"
acl_rules = ["allow 127.0.0.1", "deny all"]
routes_files = ["{d}/routes/*.toml"]

[[proxy.user_backends]]
type = "memory"
users = [ {{ username = "101", password = "pw101" }} ]

[proxy.trunks.callers]
dest = "sip:127.0.0.1:5061"
direction = "inbound"
inbound_hosts = ["127.0.0.1"]
incoming_to_user_prefix = "^2000$"

[rwi]
[[rwi.tokens]]
token = "{RWI_TOKEN}"
scopes = []

[rwi_webhook]
url = "{hook}/events"
events = ["call_hangup", "call_transferred", "call_answered", "call_busy", "call_no_answer"]
timeout_ms = 5000
headers = {{ "X-Baylanys-Token" = "{token}" }}
{recording}"#
        );
        std::fs::write(dir.join("config.toml"), config)?;
        let routes = format!(
            r#"[[routes]]
name = "baylanys-2000"
priority = 100
match = {{ "to.user" = "^2000$" }}
app = "ivr"
auto_answer = true

[routes.app_params]
mode = "step"
url = "{hook}/step"
name = "baylanys"
max_repeat_prompts = 0
headers = {{ "X-Baylanys-Token" = "{token}" }}

[routes.app_params.retry]
max_retries = 2
timeout_ms = 5000
delay_ms = 200
fallback = {{ type = "hangup" }}
"#
        );
        std::fs::write(dir.join("routes/baylanys.toml"), routes)?;
        let log = std::fs::File::create(dir.join("pbx.log"))?;
        let child = Command::new(binary("rustpbx", "BAYLANYS_RUSTPBX"))
            .arg("--conf")
            .arg(dir.join("config.toml"))
            .current_dir(&dir)
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .kill_on_drop(true)
            .spawn()
            .context(
                "starting rustpbx (cargo install rustpbx --no-default-features, as .ci/run does)",
            )?;
        let mut pbx = Pbx {
            dir,
            sip_port,
            http_port,
            child,
        };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", http_port))
                .await
                .is_ok()
            {
                return Ok(pbx);
            }
            if let Some(status) = pbx.child.try_wait()? {
                bail!("rustpbx exited with {status}:\n{}", pbx.log());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("rustpbx did not start:\n{}", pbx.log())
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("pbx.log")).unwrap_or_default()
    }

    /// A caller dialling 2000 from `number`: presses `digit` `dtmf_delay_ms` after the answer
    /// (RFC 2833), hangs up `hold_ms` later unless the PBX does first.
    pub fn call(
        &self,
        number: &str,
        digit: char,
        dtmf_delay_ms: u64,
        hold_ms: u64,
    ) -> anyhow::Result<Child> {
        let (sip, media) = (free_port(true)?, free_port(true)?);
        Command::new(binary("sipp", "BAYLANYS_SIPP"))
            .arg(format!("127.0.0.1:{}", self.sip_port))
            .args([
                "-sf",
                "uac_dtmf.xml",
                "-s",
                "2000",
                "-m",
                "1",
                "-i",
                "127.0.0.1",
            ])
            .args([
                "-p",
                &sip.to_string(),
                "-mi",
                "127.0.0.1",
                "-mp",
                &(media & !1).to_string(),
            ])
            .args([
                "-key",
                "dtmf_pcap",
                &format!("/usr/share/sip-tester/dtmf_2833_{digit}.pcap"),
            ])
            .args(["-set", "caller", number])
            .args(["-set", "dtmf_delay_ms", &dtmf_delay_ms.to_string()])
            .args(["-set", "hold_ms", &hold_ms.to_string()])
            .args(["-aa", "-nostdin", "-timeout", "90s", "-timeout_error"])
            .current_dir(scenarios())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .context("starting sipp (Debian's sip-tester, as .ci/run installs it)")
    }

    /// The operator's phone: answers one call on `port` (SIP URI `sip:101@127.0.0.1:<port>`).
    pub fn phone(port: u16) -> anyhow::Result<Child> {
        Self::answering(port, 90_000)
    }

    /// A phone that answers one call on `port` and hangs up `hold_ms` later (a client called
    /// back).
    pub fn answering(port: u16, hold_ms: u64) -> anyhow::Result<Child> {
        let media = free_port(true)?;
        Command::new(binary("sipp", "BAYLANYS_SIPP"))
            .args([
                "-sf",
                "uas_answer.xml",
                "-i",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .args([
                "-mi",
                "127.0.0.1",
                "-mp",
                &(media & !1).to_string(),
                "-m",
                "1",
            ])
            .args([
                "-set",
                "ring_ms",
                "300",
                "-set",
                "hold_ms",
                &hold_ms.to_string(),
            ])
            .args(["-aa", "-nostdin", "-timeout", "120s", "-timeout_error"])
            .current_dir(scenarios())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .context("starting sipp as the operator's phone")
    }
}

/// The Kazakh main menu of a PBX test: a recorded prompt (a second of silence the PBX plays),
/// and 2 for an operator — of `queue` when given, else the routing table's.
pub async fn kk_menu(
    app: &crate::TestApp,
    pbx: &Pbx,
    queue: Option<uuid::Uuid>,
) -> anyhow::Result<()> {
    let prompt = pbx.dir.join("menu-kk.wav");
    silence_wav(&prompt)?;
    let r = app
        .put(
            "/api/v1/ivr/kk/main",
            app.admin(),
            serde_json::json!({
                "prompt": {"text": "Сәлеметсіз бе! Оператор — 2.", "audio_url": format!("file://{}", prompt.display())},
                "options": [{"digit": "2", "label": "Оператор", "action": {"type": "operator", "queue_id": queue}}]
            }),
        )
        .await?;
    anyhow::ensure!(r.status == 200, "the menu: {}", r.text);
    Ok(())
}

/// The contact of the call from `number` (as the client's record holds it), once it is in
/// `state`; waits up to 90 s.
pub async fn contact_in_state(
    app: &crate::TestApp,
    number: &str,
    state: &str,
) -> anyhow::Result<serde_json::Value> {
    for _ in 0..900 {
        let r = app
            .get("/api/v1/appeals?channel=voice&limit=500", app.admin())
            .await?;
        for a in r.body["items"].as_array().cloned().unwrap_or_default() {
            let id = a["id"].as_str().unwrap_or_default();
            let d = app
                .get(&format!("/api/v1/appeals/{id}"), app.admin())
                .await?
                .body;
            if d["client"].to_string().contains(number) && d["interactions"][0]["state"] == state {
                return Ok(d["interactions"][0].clone());
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("the call from {number} never reached {state}")
}

/// The token RustPBX's webhooks carry in the PBX tests (`X-Baylanys-Token`).
pub const PBX_TOKEN: &str = "pbx-token-for-tests";

/// A centre on SQLite that takes RustPBX's webhooks (with the default queue), and RustPBX
/// started to hand it calls: the pair every PBX test begins with.
pub async fn centre_with_pbx() -> anyhow::Result<(crate::TestApp, Pbx)> {
    let mut config = crate::test_config();
    config.rustpbx_token = Some(baylanys_api::Secret(PBX_TOKEN.into()));
    let app = crate::TestApp::spawn_with(crate::Backend::Sqlite, config).await?;
    app.default_queue().await?;
    let hook = format!("{}/webhooks/voice/rustpbx", app.base);
    let pbx = Pbx::start(&hook, PBX_TOKEN).await?;
    Ok((app, pbx))
}
