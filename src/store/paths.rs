//! Where envdeck keeps its files: the platform's directories (XDG on Linux), or everything
//! under `$ENVDECK_HOME` when it is set (tests, portable set-ups).

use std::path::{Path, PathBuf};

use super::error::StoreError;

/// The environment variable that moves every envdeck file under one root.
pub const HOME_VAR: &str = "ENVDECK_HOME";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paths {
    pub config_dir: PathBuf,
    pub state_dir: PathBuf,
    pub cache_dir: PathBuf,
    pub data_dir: PathBuf,
    pub log_file: PathBuf,
}

impl Paths {
    /// `directories::ProjectDirs::from("dev", "envdeck", "envdeck")`; when ENVDECK_HOME is set,
    /// everything lives under it: $ENVDECK_HOME/{config,state,cache,data}, log at
    /// state/envdeck.log.
    pub fn discover() -> Result<Paths, StoreError> {
        if let Some(root) = std::env::var_os(HOME_VAR).filter(|v| !v.is_empty()) {
            return Ok(Paths::under(Path::new(&root)));
        }
        let dirs =
            directories::ProjectDirs::from("dev", "envdeck", "envdeck").ok_or_else(|| {
                StoreError::NoHome {
                    path: PathBuf::from("$HOME"),
                }
            })?;
        // Not every platform has a state dir (only Linux does): keep state with local data.
        let state_dir = dirs
            .state_dir()
            .unwrap_or_else(|| dirs.data_local_dir())
            .to_path_buf();
        Ok(Paths {
            config_dir: dirs.config_dir().to_path_buf(),
            log_file: state_dir.join("envdeck.log"),
            state_dir,
            cache_dir: dirs.cache_dir().to_path_buf(),
            data_dir: dirs.data_dir().to_path_buf(),
        })
    }

    /// The ENVDECK_HOME layout, for tests.
    pub fn under(root: &Path) -> Paths {
        let state_dir = root.join("state");
        Paths {
            config_dir: root.join("config"),
            log_file: state_dir.join("envdeck.log"),
            state_dir,
            cache_dir: root.join("cache"),
            data_dir: root.join("data"),
        }
    }

    /// `config.toml` in the config dir.
    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }

    /// Creates the directories (private to the user on Unix) if they are missing.
    pub fn ensure(&self) -> Result<(), StoreError> {
        for dir in [
            &self.config_dir,
            &self.state_dir,
            &self.cache_dir,
            &self.data_dir,
        ] {
            create_private_dir(dir)?;
        }
        Ok(())
    }
}

/// `mkdir -p` with mode 0700 for the directories it creates.
pub(crate) fn create_private_dir(dir: &Path) -> Result<(), StoreError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|e| StoreError::write(dir, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_home_layout_keeps_everything_under_one_root() {
        let p = Paths::under(Path::new("/tmp/envdeck-home"));
        assert_eq!(
            p.config_file(),
            Path::new("/tmp/envdeck-home/config/config.toml")
        );
        assert_eq!(p.log_file, Path::new("/tmp/envdeck-home/state/envdeck.log"));
        assert_eq!(p.cache_dir, Path::new("/tmp/envdeck-home/cache"));
        assert_eq!(p.data_dir, Path::new("/tmp/envdeck-home/data"));
    }

    #[test]
    fn ensure_creates_private_dirs() {
        let root = tempfile::tempdir().unwrap();
        let p = Paths::under(root.path());
        p.ensure().unwrap();
        assert!(p.state_dir.is_dir() && p.config_dir.is_dir());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p.state_dir)
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o700);
        }
    }
}
