//! The committed contracts match the code: `proto/openapi.json` and the two migration sets.

use std::collections::BTreeSet;
use std::path::PathBuf;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// Fails when the published OpenAPI document drifts from the code. To accept a deliberate
/// change: `BAYLANYS_UPDATE_OPENAPI=1 cargo nextest run openapi` (or `baylanys openapi`).
#[test]
fn openapi_json_is_current() -> anyhow::Result<()> {
    let generated = baylanys_api::openapi().to_pretty_json()? + "\n";
    let path = repo().join("proto/openapi.json");
    if std::env::var_os("BAYLANYS_UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &generated)?;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "proto/openapi.json is out of date; regenerate it with BAYLANYS_UPDATE_OPENAPI=1"
    );
    Ok(())
}

#[test]
fn every_error_response_is_documented_as_problem_json() -> anyhow::Result<()> {
    let doc = serde_json::to_value(baylanys_api::openapi())?;
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    assert!(paths.len() >= 20, "{} paths", paths.len());
    for (path, ops) in paths {
        for (method, op) in ops.as_object().cloned().unwrap_or_default() {
            for (code, resp) in op["responses"].as_object().cloned().unwrap_or_default() {
                if code.starts_with('4') || code.starts_with('5') {
                    assert!(
                        resp["content"]["application/problem+json"].is_object(),
                        "{method} {path} {code} is not documented as problem+json"
                    );
                }
            }
        }
    }
    Ok(())
}

fn versions(dir: &str) -> anyhow::Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    for entry in std::fs::read_dir(repo().join("migrations").join(dir))? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.ends_with(".sql") {
            out.insert(name);
        }
    }
    Ok(out)
}

/// Each logical change exists for both backends under the same version and name.
#[test]
fn migration_sets_match() -> anyhow::Result<()> {
    let sqlite = versions("sqlite")?;
    let postgres = versions("postgres")?;
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
    Ok(())
}
