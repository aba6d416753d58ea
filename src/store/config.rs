//! config.toml: contexts (control planes to connect to) and local tightening of stages.
//! A malformed file is reported with its path, line and problem, and never rewritten here.
//!
//! ```toml
//! current_context = "team"
//!
//! [client]
//! timeout_secs = 10       # per request, connecting included
//!
//! [tighten]               # this machine only; stricter, never looser
//! staging = "read-only"
//!
//! [[context]]
//! name = "team"
//! server = "https://cp.example.test"
//! tenant = "acme"
//! identity_provider = "https://auth.example.test"   # optional
//! realm = "stoa"                                     # optional
//! client_id = "stoactl"                              # optional
//! stage_endpoints = false   # true: each stage on its own control plane (endpoints.api_url)
//!
//! [keys]                    # command = key or [keys]; the table's keys
//! quit = "x"
//! refresh = ["r", "F5"]
//! [keys.review]             # a popup's keys: review, confirm, form, palette, help, switcher, detail
//! approve = "A"
//! ```

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::error::StoreError;
use super::limits::{FileKind, read_limited_text};
use crate::domain::{Mode, StageName};

/// The file, understood. `warnings` are shown to the operator at start (entries ignored).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    pub current_context: Option<String>,
    pub contexts: Vec<ContextConfig>,
    /// Local tightening: only `read-only` and `promote-only` survive parsing.
    pub tighten: BTreeMap<StageName, Mode>,
    /// `[client] timeout_secs`: the bound on one request (the client's default otherwise).
    pub timeout: Option<std::time::Duration>,
    /// `[keys]` as written; the console's key map checks each entry (`KeyMap::from_config`).
    pub keys: Vec<KeyEntry>,
    pub warnings: Vec<String>,
}

/// One `[keys]` entry: its scope (`None`: the table), command and keys as written, and where
/// it is ("…/config.toml, line 3, column 8"), for the notice if it cannot be applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyEntry {
    pub scope: Option<String>,
    pub command: String,
    pub keys: Vec<String>,
    /// The line of the value (1-based), and the file with line and column.
    pub line: usize,
    pub at: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextConfig {
    pub name: String,
    pub server: String,
    pub tenant: String,
    pub identity_provider: Option<String>,
    pub realm: Option<String>,
    pub client_id: Option<String>,
    /// Each stage lives on its own control plane (`endpoints.api_url` of /v1/environments),
    /// with its own login when its identity provider differs.
    pub stage_endpoints: bool,
}

impl ContextConfig {
    /// The identity provider's base URL: the context's, or the control plane itself (the
    /// embedded server serves `/realms/stoa`).
    pub fn identity_base(&self) -> &str {
        self.identity_provider.as_deref().unwrap_or(&self.server)
    }

    pub fn realm(&self) -> &str {
        self.realm.as_deref().unwrap_or(DEFAULT_REALM)
    }

    pub fn client_id(&self) -> &str {
        self.client_id.as_deref().unwrap_or(DEFAULT_CLIENT_ID)
    }
}

/// Keycloak's realm and public client of the STOA platform (CONTRACT.md).
pub const DEFAULT_REALM: &str = "stoa";
pub const DEFAULT_CLIENT_ID: &str = "stoactl";

#[derive(Deserialize)]
struct RawConfig {
    #[serde(default)]
    current_context: Option<Spanned<String>>,
    #[serde(default)]
    tighten: BTreeMap<String, Spanned<String>>,
    #[serde(default, rename = "context")]
    contexts: Vec<RawContext>,
    #[serde(default)]
    client: RawClient,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClient {
    #[serde(default)]
    timeout_secs: Option<Spanned<u64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContext {
    name: Spanned<String>,
    server: Spanned<String>,
    tenant: String,
    #[serde(default)]
    identity_provider: Option<String>,
    #[serde(default)]
    realm: Option<String>,
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    stage_endpoints: bool,
}

const KNOWN_TABLES: &[&str] = &["current_context", "tighten", "context", "client", "keys"];

impl Config {
    /// Reads `path`; a missing file is an empty configuration.
    pub fn load(path: &Path) -> Result<Config, StoreError> {
        match read_limited_text(path, FileKind::Config)? {
            Some(text) => Config::parse(&text, path),
            None => Ok(Config::default()),
        }
    }

    /// `path` only names the file in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config, StoreError> {
        let at = |span: Option<Range<usize>>, problem: &str| StoreError::Invalid {
            path: path.to_path_buf(),
            reason: match span {
                Some(span) => format!("{}: {problem}", position(text, span.start)),
                None => problem.to_string(),
            },
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| at(e.span(), e.message().trim()))?;
        let mut config = Config::default();

        // A misspelt table would silently do nothing: say so.
        if let Ok(table) = text.parse::<toml::Table>() {
            for key in table.keys().filter(|k| !KNOWN_TABLES.contains(&k.as_str())) {
                config.warnings.push(format!(
                    "{}: unknown setting `{key}` ignored",
                    path.display()
                ));
            }
        }

        for (stage, mode) in raw.tighten {
            let name = StageName::parse(&stage)
                .map_err(|e| at(Some(mode.span()), &format!("[tighten] {e}")))?;
            let parsed = Mode::parse(mode.get_ref())
                .map_err(|e| at(Some(mode.span()), &format!("[tighten] {stage}: {e}")))?;
            if parsed == Mode::Full {
                // The problem first: the console's notice line may cut the end off.
                config.warnings.push(format!(
                    "[tighten] {stage} = \"full\" ignored: a stage can be made stricter here, never looser ({}, {})",
                    path.display(),
                    position(text, mode.span().start)
                ));
                continue;
            }
            config.tighten.insert(name, parsed);
        }

        config.keys = key_entries(text, path, &mut config.warnings);

        if let Some(secs) = raw.client.timeout_secs {
            if !(1..=300).contains(secs.get_ref()) {
                return Err(at(
                    Some(secs.span()),
                    "[client] timeout_secs must be between 1 and 300",
                ));
            }
            config.timeout = Some(std::time::Duration::from_secs(*secs.get_ref()));
        }

        for context in raw.contexts {
            let name = context.name.get_ref().trim().to_string();
            if name.is_empty() {
                return Err(at(Some(context.name.span()), "a context needs a name"));
            }
            if config.contexts.iter().any(|c| c.name == name) {
                return Err(at(
                    Some(context.name.span()),
                    &format!("context {name:?} is defined twice"),
                ));
            }
            let server = context.server.get_ref().trim().to_string();
            let scheme_ok = url::Url::parse(&server)
                .map(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
                .unwrap_or(false);
            if !scheme_ok {
                return Err(at(
                    Some(context.server.span()),
                    &format!("context {name:?}: server must be an http:// or https:// URL"),
                ));
            }
            config.contexts.push(ContextConfig {
                name,
                server,
                tenant: context.tenant.trim().to_string(),
                identity_provider: context.identity_provider,
                realm: context.realm,
                client_id: context.client_id,
                stage_endpoints: context.stage_endpoints,
            });
        }

        if let Some(current) = raw.current_context {
            let name = current.get_ref().trim().to_string();
            if config.context(&name).is_none() {
                return Err(at(
                    Some(current.span()),
                    &format!("current_context {name:?} names no [[context]]"),
                ));
            }
            config.current_context = Some(name);
        }
        Ok(config)
    }

    pub fn context(&self, name: &str) -> Option<&ContextConfig> {
        self.contexts.iter().find(|c| c.name == name)
    }

    /// The context named by `current_context`.
    pub fn current(&self) -> Option<&ContextConfig> {
        self.current_context
            .as_deref()
            .and_then(|n| self.context(n))
    }
}

/// The `[keys]` entries with their positions (toml_edit keeps spans). A value that is neither
/// a key nor a list of keys is a warning naming its line; the key map checks the rest.
fn key_entries(text: &str, path: &Path, warnings: &mut Vec<String>) -> Vec<KeyEntry> {
    let Ok(doc) = toml_edit::Document::parse(text) else {
        return Vec::new(); // `toml` already accepted the file; nothing to add
    };
    let Some(keys) = doc.get("keys") else {
        return Vec::new();
    };
    let at = |span: Option<Range<usize>>| match span {
        Some(span) => format!("{}, {}", path.display(), position(text, span.start)),
        None => path.display().to_string(),
    };
    let Some(table) = keys.as_table_like() else {
        warnings.push(format!(
            "[keys] ignored: a table of command = \"key\" is expected ({})",
            at(keys.span())
        ));
        return Vec::new();
    };
    let mut entries = Vec::new();
    for (name, item) in table.iter() {
        match item.as_table_like() {
            Some(scoped) => {
                for (command, value) in scoped.iter() {
                    let section = format!("[keys.{name}]");
                    let entry =
                        key_entry(Some(name), command, value, &section, text, &at, warnings);
                    entries.extend(entry);
                }
            }
            None => entries.extend(key_entry(None, name, item, "[keys]", text, &at, warnings)),
        }
    }
    entries
}

fn key_entry(
    scope: Option<&str>,
    command: &str,
    value: &toml_edit::Item,
    section: &str,
    text: &str,
    at: &dyn Fn(Option<Range<usize>>) -> String,
    warnings: &mut Vec<String>,
) -> Option<KeyEntry> {
    let keys: Option<Vec<String>> = match value.as_value() {
        Some(toml_edit::Value::String(s)) => Some(vec![s.value().clone()]),
        Some(toml_edit::Value::Array(list)) => {
            list.iter().map(|v| v.as_str().map(String::from)).collect()
        }
        _ => None,
    };
    match keys {
        Some(keys) => Some(KeyEntry {
            scope: scope.map(String::from),
            command: command.to_string(),
            keys,
            line: value.span().map_or(0, |s| {
                text.get(..s.start).unwrap_or(text).matches('\n').count() + 1
            }),
            at: at(value.span()),
        }),
        None => {
            warnings.push(format!(
                "{section} {command} ignored: a key such as \"q\" or a list of keys is expected ({})",
                at(value.span())
            ));
            None
        }
    }
}

/// "line 3, column 9" for a byte offset (1-based, columns in characters).
fn position(text: &str, offset: usize) -> String {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("line {line}, column {column}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, StoreError> {
        Config::parse(text, Path::new("/home/op/.config/envdeck/config.toml"))
    }

    #[test]
    fn reads_tightening_and_contexts() {
        let config = parse(
            r#"
current_context = "team"

[client]
timeout_secs = 20

[tighten]
staging = "read-only"
stg-eu = "promote-only"

[[context]]
name = "team"
server = "https://cp.example.test"
tenant = "acme"
realm = "stoa"
"#,
        )
        .unwrap();
        let staging = StageName::parse("stage").unwrap();
        assert_eq!(config.tighten.get(&staging), Some(&Mode::ReadOnly));
        assert_eq!(config.tighten.len(), 2);
        assert_eq!(config.timeout, Some(std::time::Duration::from_secs(20)));
        assert_eq!(config.current().map(|c| c.tenant.as_str()), Some("acme"));
        assert!(config.warnings.is_empty(), "{:?}", config.warnings);
    }

    #[test]
    fn a_loosening_entry_is_ignored_with_a_warning() {
        let config = parse("[tighten]\nprod = \"full\"\ndev = \"read-only\"\n").unwrap();
        assert_eq!(config.tighten.len(), 1);
        assert_eq!(config.warnings.len(), 1);
        let warning = &config.warnings[0];
        assert!(warning.contains("config.toml, line 2"), "{warning}");
        assert!(warning.contains("never looser"), "{warning}");
    }

    #[test]
    fn errors_name_the_file_the_line_and_the_problem() {
        let cases = [
            (
                "[tighten]\nstaging = \"readonyl\"\n",
                "line 2",
                "unknown stage mode",
            ),
            ("[tighten\nstaging = 1\n", "line 1", ""),
            (
                "\n\ncurrent_context = \"nope\"\n",
                "line 3",
                "names no [[context]]",
            ),
            (
                "[[context]]\nname = \"a\"\nserver = \"ftp://x\"\ntenant = \"t\"\n",
                "line 3",
                "http:// or https://",
            ),
            (
                "[[context]]\nname = \"a\"\nserver = \"http://x\"\ntenant = \"t\"\n[[context]]\nname = \"a\"\nserver = \"http://y\"\ntenant = \"t\"\n",
                "line 6",
                "defined twice",
            ),
            (
                "[tighten]\n\"bad name!\" = \"read-only\"\n",
                "line 2",
                "stage name",
            ),
            (
                "[client]\ntimeout_secs = 0\n",
                "line 2",
                "between 1 and 300",
            ),
            ("[client]\ntimeout = 5\n", "line 2", "unknown field"),
        ];
        for (text, line, problem) in cases {
            let err = parse(text).unwrap_err().to_string();
            assert!(
                err.starts_with("/home/op/.config/envdeck/config.toml: "),
                "{err}"
            );
            assert!(err.contains(line), "{text:?} → {err}");
            assert!(err.contains(problem), "{text:?} → {err}");
        }
    }

    #[test]
    fn unknown_settings_are_warned_about_and_a_missing_file_is_empty() {
        let config = parse("[tigthen]\nstaging = \"read-only\"\n").unwrap();
        assert!(config.tighten.is_empty());
        assert!(config.warnings[0].contains("unknown setting `tigthen`"));
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            Config::load(&dir.path().join("config.toml")).unwrap(),
            Config::default()
        );
    }

    #[test]
    fn keys_are_read_with_their_lines() {
        let config = parse(
            "[keys]\nquit = \"x\"\nrefresh = [\"r\", \"F5\"]\n\n[keys.review]\napprove = \"A\"\n",
        )
        .unwrap();
        assert!(config.warnings.is_empty(), "{:?}", config.warnings);
        let got: Vec<(Option<&str>, &str, Vec<&str>, usize)> = config
            .keys
            .iter()
            .map(|k| {
                let keys = k.keys.iter().map(String::as_str).collect();
                (k.scope.as_deref(), k.command.as_str(), keys, k.line)
            })
            .collect();
        assert_eq!(
            got,
            [
                (None, "quit", vec!["x"], 2),
                (None, "refresh", vec!["r", "F5"], 3),
                (Some("review"), "approve", vec!["A"], 6),
            ]
        );
        assert_eq!(
            config.keys[0].at,
            "/home/op/.config/envdeck/config.toml, line 2, column 8"
        );
    }

    #[test]
    fn a_key_value_of_the_wrong_type_is_a_warning_with_its_line() {
        let config = parse("[keys]\nquit = \"x\"\nhelp = 3\n[keys.form]\nsubmit = [1]\n").unwrap();
        assert_eq!(config.keys.len(), 1);
        assert_eq!(config.warnings.len(), 2, "{:?}", config.warnings);
        assert!(config.warnings[0].starts_with("[keys] help ignored"));
        assert!(
            config.warnings[0].contains("line 3"),
            "{:?}",
            config.warnings
        );
        assert!(config.warnings[1].starts_with("[keys.form] submit ignored"));
        assert!(
            config.warnings[1].contains("line 5"),
            "{:?}",
            config.warnings
        );
    }
}
