//! RFC 9457 problem details: every error the API returns is one `application/problem+json` document
//! that names the field or the line at fault, so a client can fix its request without reading logs.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An RFC 9457 problem document (`application/problem+json`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Problem {
    /// A URI naming the kind of problem (`about:blank` when the status says it all).
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The request field at fault (a JSON path such as `reason` or a query parameter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The 1-based line of the body at fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// Seconds to wait before retrying (rate limits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

/// Problem kinds: the `type` URI, its title and status, in one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    Timeout,
    TooLarge,
    UnsupportedMediaType,
    NotAcceptable,
    Unprocessable,
    TooManyRequests,
    Internal,
    Unavailable,
}

impl Kind {
    fn spec(self) -> (StatusCode, &'static str, &'static str) {
        use Kind::*;
        match self {
            BadRequest => (
                StatusCode::BAD_REQUEST,
                "bad-request",
                "The request is malformed",
            ),
            Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Sign in or present a bearer token",
            ),
            Forbidden => (
                StatusCode::FORBIDDEN,
                "forbidden",
                "Your role may not do this",
            ),
            NotFound => (StatusCode::NOT_FOUND, "not-found", "No such resource"),
            MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
            ),
            Conflict => (
                StatusCode::CONFLICT,
                "conflict",
                "The request conflicts with the stored state",
            ),
            Timeout => (
                StatusCode::REQUEST_TIMEOUT,
                "timeout",
                "The request took too long to arrive",
            ),
            TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                "The request body is too large",
            ),
            UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported content type",
            ),
            NotAcceptable => (
                StatusCode::NOT_ACCEPTABLE,
                "not-acceptable",
                "No acceptable response format",
            ),
            Unprocessable => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "unprocessable",
                "The request is well-formed but invalid",
            ),
            TooManyRequests => (
                StatusCode::TOO_MANY_REQUESTS,
                "too-many-requests",
                "Too many failed attempts",
            ),
            Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal error",
            ),
            Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "The service is not ready",
            ),
        }
    }
}

impl Problem {
    /// A problem of `kind` with a detail message.
    pub fn new(kind: Kind, detail: impl Into<String>) -> Problem {
        let (status, slug, title) = kind.spec();
        Problem {
            kind: format!("https://clearway.dev/problems/{slug}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: Some(detail.into()),
            instance: None,
            field: None,
            line: None,
            retry_after: None,
        }
    }

    /// Name the field at fault.
    pub fn field(mut self, field: impl Into<String>) -> Problem {
        self.field = Some(field.into());
        self
    }

    /// Name the line at fault.
    pub fn line(mut self, line: u64) -> Problem {
        self.line = Some(line);
        self
    }

    pub fn bad_request(detail: impl Into<String>) -> Problem {
        Problem::new(Kind::BadRequest, detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(Kind::NotFound, detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Problem {
        Problem::new(Kind::Forbidden, detail)
    }

    pub fn unprocessable(field: &str, detail: impl Into<String>) -> Problem {
        Problem::new(Kind::Unprocessable, detail).field(field)
    }

    /// An internal error: the detail is logged, the client sees only that it happened.
    pub fn internal(err: impl std::fmt::Display) -> Problem {
        tracing::error!("internal error: {err}");
        Problem::new(
            Kind::Internal,
            "the server could not complete the request; see its log",
        )
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status();
        let retry = self.retry_after;
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut resp = (status, body).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(s) = retry {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"clearway\""),
            );
        }
        resp
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.title)?;
        if let Some(d) = &self.detail {
            write!(f, ": {d}")?;
        }
        Ok(())
    }
}

/// Check an id taken from a path or a body: printable, no path separators or dot segments, bounded.
/// Ids name stored records; they never reach a file system, but a traversal-shaped id is refused so no
/// layer below has to wonder.
pub fn check_id(field: &str, id: &str) -> Result<(), Problem> {
    let bad = id.is_empty()
        || id.len() > 128
        || id == "."
        || id.contains("..")
        || id
            .chars()
            .any(|c| c == '/' || c == '\\' || c.is_control() || c.is_whitespace());
    if bad {
        return Err(Problem::bad_request(format!("{field}: not a valid identifier (1-128 printable characters, no '/', '\\', '..' or spaces)")).field(field));
    }
    Ok(())
}

/// Map a JSON body error to a problem that names the field (serde's path) and line.
pub fn json_error(err: serde_path_to_error::Error<serde_json::Error>) -> Problem {
    let path = err.path().to_string();
    let inner = err.into_inner();
    let mut p = Problem::new(Kind::Unprocessable, inner.to_string()).line(inner.line() as u64);
    if path != "." {
        p = p.field(path);
    } else if let Some(f) = unknown_field(&inner.to_string()) {
        p = p.field(f);
    }
    if inner.is_syntax() || inner.is_eof() {
        p = Problem::new(Kind::BadRequest, inner.to_string()).line(inner.line() as u64);
    }
    p
}

fn unknown_field(msg: &str) -> Option<String> {
    let rest = msg.strip_prefix("unknown field `")?;
    Some(rest[..rest.find('`')?].to_owned())
}
