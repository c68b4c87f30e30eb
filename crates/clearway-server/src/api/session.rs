//! Browser sign-in: `POST /v1/session` with a name and password sets the session cookie and returns the
//! CSRF token; `GET` says who is signed in; `DELETE` signs out.

use axum::extract::{Extension, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Json, audit, store_problem};
use crate::AppState;
use crate::auth::{self, COOKIE, Caller};
use crate::backend::Role;
use crate::problem::{Kind, Problem};

/// A sign-in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    pub user: String,
    pub password: String,
}

/// Who is signed in, and the CSRF token to send as `X-CSRF-Token` on unsafe methods.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionInfo {
    pub user: String,
    #[schema(value_type = crate::openapi::RoleDoc)]
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csrf_token: Option<String>,
}

#[utoipa::path(post, path = "/v1/session", tag = "session", request_body = SignIn,
    responses((status = 200, body = SessionInfo, description = "Signed in; the session cookie is set"),
              (status = 401, body = Problem), (status = 429, body = Problem)))]
pub async fn sign_in(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(req): Json<SignIn>,
) -> Result<Response, Problem> {
    crate::problem::check_id("user", &req.user)?;
    if let Some(wait) = app.accounts.limiter().blocked(&req.user, &caller.from) {
        let mut p = Problem::new(
            Kind::TooManyRequests,
            format!(
                "too many failed sign-ins for {} or from {}; try again later",
                req.user, caller.from
            ),
        );
        p.retry_after = Some(wait);
        return Err(p);
    }
    let name = req.user.clone();
    let from = caller.from.clone();
    let user = app
        .pool
        .run(move |s| {
            let user = s.user(&name).map_err(store_problem)?;
            let ok = auth::verify_password(
                &req.password,
                user.as_ref().and_then(|u| u.password_hash.as_deref()),
            );
            let user = user.filter(|u| ok && !u.disabled);
            let who = Caller {
                name: name.clone(),
                role: user.as_ref().map(|u| u.role),
                office: None,
                from,
            };
            let action = if user.is_some() {
                "sign-in"
            } else {
                "sign-in.failed"
            };
            audit(s, &who, action, Some(&name), serde_json::json!({}))?;
            Ok(user)
        })
        .await?;
    let Some(user) = user else {
        app.accounts.limiter().failed(&req.user, &caller.from);
        return Err(Problem::new(
            Kind::Unauthorized,
            "wrong user name or password, or the account is disabled",
        ));
    };
    app.accounts.limiter().succeeded(&user.name);
    let (id, csrf) = app.accounts.open_session(&user.name);
    let secure = if app.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{secure}",
        auth::SESSION_TTL.as_secs()
    );
    let info = SessionInfo {
        user: user.name,
        role: user.role,
        office: user.office,
        csrf_token: Some(csrf),
    };
    let mut resp = axum::Json(info).into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(Problem::internal)?,
    );
    Ok(resp)
}

#[utoipa::path(get, path = "/v1/session", tag = "session",
    responses((status = 200, body = SessionInfo), (status = 401, body = Problem)))]
pub async fn whoami(
    Extension(caller): Extension<Caller>,
) -> Result<axum::Json<SessionInfo>, Problem> {
    let role = caller
        .role
        .ok_or_else(|| Problem::new(Kind::Unauthorized, "not signed in"))?;
    Ok(axum::Json(SessionInfo {
        user: caller.name,
        role,
        office: caller.office,
        csrf_token: None,
    }))
}

#[utoipa::path(delete, path = "/v1/session", tag = "session",
    responses((status = 204, description = "Signed out"), (status = 401, body = Problem)))]
pub async fn sign_out(State(app): State<AppState>, headers: HeaderMap) -> Response {
    let id = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == COOKIE).then(|| v.to_owned())
        });
    if let Some(id) = id {
        app.accounts.close_session(&id);
    }
    let mut resp = axum::http::StatusCode::NO_CONTENT.into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("clearway_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
    );
    resp
}
