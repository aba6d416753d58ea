//! The control-plane client: against recordings of the real service (replayed by a stub),
//! against faulty stubs, and against our own embedded control plane.

mod faults;
mod fixtures;
mod guard_table;
mod matrix;
pub mod raw;
mod real_platform;
mod replay;
mod server;
