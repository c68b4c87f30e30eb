//! The handlers, one module per resource. Each adapts HTTP to a backend call made on the blocking
//! pool, writes the audit entry for what it did, and answers JSON or a problem document.

pub mod admin;
pub mod cases;
pub mod filings;
pub mod lists;
pub mod ops;
pub mod session;

use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde::de::DeserializeOwned;

use crate::auth::Caller;
use crate::backend::{AuditEvent, BackendError};
use crate::problem::{Kind, Problem};
use clearway_service::ServiceError;
use clearway_store::{Store, StoreError};

/// Small JSON request bodies (commands, sign-in): at most this many bytes.
pub const COMMAND_LIMIT: usize = 256 * 1024;

/// A JSON request body: `application/json` only (415 otherwise), unknown fields refused by the target
/// type, and every error a problem naming the field and line.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Problem> {
        let ct = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let mime = ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if mime != "application/json" {
            let shown = if ct.is_empty() {
                "none".to_owned()
            } else {
                ct.to_owned()
            };
            return Err(Problem::new(
                Kind::UnsupportedMediaType,
                format!("Content-Type {shown}: this endpoint takes application/json"),
            )
            .field("Content-Type"));
        }
        let bytes = axum::body::to_bytes(req.into_body(), COMMAND_LIMIT)
            .await
            .map_err(|_| {
                Problem::new(
                    Kind::TooLarge,
                    format!("a command body is at most {COMMAND_LIMIT} bytes"),
                )
            })?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(de).map_err(crate::problem::json_error)?;
        Ok(Json(value))
    }
}

/// A backend error as a problem for the client.
pub fn backend_problem(e: BackendError) -> Problem {
    match e {
        BackendError::Service(e) => service_problem(e),
        BackendError::Input(e) => Problem::bad_request(format!("reading the request body: {e}")),
    }
}

/// A workflow's error as a problem: what the request named wrongly is the client's, the rest the server's.
pub fn service_problem(e: ServiceError) -> Problem {
    match e {
        ServiceError::Store(e) => store_problem(e),
        ServiceError::NotFound(m) => Problem::not_found(m),
        ServiceError::Invalid(m) => Problem::new(Kind::Unprocessable, m),
        e @ ServiceError::Rows { .. } => {
            let detail = match &e {
                ServiceError::Rows { rows, .. } => format!("{e}: {}", rows.join("; ")),
                _ => e.to_string(),
            };
            Problem::new(Kind::Unprocessable, detail)
        }
        other => Problem::internal(other),
    }
}

/// A store error as a problem: conflicts are the client's (409), the rest the server's.
pub fn store_problem(e: StoreError) -> Problem {
    match e {
        StoreError::Conflict(m) => Problem::new(Kind::Conflict, m),
        other => Problem::internal(other),
    }
}

/// Append one audit entry for what `caller` did. Failing to audit fails the request: an action that
/// cannot be audited must not be reported as done.
pub fn audit(
    store: &mut dyn Store,
    caller: &Caller,
    action: &str,
    record: Option<&str>,
    detail: serde_json::Value,
) -> Result<(), Problem> {
    let event = AuditEvent {
        at: chrono::Utc::now(),
        actor: caller.name.clone(),
        role: caller.role_str().to_owned(),
        action: action.to_owned(),
        record: record.map(str::to_owned),
        detail,
        from: Some(caller.from.clone()),
    };
    store.append_audit(&event).map_err(store_problem)?;
    Ok(())
}
