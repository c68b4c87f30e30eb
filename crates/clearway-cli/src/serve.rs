//! `clearway serve`: parse the flags, assemble the pipeline through the service core, and hand both to
//! `clearway_server::serve`. Everything HTTP lives in `clearway-server`.

use anyhow::{Context as _, Result};
use clearway_server::{Opener, Options, ServeConfig};
use clearway_service::PipelineOptions;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use crate::DbArgs;

#[derive(clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// TLS certificate chain (PEM); with --tls-key, serve HTTPS.
    #[arg(long, requires = "tls_key", value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, requires = "tls_cert", value_name = "FILE")]
    pub tls_key: Option<PathBuf>,
    /// Largest POST /v1/filings body, in bytes (413 beyond).
    #[arg(long, default_value_t = 256 * 1024 * 1024, value_name = "BYTES")]
    pub max_body: u64,
    /// Seconds a client may leave a body stalled (408 beyond).
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub body_timeout: u64,
    /// Seconds a whole request may take (408 beyond).
    #[arg(long, default_value_t = 600, value_name = "SECONDS")]
    pub request_timeout: u64,
    /// Stores kept open for requests (each call runs on the blocking pool with one of them).
    #[arg(long, default_value_t = 4)]
    pub pool: usize,
    /// Ingest requests run at once (the rest wait).
    #[arg(long, default_value_t = 1)]
    pub ingest_concurrency: usize,
    /// Filings per stored batch (one transaction).
    #[arg(long, default_value_t = 1000)]
    pub batch: usize,
    /// Reference data directory (hs2022/, unlocode/) for existence checks of HS codes and UN/LOCODEs.
    #[arg(long, env = "CLEARWAY_REFERENCE")]
    pub reference: Option<PathBuf>,
    /// Trusted-trader registry (CSV or JSON) to load into the store before serving.
    #[arg(long)]
    pub traders: Option<PathBuf>,
    /// Engine configuration (JSON): thresholds, random-selection rates, weight overrides.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// An assessment bundle (`clearway bundle create`): configuration, profiles, selectivity and model
    /// from one signed file; decisions record its hash.
    #[arg(long, value_name = "FILE")]
    pub bundle: Option<PathBuf>,
    #[command(flatten)]
    pub profiles: crate::profiles::ScreenOpts,
    #[command(flatten)]
    pub model: crate::model::ScreenOpts,
    #[command(flatten)]
    pub names: crate::names::ScreenOpts,
    #[command(flatten)]
    pub portal: crate::rad_portal::ScreenOpts,
}

pub fn serve(a: ServeArgs) -> Result<ExitCode> {
    let db = a.db.db.clone();
    let opts = PipelineOptions {
        config: a.config.clone(),
        reference: a.reference.clone(),
        traders: a.traders.clone(),
        profiles: a.profiles.profiles.clone(),
        selectivity: a.profiles.selectivity.clone(),
        model: a.model.model.clone(),
        lists: !a.names.no_lists,
        list_bands: a.names.list_bands.clone(),
        portal_results: a.portal.portal_results.clone(),
        bundle: a.bundle.clone(),
        ..PipelineOptions::default()
    };
    let mut store = clearway_service::open_store(&db)?;
    let screener = clearway_service::build_pipeline(store.as_mut(), &opts)?;
    drop(store);
    for w in &screener.warnings {
        eprintln!("warning: {w}");
    }
    let model_info = match &a.model.model {
        Some(p) => {
            let bytes = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
            Some(
                serde_json::json!({"file": p.display().to_string(), "blake3": clearway_store::content_hash(&bytes), "bytes": bytes.len()}),
            )
        }
        None => None,
    };
    let open_db = db.clone();
    let open: Opener = Arc::new(move || Ok(clearway_service::open_store(&open_db)?));
    let options = Options {
        body_limit: a.max_body,
        body_idle_timeout: Duration::from_secs(a.body_timeout.max(1)),
        request_timeout: Duration::from_secs(a.request_timeout.max(1)),
        batch: a.batch.max(1),
        pool_size: a.pool.max(1),
        ingest_concurrency: a.ingest_concurrency.max(1),
        secure_cookies: a.tls_cert.is_some(),
        model_info,
        pipeline_options: Some(opts),
    };
    let tls = a.tls_cert.zip(a.tls_key);
    clearway_server::serve_blocking(ServeConfig {
        listen: a.listen,
        open,
        screener,
        options,
        tls,
    })?;
    Ok(ExitCode::SUCCESS)
}
