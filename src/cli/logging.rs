//! Logs go to a file while the console runs (never to the screen), to stderr for `serve`.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

fn filter() -> EnvFilter {
    EnvFilter::try_from_env("ENVDECK_LOG").unwrap_or_else(|_| EnvFilter::new("info"))
}

/// Appends to `log_file`; returns the guard that flushes on drop. A log file that cannot be
/// opened is not fatal: the console runs without logs and says why.
pub fn to_file(log_file: &Path) -> Result<WorkerGuard, String> {
    let dir = log_file
        .parent()
        .ok_or_else(|| format!("log file {} has no folder", log_file.display()))?;
    // The log lives in the state dir, beside the token file: private to the user.
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| format!("cannot create log folder {}: {e}", dir.display()))?;
    }
    let file = {
        use std::os::unix::fs::OpenOptionsExt;
        // Never through a symbolic link: it could point anywhere the user can write.
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(log_file)
    }
    .map_err(|e| {
        if e.raw_os_error() == Some(libc::ELOOP) {
            format!(
                "log file {} is a symbolic link; not followed (remove it to log again)",
                log_file.display()
            )
        } else {
            format!("cannot open log file {}: {e}", log_file.display())
        }
    })?;
    // A small queue (the default holds 128,000 lines, ~4 MB allocated before the first frame);
    // not lossy: the log records what each write did.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(1024)
        .lossy(false)
        .finish(file);
    tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .map_err(|e| format!("cannot start logging: {e}"))?;
    Ok(guard)
}

pub fn to_stderr() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_writer(std::io::stderr)
        .try_init();
}
