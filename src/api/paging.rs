//! Fetching every page of a list. `total` is never trusted (the real service reports the
//! page's length as the total when filtering): we stop on a short or empty page, when the
//! server stops honouring `page`, or at a hard cap. A page larger than asked for, or a list
//! longer than the item cap, is refused before it is kept: memory stays bounded whatever the
//! server sends.

use serde::de::DeserializeOwned;

use super::transport::Request;
use super::{ApiError, Client, Result};
use crate::wire::{AuditPage, Page};

/// The largest page the contract allows.
pub(crate) const PAGE_SIZE: u32 = 100;

/// A list envelope, reduced to what paging needs.
pub(crate) trait Envelope: DeserializeOwned {
    type Item;
    /// (items, the page number the server says it sent (0 = unknown), its page size)
    fn into_parts(self) -> (Vec<Self::Item>, u32, u32);
}

impl<T: DeserializeOwned> Envelope for Page<T> {
    type Item = T;
    fn into_parts(self) -> (Vec<T>, u32, u32) {
        (self.items, self.page, self.page_size)
    }
}

impl Envelope for AuditPage {
    type Item = crate::wire::AuditEntry;
    fn into_parts(self) -> (Vec<Self::Item>, u32, u32) {
        (self.entries, self.page, self.page_size)
    }
}

impl Client {
    /// GETs `request` page after page (`page`, `page_size` added) and concatenates the items.
    pub(crate) async fn get_all<E: Envelope>(&self, request: Request) -> Result<Vec<E::Item>> {
        let max_pages = self.inner.options.max_pages.max(1);
        let max_items = self.inner.options.max_list_items;
        let mut all = Vec::new();
        for page in 1..=max_pages {
            let paged = request
                .clone()
                .query("page", page.to_string())
                .query("page_size", PAGE_SIZE.to_string());
            let envelope: E = self.inner.get_json(&paged).await?;
            let (items, echoed_page, page_size) = envelope.into_parts();
            if page > 1 && echoed_page != 0 && echoed_page != page {
                // A server that ignores `page` would send the first page again, forever.
                tracing::warn!(call = %request.what(), asked = page, got = echoed_page,
                    "the control plane does not page this list; stopping");
                return Ok(all);
            }
            let count = items.len();
            // Checked before the items are kept: a server may send anything.
            if count > PAGE_SIZE as usize {
                return Err(ApiError::Decode {
                    what: request.what(),
                    reason: format!(
                        "page {page} holds {count} items where at most {PAGE_SIZE} were asked for"
                    ),
                });
            }
            if all.len() + count > max_items {
                return Err(ApiError::TooMany {
                    what: request.what(),
                    limit: max_items,
                });
            }
            all.extend(items);
            let expected = if page_size > 0 {
                page_size.min(PAGE_SIZE)
            } else {
                PAGE_SIZE
            };
            if count == 0 || count < expected as usize {
                return Ok(all);
            }
        }
        tracing::warn!(call = %request.what(), pages = max_pages, items = all.len(),
            "stopped paging at the page cap; the list may be incomplete");
        Ok(all)
    }
}
