//! List envelopes. The server writes `{items,total,page,page_size}`; the client also reads
//! a bare array, `{entries}` and camelCase `pageSize`/`totalPages`, without buffering the body.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::types::AuditEntry;

#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u32,
    pub page_size: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_pages: Option<u32>,
}

#[derive(Deserialize)]
struct PageObject<T> {
    #[serde(
        alias = "entries",
        alias = "data",
        alias = "results",
        default = "Vec::new"
    )]
    items: Vec<T>,
    #[serde(default)]
    total: Option<u64>,
    #[serde(default)]
    page: Option<u32>,
    #[serde(alias = "pageSize", default)]
    page_size: Option<u32>,
    #[serde(alias = "totalPages", default)]
    total_pages: Option<u32>,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Page<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct PageVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for PageVisitor<T> {
            type Value = Page<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list envelope or a bare array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Page<T>, A::Error> {
                let items = Vec::<T>::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
                let n = items.len() as u64;
                Ok(Page {
                    page_size: n as u32,
                    items,
                    total: n,
                    page: 1,
                    total_pages: Some(1),
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Page<T>, A::Error> {
                let o = PageObject::<T>::deserialize(de::value::MapAccessDeserializer::new(map))?;
                let n = o.items.len() as u64;
                Ok(Page {
                    total: o.total.unwrap_or(n),
                    page: o.page.unwrap_or(1),
                    page_size: o.page_size.unwrap_or(n as u32),
                    total_pages: o.total_pages,
                    items: o.items,
                })
            }
        }
        d.deserialize_any(PageVisitor(PhantomData))
    }
}

/// `GET /v1/audit/{tenant}` has its own envelope.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct AuditPage {
    #[serde(alias = "items")]
    pub entries: Vec<AuditEntry>,
    pub total: u64,
    pub page: u32,
    #[serde(alias = "pageSize")]
    pub page_size: u32,
    pub has_more: bool,
    pub source: Option<String>,
    pub warning: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Item {
        id: u32,
    }

    #[test]
    fn reads_every_envelope_layout() {
        let bare: Page<Item> = serde_json::from_str(r#"[{"id":1},{"id":2}]"#).unwrap();
        assert_eq!((bare.items.len(), bare.total), (2, 2));
        let std: Page<Item> =
            serde_json::from_str(r#"{"items":[{"id":1}],"total":40,"page":2,"page_size":1}"#)
                .unwrap();
        assert_eq!((std.total, std.page, std.page_size), (40, 2, 1));
        let camel: Page<Item> =
            serde_json::from_str(r#"{"items":[{"id":1}],"pageSize":50,"totalPages":3}"#).unwrap();
        assert_eq!((camel.page_size, camel.total_pages), (50, Some(3)));
        let entries: Page<Item> = serde_json::from_str(r#"{"entries":[{"id":3}]}"#).unwrap();
        assert_eq!(entries.items, vec![Item { id: 3 }]);
        let err = serde_json::from_str::<Page<Item>>(r#""nope""#).unwrap_err();
        assert!(err.to_string().contains("list envelope"), "{err}");
    }
}
