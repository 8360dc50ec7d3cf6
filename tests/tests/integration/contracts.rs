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

/// Client generators break on a `$ref` to a schema the document does not hold, and a contract
/// tester counts a status the document does not list as a failure (issue "Trustworthy in the
/// field", point 19): every reference resolves, and every operation lists the problems its shape
/// allows — a path parameter: 400 and 404; a query or a body: 400 and 422; a body: 413 and 415;
/// a bearer token: 401 and 403; and 503 everywhere.
#[test]
fn the_contract_is_whole() -> anyhow::Result<()> {
    let doc = serde_json::to_value(baylanys_api::openapi())?;
    let schemas = doc["components"]["schemas"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let mut refs = Vec::new();
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    match (k.as_str(), x.as_str()) {
                        ("$ref", Some(r)) => out.push(r.to_owned()),
                        _ => walk(x, out),
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    walk(&doc, &mut refs);
    for r in &refs {
        let name = r.trim_start_matches("#/components/schemas/");
        assert!(schemas.contains_key(name), "dangling $ref {r}");
    }
    for (path, ops) in doc["paths"].as_object().cloned().unwrap_or_default() {
        for (method, op) in ops.as_object().cloned().unwrap_or_default() {
            let has = |code: &str| op["responses"].get(code).is_some();
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let where_ = |w: &str| params.iter().any(|p| p["in"] == w);
            let mut want = vec!["503"];
            if where_("path") {
                want.extend(["400", "404", "422"]);
            }
            if where_("query") {
                want.extend(["400", "422"]);
            }
            if op.get("requestBody").is_some() {
                want.extend(["400", "413", "415", "422"]);
            }
            if op
                .get("security")
                .and_then(|s| s.as_array())
                .is_some_and(|s| !s.is_empty())
            {
                want.extend(["401", "403"]);
            }
            for code in want {
                assert!(has(code), "{method} {path} does not list {code}");
            }
        }
    }
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

/// Every free-text field a request body takes says how long it may be (issue "Trustworthy in
/// the field", point 19): the server refuses longer text, and a client generator or a contract
/// tester must know that from the document. Identifiers, dates and closed sets carry their own
/// `format` or `enum`.
#[test]
fn every_text_a_request_takes_has_its_length() -> anyhow::Result<()> {
    let doc = serde_json::to_value(baylanys_api::openapi())?;
    let schemas = doc["components"]["schemas"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    // The schemas request bodies name, and the ones they name in turn.
    let mut todo: Vec<String> = Vec::new();
    for ops in doc["paths"]
        .as_object()
        .cloned()
        .unwrap_or_default()
        .values()
    {
        for op in ops.as_object().cloned().unwrap_or_default().values() {
            let body = &op["requestBody"]["content"]["application/json"]["schema"];
            if let Some(r) = body["$ref"].as_str() {
                todo.push(r.trim_start_matches("#/components/schemas/").to_owned());
            }
        }
    }
    let mut seen = BTreeSet::new();
    let mut missing = Vec::new();
    fn refs(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    match (k.as_str(), x.as_str()) {
                        ("$ref", Some(r)) => {
                            out.push(r.trim_start_matches("#/components/schemas/").to_owned())
                        }
                        _ => refs(x, out),
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    fn texts(at: &str, v: &serde_json::Value, missing: &mut Vec<String>) {
        if let Some(props) = v["properties"].as_object() {
            for (name, p) in props {
                let is_string = p["type"] == "string"
                    || p["type"]
                        .as_array()
                        .is_some_and(|t| t.iter().any(|x| x == "string"));
                let closed = p.get("enum").is_some() || p.get("format").is_some();
                if is_string && !closed && p.get("maxLength").is_none() {
                    missing.push(format!("{at}.{name}"));
                }
                if p["type"] == "array" {
                    texts(&format!("{at}.{name}[]"), &p["items"], missing);
                }
            }
        }
        for key in ["oneOf", "anyOf", "allOf"] {
            for (i, x) in v[key].as_array().into_iter().flatten().enumerate() {
                texts(&format!("{at}/{key}{i}"), x, missing);
            }
        }
    }
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let Some(schema) = schemas.get(&name) else {
            continue;
        };
        texts(&name, schema, &mut missing);
        refs(schema, &mut todo);
    }
    assert!(seen.len() > 30, "{} request schemas", seen.len());
    assert!(missing.is_empty(), "text without a length: {missing:#?}");
    Ok(())
}
