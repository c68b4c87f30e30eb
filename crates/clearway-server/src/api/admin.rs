//! Users, tokens (admin) and the audit log (auditor). Every change is audited.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Json, audit, store_problem};
use crate::AppState;
use crate::auth::{self, Caller};
use crate::backend::{AuditFilter, Role, TokenRecord, User};
use crate::openapi::{AuditEntryDoc, RoleDoc};
use crate::problem::{Problem, check_id};

/// A user as the API shows it (never the password hash).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UserInfo {
    pub name: String,
    #[schema(value_type = RoleDoc)]
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office: Option<String>,
    pub disabled: bool,
    pub has_password: bool,
    pub created_at: DateTime<Utc>,
}

impl From<User> for UserInfo {
    fn from(u: User) -> Self {
        UserInfo {
            name: u.name,
            role: u.role,
            office: u.office,
            disabled: u.disabled,
            has_password: u.password_hash.is_some(),
            created_at: u.created_at,
        }
    }
}

#[utoipa::path(get, path = "/v1/users", tag = "accounts",
    responses((status = 200, body = Vec<UserInfo>)), security(("bearer" = []), ("session" = [])))]
pub async fn list_users(State(app): State<AppState>) -> Result<Response, Problem> {
    let users = app.pool.run(|s| s.users().map_err(store_problem)).await?;
    Ok(axum::Json(users.into_iter().map(UserInfo::from).collect::<Vec<_>>()).into_response())
}

/// A new user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub name: String,
    #[schema(value_type = RoleDoc)]
    pub role: Role,
    #[serde(default)]
    pub office: Option<String>,
    /// For people who sign in; machine clients (partners) use tokens and need none.
    #[serde(default)]
    pub password: Option<String>,
}

/// The shortest password accepted.
pub const MIN_PASSWORD: usize = 12;

#[utoipa::path(post, path = "/v1/users", tag = "accounts", request_body = NewUser,
    responses((status = 201, body = UserInfo), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []), ("session" = [])))]
pub async fn add_user(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(req): Json<NewUser>,
) -> Result<Response, Problem> {
    check_id("name", &req.name)?;
    let hash = match &req.password {
        Some(p) if p.chars().count() < MIN_PASSWORD => {
            return Err(Problem::unprocessable(
                "password",
                format!("at least {MIN_PASSWORD} characters"),
            ));
        }
        Some(p) => {
            let p = p.clone();
            Some(
                tokio::task::spawn_blocking(move || auth::hash_password(&p))
                    .await
                    .map_err(Problem::internal)??,
            )
        }
        None => None,
    };
    let user = User {
        name: req.name,
        role: req.role,
        office: req.office,
        password_hash: hash,
        disabled: false,
        created_at: Utc::now(),
    };
    let info = UserInfo::from(user.clone());
    app.pool
        .run(move |s| {
            s.add_user(&user).map_err(store_problem)?;
            audit(
                s,
                &caller,
                "user.add",
                Some(&user.name),
                serde_json::json!({"role": user.role, "office": user.office}),
            )
        })
        .await?;
    Ok((StatusCode::CREATED, axum::Json(info)).into_response())
}

/// Disable (or enable again) a user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisableRequest {
    /// `false` enables the user again (default `true`).
    #[serde(default = "yes")]
    pub disabled: bool,
}

fn yes() -> bool {
    true
}

#[utoipa::path(post, path = "/v1/users/{name}/disable", tag = "accounts", request_body = DisableRequest,
    params(("name" = String, Path)),
    responses((status = 200, body = UserInfo), (status = 404, body = Problem)), security(("bearer" = []), ("session" = [])))]
pub async fn disable_user(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    Json(req): Json<DisableRequest>,
) -> Result<Response, Problem> {
    check_id("name", &name)?;
    let n = name.clone();
    let user = app
        .pool
        .run(move |s| {
            if !s
                .set_user_disabled(&n, req.disabled)
                .map_err(store_problem)?
            {
                return Err(Problem::not_found(format!("no user {n}")).field("name"));
            }
            let action = if req.disabled {
                "user.disable"
            } else {
                "user.enable"
            };
            audit(s, &caller, action, Some(&n), serde_json::json!({}))?;
            s.user(&n).map_err(store_problem)
        })
        .await?;
    app.accounts.forget_user(&name);
    let user = user.ok_or_else(|| Problem::not_found(format!("no user {name}")))?;
    Ok(axum::Json(UserInfo::from(user)).into_response())
}

/// A new token's lifetime.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// Days until it expires (default 90; 0: never).
    #[serde(default)]
    pub days: Option<u32>,
}

/// A new token: the secret is shown once and never stored.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenCreated {
    pub id: String,
    pub user: String,
    /// Send as `Authorization: Bearer SECRET`.
    pub secret: String,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Make a token for `user` (the store keeps only its hash).
pub fn make_token(user: &str, days: u32, now: DateTime<Utc>) -> (TokenRecord, String) {
    let (secret, hash) = auth::new_token();
    let id = auth::random_hex(8);
    let expires_at = (days > 0).then(|| now + Duration::days(days as i64));
    (
        TokenRecord {
            id,
            user: user.to_owned(),
            hash,
            created_at: now,
            expires_at,
            revoked_at: None,
        },
        secret,
    )
}

#[utoipa::path(post, path = "/v1/users/{name}/tokens", tag = "accounts", request_body = NewToken,
    params(("name" = String, Path)),
    responses((status = 201, body = TokenCreated), (status = 404, body = Problem)), security(("bearer" = []), ("session" = [])))]
pub async fn create_token(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    Json(req): Json<NewToken>,
) -> Result<Response, Problem> {
    check_id("name", &name)?;
    let (record, secret) = make_token(&name, req.days.unwrap_or(90), Utc::now());
    let out = TokenCreated {
        id: record.id.clone(),
        user: name.clone(),
        secret,
        expires_at: record.expires_at,
    };
    app.pool
        .run(move |s| {
            if s.user(&name).map_err(store_problem)?.is_none() {
                return Err(Problem::not_found(format!("no user {name}")).field("name"));
            }
            s.add_token(&record).map_err(store_problem)?;
            audit(
                s,
                &caller,
                "token.create",
                Some(&name),
                serde_json::json!({"token": record.id, "expires_at": record.expires_at}),
            )
        })
        .await?;
    Ok((StatusCode::CREATED, axum::Json(out)).into_response())
}

#[utoipa::path(delete, path = "/v1/tokens/{id}", tag = "accounts", params(("id" = String, Path)),
    responses((status = 204, description = "Revoked"), (status = 404, body = Problem)), security(("bearer" = []), ("session" = [])))]
pub async fn revoke_token(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    check_id("id", &id)?;
    app.pool
        .run(move |s| {
            if !s.revoke_token(&id, Utc::now()).map_err(store_problem)? {
                return Err(Problem::not_found(format!("no active token {id}")).field("id"));
            }
            audit(s, &caller, "token.revoke", Some(&id), serde_json::json!({}))
        })
        .await?;
    app.accounts.forget_tokens();
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Which audit entries.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// The record (filing id, user name, list...): "who looked at this shipment".
    pub record: Option<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
    /// Entries before this sequence number (paging back).
    pub before: Option<u64>,
    /// At most this many (default 100, at most 1000).
    pub limit: Option<usize>,
}

#[utoipa::path(get, path = "/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = Vec<AuditEntryDoc>, description = "Newest first")), security(("bearer" = []), ("session" = [])))]
pub async fn audit_log(
    State(app): State<AppState>,
    q: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Response, Problem> {
    let Query(q) = q.map_err(super::cases::query_problem)?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(Problem::bad_request(format!("limit {limit}: want 1 to 1000")).field("limit"));
    }
    let f = AuditFilter {
        record: q.record,
        actor: q.actor,
        action: q.action,
        before_seq: q.before,
        limit: Some(limit),
    };
    let entries = app
        .pool
        .run(move |s| s.audit(&f).map_err(store_problem))
        .await?;
    Ok(axum::Json(entries).into_response())
}
