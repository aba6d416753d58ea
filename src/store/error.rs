//! One error type for the store; every message names the file it is about.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file exists but is not what envdeck wrote (or a person mistyped it).
    /// `reason` says where ("line 3, column 9") and what is wrong.
    #[error("{}: {reason}", path.display())]
    Invalid { path: PathBuf, reason: String },
    /// A change that cannot be made (adding a context that exists, using one that does not).
    #[error("{}: {reason}", path.display())]
    Refused { path: PathBuf, reason: String },
    #[error("cannot encode {}: {reason}", path.display())]
    Encode { path: PathBuf, reason: String },
    #[error(
        "no home directory to keep envdeck's files in (looked for {}); set ENVDECK_HOME",
        path.display()
    )]
    NoHome { path: PathBuf },
}

impl StoreError {
    pub fn read(path: impl Into<PathBuf>, source: std::io::Error) -> StoreError {
        StoreError::Read {
            path: path.into(),
            source,
        }
    }

    pub fn write(path: impl Into<PathBuf>, source: std::io::Error) -> StoreError {
        StoreError::Write {
            path: path.into(),
            source,
        }
    }
}
