//! End-to-end runs of the real binary: the console in a pseudo-terminal, the CLI in a pipe.

mod cli;
mod console;
mod faults;
mod pipeline;
pub(crate) mod pty;
mod silent;
mod status;
