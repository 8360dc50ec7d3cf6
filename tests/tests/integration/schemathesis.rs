//! The served contract holds under generated input (issue "Trustworthy in the field", Tests and
//! CI): schemathesis derives requests from `/api/openapi.json` — valid, boundary and hostile ones,
//! then sequences that follow the links between operations — and checks every answer: no 5xx,
//! every status documented, every body and content type as the document says. On both backends,
//! bounded in examples and seeded, so a run is repeatable. `.ci/run` installs schemathesis.

use baylanys_tests::{both, TestApp};

both!(the_contract_holds_under_generated_input);

fn scratch() -> anyhow::Result<std::path::PathBuf> {
    let dir =
        std::env::temp_dir().join(format!("bl_schemathesis_{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

async fn the_contract_holds_under_generated_input(app: TestApp) -> anyhow::Result<()> {
    let out = tokio::process::Command::new("schemathesis")
        .arg("run")
        .arg(format!("{}/api/openapi.json", app.base))
        .args([
            "--header",
            &format!("Authorization: Bearer {}", app.admin()),
        ])
        .args(["--max-examples", "10", "--seed", "1"])
        .args(["--request-timeout", "20"])
        // Logging out would revoke the token the rest of the run uses.
        .args(["--exclude-path", "/api/v1/auth/logout"])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,response_schema_conformance,\
             content_type_conformance,response_headers_conformance",
        ])
        .env("NO_COLOR", "1")
        // Its example database and reports go to a scratch directory, not the repository.
        .current_dir(scratch()?)
        .output()
        .await
        .map_err(|e| {
            anyhow::anyhow!("running schemathesis ({e}): python3 -m pip install schemathesis")
        })?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    anyhow::ensure!(
        out.status.success(),
        "schemathesis found problems:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(())
}
