//! Sanctions and denied-party lists (import, show, diff, hit dispositions) and targeting profiles
//! (check, statistics), adapted from the service core. A list import or a disposition rebuilds the
//! screening pipeline, so later decisions use the new version and remember the disposition.

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use clearway_service::lists::{DiffOf, DisposeRequest};
use clearway_service::profiles::StatsOptions;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::cases::query_problem;
use super::{Json, audit, service_problem};
use crate::AppState;
use crate::auth::Caller;
use crate::problem::{Kind, Problem, check_id};

/// Largest list file accepted, bytes.
pub const LIST_LIMIT: usize = 512 * 1024 * 1024;

/// Rebuild the pipeline from the store after lists or dispositions changed (when the server was
/// started with its pipeline options; tests may run without).
fn rebuild(app: &AppState, s: &mut dyn clearway_store::Store) -> Result<(), Problem> {
    if let Some(o) = &app.config.pipeline_options {
        let screener = clearway_service::build_pipeline(s, o).map_err(service_problem)?;
        app.set_screener(screener);
    }
    Ok(())
}

#[utoipa::path(get, path = "/v1/lists", tag = "lists",
    responses((status = 200, body = Vec<Object>, description = "Stored list versions")), security(("bearer" = []), ("session" = [])))]
pub async fn show(State(app): State<AppState>) -> Result<Response, Problem> {
    let v = app
        .pool
        .run(|s| clearway_service::lists::show(s).map_err(service_problem))
        .await?;
    Ok(axum::Json(v).into_response())
}

/// Which list file is sent.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// The file's name (its format is told from the content; the name appears in the list's source).
    pub file: String,
}

#[utoipa::path(post, path = "/v1/lists", tag = "lists", params(ImportQuery),
    request_body(content((String = "application/octet-stream"), (String = "text/csv"), (String = "application/xml"), (String = "application/json")),
        description = "One list file (OFAC SDN/consolidated CSV, UN XML, US CSL, BIS DPL, SEMA, EU FSF, UK, FtM)"),
    responses((status = 200, body = Object, description = "Per list: imported or not (the previous version stays in force), the new version, affected stored parties"),
              (status = 413, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []), ("session" = [])))]
pub async fn import(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    q: Result<Query<ImportQuery>, QueryRejection>,
    body: Body,
) -> Result<Response, Problem> {
    let Query(q) = q.map_err(query_problem)?;
    check_id("file", &q.file)?;
    let bytes = axum::body::to_bytes(body, LIST_LIMIT).await.map_err(|_| {
        Problem::new(
            Kind::TooLarge,
            format!("a list file is at most {LIST_LIMIT} bytes"),
        )
    })?;
    if bytes.is_empty() {
        return Err(Problem::unprocessable("body", "an empty list file"));
    }
    let app2 = app.clone();
    let report = app
        .pool
        .run(move |s| {
            let report = clearway_service::lists::import(s, &[(q.file.clone(), bytes.to_vec())]).map_err(service_problem)?;
            for l in &report.lists {
                audit(s, &caller, "list.import", Some(&l.list), serde_json::json!({
                    "file": q.file, "imported": l.imported, "version": l.version, "unchanged": l.unchanged, "entities": l.entities,
                }))?;
            }
            if report.lists.iter().any(|l| l.version.is_some()) {
                rebuild(&app2, s)?;
            }
            Ok(report)
        })
        .await?;
    if !report.lists.is_empty() && report.rejected() && report.lists.iter().all(|l| !l.imported) {
        let why = report
            .lists
            .iter()
            .flat_map(|l| l.diagnostics.iter().cloned())
            .collect::<Vec<_>>()
            .join("; ");
        return Err(Problem::unprocessable(
            "body",
            format!("not imported: {why}"),
        ));
    }
    Ok(axum::Json(report).into_response())
}

/// Two stored versions of a list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    /// The list (may be omitted when the store holds one).
    pub list: Option<String>,
    pub old: u32,
    pub new: u32,
}

#[utoipa::path(get, path = "/v1/lists/diff", tag = "lists", params(DiffQuery),
    responses((status = 200, body = Object, description = "Added, removed and changed entities, and the stored parties they affect"),
              (status = 400, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = []), ("session" = [])))]
pub async fn diff(
    State(app): State<AppState>,
    q: Result<Query<DiffQuery>, QueryRejection>,
) -> Result<Response, Problem> {
    let Query(q) = q.map_err(query_problem)?;
    if let Some(l) = &q.list {
        check_id("list", l)?;
    }
    let r = app
        .pool
        .run(move |s| {
            clearway_service::lists::diff(
                s,
                DiffOf::Versions {
                    list: q.list,
                    old: q.old,
                    new: q.new,
                },
            )
            .map_err(service_problem)
        })
        .await?;
    Ok(axum::Json(r).into_response())
}

/// An officer's disposition of a list hit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Dispose {
    /// The party's name as filed.
    pub party: String,
    /// The party's country (ISO 3166-1 alpha-2), as filed.
    #[serde(default)]
    pub country: Option<String>,
    pub list: String,
    pub entity: String,
    /// `not-a-match` or `match`.
    pub decision: String,
    /// Why (required).
    pub why: String,
}

#[utoipa::path(post, path = "/v1/lists/dispositions", tag = "lists", request_body = Dispose,
    responses((status = 201, body = Object, description = "The recorded disposition"), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []), ("session" = [])))]
pub async fn dispose(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(d): Json<Dispose>,
) -> Result<Response, Problem> {
    if !matches!(d.decision.as_str(), "not-a-match" | "match") {
        return Err(Problem::unprocessable(
            "decision",
            "want not-a-match or match",
        ));
    }
    if d.why.trim().is_empty() {
        return Err(Problem::unprocessable(
            "why",
            "a disposition needs a reason",
        ));
    }
    let app2 = app.clone();
    let r = app
        .pool
        .run(move |s| {
            let req = DisposeRequest {
                party: d.party,
                country: d.country,
                list: d.list,
                entity: d.entity,
                decision: d.decision,
                who: caller.name.clone(),
                why: d.why,
            };
            let done =
                clearway_service::lists::dispose(s, req, Utc::now()).map_err(service_problem)?;
            let detail = serde_json::to_value(&done.disposition).unwrap_or_default();
            audit(
                s,
                &caller,
                "list.dispose",
                Some(&done.disposition.party_name),
                detail,
            )?;
            rebuild(&app2, s)?;
            Ok(done)
        })
        .await?;
    Ok((StatusCode::CREATED, axum::Json(r)).into_response())
}

/// One source text.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceText {
    /// A file name, used in diagnostics (`name:line:column`).
    pub name: String,
    pub text: String,
}

/// Profiles to check, as a directory would hold them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfilesCheck {
    /// `*.profile` texts.
    pub profiles: Vec<SourceText>,
    /// `lists/*.csv` texts.
    #[serde(default)]
    pub lists: Vec<SourceText>,
    /// `value-control.csv`.
    #[serde(default)]
    pub value_control: Option<SourceText>,
    /// Review and expiry warnings as of this day (default today).
    #[serde(default)]
    pub today: Option<NaiveDate>,
}

/// The result of a check: loaded (with warnings) or the errors, each with file, line and column.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CheckReport {
    pub ok: bool,
    pub profiles: usize,
    pub lists: usize,
    pub value_rows: usize,
    #[schema(value_type = Vec<Object>)]
    pub warnings: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<serde_json::Value>,
}

#[utoipa::path(post, path = "/v1/profiles/check", tag = "profiles", request_body = ProfilesCheck,
    responses((status = 200, body = CheckReport, description = "Whether the set loads; errors and warnings with file, line and column")),
    security(("bearer" = []), ("session" = [])))]
pub async fn check_profiles(Json(c): Json<ProfilesCheck>) -> Result<Response, Problem> {
    let today = c.today.unwrap_or_else(|| Utc::now().date_naive());
    let report = tokio::task::spawn_blocking(move || {
        let src: Vec<clearway_profiles::Source> = c
            .profiles
            .iter()
            .map(|s| clearway_profiles::Source {
                name: &s.name,
                text: &s.text,
            })
            .collect();
        let lsrc: Vec<clearway_profiles::Source> = c
            .lists
            .iter()
            .map(|s| clearway_profiles::Source {
                name: &s.name,
                text: &s.text,
            })
            .collect();
        let v = c.value_control.as_ref().map(|s| clearway_profiles::Source {
            name: &s.name,
            text: &s.text,
        });
        let to_json = |d: &clearway_profiles::Diag| serde_json::to_value(d).unwrap_or_default();
        match clearway_profiles::ProfileSet::load(&src, &lsrc, v, Some(today)) {
            Ok((set, w)) => CheckReport {
                ok: true,
                profiles: set.profiles.len(),
                lists: set.lists.len(),
                value_rows: set.values.len(),
                warnings: w.iter().map(to_json).collect(),
                errors: Vec::new(),
            },
            Err(errs) => CheckReport {
                ok: false,
                profiles: 0,
                lists: 0,
                value_rows: 0,
                warnings: Vec::new(),
                errors: errs.iter().map(to_json).collect(),
            },
        }
    })
    .await
    .map_err(Problem::internal)?;
    Ok(axum::Json(report).into_response())
}

/// The period and floor of profile statistics.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// Filings filed on or after this day.
    pub from: Option<NaiveDate>,
    /// Filings filed before this day.
    pub to: Option<NaiveDate>,
    /// Flag profiles whose hit rate is below this share once examined at least 10 times (default 0.05).
    pub floor: Option<f64>,
}

#[utoipa::path(get, path = "/v1/profiles/stats", tag = "profiles", params(StatsQuery),
    responses((status = 200, body = Object, description = "Per profile: hits, selections, examinations, finds, hit rate, revenue")),
    security(("bearer" = []), ("session" = [])))]
pub async fn profile_stats(
    State(app): State<AppState>,
    q: Result<Query<StatsQuery>, QueryRejection>,
) -> Result<Response, Problem> {
    let Query(q) = q.map_err(query_problem)?;
    let floor = q.floor.unwrap_or(0.05);
    if !(0.0..=1.0).contains(&floor) {
        return Err(Problem::bad_request("floor: want a share between 0 and 1").field("floor"));
    }
    let r = app
        .pool
        .run(move |s| {
            let o = StatsOptions {
                from: q.from,
                to: q.to,
                floor,
                profiles: None,
                today: None,
            };
            clearway_service::profiles::stats(s, &o).map_err(service_problem)
        })
        .await?;
    Ok(axum::Json(r).into_response())
}
