//! SQLite access: one writer connection (IMMEDIATE transactions, so writers queue instead of
//! failing) and a small pool of readers, all driven on tokio's blocking pool. WAL lets the
//! readers run while the writer works.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use tokio::sync::Semaphore;

use super::cache::ResponseCache;

/// How many reader connections serve GETs at once.
const READERS: usize = 4;
/// At most this many readers serve heavy reads (audit searches) at once, so that the others
/// are always free for everyone else, whichever tenant is searching.
const HEAVY_READERS: usize = READERS / 2;
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// A read still running after this is interrupted (SQLite progress handler): one slow query
/// cannot hold a reader, and the tenants waiting for it, for long.
pub const READ_TIME_LIMIT: Duration = Duration::from_secs(2);
/// SQLite VM steps between two looks at the deadline (well under a millisecond).
const PROGRESS_STEPS: std::os::raw::c_int = 10_000;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database worker stopped: {0}")]
    Worker(String),
    #[error("database pool is closed")]
    Closed,
    #[error("the query ran longer than {0:?} and was stopped")]
    TimedOut(Duration),
}

#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Reader>>,
    reader_permits: Semaphore,
    heavy_permits: Semaphore,
    /// Deadlines are milliseconds since this instant (0: none).
    epoch: Instant,
    read_time_limit: AtomicU64,
    /// Writers queue here (not on blocking threads), so a burst of writes holds one thread.
    writer_gate: Semaphore,
    /// Bumped after every committed write: response caches compare it to know they are fresh.
    generation: AtomicU64,
    /// Serialized responses valid for one generation (the hot APIs list).
    responses: ResponseCache,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("path", &self.inner.path)
            .finish()
    }
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// A pooled reader and the deadline its progress handler enforces.
struct Reader {
    conn: Connection,
    deadline_ms: Arc<AtomicU64>,
}

fn reader(path: &Path, epoch: Instant) -> Result<Reader, DbError> {
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    configure(&conn)?;
    let deadline_ms = Arc::new(AtomicU64::new(0));
    let watched = deadline_ms.clone();
    conn.progress_handler(
        PROGRESS_STEPS,
        Some(move || {
            let deadline = watched.load(Ordering::Relaxed);
            deadline != 0 && millis_since(epoch) > deadline
        }),
    )?;
    Ok(Reader { conn, deadline_ms })
}

fn millis_since(epoch: Instant) -> u64 {
    u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
}

impl Db {
    /// Opens the writer (switching the file to WAL) and the readers. The caller has already
    /// checked that the file is an envdeck database this binary may touch.
    pub fn open(path: &Path) -> Result<Db, DbError> {
        let writer = Connection::open(path)?;
        configure(&writer)?;
        writer.pragma_update(None, "journal_mode", "WAL")?;
        let epoch = Instant::now();
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            readers.push(reader(path, epoch)?);
        }
        Ok(Db {
            inner: Arc::new(Inner {
                path: path.to_path_buf(),
                writer: Mutex::new(writer),
                readers: Mutex::new(readers),
                reader_permits: Semaphore::new(READERS),
                heavy_permits: Semaphore::new(HEAVY_READERS),
                epoch,
                read_time_limit: AtomicU64::new(
                    u64::try_from(READ_TIME_LIMIT.as_millis()).unwrap_or(u64::MAX),
                ),
                writer_gate: Semaphore::new(1),
                generation: AtomicU64::new(0),
                responses: ResponseCache::default(),
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Response bodies cached per generation; see [`ResponseCache`].
    pub fn responses(&self) -> &ResponseCache {
        &self.inner.responses
    }

    /// Changes whenever a write commits. Read it before a read whose result is cached.
    pub fn generation(&self) -> u64 {
        self.inner.generation.load(Ordering::Acquire)
    }

    pub async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, DbError> {
        self.read_with(move |c| f(c).map_err(DbError::from)).await
    }

    pub async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, DbError> {
        self.write_with(move |tx| f(tx).map_err(DbError::from))
            .await
    }

    /// How long a read may run before it is interrupted (tests shorten it).
    pub fn set_read_time_limit(&self, limit: Duration) {
        let ms = u64::try_from(limit.as_millis()).unwrap_or(u64::MAX).max(1);
        self.inner.read_time_limit.store(ms, Ordering::Relaxed);
    }

    /// A read that may be slow whatever its bounds (a search of the audit log): it waits for
    /// one of a few heavy-read permits first, so such reads never take every reader.
    pub async fn read_heavy<T, E>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let _heavy = self
            .inner
            .heavy_permits
            .acquire()
            .await
            .map_err(|_| E::from(DbError::Closed))?;
        self.read_with(f).await
    }

    /// A read whose closure returns the caller's own error type.
    pub async fn read_with<T, E>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let permit = self
            .inner
            .reader_permits
            .acquire()
            .await
            .map_err(|_| E::from(DbError::Closed))?;
        let inner = self.inner.clone();
        let joined = tokio::task::spawn_blocking(move || {
            // One permit per pooled connection, so a connection is always there.
            let reader = lock(&inner.readers).pop();
            let Some(reader) = reader else {
                return Err(E::from(DbError::Closed));
            };
            let limit = inner.read_time_limit.load(Ordering::Relaxed);
            let deadline = millis_since(inner.epoch).saturating_add(limit).max(1);
            reader.deadline_ms.store(deadline, Ordering::Relaxed);
            let out = f(&reader.conn);
            reader.deadline_ms.store(0, Ordering::Relaxed);
            let late = millis_since(inner.epoch) > deadline;
            lock(&inner.readers).push(reader);
            match out {
                // Whatever error the interrupted query surfaced as, the cause is the deadline.
                Err(_) if late => Err(E::from(DbError::TimedOut(Duration::from_millis(limit)))),
                other => other,
            }
        })
        .await;
        drop(permit);
        joined.map_err(|e| E::from(DbError::Worker(e.to_string())))?
    }

    /// A write in one IMMEDIATE transaction: committed when the closure returns Ok,
    /// rolled back when it returns Err.
    pub async fn write_with<T, E>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let gate = self
            .inner
            .writer_gate
            .acquire()
            .await
            .map_err(|_| E::from(DbError::Closed))?;
        let inner = self.inner.clone();
        let out = tokio::task::spawn_blocking(move || {
            let mut conn = lock(&inner.writer);
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(|e| E::from(DbError::from(e)))?;
            let out = f(&tx)?;
            tx.commit().map_err(|e| E::from(DbError::from(e)))?;
            inner.generation.fetch_add(1, Ordering::AcqRel);
            Ok(out)
        })
        .await;
        drop(gate);
        out.map_err(|e| E::from(DbError::Worker(e.to_string())))?
    }

    /// Writes the WAL back into the main file (on shutdown), so the file alone is complete.
    pub async fn checkpoint(&self) -> Result<(), DbError> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let conn = lock(&inner.writer);
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            Ok(())
        })
        .await
        .map_err(|e| DbError::Worker(e.to_string()))?
    }
}

/// Creates the data dir (and missing parents) as 0700, and narrows an existing one: it holds
/// password hashes, the signing key and every tenant's data.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        // The umask may have narrowed less than we want, or the dir already existed.
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}

/// Sets mode 0600 on the database and its -wal and -shm files (whichever exist), whatever
/// the umask they were created with.
pub fn make_private(db_path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for suffix in ["", "-wal", "-shm"] {
            let file = PathBuf::from(format!("{}{suffix}", db_path.display()));
            match std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
    }
    #[cfg(not(unix))]
    let _ = db_path;
    Ok(())
}

/// A poisoned lock only means another closure panicked; the connection itself is still usable.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
