//! config.toml: any text parses to a config or to a located error, never a panic; a parsed
//! config answers its lookups.
#![no_main]

use std::path::Path;

use envdeck::store::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Config::parse(text, Path::new("config.toml")) {
        Ok(config) => {
            // The current context, when set, is one of the contexts.
            let _ = config.current();
        }
        Err(e) => {
            // Errors name the file so the operator knows what to fix.
            assert!(e.to_string().contains("config.toml"), "{e}");
        }
    }
});
