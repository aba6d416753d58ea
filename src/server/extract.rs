//! Request extractors that fail in the contract's shapes: JSON bodies and query strings
//! produce FastAPI-style 422 lists instead of axum's plain-text rejections.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::{ApiError, ApiResult};
use crate::domain::{Pipeline, Stage, StageName};

/// Largest request body accepted (specs included); larger ones get 413.
pub const BODY_LIMIT: usize = 256 * 1024;
pub const MAX_PAGE_SIZE: u32 = 100;
/// Highest page number: far past any real list, and small enough that the offset
/// (page × page size) can never overflow or wrap when narrowed.
pub const MAX_PAGE: u32 = 1_000_000;

/// A JSON body; malformed JSON and wrong fields answer 422 with FastAPI's item list.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| ApiError::TooLarge)?;
        parse_json(&bytes).map(JsonBody)
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    serde_json::from_slice(bytes).map_err(|e| json_error(&e))
}

fn json_error(e: &serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    let text = e.to_string();
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => ApiError::invalid(
            &["body"],
            "json_invalid",
            format!("JSON decode error: {text}"),
            None,
        ),
        Category::Data => {
            let field = between(&text, "missing field `", "`");
            if let Some(field) = field {
                return ApiError::invalid(&["body", field], "missing", "Field required", None);
            }
            if let Some(field) = between(&text, "unknown field `", "`") {
                return ApiError::invalid(
                    &["body", field],
                    "extra_forbidden",
                    "Extra inputs are not permitted",
                    None,
                );
            }
            let msg = text.split(" at line ").next().unwrap_or(&text).to_string();
            ApiError::invalid(&["body"], "value_error", msg, None)
        }
    }
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(&text[from..from + len])
}

/// The decoded query string, with typed getters that answer 422 on bad input.
pub struct Params(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        Ok(Params(
            url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
        ))
    }
}

impl Params {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, v)| k == key && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// `?environment=` resolved through every alias to a stage of this pipeline.
    pub fn stage<'p>(&self, pipeline: &'p Pipeline) -> ApiResult<Option<StageRef<'p>>> {
        match self.get("environment") {
            None => Ok(None),
            Some(raw) => resolve_stage(pipeline, raw, &["query", "environment"]).map(Some),
        }
    }

    /// Writes always name their stage.
    pub fn required_stage<'p>(&self, pipeline: &'p Pipeline) -> ApiResult<StageRef<'p>> {
        self.stage(pipeline)?.ok_or_else(|| {
            ApiError::invalid(
                &["query", "environment"],
                "missing",
                "Field required: writes must name their stage with ?environment=",
                None,
            )
        })
    }

    /// `page` (1..=MAX_PAGE) and `page_size` (1..=100); numbers outside are 422, never
    /// narrowed (a wrapped 2^32 + 1 used to answer page 1).
    pub fn paging(&self, default_size: u32) -> ApiResult<Paging> {
        let page = self.int("page", 1)?;
        let page_size = self.int("page_size", default_size as i64)?;
        if page < 1 {
            return Err(ge_error("page", 1, page));
        }
        if page_size < 1 {
            return Err(ge_error("page_size", 1, page_size));
        }
        let page = u32::try_from(page)
            .ok()
            .filter(|p| *p <= MAX_PAGE)
            .ok_or_else(|| le_error("page", MAX_PAGE, page))?;
        let page_size = u32::try_from(page_size)
            .ok()
            .filter(|s| *s <= MAX_PAGE_SIZE)
            .ok_or_else(|| le_error("page_size", MAX_PAGE_SIZE, page_size))?;
        Ok(Paging { page, page_size })
    }

    fn int(&self, key: &str, default: i64) -> ApiResult<i64> {
        match self.get(key) {
            None => Ok(default),
            Some(raw) => raw.trim().parse::<i64>().map_err(|_| {
                ApiError::invalid(
                    &["query", key],
                    "int_parsing",
                    "Input should be a valid integer, unable to parse string as an integer",
                    Some(Value::from(raw)),
                )
            }),
        }
    }

    /// A filter restricted to known values (422 in the enum shape otherwise).
    pub fn one_of(&self, key: &str, allowed: &[&str]) -> ApiResult<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(raw) => {
                let lower = raw.trim().to_ascii_lowercase();
                if allowed.contains(&lower.as_str()) {
                    Ok(Some(lower))
                } else {
                    Err(enum_error(&["query", key], allowed, raw))
                }
            }
        }
    }
}

fn ge_error(key: &str, min: i64, got: i64) -> ApiError {
    ApiError::invalid(
        &["query", key],
        "greater_than_equal",
        format!("Input should be greater than or equal to {min}"),
        Some(Value::from(got.to_string())),
    )
}

fn le_error(key: &str, max: u32, got: i64) -> ApiError {
    ApiError::invalid(
        &["query", key],
        "less_than_equal",
        format!("Input should be less than or equal to {max}"),
        Some(Value::from(got.to_string())),
    )
}

pub fn enum_error(loc: &[&str], allowed: &[&str], raw: &str) -> ApiError {
    let quoted: Vec<String> = allowed.iter().map(|a| format!("'{a}'")).collect();
    let expected = match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    };
    ApiError::invalid(
        loc,
        "enum",
        format!("Input should be {expected}"),
        Some(Value::from(raw)),
    )
}

#[derive(Clone, Copy, Debug)]
pub struct Paging {
    pub page: u32,
    pub page_size: u32,
}

impl Paging {
    pub fn offset(&self) -> i64 {
        (self.page as i64 - 1) * self.page_size as i64
    }
    pub fn limit(&self) -> i64 {
        self.page_size as i64
    }
}

/// A stage as the client named it: the canonical stage, and the spelling used (for messages).
#[derive(Clone, Debug)]
pub struct StageRef<'p> {
    pub stage: &'p Stage,
    /// The spelling the client sent, for messages ("Environment 'prod' is read-only").
    pub spelled: String,
}

/// Resolves a stage spelling (query or body field) against the pipeline: 422 when unknown.
pub fn resolve_stage<'p>(
    pipeline: &'p Pipeline,
    raw: &str,
    loc: &[&str],
) -> ApiResult<StageRef<'p>> {
    let found = StageName::parse(raw)
        .ok()
        .and_then(|name| pipeline.get(&name));
    match found {
        Some(stage) => Ok(StageRef {
            stage,
            spelled: raw.trim().to_string(),
        }),
        None => {
            let names: Vec<&str> = pipeline.stages().iter().map(|s| s.name.as_str()).collect();
            Err(enum_error(loc, &names, raw))
        }
    }
}
