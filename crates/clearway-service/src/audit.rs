//! Recording what people and clients do, for the adapters (the CLI records as actor `cli:$USER`, from
//! `cli`; the server as the signed-in user, from the client address).

use crate::Result;
use clearway_store::{AuditEntry, AuditEvent, Store};

/// Append one event to the store's hash-chained audit log.
pub fn record(store: &mut dyn Store, event: &AuditEvent) -> Result<AuditEntry> {
    Ok(store.append_audit(event)?)
}

/// The CLI's actor name: `cli:$USER` (`cli:unknown` when the environment does not say).
pub fn cli_actor() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "unknown".into())
    )
}

/// An event done at the command line (actor [`cli_actor`], from `cli`, no role: the CLI has no account).
pub fn cli_event(
    action: &str,
    record: Option<String>,
    detail: serde_json::Value,
    at: chrono::DateTime<chrono::Utc>,
) -> AuditEvent {
    AuditEvent {
        at,
        actor: cli_actor(),
        role: String::new(),
        action: action.to_owned(),
        record,
        detail,
        from: Some("cli".into()),
    }
}
