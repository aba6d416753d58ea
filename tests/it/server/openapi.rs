//! The committed OpenAPI document matches the code.

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/openapi.json");

#[test]
fn committed_openapi_matches_the_code() {
    let generated = envdeck::server::openapi_json();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(COMMITTED, &generated).expect("write assets/openapi.json");
        return;
    }
    let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
    assert!(
        committed == generated,
        "assets/openapi.json is out of date with the server's handlers; regenerate it with\n  \
         UPDATE_OPENAPI=1 cargo test --test it openapi\nand commit the result"
    );
    let doc: serde_json::Value = serde_json::from_str(&generated).expect("valid JSON");
    for path in [
        "/health",
        "/v1/environments",
        "/v1/me",
        "/v1/tenants/{tenant}/apis",
        "/v1/tenants/{tenant}/promotions/{id}/approve",
        "/v1/audit/{tenant}",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
}
