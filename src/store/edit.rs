//! Changes to config.toml made by `envdeck context ...`: edited in place with `toml_edit`, so
//! comments, order and entries envdeck does not know survive; checked before and after, and
//! written atomically. A malformed file is reported and never overwritten.

use std::path::{Path, PathBuf};

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};

use super::atomic::write_atomic;
use super::config::{Config, ContextConfig};
use super::error::StoreError;
use super::limits::{FileKind, read_limited_text};
use super::paths::create_private_dir;

const FILE_MODE: u32 = 0o600;

/// config.toml, opened for a change.
pub struct ConfigEdit {
    path: PathBuf,
    doc: DocumentMut,
}

impl ConfigEdit {
    /// Reads and checks the file (a missing file is an empty one).
    pub fn open(path: &Path) -> Result<ConfigEdit, StoreError> {
        // Too large is refused like a malformed file: reported, never overwritten.
        let text = read_limited_text(path, FileKind::Config)?.unwrap_or_default();
        // The same checks as loading, with the same located messages.
        Config::parse(&text, path)?;
        let doc = text
            .parse::<DocumentMut>()
            .map_err(|e| StoreError::Invalid {
                path: path.to_path_buf(),
                reason: e.message().to_string(),
            })?;
        Ok(ConfigEdit {
            path: path.to_path_buf(),
            doc,
        })
    }

    fn refused(&self, reason: String) -> StoreError {
        StoreError::Refused {
            path: self.path.clone(),
            reason,
        }
    }

    fn contexts_mut(&mut self) -> Result<&mut ArrayOfTables, StoreError> {
        if self.doc.get("context").is_none() {
            self.doc
                .insert("context", Item::ArrayOfTables(ArrayOfTables::new()));
        }
        let path = self.path.clone();
        self.doc
            .get_mut("context")
            .and_then(Item::as_array_of_tables_mut)
            .ok_or_else(|| StoreError::Invalid {
                path,
                reason: "`context` must be written as [[context]] tables to be edited".to_string(),
            })
    }

    fn position(&mut self, name: &str) -> Result<Option<usize>, StoreError> {
        Ok(self
            .contexts_mut()?
            .iter()
            .position(|t| t.get("name").and_then(Item::as_str) == Some(name)))
    }

    /// Adds a `[[context]]`; a name already taken is refused.
    pub fn add_context(&mut self, context: &ContextConfig) -> Result<(), StoreError> {
        if self.position(&context.name)?.is_some() {
            return Err(self.refused(format!(
                "context {:?} exists already; remove it first",
                context.name
            )));
        }
        let mut table = Table::new();
        table.insert("name", value(context.name.as_str()));
        table.insert("server", value(context.server.as_str()));
        table.insert("tenant", value(context.tenant.as_str()));
        let optional = [
            ("identity_provider", &context.identity_provider),
            ("realm", &context.realm),
            ("client_id", &context.client_id),
        ];
        for (key, field) in optional {
            if let Some(v) = field {
                table.insert(key, value(v.as_str()));
            }
        }
        if context.stage_endpoints {
            table.insert("stage_endpoints", value(true));
        }
        self.contexts_mut()?.push(table);
        Ok(())
    }

    /// Removes a context (and `current_context` when it named it). False when there was none.
    pub fn remove_context(&mut self, name: &str) -> Result<bool, StoreError> {
        let Some(index) = self.position(name)? else {
            return Ok(false);
        };
        self.contexts_mut()?.remove(index);
        if self.doc.get("current_context").and_then(Item::as_str) == Some(name) {
            self.doc.remove("current_context");
        }
        if self.contexts_mut()?.is_empty() {
            self.doc.remove("context");
        }
        Ok(true)
    }

    /// Makes `name` the current context; it must exist.
    pub fn use_context(&mut self, name: &str) -> Result<(), StoreError> {
        if self.position(name)?.is_none() {
            return Err(self.refused(format!("no context {name:?}")));
        }
        match self.doc.get_mut("current_context") {
            // Keeps the entry's place and its comments.
            Some(item) if item.is_value() => {
                let decor = item.as_value().map(|v| v.decor().clone());
                *item = value(name);
                if let (Some(decor), Some(v)) = (decor, item.as_value_mut()) {
                    *v.decor_mut() = decor;
                }
            }
            _ => {
                self.doc.insert("current_context", value(name));
            }
        }
        Ok(())
    }

    /// The file as it would be written.
    pub fn text(&self) -> String {
        self.doc.to_string()
    }

    /// Checks the result and writes it atomically (mode 0600); returns it understood.
    pub fn save(&self) -> Result<Config, StoreError> {
        let text = self.text();
        let config = Config::parse(&text, &self.path)?;
        // A linked config.toml (dotfiles) is written where it points, and stays a link.
        let target = link_target(&self.path).map_err(|e| StoreError::write(&self.path, e))?;
        if let Some(dir) = target.parent() {
            create_private_dir(dir)?;
        }
        write_atomic(&target, text.as_bytes(), Some(FILE_MODE))
            .map_err(|e| StoreError::write(&target, e))?;
        Ok(config)
    }
}

/// The file `path` leads to through symbolic links, followed one at a time so that a link to a
/// file not written yet leads to where it will be.
fn link_target(path: &Path) -> std::io::Result<PathBuf> {
    // As many links as Linux follows in one path.
    const MAX_LINKS: usize = 40;
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let next = std::fs::read_link(&current)?;
                // Relative to the link's folder; an absolute `next` replaces it whole.
                current = match current.parent() {
                    Some(dir) => dir.join(next),
                    None => next,
                };
            }
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => return Ok(current),
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(name: &str) -> ContextConfig {
        ContextConfig {
            name: name.to_string(),
            server: format!("https://{name}.example.test"),
            tenant: "acme".to_string(),
            identity_provider: None,
            realm: Some("stoa".to_string()),
            client_id: None,
            stage_endpoints: name == "prod",
        }
    }

    const HAND_WRITTEN: &str = "# my envdeck settings\n\
current_context = \"team\" # the usual one\n\n\
[tighten]\n# careful on this laptop\nstaging = \"read-only\"\n\n\
[keys]\nsomething = \"unknown to envdeck\"\n\n\
[[context]]\nname = \"team\" # shared platform\nserver = \"https://team.example.test\"\ntenant = \"acme\"\n";

    #[test]
    fn edits_keep_comments_and_unknown_entries() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, HAND_WRITTEN).unwrap();
        let mut edit = ConfigEdit::open(&path).unwrap();
        edit.add_context(&context("prod")).unwrap();
        edit.use_context("prod").unwrap();
        let config = edit.save().unwrap();
        assert_eq!(config.current().map(|c| c.name.as_str()), Some("prod"));
        assert!(config.context("prod").unwrap().stage_endpoints);
        let text = std::fs::read_to_string(&path).unwrap();
        for kept in [
            "# my envdeck settings",
            "# the usual one",
            "# careful on this laptop",
            "unknown to envdeck",
            "# shared platform",
        ] {
            assert!(text.contains(kept), "{kept:?} lost:\n{text}");
        }

        let mut edit = ConfigEdit::open(&path).unwrap();
        assert!(edit.remove_context("prod").unwrap());
        assert!(!edit.remove_context("prod").unwrap());
        let config = edit.save().unwrap();
        assert_eq!(config.current_context, None);
        assert_eq!(config.contexts.len(), 1);
    }

    #[test]
    fn refusals_and_a_malformed_file_write_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let mut edit = ConfigEdit::open(&path).unwrap();
        edit.add_context(&context("team")).unwrap();
        let err = edit.add_context(&context("team")).unwrap_err().to_string();
        assert!(err.contains("exists already"), "{err}");
        let err = edit.use_context("nope").unwrap_err().to_string();
        assert!(err.contains("no context \"nope\""), "{err}");
        edit.save().unwrap();

        let broken = "[[context]]\nname = \"a\"\nserver = \"https://a\"\ntenant = \n";
        std::fs::write(&path, broken).unwrap();
        let err = ConfigEdit::open(&path).err().unwrap().to_string();
        assert!(
            err.contains("config.toml") && err.contains("line 4"),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);
    }
}
