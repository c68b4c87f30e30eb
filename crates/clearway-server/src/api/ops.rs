//! Operations: liveness, readiness, Prometheus metrics, store statistics and what the pipeline runs.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use clearway_store::QueueFilter;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store_problem;
use crate::AppState;
use crate::openapi::StatsDoc;
use crate::problem::{Kind, Problem};

/// A health answer.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Health {
    pub status: String,
}

#[utoipa::path(get, path = "/healthz", tag = "ops", responses((status = 200, body = Health, description = "The process is up")))]
pub async fn healthz() -> axum::Json<Health> {
    axum::Json(Health {
        status: "ok".into(),
    })
}

#[utoipa::path(get, path = "/readyz", tag = "ops",
    responses((status = 200, body = Health, description = "The store answers"), (status = 503, body = Problem)))]
pub async fn readyz(State(app): State<AppState>) -> Result<axum::Json<Health>, Problem> {
    app.pool
        .run(|s| {
            s.history("").map(|_| ()).map_err(|e| {
                Problem::new(Kind::Unavailable, format!("the store does not answer: {e}"))
            })
        })
        .await
        .map_err(|p| {
            if p.status >= 500 {
                Problem::new(Kind::Unavailable, p.detail.unwrap_or_default())
            } else {
                p
            }
        })?;
    Ok(axum::Json(Health {
        status: "ready".into(),
    }))
}

#[utoipa::path(get, path = "/metrics", tag = "ops",
    responses((status = 200, content_type = "text/plain; version=0.0.4", body = String, description = "Prometheus text exposition")),
    security(("bearer" = []), ("session" = [])))]
pub async fn metrics(State(app): State<AppState>) -> Response {
    let depth = app
        .pool
        .run(|s| {
            s.queue(&QueueFilter {
                limit: Some(1),
                ..Default::default()
            })
            .map(|p| p.total)
            .map_err(store_problem)
        })
        .await
        .ok();
    let mut resp = app.metrics.render(depth).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    resp
}

#[utoipa::path(get, path = "/v1/stats", tag = "ops",
    responses((status = 200, body = StatsDoc, description = "Filings, versions, decisions per lane, rejected inputs, memberships")),
    security(("bearer" = []), ("session" = [])))]
pub async fn stats(State(app): State<AppState>) -> Result<Response, Problem> {
    let st = app.pool.run(|s| s.stats().map_err(store_problem)).await?;
    Ok(axum::Json(st).into_response())
}

/// What the running pipeline decides with.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ModelInfo {
    pub engine_version: String,
    /// Hash of the configuration every decision records.
    pub config_hash: String,
    /// The layers, in order.
    pub layers: Vec<String>,
    /// The learned model file, when one is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<serde_json::Value>,
}

#[utoipa::path(get, path = "/v1/model", tag = "ops",
    responses((status = 200, body = ModelInfo)), security(("bearer" = []), ("session" = [])))]
pub async fn model(State(app): State<AppState>) -> axum::Json<ModelInfo> {
    let s = app.screener();
    let p = s.pipeline();
    axum::Json(ModelInfo {
        engine_version: format!("clearway/{}", env!("CARGO_PKG_VERSION")),
        config_hash: p.config_hash().to_owned(),
        layers: p.layer_names().into_iter().map(str::to_owned).collect(),
        model: app.config.model_info.clone(),
    })
}
