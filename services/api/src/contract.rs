//! The OpenAPI contract as served, completed with the answers every operation can give besides
//! its own: a route's macro names what is particular to it (201, 409, 410…); the problems that
//! follow from the shape of the operation — a path parameter can be malformed or name nothing,
//! a query can be malformed, a body can be malformed, too large, of another type or invalid, a
//! secured operation can meet a missing token or a role without the right — are added here once,
//! so generated clients and contract testers see every status the server may send.

use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::{OpenApi, Ref, RefOr};

/// The contract with every operation's common problems added where the route did not name them.
pub fn complete(mut doc: OpenApi) -> OpenApi {
    for item in doc.paths.paths.values_mut() {
        for op in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            add_problems(op);
        }
    }
    doc
}

fn add_problems(op: &mut Operation) {
    let params = op.parameters.as_deref().unwrap_or_default();
    let in_path = params
        .iter()
        .any(|p| matches!(p.parameter_in, ParameterIn::Path));
    let in_query = params
        .iter()
        .any(|p| matches!(p.parameter_in, ParameterIn::Query));
    let body = op.request_body.is_some();
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let mut add: Vec<(&str, &str)> = Vec::new();
    if in_path {
        add.push(("400", "A path parameter is malformed (`invalid-path`)."));
        add.push((
            "404",
            "Nothing with that id, or nothing you may see (`not-found`).",
        ));
    }
    if in_query {
        add.push(("400", "The query string is malformed (`invalid-query`)."));
    }
    if body {
        add.push(("400", "The body is not JSON (`malformed-json`)."));
        add.push((
            "404",
            "A record the body names does not exist (`not-found`).",
        ));
        add.push(("413", "The body is over the size limit (`body-too-large`)."));
        add.push((
            "415",
            "The body is not sent as application/json (`unsupported-media-type`).",
        ));
    }
    if body || in_path || in_query {
        add.push((
            "422",
            "A value breaks a rule: a field's type, range or length, an unknown enumeration value, \
             a control character (`invalid-body`, `unknown-value`, `validation`, `invalid-text`, \
             `invalid-shape`).",
        ));
    }
    if secured {
        add.push(("401", "No valid bearer token (`unauthorized`)."));
        add.push(("403", "Your role does not allow this (`forbidden`)."));
    }
    add.push((
        "503",
        "The database cannot be reached right now (`unavailable`).",
    ));
    for (code, description) in add {
        op.responses
            .responses
            .entry(code.to_owned())
            .or_insert_with(|| problem(description));
    }
}

/// A problem+json answer (RFC 9457).
fn problem(description: &str) -> RefOr<utoipa::openapi::Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ProblemDetails")))
                    .build(),
            )
            .build(),
    )
}
