//! `POST /v1/filings` (ingest any format `screen` reads; answer after commit) and
//! `GET /v1/filings/{id}` (the latest decision with its explanation, versions, exams, case state).
//!
//! The body streams: hyper's frames → a byte counter with an idle timeout → `SyncIoBridge` → the
//! synchronous readers and the batch loop on the blocking pool. Nothing is answered before its batch
//! commits. Idempotent on `(filing_id, version)`: a resubmission answers the decision that stands.

use axum::body::{Body, Bytes};
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use tokio_util::io::{StreamReader, SyncIoBridge};
use utoipa::ToSchema;

use super::{audit, backend_problem};
use crate::AppState;
use crate::auth::Caller;
use crate::backend::{self, AckStatus, Acked};
use crate::openapi::{DecisionDoc, DiagnosticDoc, FilingViewDoc};
use crate::problem::{Kind, Problem, check_id};

/// Content types `POST /v1/filings` takes; the format itself is told from the content.
pub const INGEST_TYPES: &[&str] = &[
    "application/json",
    "application/x-ndjson",
    "application/jsonl",
    "application/json-seq",
    "text/csv",
    "application/edifact",
    "application/edi-x12",
    "application/xml",
    "text/xml",
    "text/plain",
    "application/octet-stream",
];

/// One input of the body, once its batch committed.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct IngestItem {
    /// 1-based line (or record number) in the body.
    pub line: u64,
    /// `stored`, `duplicate` (the decision that stands is returned) or `rejected`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<DecisionDoc>)]
    pub decision: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<DiagnosticDoc>)]
    pub diagnostics: Vec<serde_json::Value>,
}

/// The answer to `POST /v1/filings`: every input, in body order, after commit.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct IngestReport {
    /// Accepted inputs (stored or duplicate).
    pub decisions: u64,
    pub duplicates: u64,
    pub rejected: u64,
    pub warnings: u64,
    /// Accepted inputs per lane.
    pub lanes: BTreeMap<String, u64>,
    pub items: Vec<IngestItem>,
}

impl IngestReport {
    fn new() -> Self {
        IngestReport {
            decisions: 0,
            duplicates: 0,
            rejected: 0,
            warnings: 0,
            lanes: BTreeMap::new(),
            items: Vec::new(),
        }
    }

    fn add(&mut self, a: Acked) {
        match a.status {
            AckStatus::Rejected => self.rejected += 1,
            s => {
                self.decisions += 1;
                self.duplicates += (s == AckStatus::Duplicate) as u64;
                self.warnings += a.diagnostics.len() as u64;
                if let Some(d) = &a.decision {
                    *self.lanes.entry(d.lane.as_str().to_owned()).or_default() += 1;
                }
            }
        }
        let status = match a.status {
            AckStatus::Stored => "stored",
            AckStatus::Duplicate => "duplicate",
            AckStatus::Rejected => "rejected",
        };
        self.items.push(IngestItem {
            line: a.line,
            status: status.into(),
            decision: a
                .decision
                .map(|d| serde_json::to_value(d).unwrap_or_default()),
            diagnostics: a
                .diagnostics
                .iter()
                .map(|d| serde_json::to_value(d).unwrap_or_default())
                .collect(),
        });
    }
}

const FAIL_NONE: u8 = 0;
const FAIL_TOO_LARGE: u8 = 1;
const FAIL_TIMEOUT: u8 = 2;

fn mime(headers: &HeaderMap, name: header::HeaderName) -> String {
    let v = headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    v.split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

#[utoipa::path(post, path = "/v1/filings", tag = "filings",
    request_body(content((String = "application/x-ndjson"), (String = "application/json"), (String = "text/csv"), (String = "application/edifact"), (String = "application/edi-x12"), (String = "application/xml")),
        description = "Filings in any format `clearway screen` reads (JSON, JSON Lines, JSON array, CSV, UN/EDIFACT CUSCAR, ANSI X12 309, WCO DM XML), told from the content"),
    responses((status = 200, body = IngestReport, description = "Every input's decision (or rejection), after commit"),
              (status = 406, body = Problem), (status = 408, body = Problem), (status = 413, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem, description = "Every input was rejected; the first one's reason")),
    security(("bearer" = []), ("session" = [])))]
pub async fn post(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let ct = mime(&headers, header::CONTENT_TYPE);
    if !INGEST_TYPES.contains(&ct.as_str()) {
        let shown = if ct.is_empty() { "none" } else { ct.as_str() };
        return Err(Problem::new(
            Kind::UnsupportedMediaType,
            format!(
                "Content-Type {shown}: send one of {}",
                INGEST_TYPES.join(", ")
            ),
        )
        .field("Content-Type"));
    }
    let accept = mime(&headers, header::ACCEPT);
    let respond = match accept.as_str() {
        "" | "*/*" | "application/*" | "application/json" => None,
        "application/edifact" => Some((&["cusres"][..], "application/EDIFACT")),
        "application/edi-x12" => Some((&["997", "355"][..], "application/EDI-X12")),
        "application/xml" | "text/xml" => Some((&["wco-response"][..], "application/xml")),
        other => {
            return Err(Problem::new(Kind::NotAcceptable, format!("Accept {other}: answer application/json, or the sender's format: application/EDIFACT (CUSRES), application/EDI-X12 (997 + 355), application/xml (WCO DM response)")).field("Accept"));
        }
    };
    let limit = app.config.body_limit;
    if let Some(len) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        && len > limit
    {
        return Err(Problem::new(
            Kind::TooLarge,
            format!("the body is {len} bytes; the limit is {limit}"),
        )
        .field("Content-Length"));
    }
    let fail = Arc::new(AtomicU8::new(FAIL_NONE));
    let fail_seen = fail.clone();
    let reader = {
        let mut seen = 0u64;
        let idle = app.config.body_idle_timeout;
        let stream = body.into_data_stream();
        let f = fail.clone();
        let stream = futures_util::stream::unfold((stream, false), move |(mut s, done)| {
            let f = f.clone();
            async move {
                if done {
                    return None;
                }
                match tokio::time::timeout(idle, s.next()).await {
                    Err(_) => {
                        f.store(FAIL_TIMEOUT, Ordering::Release);
                        Some((
                            Err(std::io::Error::new(
                                std::io::ErrorKind::TimedOut,
                                "the client sent nothing for too long",
                            )),
                            (s, true),
                        ))
                    }
                    Ok(None) => None,
                    Ok(Some(Err(e))) => Some((Err(std::io::Error::other(e)), (s, true))),
                    Ok(Some(Ok(b))) => Some((Ok::<Bytes, std::io::Error>(b), (s, false))),
                }
            }
        });
        let f = fail.clone();
        let stream = stream.map(move |r| {
            let b = r?;
            seen += b.len() as u64;
            if seen > limit {
                f.store(FAIL_TOO_LARGE, Ordering::Release);
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("the body is larger than {limit} bytes"),
                ));
            }
            Ok(b)
        });
        SyncIoBridge::new(StreamReader::new(Box::pin(stream)))
    };
    let _permit = app
        .ingest_permits
        .acquire()
        .await
        .map_err(Problem::internal)?;
    let screener = app.screener();
    let open = app.pool.opener();
    let batch = app.config.batch;
    let caller2 = caller.clone();
    let (report, responses) = app
        .pool
        .run(move |s| {
            let mut report = IngestReport::new();
            let result = backend::ingest(Box::new(reader), &screener, &open, batch, respond.is_some(), &mut |a| report.add(a));
            // Audit what was committed, even when the rest of the body failed.
            let ids: Vec<String> = report.items.iter().filter_map(|i| i.decision.as_ref()?.get("filing_id")?.as_str().map(str::to_owned)).collect();
            if !report.items.is_empty() {
                audit(s, &caller2, "filing.ingest", None, serde_json::json!({
                    "decisions": report.decisions, "duplicates": report.duplicates, "rejected": report.rejected, "filings": ids,
                }))?;
            }
            match result {
                Ok(responses) => Ok((report, responses)),
                Err(backend::BackendError::Input(e)) => Err(match fail_seen.load(Ordering::Acquire) {
                    FAIL_TOO_LARGE => Problem::new(Kind::TooLarge, format!("the body is larger than {limit} bytes; {} inputs in earlier batches were stored", report.items.len())),
                    FAIL_TIMEOUT => Problem::new(Kind::Timeout, format!("the body stalled; {} inputs in earlier batches were stored", report.items.len())),
                    _ => Problem::bad_request(format!("reading the body: {e}")),
                }),
                Err(e) => Err(backend_problem(e)),
            }
        })
        .await?;
    for (lane, n) in &report.lanes {
        app.metrics.decided(lane, *n);
    }
    if report.decisions == 0 && report.rejected > 0 {
        let first = report.items.iter().find(|i| i.status == "rejected");
        let mut p = Problem::new(
            Kind::Unprocessable,
            "every input was rejected (stored with its reasons)",
        );
        if let Some(i) = first {
            p = p.line(i.line);
            if let Some(d) = i.diagnostics.first() {
                if let Some(m) = d.get("message").and_then(|m| m.as_str()) {
                    p.detail = Some(format!(
                        "every input was rejected (stored with its reasons); line {}: {m}",
                        i.line
                    ));
                }
                if let Some(path) = d.pointer("/location/path").and_then(|m| m.as_str()) {
                    p = p.field(path);
                }
            }
        }
        return Err(p);
    }
    if let Some((kinds, content_type)) = respond {
        let body: Vec<String> = responses
            .into_iter()
            .filter(|r| kinds.contains(&r.kind))
            .map(|r| r.body)
            .collect();
        if body.is_empty() {
            return Err(Problem::new(Kind::NotAcceptable, format!("Accept {accept}: the body was not a message of that format, so there is no response in it; its decisions are stored")).field("Accept"));
        }
        let mut resp = body.join("\n").into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static(content_type),
        );
        return Ok(resp);
    }
    if report.items.is_empty() {
        return Err(Problem::new(Kind::Unprocessable, "the body holds no filings").field("body"));
    }
    Ok((StatusCode::OK, axum::Json(report)).into_response())
}

#[utoipa::path(get, path = "/v1/filings/{id}", tag = "filings",
    params(("id" = String, Path, description = "Filing id")),
    responses((status = 200, body = FilingViewDoc, description = "The latest decision with its explanation, versions, exam results, assignment and overrides"),
              (status = 400, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = []), ("session" = [])))]
pub async fn get(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    check_id("id", &id)?;
    let view = app
        .pool
        .run(move |s| {
            let view = backend::filing_view(s, &id).map_err(backend_problem)?;
            let Some(view) = view else {
                return Err(Problem::not_found(format!("no filing {id}")).field("id"));
            };
            audit(
                s,
                &caller,
                "filing.read",
                Some(&id),
                serde_json::json!({"version": view.decision.version}),
            )?;
            Ok(view)
        })
        .await?;
    Ok(axum::Json(view).into_response())
}
