//! HTTP plumbing shared by every outgoing client.

use std::sync::Once;

static PROVIDER: Once = Once::new();

/// reqwest is built with `rustls-no-provider` (ring is smaller and faster to build than
/// aws-lc-rs): install ring as the process-wide provider before the first client is built.
pub fn install_crypto_provider() {
    PROVIDER.call_once(|| {
        // Err means another provider is installed already, which serves as well.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// A `reqwest::ClientBuilder` with the crypto provider in place and envdeck's user agent.
pub fn http_client_builder() -> reqwest::ClientBuilder {
    install_crypto_provider();
    reqwest::Client::builder().user_agent(concat!("envdeck/", env!("CARGO_PKG_VERSION")))
}
