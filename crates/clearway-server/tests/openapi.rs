//! `schema/openapi.json` is generated from the types; these tests fail when it is stale, when a route
//! has no access rule or no documented path, and when a documented schema misses a key the real
//! response writes.

mod common;

use axum::http::StatusCode;
use clearway_server::backend::Role;
use clearway_server::policy::RULES;
use common::*;
use serde_json::{Value, json};

/// The checked-in document must match the types. To regenerate:
/// `CLEARWAY_BLESS=1 cargo test -p clearway-server --test openapi`.
#[test]
fn openapi_file_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema/openapi.json");
    let mut expected = serde_json::to_string_pretty(&clearway_server::openapi::document()).unwrap();
    expected.push('\n');
    if std::env::var_os("CLEARWAY_BLESS").is_some() {
        std::fs::write(&path, &expected).expect("write schema/openapi.json");
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "schema/openapi.json is stale or missing; regenerate it with\n    CLEARWAY_BLESS=1 cargo test -p clearway-server --test openapi"
    );
}

#[test]
fn every_rule_is_documented_and_3_1() {
    let doc = clearway_server::openapi::document();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    for r in RULES {
        let op = &doc["paths"][r.path][r.method.to_ascii_lowercase()];
        assert!(
            op.is_object(),
            "{} {} is not in the OpenAPI document",
            r.method,
            r.path
        );
    }
    let documented: usize = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|p| p.as_object().unwrap().len())
        .sum();
    assert_eq!(
        documented,
        RULES.len(),
        "every documented operation has an access rule"
    );
    // Every $ref resolves.
    let text = doc.to_string();
    for piece in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = &piece[..piece.find('"').unwrap()];
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "dangling $ref {name}"
        );
    }
}

fn keys_documented(doc: &Value, schema: &str, value: &Value) {
    let props = doc["components"]["schemas"][schema]["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("no schema {schema}"));
    for k in value.as_object().unwrap().keys() {
        assert!(
            props.contains_key(k),
            "{schema}: the response writes `{k}`, the document does not describe it"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documented_schemas_cover_real_responses() {
    let doc = clearway_server::openapi::document();
    let app = app("sqlite");
    let a = app
        .send(
            Some(Role::Partner),
            Call::raw("POST", "/v1/filings", "application/x-ndjson", jsonl(50, 5)),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    let r = a.json();
    keys_documented(&doc, "IngestReport", &r);
    keys_documented(&doc, "IngestItem", &r["items"][0]);
    let q = app
        .send(Some(Role::Supervisor), Call::get("/v1/queue"))
        .await
        .json();
    keys_documented(&doc, "QueuePage", &q);
    let id = q["items"][0]["filing_id"].as_str().unwrap().to_owned();
    keys_documented(&doc, "QueueItem", &q["items"][0]);
    app.send(
        Some(Role::Supervisor),
        Call::json(
            "POST",
            format!("/v1/filings/{id}/assign"),
            json!({"officer": "officer"}),
        ),
    )
    .await;
    app.send(
        Some(Role::Supervisor),
        Call::json(
            "POST",
            format!("/v1/filings/{id}/override"),
            json!({"lane": "green", "reason": "seen"}),
        ),
    )
    .await;
    app.send(
        Some(Role::Officer),
        Call::json(
            "POST",
            format!("/v1/filings/{id}/exam"),
            json!({"result": "no-finding"}),
        ),
    )
    .await;
    let v = app
        .send(Some(Role::Officer), Call::get(format!("/v1/filings/{id}")))
        .await
        .json();
    keys_documented(&doc, "FilingView", &v);
    keys_documented(&doc, "VersionInfo", &v["versions"][0]);
    keys_documented(&doc, "ExamResult", &v["exams"][0]);
    keys_documented(&doc, "Assignment", &v["assignment"]);
    keys_documented(&doc, "Override", &v["overrides"][0]);
    keys_documented(&doc, "Decision", &v["decision"]);
    let audit = app
        .send(Some(Role::Auditor), Call::get("/v1/audit?limit=1"))
        .await
        .json();
    keys_documented(&doc, "AuditEntry", &audit[0]);
    let stats = app
        .send(Some(Role::Analyst), Call::get("/v1/stats"))
        .await
        .json();
    keys_documented(&doc, "Stats", &stats);
    let p = app
        .send(Some(Role::Officer), Call::get("/v1/filings/.."))
        .await
        .json();
    keys_documented(&doc, "Problem", &p);
}
