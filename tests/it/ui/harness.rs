//! The console without a terminal: the real runner (client, store) and `update`, fed by
//! the effects' results.

use std::time::Duration;

use envdeck::api::Client;
use envdeck::app::action::Action;
use envdeck::app::update::init;
use envdeck::app::{State, update};
use envdeck::runtime::persist::Persist;
use envdeck::runtime::runner::Runner;
use envdeck::store::Paths;
use envdeck::wire::Timestamp;
use tokio::sync::mpsc::UnboundedReceiver;

pub const CONTROL_PLANE: &str = "test-cp#acme";

pub struct Console {
    pub state: State,
    runner: Runner,
    rx: UnboundedReceiver<Action>,
}

impl Console {
    pub fn start(client: Client, paths: &Paths) -> Console {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let persist = Persist::new(paths, CONTROL_PLANE, "acme");
        let mut state = State::new("test", "acme", CONTROL_PLANE, Timestamp::now());
        state.size = (100, 30);
        let mut runner = Runner::new(client, persist, tx);
        for effect in init(&mut state) {
            runner.run(effect);
        }
        Console { state, runner, rx }
    }

    pub fn apply(&mut self, action: Action) {
        for effect in update(&mut self.state, action) {
            self.runner.run(effect);
        }
    }

    pub fn press(&mut self, action: Action) {
        self.apply(action);
    }

    /// Feeds back whatever results have arrived, without waiting.
    pub fn drain(&mut self) {
        while let Ok(action) = self.rx.try_recv() {
            self.apply(action);
        }
    }

    /// Feeds results back until `check` holds (generous timeout; no timing is asserted).
    pub async fn until(&mut self, what: &str, check: impl Fn(&State) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while !check(&self.state) {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(action)) => self.apply(action),
                _ => panic!(
                    "timed out waiting for {what}; status {:?}, connection {:?}",
                    self.state.status, self.state.connection
                ),
            }
        }
    }
}
