//! Private files in the data dir (the signing key, the admin client's secret): created once,
//! atomically, with mode 0600, and reused on every start.

use std::io::Write;
use std::path::Path;

/// What happened when a private file was asked for.
pub(crate) enum Created {
    Existing(String),
    New,
}

/// Reads `path` if it exists; otherwise writes `make()` there atomically with mode 0600.
/// When another process wins the race to create it, its content is read instead.
pub(crate) fn read_or_create(
    path: &Path,
    make: impl FnOnce() -> std::io::Result<String>,
) -> std::io::Result<Created> {
    match read_private(path) {
        Ok(existing) => return Ok(Created::Existing(existing)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let content = make()?;
    // NamedTempFile is created with mode 0600 on Unix; persisting renames it into place.
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(content.as_bytes())?;
    tmp.as_file().sync_all()?;
    match tmp.persist_noclobber(path) {
        Ok(_) => Ok(Created::New),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
            read_private(path).map(Created::Existing)
        }
        Err(e) => Err(e.error),
    }
}

/// Reads a private file, first narrowing its mode to 0600 if someone widened it.
fn read_private(path: &Path) -> std::io::Result<String> {
    let content = std::fs::read_to_string(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            tracing::warn!(path = %path.display(), mode = format!("{mode:o}"), "private file was readable by others; setting mode 0600");
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_once_with_mode_0600_then_reuses() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub/secret");
        let first = read_or_create(&path, || Ok("one".into())).expect("create");
        assert!(matches!(first, Created::New));
        let second = read_or_create(&path, || Ok("two".into())).expect("read");
        assert!(matches!(second, Created::Existing(ref s) if s == "one"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
            read_or_create(&path, || Ok("three".into())).expect("read");
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "widened mode is narrowed again");
        }
    }
}
