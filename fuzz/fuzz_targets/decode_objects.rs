//! The single-object responses the client reads, fed the same bytes: decoding never panics,
//! round-trips, and what the console derives from them (pipeline, actor, error text) is
//! computed without panicking and holds no terminal control characters once sanitised.
#![no_main]

use envdeck::domain::text::sanitize;
use envdeck::wire::{EnvironmentList, ErrorBody, Me, Promotion, PromotionDiff};
use envdeck_fuzz::round_trip;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(list) = round_trip::<EnvironmentList>(data) {
        let (pipeline, warnings) = list.pipeline();
        // Stages are unique (duplicates after aliasing are dropped by design), named,
        // and an unusable entry leaves a warning rather than vanishing.
        let names: std::collections::HashSet<_> =
            pipeline.stages().iter().map(|s| &s.name).collect();
        assert_eq!(names.len(), pipeline.stages().len());
        assert!(
            pipeline
                .stages()
                .iter()
                .all(|s| !s.name.as_str().is_empty())
        );
        let usable = list
            .environments
            .iter()
            .filter(|e| e.to_stage().is_ok())
            .count();
        assert!(warnings.len() >= list.environments.len() - usable);
    }
    if let Some(me) = round_trip::<Me>(data) {
        let actor = me.actor();
        assert_eq!(actor.username, me.username);
        assert_eq!(actor.roles.len(), me.roles.len());
    }
    round_trip::<Promotion>(data);
    round_trip::<PromotionDiff>(data);
    if let Some(body) = round_trip::<ErrorBody>(data) {
        let text = body.detail.message();
        assert!(!sanitize(&text).chars().any(|c| c.is_control()));
    }
});
