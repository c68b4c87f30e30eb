//! Router-level tests (`tower::ServiceExt::oneshot`): the role × endpoint matrix, ingest and reads,
//! case work, problem documents for bad input, tokens, and the audit trail. Each runs on SQLite, and
//! on PostgreSQL when `CLEARWAY_TEST_PG` is set.

mod common;

use axum::http::StatusCode;
use clearway_server::Options;
use clearway_server::backend::Role;
use clearway_server::policy::{RULES, Rule};
use clearway_store::AuditFilter;
use common::*;
use serde_json::json;

/// A two-entity list in the Canadian SEMA format.
const SEMA: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<data-set>
  <record><Country>Burma / Birmanie</Country><Entity>Air Bagan</Entity><Aliases>Air Bagan Limited</Aliases><Schedule>1</Schedule><Item>1</Item></record>
  <record><Country>Burma / Birmanie</Country><Entity>Dagon Brewery</Entity><Schedule>1</Schedule><Item>4</Item></record>
</data-set>
"#;

/// A request that should succeed for an admitted `role` on `rule` (state prepared by `prepare`).
fn sample(rule: &Rule, role: Role, filing: &str, entity: &str) -> Call {
    let me = role.as_str();
    let path = rule
        .path
        .replace("{id}", filing)
        .replace("{name}", &format!("victim-{me}"));
    match (rule.method, rule.path) {
        ("POST", "/v1/filings") => Call::raw("POST", path, "application/x-ndjson", jsonl(3, 7)),
        ("POST", "/v1/session") => Call::json(
            "POST",
            path,
            json!({"user": format!("nobody-{me}"), "password": "wrong password"}),
        ),
        ("POST", "/v1/filings/{id}/assign") => Call::json("POST", path, json!({"officer": me})),
        ("POST", "/v1/filings/{id}/exam") => {
            Call::json("POST", path, json!({"result": "no-finding"}))
        }
        ("POST", "/v1/filings/{id}/override") => Call::json(
            "POST",
            path,
            json!({"lane": "yellow", "actions": ["document-check"], "reason": "matrix"}),
        ),
        ("POST", "/v1/users") => Call::json(
            "POST",
            path,
            json!({"name": format!("new-{me}"), "role": "analyst"}),
        ),
        ("POST", "/v1/users/{name}/disable") => Call::json("POST", path, json!({})),
        ("POST", "/v1/users/{name}/tokens") => Call::json("POST", path, json!({"days": 1})),
        ("DELETE", "/v1/tokens/{id}") => Call::delete(format!("/v1/tokens/victim-{me}")),
        ("POST", "/v1/lists") => {
            Call::raw("POST", "/v1/lists?file=sema.xml", "application/xml", SEMA)
        }
        ("GET", "/v1/lists/diff") => Call::get("/v1/lists/diff?old=1&new=1"),
        ("POST", "/v1/lists/dispositions") => Call::json(
            "POST",
            path,
            json!({"party": "Air Bagan Ltd", "country": "MM", "list": "ca-sema", "entity": entity, "decision": "not-a-match", "why": "matrix"}),
        ),
        ("POST", "/v1/profiles/check") => Call::json(
            "POST",
            path,
            json!({"profiles": [{"name": "a.profile", "text": "not a profile"}]}),
        ),
        ("GET", _) => Call::get(path),
        ("DELETE", _) => Call::delete(path),
        (m, p) => panic!("no sample request for {m} {p}: add one"),
    }
}

/// Users, tokens and a list the samples act on; returns a list entity's id.
fn prepare(app: &TestApp) -> String {
    let mut s = app.store();
    let entity = s.run(|s| {
        let r =
            clearway_service::lists::import(s, &[("sema.xml".into(), SEMA.as_bytes().to_vec())])
                .unwrap();
        assert!(r.lists[0].imported, "{r:?}");
        s.lists().unwrap().list_entities("ca-sema", 1).unwrap()[0]
            .entity_id
            .clone()
    });
    for role in Role::ALL {
        let name = format!("victim-{}", role.as_str());
        s.add_user(&clearway_store::User {
            name: name.clone(),
            role: Role::Officer,
            office: None,
            password_hash: None,
            disabled: false,
            created_at: chrono::Utc::now(),
        })
        .unwrap();
        let (mut t, _) = clearway_server::api::admin::make_token(&name, 1, chrono::Utc::now());
        t.id = name.clone();
        s.add_token(&t).unwrap();
    }
    entity
}

async fn stored_filing(app: &TestApp) -> String {
    let a = app
        .send(
            Some(Role::Partner),
            Call::raw("POST", "/v1/filings", "application/x-ndjson", jsonl(5, 42)),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    ids(5, 42).remove(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_matrix() {
    for backend in backends() {
        let app = app(backend);
        let entity = prepare(&app);
        let filing = stored_filing(&app).await;
        let mut checked = 0;
        for rule in RULES {
            // Without credentials: 401 (public routes answer as for anyone).
            let anon = app
                .send(None, sample(rule, Role::Officer, &filing, &entity))
                .await;
            if rule.is_public() {
                assert_ne!(
                    anon.status,
                    StatusCode::FORBIDDEN,
                    "{backend} anonymous {} {}",
                    rule.method,
                    rule.path
                );
            } else {
                assert_eq!(
                    anon.status,
                    StatusCode::UNAUTHORIZED,
                    "{backend} anonymous {} {}: {}",
                    rule.method,
                    rule.path,
                    anon.text()
                );
                assert_eq!(anon.content_type, "application/problem+json");
            }
            for role in Role::ALL {
                let a = app
                    .send(Some(role), sample(rule, role, &filing, &entity))
                    .await;
                let what = format!(
                    "{backend} {} {} as {}: {} {}",
                    rule.method,
                    rule.path,
                    role.as_str(),
                    a.status,
                    a.text()
                );
                if rule.admits(role) {
                    let expected_fail = rule.path == "/v1/session" && rule.method == "POST"; // wrong password by design
                    if expected_fail {
                        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{what}");
                    } else {
                        assert!(a.status.is_success(), "{what}");
                    }
                } else {
                    assert_eq!(a.status, StatusCode::FORBIDDEN, "{what}");
                    assert_eq!(a.content_type, "application/problem+json", "{what}");
                }
                checked += 1;
            }
        }
        assert_eq!(checked, RULES.len() * Role::ALL.len());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingest_read_and_resubmit() {
    for backend in backends() {
        let app = app(backend);
        let body = jsonl(20, 3);
        let a = app
            .send(
                Some(Role::Partner),
                Call::raw("POST", "/v1/filings", "application/x-ndjson", body.clone()),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        let r = a.json();
        assert_eq!(r["decisions"], 20);
        assert_eq!(r["duplicates"], 0);
        assert_eq!(r["items"].as_array().unwrap().len(), 20);
        // Idempotent on (filing_id, version): the same body answers the decisions that stand.
        let b = app
            .send(
                Some(Role::Partner),
                Call::raw("POST", "/v1/filings", "application/x-ndjson", body),
            )
            .await
            .json();
        assert_eq!(b["duplicates"], 20);
        for (x, y) in r["items"]
            .as_array()
            .unwrap()
            .iter()
            .zip(b["items"].as_array().unwrap())
        {
            assert_eq!(x["decision"], y["decision"]);
            assert_eq!(y["status"], "duplicate");
        }
        // The read shows the same decision, and is audited.
        let id = ids(20, 3).remove(0);
        let v = app
            .send(Some(Role::Officer), Call::get(format!("/v1/filings/{id}")))
            .await;
        assert_eq!(v.status, StatusCode::OK, "{}", v.text());
        let v = v.json();
        assert_eq!(v["decision"]["filing_id"], id.as_str());
        assert!(v["versions"].as_array().is_some_and(|x| !x.is_empty()));
        let mut s = app.store();
        let reads = s
            .audit(&AuditFilter {
                record: Some(id.clone()),
                action: Some("filing.read".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(reads.len(), 1);
        assert_eq!(reads[0].event.actor, "officer");
        let ingests = s
            .audit(&AuditFilter {
                action: Some("filing.ingest".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(ingests.len(), 2);
        let verify = s.verify();
        assert!(verify.ok, "{verify:?}");
        // The auditor answers "who looked at this shipment".
        let who = app
            .send(
                Some(Role::Auditor),
                Call::get(format!("/v1/audit?record={id}")),
            )
            .await
            .json();
        assert_eq!(who.as_array().unwrap().len(), 1, "{who}");
        // Metrics: requests by route (never by raw path), decisions per lane, queue depth.
        let m = app.send(Some(Role::Analyst), Call::get("/metrics")).await;
        assert_eq!(m.status, StatusCode::OK);
        assert!(
            m.content_type.starts_with("text/plain"),
            "{}",
            m.content_type
        );
        let m = m.text();
        assert!(m.contains("clearway_http_requests_total{method=\"POST\",route=\"/v1/filings\",status=\"200\"} 2"), "{m}");
        assert!(m.contains("route=\"/v1/filings/{id}\""), "{m}");
        assert!(!m.contains(&id), "ids stay out of labels");
        assert!(
            m.contains("clearway_http_request_duration_seconds_bucket"),
            "{m}"
        );
        let lanes: u64 = m
            .lines()
            .filter(|l| l.starts_with("clearway_decisions_total{"))
            .map(|l| l.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
            .sum();
        assert_eq!(lanes, 40, "{m}");
        assert!(m.contains("clearway_queue_depth "), "{m}");
        // Unknown filing: 404 problem naming the id.
        let nf = app
            .send(Some(Role::Officer), Call::get("/v1/filings/NOPE"))
            .await;
        assert_eq!(nf.status, StatusCode::NOT_FOUND);
        assert_eq!(nf.json()["field"], "id");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_assign_exam_override() {
    for backend in backends() {
        let app = app(backend);
        let a = app
            .send(
                Some(Role::Partner),
                Call::raw(
                    "POST",
                    "/v1/filings",
                    "application/x-ndjson",
                    jsonl(200, 11),
                ),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        let q = app
            .send(Some(Role::Officer), Call::get("/v1/queue?limit=5"))
            .await;
        assert_eq!(q.status, StatusCode::OK, "{}", q.text());
        let q = q.json();
        let total = q["total"].as_u64().unwrap();
        assert!(
            total > 0,
            "synthetic traffic has red or yellow filings: {q}"
        );
        let items = q["items"].as_array().unwrap();
        assert!(items.len() <= 5);
        let id = items[0]["filing_id"].as_str().unwrap().to_owned();
        // Cursor pagination walks the whole queue once.
        let mut seen = 0;
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/v1/queue?limit=7&cursor={}", urlencode(c)),
                None => "/v1/queue?limit=7".into(),
            };
            let page = app
                .send(Some(Role::Supervisor), Call::get(path))
                .await
                .json();
            seen += page["items"].as_array().unwrap().len() as u64;
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        assert_eq!(seen, total);
        // An officer may take a filing, not hand it to someone else.
        let other = app
            .send(
                Some(Role::Officer),
                Call::json(
                    "POST",
                    format!("/v1/filings/{id}/assign"),
                    json!({"officer": "supervisor"}),
                ),
            )
            .await;
        assert_eq!(other.status, StatusCode::FORBIDDEN);
        let mine = app
            .send(
                Some(Role::Officer),
                Call::json(
                    "POST",
                    format!("/v1/filings/{id}/assign"),
                    json!({"officer": "officer"}),
                ),
            )
            .await;
        assert_eq!(mine.status, StatusCode::OK, "{}", mine.text());
        let q = app
            .send(Some(Role::Officer), Call::get("/v1/queue?assigned=me"))
            .await
            .json();
        assert_eq!(q["items"][0]["filing_id"], id.as_str());
        // An override needs a reason; the decision stays as it was.
        let before = app
            .send(Some(Role::Officer), Call::get(format!("/v1/filings/{id}")))
            .await
            .json();
        let no_reason = app
            .send(
                Some(Role::Supervisor),
                Call::json(
                    "POST",
                    format!("/v1/filings/{id}/override"),
                    json!({"lane": "green", "reason": "  "}),
                ),
            )
            .await;
        assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(no_reason.json()["field"], "reason");
        let ov = app.send(Some(Role::Supervisor), Call::json("POST", format!("/v1/filings/{id}/override"), json!({"lane": "green", "actions": ["release"], "reason": "known consignee, documents seen"}))).await;
        assert_eq!(ov.status, StatusCode::CREATED, "{}", ov.text());
        let after = app
            .send(Some(Role::Officer), Call::get(format!("/v1/filings/{id}")))
            .await
            .json();
        assert_eq!(before["decision"], after["decision"]);
        assert_eq!(
            after["overrides"][0]["reason"],
            "known consignee, documents seen"
        );
        // Overridden to green: out of the queue.
        let q2 = app
            .send(Some(Role::Officer), Call::get("/v1/queue?limit=1000"))
            .await
            .json();
        assert!(
            q2["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["filing_id"] != id.as_str())
        );
        // An exam result on another queued filing takes it out too.
        let other_id = q2["items"][0]["filing_id"].as_str().unwrap().to_owned();
        let ex = app
            .send(
                Some(Role::Officer),
                Call::json(
                    "POST",
                    format!("/v1/filings/{other_id}/exam"),
                    json!({"result": "finding", "severity": 2, "note": "undeclared goods"}),
                ),
            )
            .await;
        assert_eq!(ex.status, StatusCode::CREATED, "{}", ex.text());
        let q3 = app
            .send(Some(Role::Officer), Call::get("/v1/queue?limit=1000"))
            .await
            .json();
        assert!(
            q3["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["filing_id"] != other_id.as_str())
        );
        // Every change is in the chain.
        let mut s = app.store();
        for action in ["assign", "override", "exam.record"] {
            let e = s
                .audit(&AuditFilter {
                    action: Some(action.into()),
                    ..Default::default()
                })
                .unwrap();
            assert_eq!(e.len(), 1, "{action}");
        }
        assert!(s.verify().ok);
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_a_problem_and_stores_nothing() {
    for backend in backends() {
        let app = app_with(
            backend,
            Options {
                body_limit: 10_000,
                ..Options::default()
            },
        );
        let before = app.store().stats().unwrap();
        // Wrong content type.
        let a = app
            .send(
                Some(Role::Partner),
                Call::raw("POST", "/v1/filings", "image/png", "x"),
            )
            .await;
        assert_eq!(a.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(a.content_type, "application/problem+json");
        assert_eq!(a.json()["field"], "Content-Type");
        // Oversized, announced.
        let big = jsonl(100, 1);
        assert!(big.len() > 10_000);
        let a = app
            .send(
                Some(Role::Partner),
                Call::raw("POST", "/v1/filings", "application/x-ndjson", big.clone())
                    .header("content-length", &big.len().to_string()),
            )
            .await;
        assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", a.text());
        // Commands: unknown field, malformed JSON, wrong type, traversal in an id.
        let id = "X1";
        let a = app
            .send(
                Some(Role::Supervisor),
                Call::json(
                    "POST",
                    format!("/v1/filings/{id}/assign"),
                    json!({"oficer": "officer"}),
                ),
            )
            .await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text());
        assert_eq!(a.json()["field"], "oficer");
        let a = app
            .send(
                Some(Role::Supervisor),
                Call::raw(
                    "POST",
                    format!("/v1/filings/{id}/override"),
                    "application/json",
                    "{\n \"lane\": \"green\",\n \"reason\": ",
                ),
            )
            .await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text());
        assert_eq!(a.json()["line"], 3);
        let a = app
            .send(
                Some(Role::Supervisor),
                Call::json(
                    "POST",
                    format!("/v1/filings/{id}/override"),
                    json!({"lane": "purple", "reason": "x"}),
                ),
            )
            .await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(a.json()["field"], "lane");
        let a = app
            .send(
                Some(Role::Supervisor),
                Call::json(
                    "POST",
                    format!("/v1/filings/{id}/exam"),
                    json!({"result": "finding"}),
                )
                .header("x", "y"),
            )
            .await;
        assert_eq!(a.status, StatusCode::NOT_FOUND);
        for bad in ["..%2F..%2Fetc%2Fpasswd", "a%2Fb", "..", "a%5Cb", "a%20b"] {
            let a = app
                .send(Some(Role::Officer), Call::get(format!("/v1/filings/{bad}")))
                .await;
            assert_eq!(a.status, StatusCode::BAD_REQUEST, "{bad}: {}", a.text());
            assert_eq!(a.json()["field"], "id");
        }
        let a = app
            .send(
                Some(Role::Supervisor),
                Call::json("POST", "/v1/filings/X1/assign", json!({}))
                    .header("content-type", "text/plain"),
            )
            .await;
        assert!(a.status.is_client_error());
        let a = app
            .send(Some(Role::Officer), Call::get("/v1/queue?lane=purple"))
            .await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST);
        assert_eq!(a.json()["field"], "lane");
        let a = app
            .send(Some(Role::Officer), Call::get("/v1/queue?colour=red"))
            .await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST);
        assert_eq!(a.json()["field"], "colour");
        let a = app
            .send(Some(Role::Officer), Call::get("/v1/nothing-here"))
            .await;
        assert_eq!(a.status, StatusCode::NOT_FOUND);
        assert_eq!(a.content_type, "application/problem+json");
        let after = app.store().stats().unwrap();
        assert_eq!(before, after, "nothing stored");
        // A body of nothing but garbage: 422 naming the line; the reject is stored with its reasons.
        let a = app
            .send(
                Some(Role::Partner),
                Call::raw(
                    "POST",
                    "/v1/filings",
                    "application/x-ndjson",
                    "{\"id\": \"A\"}\nnot json\n",
                ),
            )
            .await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text());
        assert_eq!(a.json()["line"], 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_expire_and_revoke() {
    for backend in backends() {
        let app = app(backend);
        let made = app
            .send(
                Some(Role::Admin),
                Call::json(
                    "POST",
                    "/v1/users",
                    json!({"name": "feed", "role": "partner"}),
                ),
            )
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
        let t = app
            .send(
                Some(Role::Admin),
                Call::json("POST", "/v1/users/feed/tokens", json!({"days": 30})),
            )
            .await
            .json();
        let secret = t["secret"].as_str().unwrap().to_owned();
        let id = t["id"].as_str().unwrap().to_owned();
        // The store holds only the hash.
        let mut s = app.store();
        let tokens = s.tokens("feed").unwrap();
        assert_eq!(tokens.len(), 1);
        assert_ne!(tokens[0].hash, secret);
        assert!(!format!("{tokens:?}").contains(&secret));
        let who = |secret: String| {
            Call::get("/v1/session").header("authorization", &format!("Bearer {secret}"))
        };
        assert_eq!(
            app.send(None, who(secret.clone())).await.status,
            StatusCode::OK
        );
        let r = app
            .send(Some(Role::Admin), Call::delete(format!("/v1/tokens/{id}")))
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        assert_eq!(
            app.send(None, who(secret.clone())).await.status,
            StatusCode::UNAUTHORIZED
        );
        // Expired.
        let (mut old, secret2) = clearway_server::api::admin::make_token(
            "feed",
            1,
            chrono::Utc::now() - chrono::Duration::days(2),
        );
        old.id = "old".into();
        s.add_token(&old).unwrap();
        assert_eq!(
            app.send(None, who(secret2)).await.status,
            StatusCode::UNAUTHORIZED
        );
        // Disabled users' tokens stop working.
        let t = app
            .send(
                Some(Role::Admin),
                Call::json("POST", "/v1/users/feed/tokens", json!({})),
            )
            .await
            .json();
        let secret3 = t["secret"].as_str().unwrap().to_owned();
        assert_eq!(
            app.send(None, who(secret3.clone())).await.status,
            StatusCode::OK
        );
        let d = app
            .send(
                Some(Role::Admin),
                Call::json("POST", "/v1/users/feed/disable", json!({})),
            )
            .await;
        assert_eq!(d.status, StatusCode::OK);
        assert_eq!(
            app.send(None, who(secret3)).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            s.audit(&AuditFilter {
                record: Some("feed".into()),
                ..Default::default()
            })
            .unwrap()
            .len(),
            4,
            "add, 2 tokens, disable"
        );
    }
}

/// A body that arrives in pieces: `pieces`, then (with `stall`) a pause longer than the idle timeout.
fn streamed(pieces: Vec<Vec<u8>>, stall: Option<std::time::Duration>) -> axum::body::Body {
    let s =
        futures_util::stream::unfold((pieces.into_iter(), stall), |(mut it, stall)| async move {
            match it.next() {
                Some(p) => Some((
                    Ok::<_, std::io::Error>(axum::body::Bytes::from(p)),
                    (it, stall),
                )),
                None => {
                    if let Some(d) = stall {
                        tokio::time::sleep(d).await;
                    }
                    None
                }
            }
        });
    axum::body::Body::from_stream(s)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_oversized_streams_store_nothing() {
    for backend in backends() {
        let app = app_with(
            backend,
            Options {
                body_limit: 10_000,
                body_idle_timeout: std::time::Duration::from_millis(300),
                ..Options::default()
            },
        );
        let before = app.store().stats().unwrap();
        // A chunked body (no Content-Length) that grows past the limit: 413, nothing of it stored.
        let big = jsonl(100, 1).into_bytes();
        let pieces: Vec<Vec<u8>> = big.chunks(1000).map(|c| c.to_vec()).collect();
        let req = axum::http::Request::post("/v1/filings")
            .header("content-type", "application/x-ndjson")
            .body(streamed(pieces, None))
            .unwrap();
        let a = app.send_raw(Role::Partner, req).await;
        assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", a.text());
        assert_eq!(a.content_type, "application/problem+json");
        // A client that stalls mid-body: 408, nothing stored.
        let body = jsonl(3, 2).into_bytes();
        let half = body[..body.len() / 2].to_vec();
        let req = axum::http::Request::post("/v1/filings")
            .header("content-type", "application/x-ndjson")
            .body(streamed(
                vec![half],
                Some(std::time::Duration::from_secs(2)),
            ))
            .unwrap();
        let a = app.send_raw(Role::Partner, req).await;
        assert_eq!(a.status, StatusCode::REQUEST_TIMEOUT, "{}", a.text());
        let after = app.store().stats().unwrap();
        assert_eq!(before, after, "nothing stored");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sender_format_responses_after_commit() {
    let app = app("sqlite");
    let filings: Vec<clearway_core::Filing> =
        clearway_synth::Generator::new(clearway_synth::Config::new(3, 21)).collect();
    let cuscar = clearway_formats::edifact::write_cuscar(&filings, "SENDER", "CLEARWAY", "77");
    let a = app
        .send(
            Some(Role::Partner),
            Call::raw("POST", "/v1/filings", "application/edifact", cuscar.clone())
                .header("accept", "application/EDIFACT"),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(a.content_type, "application/EDIFACT");
    assert!(a.text().contains("CUSRES"), "{}", a.text());
    // Stored before it was answered.
    assert_eq!(app.store().stats().unwrap().versions, 3);
    // JSON by default, for the same body (duplicates now).
    let a = app
        .send(
            Some(Role::Partner),
            Call::raw("POST", "/v1/filings", "application/edifact", cuscar),
        )
        .await
        .json();
    assert_eq!(a["duplicates"], 3);
    // X12 asked of JSON Lines: no such response in the body.
    let a = app
        .send(
            Some(Role::Partner),
            Call::raw("POST", "/v1/filings", "application/x-ndjson", jsonl(2, 3))
                .header("accept", "application/EDI-X12"),
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_ACCEPTABLE);
    let a = app
        .send(
            Some(Role::Partner),
            Call::raw("POST", "/v1/filings", "application/x-ndjson", jsonl(2, 3))
                .header("accept", "image/png"),
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_ACCEPTABLE);
    assert_eq!(a.json()["field"], "Accept");
}
