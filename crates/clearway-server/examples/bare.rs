//! The baseline for `bench/serve.sh`: a bare axum handler returning a fixed body, on the same runtime
//! settings as `clearway serve`, so the GET figures say what the server's own work costs.
//!
//! `cargo run --release -p clearway-server --example bare -- 127.0.0.1:8099`

use axum::Router;
use axum::routing::get;

fn main() -> anyhow::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8099".into());
    let body = "{\"filing_id\":\"FIXED\",\"lane\":\"green\"}";
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let app = Router::new().route("/v1/filings/{id}", get(move || async move { body }));
        let listener = tokio::net::TcpListener::bind(&addr).await?;
        eprintln!("bare: listening on http://{}", listener.local_addr()?);
        axum::serve(listener, app).await?;
        Ok(())
    })
}
