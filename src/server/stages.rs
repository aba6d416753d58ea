//! The stages this control plane serves: dev → staging → production by default, or the
//! `[[stage]]` entries of a TOML stages file, in file order (= promotion order).

use std::path::Path;

use serde::Deserialize;

use crate::domain::{Mode, Pipeline, Stage, StageName};

#[derive(Debug, thiserror::Error)]
pub enum StagesError {
    #[error("cannot read stages file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("stages file {path} is invalid: {reason}")]
    Invalid { path: String, reason: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StagesFile {
    #[serde(default)]
    stage: Vec<StageEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StageEntry {
    name: String,
    label: Option<String>,
    mode: Option<String>,
    color: Option<String>,
}

pub fn default_pipeline() -> Pipeline {
    let stage = |name: &str, label: &str, mode: Mode, color: &str| {
        // The names are literals that always parse.
        let name = StageName::parse(name).unwrap_or_else(|_| unreachable!("literal stage name"));
        Stage::new(name, Some(label), mode, Some(color))
    };
    Pipeline::in_order(vec![
        stage("dev", "Development", Mode::Full, "#22c55e"),
        stage("staging", "Staging", Mode::Full, "#f59e0b"),
        stage("production", "Production", Mode::ReadOnly, "#ef4444"),
    ])
}

pub fn load(path: &Path) -> Result<Pipeline, StagesError> {
    let text = std::fs::read_to_string(path).map_err(|source| StagesError::Read {
        path: path.display().to_string(),
        source,
    })?;
    parse(&text).map_err(|reason| StagesError::Invalid {
        path: path.display().to_string(),
        reason,
    })
}

pub fn parse(text: &str) -> Result<Pipeline, String> {
    let file: StagesFile = toml::from_str(text).map_err(|e| e.to_string())?;
    if file.stage.is_empty() {
        return Err("it declares no [[stage]]".into());
    }
    let mut stages = Vec::with_capacity(file.stage.len());
    let mut seen = std::collections::HashSet::new();
    for entry in file.stage {
        let name = StageName::parse(&entry.name).map_err(|e| e.to_string())?;
        if !seen.insert(name.clone()) {
            return Err(format!("stage {name} is declared twice"));
        }
        let mode = match entry.mode.as_deref() {
            Some(raw) => Mode::parse(raw).map_err(|e| format!("stage {name}: {e}"))?,
            None => Mode::Full,
        };
        stages.push(Stage::new(
            name,
            entry.label.as_deref(),
            mode,
            entry.color.as_deref(),
        ));
    }
    // File order is the pipeline order, whatever the names.
    Ok(Pipeline::in_order(stages))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(p: &Pipeline) -> Vec<&str> {
        p.stages().iter().map(|s| s.name.as_str()).collect()
    }

    #[test]
    fn a_stages_file_replaces_the_defaults_in_file_order() {
        let p = parse(
            r##"
            [[stage]]
            name = "sandbox"
            [[stage]]
            name = "qa"
            label = "QA"
            mode = "promote-only"
            color = "#123456"
            [[stage]]
            name = "prod"
            mode = "read-only"
            "##,
        )
        .unwrap();
        assert_eq!(names(&p), ["dev", "qa", "production"]);
        assert_eq!(p.stages()[1].mode, Mode::PromoteOnly);
        assert_eq!(p.stages()[1].label, "QA");
    }

    #[test]
    fn descending_well_known_names_stay_in_file_order() {
        let p = parse("[[stage]]\nname='prod'\n[[stage]]\nname='dev'\n").unwrap();
        assert_eq!(names(&p), ["production", "dev"]);
        assert!(parse("").is_err());
        assert!(parse("[[stage]]\nname='a'\nmode='yolo'\n").is_err());
        assert!(parse("[[stage]]\nname='a'\n[[stage]]\nname='A'\n").is_err());
    }

    #[test]
    fn defaults_are_dev_staging_production() {
        let p = default_pipeline();
        assert_eq!(names(&p), ["dev", "staging", "production"]);
        assert_eq!(p.stages()[2].mode, Mode::ReadOnly);
    }
}
