//! Every list envelope the client reads, fed the same bytes: decoding never panics and
//! round-trips (see `envdeck_fuzz::round_trip`).
#![no_main]

use envdeck::wire::{
    Api, AuditPage, Deployment, Gateway, GatewayDeployment, Page, Promotion, Subscription, Tenant,
};
use envdeck_fuzz::round_trip;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    round_trip::<Page<Api>>(data);
    round_trip::<Page<Deployment>>(data);
    round_trip::<Page<Gateway>>(data);
    round_trip::<Page<GatewayDeployment>>(data);
    round_trip::<Page<Subscription>>(data);
    round_trip::<Page<Promotion>>(data);
    round_trip::<Page<Tenant>>(data);
    round_trip::<AuditPage>(data);
});
