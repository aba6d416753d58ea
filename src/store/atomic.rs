//! Atomic file replacement: readers see the old file or the new one, never a torn write,
//! even when the process dies half way.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to a temporary file in the same directory, applies `mode` (Unix permission
/// bits), fsyncs it, renames it over `path`, then fsyncs the directory so the rename itself is
/// durable. Missing parent directories are created (mode 0700). Without `mode` the file is
/// private to the user (0600), the safe default for everything envdeck writes.
/// The rename replaces whatever is at `path`: a symbolic link there is replaced, never
/// written through.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: Option<u32>) -> std::io::Result<()> {
    replace_with(path, mode, |file| file.write_all(bytes))
}

/// A copy of `from` at `to`, made like [`write_atomic`] (streamed, not read into memory).
pub fn copy_atomic(from: &Path, to: &Path) -> std::io::Result<()> {
    let mut source = std::fs::File::open(from)?;
    replace_with(to, None, |file| std::io::copy(&mut source, file).map(drop))
}

fn replace_with(
    path: &Path,
    mode: Option<u32>,
    fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    super::paths::create_private_dir(dir).map_err(|e| std::io::Error::other(e.to_string()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "envdeck".to_string());
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    fill(temp.as_file_mut())?;
    set_mode(temp.path(), mode)?;
    temp.as_file().sync_all()?;
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        // The rename replaces the link itself: say so, since whoever made it may miss it.
        tracing::warn!(path = %path.display(), "a symbolic link was in the way; replacing the link, not its target");
    }
    temp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir);
    Ok(())
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: Option<u32>) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    // tempfile creates 0600 already; set it anyway so the result never depends on that.
    let mode = mode.unwrap_or(0o600);
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: Option<u32>) -> std::io::Result<()> {
    Ok(())
}

/// Makes the rename durable. Best effort: some filesystems refuse to fsync a directory, and
/// the data itself is already safe on disk.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Err(e) = std::fs::File::open(dir).and_then(|d| d.sync_all()) {
        tracing::debug!(dir = %dir.display(), error = %e, "could not fsync the directory");
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_whole_file_and_leaves_no_temporary_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/state.json");
        write_atomic(&path, b"old old old old", None).unwrap();
        write_atomic(&path, b"new", None).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("state.json")]);
    }

    #[test]
    fn a_reader_sees_the_old_file_or_the_new_one_never_a_mix() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let old = vec![b'o'; 64 * 1024];
        let new = vec![b'n'; 96 * 1024];
        write_atomic(&path, &old, None).unwrap();
        let writer = {
            let (path, old, new) = (path.clone(), old.clone(), new.clone());
            std::thread::spawn(move || {
                for i in 0..60 {
                    let bytes = if i % 2 == 0 { &new } else { &old };
                    write_atomic(&path, bytes, None).unwrap();
                }
            })
        };
        while !writer.is_finished() {
            let seen = std::fs::read(&path).unwrap();
            assert!(
                seen == old || seen == new,
                "torn read of {} bytes",
                seen.len()
            );
        }
        writer.join().unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn applies_the_mode_before_the_file_appears() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.json");
        write_atomic(&path, b"{}", Some(0o600)).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        write_atomic(&path, b"{}", Some(0o644)).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o644);
    }

    #[test]
    fn a_failed_write_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        write_atomic(&path, b"old", None).unwrap();
        // The target is now a directory: the rename fails, the old content survives elsewhere.
        let blocked = dir.path().join("blocked");
        std::fs::create_dir_all(blocked.join("child")).unwrap();
        assert!(write_atomic(&blocked, b"new", None).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert!(blocked.join("child").is_dir());
        let temporaries = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".tmp")
            })
            .count();
        assert_eq!(temporaries, 0);
    }
}
