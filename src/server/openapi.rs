//! The OpenAPI document of what this server serves, generated from the handlers.
//! Committed at assets/openapi.json; a test keeps the two equal.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::routes::{apis, meta, promotion_steps, promotions, resources, rollback};
use crate::wire;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "envdeck embedded control plane",
        description = "The subset of the STOA control-plane contract that `envdeck serve` implements, \
            stricter than the real service: every stage alias accepted everywhere, modes enforced on \
            every write, 201 on creation, 409 on conflicts, 422 in FastAPI's list shape, bodies always \
            `{\"detail\": ...}`. Tokens come from the realm at /realms/stoa (Keycloak-shaped).",
        license(name = "MIT")
    ),
    paths(
        meta::health,
        meta::environments,
        meta::environments_public,
        meta::me,
        meta::list_tenants,
        meta::create_tenant,
        apis::list,
        apis::get,
        apis::create,
        apis::update,
        apis::delete,
        resources::deployments,
        resources::gateways,
        resources::gateway_deployments,
        resources::subscriptions,
        resources::audit,
        promotions::list,
        promotions::get,
        promotions::diff,
        promotions::create,
        promotion_steps::approve,
        promotion_steps::complete,
        rollback::rollback,
    ),
    components(schemas(
        wire::ErrorBody,
        wire::error::ValidationItem,
        promotions::PromotionRequest,
    )),
    modifiers(&Bearer)
)]
struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The document as pretty JSON with a trailing newline (the committed file's format).
pub fn openapi_json() -> String {
    let mut doc = ApiDoc::openapi();
    // The version comes from Cargo.toml; keep it out so a version bump alone does not
    // invalidate the committed file.
    doc.info.version = "contract".to_string();
    match doc.to_pretty_json() {
        Ok(mut s) => {
            s.push('\n');
            s
        }
        Err(e) => format!("{{\"error\": \"{e}\"}}\n"),
    }
}
