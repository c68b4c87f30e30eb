//! The one file where the server meets the service core's workflows. Handlers call these functions
//! inside `spawn_blocking`; nothing here is async, nothing here speaks HTTP.

use clearway_core::{Decision, Diagnostic};
use clearway_service::ingest::{self, IngestOptions, Input};
use clearway_service::{Screener, ServiceError};
use clearway_store::{Store, StoreError};
use std::io::Read;
use std::sync::{Arc, Mutex};

pub use clearway_store::{
    AuditEntry, AuditEvent, AuditFilter, QueueFilter, QueuePage, Role, TokenRecord, User,
};

/// What a backend call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error("{0}")]
    Service(#[from] ServiceError),
    /// The input stream failed (client gone, body too large, too slow).
    #[error("reading the request body: {0}")]
    Input(std::io::Error),
}

impl From<StoreError> for BackendError {
    fn from(e: StoreError) -> Self {
        BackendError::Service(ServiceError::Store(e))
    }
}

pub type Result<T, E = BackendError> = std::result::Result<T, E>;

pub use clearway_service::filing::FilingView;

/// The filing view (latest decision, the filing, versions, exam results, list hits, assignment,
/// overrides); `None` when the filing is not stored.
pub fn filing_view(store: &mut dyn Store, id: &str) -> Result<Option<FilingView>> {
    Ok(clearway_service::filing::view(store, id)?)
}

/// What became of one input of a request, once its batch committed.
#[derive(Debug, Clone)]
pub struct Acked {
    /// 1-based line (or record number) in the body.
    pub line: u64,
    pub status: AckStatus,
    pub decision: Option<Decision>,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckStatus {
    /// A new filing version, decided and stored.
    Stored,
    /// Already stored: the decision that stands.
    Duplicate,
    /// Rejected with its diagnostics (the input is stored with them).
    Rejected,
}

/// One sender-format response (CUSRES, 997, 355, WCO DM response), produced after commit.
#[derive(Debug, Clone)]
pub struct SenderResponse {
    pub kind: &'static str,
    pub body: String,
}

/// Read, assess and store every record of one body with the service's ingest loop; `on_ack` sees each
/// input only after its batch committed. `respond` asks for the sender-format responses (after commit).
pub fn ingest(
    input: Box<dyn Read + Send>,
    screener: &Screener,
    open: &crate::pool::Opener,
    batch: usize,
    respond: bool,
    on_ack: &mut dyn FnMut(Acked),
) -> Result<Vec<SenderResponse>> {
    let failed = Arc::new(Mutex::new(None::<std::io::Error>));
    let source = Box::new(Watch {
        inner: input,
        failed: failed.clone(),
    });
    let opts = IngestOptions {
        batch,
        respond: respond.then(chrono::Utc::now),
    };
    let open_store = || -> clearway_service::Result<Box<dyn Store>> {
        open().map_err(|e| ServiceError::Invalid(format!("opening the store: {e:#}")))
    };
    let result = ingest::run(
        vec![Input {
            name: "http".into(),
            source,
        }],
        screener,
        &open_store,
        &opts,
        &mut |a| on_ack(acked(a)),
        &|_| {},
    );
    if let Some(e) = failed.lock().unwrap_or_else(|e| e.into_inner()).take() {
        return Err(BackendError::Input(e));
    }
    Ok(result?
        .responses
        .into_iter()
        .map(|r| SenderResponse {
            kind: r.kind,
            body: r.body,
        })
        .collect())
}

fn acked(a: &ingest::Acked) -> Acked {
    match a {
        ingest::Acked::Decision {
            decision,
            duplicate,
            input,
            diagnostics,
        } => Acked {
            line: input.line,
            status: if *duplicate {
                AckStatus::Duplicate
            } else {
                AckStatus::Stored
            },
            decision: Some((**decision).clone()),
            diagnostics: diagnostics.clone(),
        },
        ingest::Acked::Rejected { input, diagnostics } => Acked {
            line: input.line,
            status: AckStatus::Rejected,
            decision: None,
            diagnostics: diagnostics.clone(),
        },
    }
}

/// A reader that remembers its first error: the readers below may turn an I/O error into a rejected
/// record, and the server must tell the client that its body failed.
struct Watch {
    inner: Box<dyn Read + Send>,
    failed: Arc<Mutex<Option<std::io::Error>>>,
}

impl Read for Watch {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => Ok(n),
            Err(e) => {
                let mut f = self.failed.lock().unwrap_or_else(|e| e.into_inner());
                if f.is_none() {
                    *f = Some(std::io::Error::new(e.kind(), e.to_string()));
                }
                Err(e)
            }
        }
    }
}
