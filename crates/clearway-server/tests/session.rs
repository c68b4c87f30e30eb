//! Browser sessions: argon2id passwords, the HttpOnly SameSite=Strict cookie, the CSRF token on unsafe
//! methods, sign-out, and the failed sign-in limit (per user and per client address).

mod common;

use axum::http::StatusCode;
use clearway_server::backend::{Role, User};
use clearway_store::AuditFilter;
use common::*;
use serde_json::json;

const PASSWORD: &str = "correct horse battery staple";

fn add_person(app: &TestApp, name: &str, role: Role) {
    let hash = clearway_server::auth::hash_password(PASSWORD).unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    app.store()
        .add_user(&User {
            name: name.into(),
            role,
            office: None,
            password_hash: Some(hash),
            disabled: false,
            created_at: chrono::Utc::now(),
        })
        .unwrap();
}

fn cookie_of(a: &Answer) -> String {
    let set = a
        .headers
        .get("set-cookie")
        .expect("set-cookie")
        .to_str()
        .unwrap()
        .to_owned();
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(attr), "{set}");
    }
    set.split(';').next().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_cookie_and_csrf() {
    for backend in backends() {
        let app = app(backend);
        add_person(&app, "sam", Role::Supervisor);
        let a = app
            .send(
                None,
                Call::json(
                    "POST",
                    "/v1/session",
                    json!({"user": "sam", "password": PASSWORD}),
                ),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        let cookie = cookie_of(&a);
        let csrf = a.json()["csrf_token"].as_str().unwrap().to_owned();
        // Safe methods need only the cookie.
        let who = app
            .send(None, Call::get("/v1/session").header("cookie", &cookie))
            .await;
        assert_eq!(who.status, StatusCode::OK);
        assert_eq!(who.json()["role"], "supervisor");
        // Unsafe methods need the session's CSRF token too.
        let body = jsonl(2, 9);
        let no = app
            .send(
                None,
                Call::raw("POST", "/v1/filings", "application/x-ndjson", body.clone())
                    .header("cookie", &cookie),
            )
            .await;
        assert_eq!(no.status, StatusCode::FORBIDDEN);
        assert_eq!(no.json()["field"], "X-CSRF-Token");
        let wrong = app
            .send(
                None,
                Call::raw("POST", "/v1/filings", "application/x-ndjson", body.clone())
                    .header("cookie", &cookie)
                    .header("x-csrf-token", "0000"),
            )
            .await;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN);
        let yes = app
            .send(
                None,
                Call::raw("POST", "/v1/filings", "application/x-ndjson", body)
                    .header("cookie", &cookie)
                    .header("x-csrf-token", &csrf),
            )
            .await;
        assert_eq!(yes.status, StatusCode::OK, "{}", yes.text());
        // Sign out ends the session.
        let out = app
            .send(
                None,
                Call::delete("/v1/session")
                    .header("cookie", &cookie)
                    .header("x-csrf-token", &csrf),
            )
            .await;
        assert_eq!(out.status, StatusCode::NO_CONTENT);
        let who = app
            .send(None, Call::get("/v1/session").header("cookie", &cookie))
            .await;
        assert_eq!(who.status, StatusCode::UNAUTHORIZED);
        // Sign-ins are audited.
        let e = app
            .store()
            .audit(&AuditFilter {
                record: Some("sam".into()),
                action: Some("sign-in".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(e.len(), 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_sign_ins_are_limited() {
    let app = app("sqlite");
    add_person(&app, "pat", Role::Officer);
    for i in 0..5 {
        let a = app
            .send(
                None,
                Call::json(
                    "POST",
                    "/v1/session",
                    json!({"user": "pat", "password": format!("guess {i}")}),
                ),
            )
            .await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "attempt {i}");
        assert_eq!(a.content_type, "application/problem+json");
    }
    // Locked now, even with the right password.
    let a = app
        .send(
            None,
            Call::json(
                "POST",
                "/v1/session",
                json!({"user": "pat", "password": PASSWORD}),
            ),
        )
        .await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "{}", a.text());
    assert!(a.headers.get("retry-after").is_some());
    // Another user from the same address is not locked yet (the address limit is higher).
    add_person(&app, "quinn", Role::Officer);
    let a = app
        .send(
            None,
            Call::json(
                "POST",
                "/v1/session",
                json!({"user": "quinn", "password": PASSWORD}),
            ),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    // The address limit: unknown names from one address.
    for i in 0..15 {
        let a = app
            .send(
                None,
                Call::json(
                    "POST",
                    "/v1/session",
                    json!({"user": format!("ghost{i}"), "password": "x"}),
                ),
            )
            .await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "ghost {i}");
    }
    let a = app
        .send(
            None,
            Call::json(
                "POST",
                "/v1/session",
                json!({"user": "quinn", "password": PASSWORD}),
            ),
        )
        .await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
    let failed = app
        .store()
        .audit(&AuditFilter {
            action: Some("sign-in.failed".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(failed.len(), 20);
}
