//! How large each of envdeck's own files may be. The size is checked before a file is read and
//! the read itself is bounded, so a huge file (or one that grows, or lies about its size) cannot
//! take the process's memory; a file over its limit is treated as a corrupt one. The limits are
//! generous for what envdeck writes.

use std::io::Read;
use std::path::Path;

use super::error::StoreError;

const MIB: u64 = 1024 * 1024;

/// The files envdeck reads back, each with its limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// state.json: a stage and a view per control plane.
    State,
    /// One last-seen list: up to the client's item cap (100,000) of a few hundred bytes.
    CacheEntry,
    /// tokens.json: two tokens of a few KiB per context.
    Tokens,
    /// config.toml: written by hand or by `envdeck context`.
    Config,
}

impl FileKind {
    pub const fn max_bytes(self) -> u64 {
        match self {
            FileKind::State => MIB,
            FileKind::CacheEntry => 64 * MIB,
            FileKind::Tokens => MIB,
            FileKind::Config => MIB,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            FileKind::State => "a state file",
            FileKind::CacheEntry => "a cache entry",
            FileKind::Tokens => "a token file",
            FileKind::Config => "config.toml",
        }
    }
}

/// The whole file, when it is within `kind`'s limit; `None` when there is none.
/// Over the limit is [`StoreError::Invalid`], the error of a corrupt file.
pub fn read_limited(path: &Path, kind: FileKind) -> Result<Option<Vec<u8>>, StoreError> {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StoreError::read(path, e)),
    };
    let limit = kind.max_bytes();
    let size = file
        .metadata()
        .map_err(|e| StoreError::read(path, e))?
        .len();
    if size > limit {
        return Err(too_large(path, kind, size));
    }
    // The size may have changed since, or be wrong (0 for /proc files): one byte past the
    // limit is enough to know.
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| StoreError::read(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(path, kind, bytes.len() as u64));
    }
    Ok(Some(bytes))
}

/// [`read_limited`] for text files; not UTF-8 is a read error, as `read_to_string` has it.
pub fn read_limited_text(path: &Path, kind: FileKind) -> Result<Option<String>, StoreError> {
    let Some(bytes) = read_limited(path, kind)? else {
        return Ok(None);
    };
    String::from_utf8(bytes).map(Some).map_err(|e| {
        StoreError::read(
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        )
    })
}

fn too_large(path: &Path, kind: FileKind, size: u64) -> StoreError {
    StoreError::Invalid {
        path: path.to_path_buf(),
        reason: format!(
            "{size} bytes, larger than the {} MiB {} may be; not read",
            kind.max_bytes() / MIB,
            kind.noun()
        ),
    }
}
