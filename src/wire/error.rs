//! Error bodies: always `{"detail": ...}`, where detail is a string, FastAPI's 422 list,
//! or an object. [`ErrorDetail::message`] turns any of them into one readable line.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    #[schema(schema_with = detail_schema)]
    pub detail: ErrorDetail,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ErrorDetail {
    Message(String),
    Validation(Vec<ValidationItem>),
    Other(serde_json::Value),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ValidationItem {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    /// Strings and indexes, such as `["query", "page"]`.
    #[schema(value_type = Vec<Value>)]
    pub loc: Vec<serde_json::Value>,
    #[serde(default)]
    pub msg: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Value>)]
    pub input: Option<serde_json::Value>,
}

/// `detail` as [`ErrorDetail`] reads it: a string, FastAPI's 422 list, or an object
/// (found by schemathesis: the document said "object" for all three).
fn detail_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{AnyOfBuilder, ArrayBuilder, ObjectBuilder, Ref, Schema, Type};
    Schema::AnyOf(
        AnyOfBuilder::new()
            .item(ObjectBuilder::new().schema_type(Type::String))
            .item(ArrayBuilder::new().items(Ref::from_schema_name("ValidationItem")))
            .item(ObjectBuilder::new().schema_type(Type::Object))
            .build(),
    )
}

impl ErrorBody {
    pub fn message(text: impl Into<String>) -> ErrorBody {
        ErrorBody {
            detail: ErrorDetail::Message(text.into()),
        }
    }

    pub fn validation(loc: &[&str], kind: &str, msg: impl Into<String>) -> ErrorBody {
        ErrorBody {
            detail: ErrorDetail::Validation(vec![ValidationItem {
                kind: kind.to_string(),
                loc: loc.iter().map(|l| serde_json::Value::from(*l)).collect(),
                msg: msg.into(),
                input: None,
            }]),
        }
    }
}

impl ErrorDetail {
    /// One line in the server's words (not yet sanitised for the screen).
    pub fn message(&self) -> String {
        match self {
            ErrorDetail::Message(s) => s.clone(),
            ErrorDetail::Validation(items) if items.is_empty() => "invalid request".to_string(),
            ErrorDetail::Validation(items) => items
                .iter()
                .map(|i| {
                    let loc: Vec<String> = i
                        .loc
                        .iter()
                        .filter(|l| l.as_str() != Some("body") && l.as_str() != Some("query"))
                        .map(|l| match l {
                            serde_json::Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .collect();
                    if loc.is_empty() {
                        i.msg.clone()
                    } else {
                        format!("{}: {}", loc.join("."), i.msg)
                    }
                })
                .collect::<Vec<_>>()
                .join("; "),
            ErrorDetail::Other(serde_json::Value::Object(map)) => ["message", "detail", "error"]
                .iter()
                .find_map(|k| map.get(*k).and_then(|v| v.as_str()).map(str::to_string))
                .unwrap_or_else(|| serde_json::Value::Object(map.clone()).to_string()),
            ErrorDetail::Other(v) => v.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> String {
        serde_json::from_str::<ErrorBody>(json)
            .unwrap()
            .detail
            .message()
    }

    #[test]
    fn every_detail_shape_reads_as_one_line() {
        assert_eq!(
            parse(r#"{"detail":"Promotion not found"}"#),
            "Promotion not found"
        );
        assert_eq!(
            parse(
                r#"{"detail":[{"type":"missing","loc":["body","display_name"],"msg":"Field required","input":{}},
                {"type":"missing","loc":["body","backend_url"],"msg":"Field required"}]}"#
            ),
            "display_name: Field required; backend_url: Field required"
        );
        assert_eq!(
            parse(r#"{"detail":{"message":"quota exceeded","code":7}}"#),
            "quota exceeded"
        );
        assert_eq!(parse(r#"{"detail":{"code":7}}"#), r#"{"code":7}"#);
        assert_eq!(parse(r#"{"detail":42}"#), "42");
    }

    /// Fuzz finding (`decode_objects`): a 422 item with a duplicate key is no
    /// `ValidationItem`, so the untagged detail falls back to the raw value; its message is
    /// still one readable line, and once re-encoded (keys deduplicated) it reads as a
    /// validation item. Accepted: FastAPI never repeats a key.
    #[test]
    fn a_422_item_with_a_duplicate_key_falls_back_to_the_raw_value() {
        let twice = r#"{"detail":[{"loc":["body","a"],"loc":["body","b"],"msg":"Field required","type":"missing"}]}"#;
        let body: ErrorBody = serde_json::from_str(twice).unwrap();
        assert!(matches!(body.detail, ErrorDetail::Other(_)));
        let line = body.detail.message();
        assert!(
            line.contains("Field required") && !line.contains('\n'),
            "{line}"
        );
        let again: ErrorBody = serde_json::from_slice(&serde_json::to_vec(&body).unwrap()).unwrap();
        assert_eq!(again.detail.message(), "b: Field required");
    }
}
