//! A small pool of opened stores, used only from the blocking pool: the store is synchronous, so every
//! call goes through `tokio::task::spawn_blocking` and never runs on the async runtime's threads.
//!
//! A semaphore bounds how many stores are in use at once (the pool's size); stores are opened lazily
//! and reused. A store whose call failed is dropped rather than returned, so a broken connection is
//! replaced by a fresh one on the next call.

use clearway_store::Store;
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;

use crate::problem::Problem;

/// Opens a store (SQLite file or PostgreSQL URL); called once per pooled store and by ingest.
pub type Opener = Arc<dyn Fn() -> anyhow::Result<Box<dyn Store>> + Send + Sync>;

pub struct Pool {
    open: Opener,
    idle: Mutex<Vec<Box<dyn Store>>>,
    permits: Semaphore,
    size: usize,
}

impl Pool {
    pub fn new(open: Opener, size: usize) -> Pool {
        let size = size.max(1);
        Pool {
            open,
            idle: Mutex::new(Vec::with_capacity(size)),
            permits: Semaphore::new(size),
            size,
        }
    }

    pub fn size(&self) -> usize {
        self.size
    }

    pub fn opener(&self) -> Opener {
        self.open.clone()
    }

    /// Run `f` with a store on the blocking pool. `f`'s error is a problem for the client; a store that
    /// saw an internal error is not reused.
    pub async fn run<T, F>(self: &Arc<Self>, f: F) -> Result<T, Problem>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn Store) -> Result<T, Problem> + Send + 'static,
    {
        let _permit = self.permits.acquire().await.map_err(Problem::internal)?;
        let pool = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut store = match pool.idle.lock().map_err(Problem::internal)?.pop() {
                Some(s) => s,
                None => (pool.open)()
                    .map_err(|e| Problem::internal(format!("opening the store: {e:#}")))?,
            };
            let out = f(store.as_mut());
            let healthy = !matches!(&out, Err(p) if p.status >= 500);
            if healthy {
                pool.idle.lock().map_err(Problem::internal)?.push(store);
            }
            out
        })
        .await
        .map_err(Problem::internal)?
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        let idle = std::mem::take(self.idle.get_mut().unwrap_or_else(|e| e.into_inner()));
        // PostgreSQL's blocking client may not be closed on a runtime thread: close the stores on a
        // plain one when dropped inside the runtime (at the end of `serve`, or of a test).
        if !idle.is_empty() && tokio::runtime::Handle::try_current().is_ok() {
            let _ = std::thread::spawn(move || drop(idle)).join();
        }
    }
}
