//! Stage names, aliases, modes, colours and the pipeline order.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A stage name after alias normalisation: `prod` and `production` are the same stage.
/// Well-known stages take the names the control plane lists them under
/// (`dev`, `staging`, `production`); any other name is kept, lower-cased.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StageName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StageNameError {
    #[error("a stage name cannot be empty")]
    Empty,
    #[error("stage name {0:?} is longer than 63 characters")]
    TooLong(String),
    #[error(
        "stage name {0:?} may only hold letters, digits, '-' and '_', and must start with a letter or digit"
    )]
    BadCharacter(String),
}

/// The three stages every STOA platform knows by several spellings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WellKnown {
    Development,
    Staging,
    Production,
}

impl WellKnown {
    fn canonical(self) -> &'static str {
        match self {
            WellKnown::Development => "dev",
            WellKnown::Staging => "staging",
            WellKnown::Production => "production",
        }
    }

    fn from_alias(lower: &str) -> Option<WellKnown> {
        match lower {
            "dev" | "development" | "sandbox" => Some(WellKnown::Development),
            "staging" | "stage" | "stg" => Some(WellKnown::Staging),
            "prod" | "production" | "prd" => Some(WellKnown::Production),
            _ => None,
        }
    }

    /// Default colour when the server gives none.
    pub fn default_color(self) -> Rgb {
        match self {
            WellKnown::Development => Rgb(0x22, 0xc5, 0x5e),
            WellKnown::Staging => Rgb(0xf5, 0x9e, 0x0b),
            WellKnown::Production => Rgb(0xef, 0x44, 0x44),
        }
    }
}

/// How the real service spells a stage on a given endpoint family (CONTRACT.md):
/// the APIs list and the write guard say `prod`, deployments and promotions say `production`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WireSpelling {
    /// `prod` for production: APIs list and API writes.
    Short,
    /// `production` for production: deployments, promotions, environments.
    Long,
}

impl StageName {
    pub fn parse(raw: &str) -> Result<StageName, StageNameError> {
        let lower = raw.trim().to_ascii_lowercase();
        if lower.is_empty() {
            return Err(StageNameError::Empty);
        }
        if let Some(known) = WellKnown::from_alias(&lower) {
            return Ok(StageName(known.canonical().to_string()));
        }
        if lower.chars().count() > 63 {
            return Err(StageNameError::TooLong(raw.to_string()));
        }
        let mut chars = lower.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
        let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !(first_ok && rest_ok) {
            return Err(StageNameError::BadCharacter(raw.to_string()));
        }
        Ok(StageName(lower))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn well_known(&self) -> Option<WellKnown> {
        WellKnown::from_alias(&self.0)
    }

    pub fn is_production(&self) -> bool {
        self.well_known() == Some(WellKnown::Production)
    }

    /// The spelling to send to an endpoint of the real service.
    pub fn wire(&self, spelling: WireSpelling) -> &str {
        match (self.well_known(), spelling) {
            (Some(WellKnown::Production), WireSpelling::Short) => "prod",
            _ => &self.0,
        }
    }

    /// Every spelling a server may store for this stage (exact-match filters need each).
    pub fn spellings(&self) -> Vec<&str> {
        match self.well_known() {
            Some(WellKnown::Development) => vec!["dev", "development"],
            Some(WellKnown::Staging) => vec!["staging", "stage"],
            Some(WellKnown::Production) => vec!["production", "prod"],
            None => vec![self.as_str()],
        }
    }

    /// A human label for stages the server gave none for.
    pub fn default_label(&self) -> String {
        match self.well_known() {
            Some(WellKnown::Development) => "Development".to_string(),
            Some(WellKnown::Staging) => "Staging".to_string(),
            Some(WellKnown::Production) => "Production".to_string(),
            None => {
                let mut chars = self.0.chars();
                match chars.next() {
                    Some(first) => first.to_uppercase().chain(chars).collect(),
                    None => String::new(),
                }
            }
        }
    }
}

impl TryFrom<String> for StageName {
    type Error = StageNameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        StageName::parse(&value)
    }
}

impl From<StageName> for String {
    fn from(value: StageName) -> Self {
        value.0
    }
}

impl fmt::Display for StageName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a stage allows, from the least to the most strict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    Full,
    PromoteOnly,
    ReadOnly,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown stage mode {0:?} (expected full, promote-only or read-only)")]
pub struct ModeError(pub String);

impl Mode {
    pub fn parse(raw: &str) -> Result<Mode, ModeError> {
        let norm: String = raw
            .trim()
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        match norm.as_str() {
            "full" | "readwrite" => Ok(Mode::Full),
            "promoteonly" => Ok(Mode::PromoteOnly),
            "readonly" | "ro" => Ok(Mode::ReadOnly),
            _ => Err(ModeError(raw.to_string())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Full => "full",
            Mode::PromoteOnly => "promote-only",
            Mode::ReadOnly => "read-only",
        }
    }

    /// The stricter of two modes: local configuration may tighten, never loosen.
    pub fn tightened_by(self, local: Mode) -> Mode {
        self.max(local)
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A 24-bit colour, as the server gives it (`#rrggbb`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    pub fn parse(raw: &str) -> Option<Rgb> {
        let hex = raw.trim().strip_prefix('#')?;
        let expanded: String = match hex.len() {
            3 => hex.chars().flat_map(|c| [c, c]).collect(),
            6 => hex.to_string(),
            _ => return None,
        };
        let value = u32::from_str_radix(&expanded, 16).ok()?;
        Some(Rgb((value >> 16) as u8, (value >> 8) as u8, value as u8))
    }

    pub fn to_hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// Where a stage's own control plane lives, when stages are split across control planes.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct StageEndpoints {
    pub api_url: Option<String>,
    pub keycloak_url: Option<String>,
    pub keycloak_realm: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    pub name: StageName,
    pub label: String,
    /// The mode the server declares.
    pub mode: Mode,
    /// The server's colour wins; the alias colour otherwise; `None` for unknown stages.
    pub color: Option<Rgb>,
    pub endpoints: Option<StageEndpoints>,
}

impl Stage {
    pub fn new(name: StageName, label: Option<&str>, mode: Mode, color: Option<&str>) -> Stage {
        let label = match label.map(str::trim) {
            Some(l) if !l.is_empty() => l.to_string(),
            _ => name.default_label(),
        };
        let color = color
            .and_then(Rgb::parse)
            .or_else(|| name.well_known().map(WellKnown::default_color));
        Stage {
            name,
            label,
            mode,
            color,
            endpoints: None,
        }
    }
}

/// The stages of a control plane in promotion order.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Pipeline {
    stages: Vec<Stage>,
}

impl Pipeline {
    /// Orders stages as they are promoted. The real service lists production first;
    /// when the well-known stages arrive in descending order the list is reversed,
    /// otherwise the server's order is the pipeline order. Duplicates (after aliasing) are dropped.
    pub fn from_server_order(stages: Vec<Stage>) -> Pipeline {
        let mut seen = std::collections::HashSet::new();
        let mut stages: Vec<Stage> = stages
            .into_iter()
            .filter(|s| seen.insert(s.name.clone()))
            .collect();
        let ranks: Vec<WellKnown> = stages.iter().filter_map(|s| s.name.well_known()).collect();
        let descending = ranks.len() >= 2 && ranks.windows(2).all(|w| w[0] > w[1]);
        if descending {
            stages.reverse();
        }
        Pipeline { stages }
    }

    /// Keeps the given order as the promotion order (a stages file is written in that order).
    /// Duplicates (after aliasing) are dropped.
    pub fn in_order(stages: Vec<Stage>) -> Pipeline {
        let mut seen = std::collections::HashSet::new();
        Pipeline {
            stages: stages
                .into_iter()
                .filter(|s| seen.insert(s.name.clone()))
                .collect(),
        }
    }

    pub fn stages(&self) -> &[Stage] {
        &self.stages
    }

    pub fn is_empty(&self) -> bool {
        self.stages.is_empty()
    }

    pub fn len(&self) -> usize {
        self.stages.len()
    }

    pub fn get(&self, name: &StageName) -> Option<&Stage> {
        self.stages.iter().find(|s| &s.name == name)
    }

    pub fn position(&self, name: &StageName) -> Option<usize> {
        self.stages.iter().position(|s| &s.name == name)
    }

    /// Resolves any spelling the user typed to a stage of this pipeline.
    pub fn find(&self, raw: &str) -> Option<&Stage> {
        let name = StageName::parse(raw).ok()?;
        self.get(&name).or_else(|| {
            let lower = raw.trim().to_lowercase();
            self.stages.iter().find(|s| s.label.to_lowercase() == lower)
        })
    }

    pub fn next(&self, name: &StageName) -> Option<&Stage> {
        let i = self.position(name)?;
        self.stages.get(i + 1)
    }

    pub fn previous(&self, name: &StageName) -> Option<&Stage> {
        let i = self.position(name)?;
        i.checked_sub(1).and_then(|p| self.stages.get(p))
    }

    /// The stage to fall back on when the saved choice is missing or unknown:
    /// the first writable non-production stage, else the first stage.
    pub fn safe_default(&self) -> Option<&Stage> {
        self.stages
            .iter()
            .find(|s| s.mode == Mode::Full && !s.name.is_production())
            .or_else(|| {
                self.stages
                    .iter()
                    .find(|s| s.mode != Mode::ReadOnly && !s.name.is_production())
            })
            .or_else(|| self.stages.first())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> StageName {
        StageName::parse(s).unwrap()
    }

    #[test]
    fn aliases_normalise_to_one_name() {
        for (raw, want) in [
            ("prod", "production"),
            ("PRODUCTION", "production"),
            (" prd ", "production"),
            ("dev", "dev"),
            ("development", "dev"),
            ("sandbox", "dev"),
            ("stage", "staging"),
            ("stg", "staging"),
            ("Staging", "staging"),
            ("qa-eu", "qa-eu"),
        ] {
            assert_eq!(name(raw).as_str(), want, "{raw}");
        }
    }

    #[test]
    fn bad_names_are_refused_with_a_reason() {
        assert_eq!(StageName::parse("  "), Err(StageNameError::Empty));
        assert!(matches!(
            StageName::parse("pro\u{1b}[2J"),
            Err(StageNameError::BadCharacter(_))
        ));
        assert!(matches!(
            StageName::parse(&"a".repeat(64)),
            Err(StageNameError::TooLong(_))
        ));
    }

    #[test]
    fn production_has_two_wire_spellings() {
        let p = name("production");
        assert_eq!(p.wire(WireSpelling::Short), "prod");
        assert_eq!(p.wire(WireSpelling::Long), "production");
        assert_eq!(name("dev").wire(WireSpelling::Short), "dev");
    }

    #[test]
    fn modes_parse_leniently_and_tighten_only() {
        assert_eq!(Mode::parse("read-only"), Ok(Mode::ReadOnly));
        assert_eq!(Mode::parse("READ_ONLY"), Ok(Mode::ReadOnly));
        assert_eq!(Mode::parse("promote-only"), Ok(Mode::PromoteOnly));
        assert!(Mode::parse("yolo").is_err());
        assert_eq!(Mode::Full.tightened_by(Mode::ReadOnly), Mode::ReadOnly);
        assert_eq!(Mode::ReadOnly.tightened_by(Mode::Full), Mode::ReadOnly);
    }

    fn stage(n: &str, mode: Mode) -> Stage {
        Stage::new(name(n), None, mode, None)
    }

    #[test]
    fn real_service_order_is_reversed_into_pipeline_order() {
        let p = Pipeline::from_server_order(vec![
            stage("production", Mode::ReadOnly),
            stage("staging", Mode::Full),
            stage("dev", Mode::Full),
        ]);
        let names: Vec<_> = p.stages().iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["dev", "staging", "production"]);
        assert_eq!(p.next(&name("dev")).unwrap().name.as_str(), "staging");
        assert!(p.next(&name("prod")).is_none());
        assert_eq!(p.safe_default().unwrap().name.as_str(), "dev");
    }

    #[test]
    fn custom_pipelines_keep_server_order() {
        let p = Pipeline::from_server_order(vec![
            stage("sandbox", Mode::Full),
            stage("qa", Mode::Full),
            stage("stg", Mode::PromoteOnly),
            stage("perf", Mode::PromoteOnly),
            stage("prod", Mode::ReadOnly),
        ]);
        let names: Vec<_> = p.stages().iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["dev", "qa", "staging", "perf", "production"]);
        assert!(p.find("STG").is_some());
        assert!(p.find("Perf").is_some());
    }

    #[test]
    fn safe_default_skips_read_only_and_production() {
        let p = Pipeline::from_server_order(vec![
            stage("edge", Mode::ReadOnly),
            stage("production", Mode::Full),
            stage("canary", Mode::Full),
        ]);
        assert_eq!(p.safe_default().unwrap().name.as_str(), "canary");
        let only_prod = Pipeline::from_server_order(vec![stage("prod", Mode::ReadOnly)]);
        assert_eq!(
            only_prod.safe_default().unwrap().name.as_str(),
            "production"
        );
    }

    #[test]
    fn colours_come_from_server_then_alias() {
        let s = Stage::new(
            name("prod"),
            Some("Prod EU"),
            Mode::ReadOnly,
            Some("#123456"),
        );
        assert_eq!(s.color, Some(Rgb(0x12, 0x34, 0x56)));
        assert_eq!(s.label, "Prod EU");
        let s = Stage::new(name("prod"), Some(""), Mode::ReadOnly, Some("red"));
        assert_eq!(s.color, Some(Rgb(0xef, 0x44, 0x44)));
        assert_eq!(s.label, "Production");
        let s = Stage::new(name("qa"), None, Mode::Full, None);
        assert_eq!(s.color, None);
        assert_eq!(s.label, "Qa");
        assert_eq!(Rgb::parse("#abc"), Some(Rgb(0xaa, 0xbb, 0xcc)));
    }
}
