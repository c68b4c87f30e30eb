//! Case work: the queue of filings awaiting action, assignment, exam results and supervisors' overrides.
//! An override never changes the decision; it is recorded beside it, with its reason, and audited.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use clearway_core::{Action, Lane, Mode};
use clearway_service::exams::ExamEntry;
use clearway_store::QueueFilter;
use clearway_store::exams::ExamOutcome;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Json, audit, service_problem, store_problem};
use crate::AppState;
use crate::auth::Caller;
use crate::backend::Role;
use crate::openapi::QueuePageDoc;
use crate::problem::{Problem, check_id};

/// A query string that failed to parse, as a problem naming the parameter.
pub fn query_problem(r: QueryRejection) -> Problem {
    let text = r.body_text();
    let field = ["unknown field `", "missing field `"].iter().find_map(|p| {
        let rest = &text[text.find(p)? + p.len()..];
        Some(rest[..rest.find('`')?].to_owned())
    });
    let p = Problem::bad_request(text.clone());
    match field {
        Some(f) => p.field(f),
        None => p,
    }
}

/// A workflow error on a filing named in the path: a 404 names the `id`.
fn id_problem(e: clearway_service::ServiceError) -> Problem {
    let p = service_problem(e);
    if p.status == 404 { p.field("id") } else { p }
}

/// Queue filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// Lanes, comma-separated (default `red,yellow`).
    pub lane: Option<String>,
    pub office: Option<String>,
    /// `marine`, `air`, `rail` or `highway`.
    pub mode: Option<String>,
    /// Only filings assigned to this officer (`me`: the caller).
    pub assigned: Option<String>,
    /// Only filings assigned to nobody.
    pub unassigned: Option<bool>,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Page size, 1-1000 (default 100).
    pub limit: Option<usize>,
}

#[utoipa::path(get, path = "/v1/queue", tag = "cases", params(QueueQuery),
    responses((status = 200, body = QueuePageDoc, description = "Filings awaiting action, soonest deadline first, then highest score"),
              (status = 400, body = Problem)),
    security(("bearer" = []), ("session" = [])))]
pub async fn queue(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    q: Result<Query<QueueQuery>, QueryRejection>,
) -> Result<Response, Problem> {
    let Query(q) = q.map_err(query_problem)?;
    let mut f = QueueFilter {
        office: q.office,
        unassigned: q.unassigned.unwrap_or(false),
        cursor: q.cursor,
        ..Default::default()
    };
    if let Some(lanes) = &q.lane {
        for l in lanes.split(',').map(str::trim).filter(|l| !l.is_empty()) {
            f.lanes.push(Lane::parse(l).ok_or_else(|| {
                Problem::bad_request(format!("lane {l}: want green, blue, yellow or red"))
                    .field("lane")
            })?);
        }
    }
    if let Some(m) = &q.mode {
        f.mode = Some(
            serde_json::from_value::<Mode>(serde_json::Value::String(m.clone())).map_err(|_| {
                Problem::bad_request(format!("mode {m}: want marine, air, rail or highway"))
                    .field("mode")
            })?,
        );
    }
    f.assigned = q
        .assigned
        .map(|a| if a == "me" { caller.name.clone() } else { a });
    if let Some(n) = q.limit {
        if !(1..=1000).contains(&n) {
            return Err(Problem::bad_request(format!("limit {n}: want 1 to 1000")).field("limit"));
        }
        f.limit = Some(n);
    }
    let page = app
        .pool
        .run(move |s| clearway_service::cases::queue(s, &f).map_err(service_problem))
        .await?;
    Ok(axum::Json(page).into_response())
}

/// Assign a filing to an officer (or, without one, unassign it). Officers may assign only themselves.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// The officer; omitted or null to unassign.
    #[serde(default)]
    pub officer: Option<String>,
}

/// Done.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Done {
    pub filing_id: String,
    pub action: String,
}

#[utoipa::path(post, path = "/v1/filings/{id}/assign", tag = "cases", request_body = AssignRequest,
    params(("id" = String, Path, description = "Filing id")),
    responses((status = 200, body = Done), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []), ("session" = [])))]
pub async fn assign(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Json(req): Json<AssignRequest>,
) -> Result<Response, Problem> {
    check_id("id", &id)?;
    if let Some(o) = &req.officer {
        check_id("officer", o)?;
    }
    if caller.role == Some(Role::Officer) && req.officer.as_deref() != Some(caller.name.as_str()) {
        return Err(
            Problem::forbidden("an officer may assign a filing only to themselves")
                .field("officer"),
        );
    }
    let done = Done {
        filing_id: id.clone(),
        action: "assign".into(),
    };
    app.pool
        .run(move |s| {
            if let Some(o) = &req.officer {
                match s.user(o).map_err(store_problem)? {
                    Some(u)
                        if !u.disabled && matches!(u.role, Role::Officer | Role::Supervisor) => {}
                    _ => {
                        return Err(Problem::unprocessable(
                            "officer",
                            format!("{o} is not an active officer or supervisor"),
                        ));
                    }
                }
            }
            clearway_service::cases::assign(
                s,
                &id,
                req.officer.as_deref(),
                &caller.name,
                Utc::now(),
            )
            .map_err(id_problem)?;
            audit(
                s,
                &caller,
                "assign",
                Some(&id),
                serde_json::json!({"officer": req.officer}),
            )
        })
        .await?;
    Ok(axum::Json(done).into_response())
}

/// An examination result.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExamRequest {
    /// The version examined (default: the latest stored).
    #[serde(default)]
    pub version: Option<u32>,
    /// `no-finding`, `finding` or `seizure`.
    #[schema(value_type = String, example = "no-finding")]
    pub result: ExamOutcome,
    #[serde(default)]
    pub severity: Option<u8>,
    /// Revenue recovered (duty, penalties).
    #[serde(default)]
    pub revenue: Option<f64>,
    #[serde(default)]
    pub note: Option<String>,
}

#[utoipa::path(post, path = "/v1/filings/{id}/exam", tag = "cases", request_body = ExamRequest,
    params(("id" = String, Path, description = "Filing id")),
    responses((status = 201, body = Done), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []), ("session" = [])))]
pub async fn exam(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Json(req): Json<ExamRequest>,
) -> Result<Response, Problem> {
    check_id("id", &id)?;
    if req.revenue.is_some_and(|r| !r.is_finite() || r < 0.0) {
        return Err(Problem::unprocessable(
            "revenue",
            "revenue must be a non-negative number",
        ));
    }
    if req.severity.is_some_and(|s| !(1..=5).contains(&s)) {
        return Err(Problem::unprocessable("severity", "severity must be 1-5"));
    }
    let entry = ExamEntry {
        filing_id: id.clone(),
        version: req.version,
        result: req.result,
        severity: req.severity,
        revenue: req.revenue,
        note: req.note,
    };
    let done = Done {
        filing_id: id.clone(),
        action: "exam.record".into(),
    };
    app.pool
        .run(move |s| {
            let detail = serde_json::to_value(&entry).unwrap_or_default();
            clearway_service::exams::record(s, entry, Utc::now()).map_err(id_problem)?;
            audit(s, &caller, "exam.record", Some(&id), detail)
        })
        .await?;
    Ok((StatusCode::CREATED, axum::Json(done)).into_response())
}

/// A supervisor's override: a new lane and actions for one version, with the reason. The decision stays.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideRequest {
    /// The version overridden (default: the latest stored).
    #[serde(default)]
    pub version: Option<u32>,
    #[schema(value_type = String, example = "green")]
    pub lane: Lane,
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub actions: Vec<Action>,
    /// Why (required, not blank).
    pub reason: String,
}

#[utoipa::path(post, path = "/v1/filings/{id}/override", tag = "cases", request_body = OverrideRequest,
    params(("id" = String, Path, description = "Filing id")),
    responses((status = 201, body = Done), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []), ("session" = [])))]
pub async fn override_(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Json(req): Json<OverrideRequest>,
) -> Result<Response, Problem> {
    check_id("id", &id)?;
    if req.reason.trim().is_empty() {
        return Err(Problem::unprocessable(
            "reason",
            "an override needs a reason",
        ));
    }
    let r = clearway_service::cases::OverrideRequest {
        version: req.version,
        lane: req.lane,
        actions: req.actions,
        reason: req.reason,
    };
    let done = Done {
        filing_id: id.clone(),
        action: "override".into(),
    };
    app.pool
        .run(move |s| {
            let o = clearway_service::cases::override_(s, &id, r, &caller.name, Utc::now())
                .map_err(id_problem)?;
            let original = s.decision(&id, o.version).map_err(store_problem)?;
            audit(
                s,
                &caller,
                "override",
                Some(&id),
                serde_json::json!({
                    "version": o.version, "lane": o.lane, "actions": o.actions, "reason": o.reason,
                    "original_lane": original.map(|d| d.lane),
                }),
            )
        })
        .await?;
    Ok((StatusCode::CREATED, axum::Json(done)).into_response())
}
