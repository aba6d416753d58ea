//! Source vs target spec of a promotion, as a line diff of pretty JSON (the `similar` crate).
//! One implementation for the CLI's `promote show --diff` and the console's review.

use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffTag {
    /// A hunk header or file header.
    Header,
    /// Only in the target as it is now: removed by the promotion.
    Removed,
    /// Only in the source: added by the promotion.
    Added,
    Same,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffLine {
    pub tag: DiffTag,
    pub text: String,
}

fn pretty(spec: Option<&Value>) -> String {
    spec.and_then(|v| serde_json::to_string_pretty(v).ok())
        .map(|s| s + "\n")
        .unwrap_or_default()
}

/// The unified diff from `target` (now) to `source` (after the promotion).
pub fn unified(
    target: Option<&Value>,
    source: Option<&Value>,
    target_label: &str,
    source_label: &str,
) -> String {
    let (target, source) = (pretty(target), pretty(source));
    similar::TextDiff::from_lines(&target, &source)
        .unified_diff()
        .header(
            &format!("{target_label} (now)"),
            &format!("{source_label} (after promotion)"),
        )
        .to_string()
}

/// The same diff as tagged lines, for colouring.
pub fn lines(
    target: Option<&Value>,
    source: Option<&Value>,
    target_label: &str,
    source_label: &str,
) -> Vec<DiffLine> {
    unified(target, source, target_label, source_label)
        .lines()
        .map(|line| {
            let tag =
                if line.starts_with("---") || line.starts_with("+++") || line.starts_with("@@") {
                    DiffTag::Header
                } else if line.starts_with('-') {
                    DiffTag::Removed
                } else if line.starts_with('+') {
                    DiffTag::Added
                } else {
                    DiffTag::Same
                };
            DiffLine {
                tag,
                text: line.to_string(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tags_follow_the_direction_of_the_promotion() {
        let now = json!({"version": "1.0.0"});
        let after = json!({"version": "1.1.0"});
        let got = lines(Some(&now), Some(&after), "staging", "dev");
        assert_eq!(got[0].tag, DiffTag::Header);
        assert!(got[0].text.contains("staging (now)"));
        assert!(
            got.iter()
                .any(|l| l.tag == DiffTag::Removed && l.text.contains("1.0.0"))
        );
        assert!(
            got.iter()
                .any(|l| l.tag == DiffTag::Added && l.text.contains("1.1.0"))
        );
        assert!(lines(Some(&now), Some(&now), "a", "b").is_empty());
    }

    #[test]
    fn a_missing_target_adds_everything() {
        let after = json!({"a": 1});
        let got = lines(None, Some(&after), "staging", "dev");
        assert!(
            got.iter()
                .filter(|l| l.tag != DiffTag::Header)
                .all(|l| l.tag == DiffTag::Added)
        );
    }
}
