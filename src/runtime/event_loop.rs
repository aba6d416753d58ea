//! The event loop: terminal events, effect results, the sign-in and a clock tick, all as
//! actions. It draws the first frame before anything else (from the cache when there is one,
//! else the header with a spinner), never awaits the network or the disk (effects run on
//! tasks; the client itself arrives on one), and draws on demand: at once after a key or a
//! resize, and otherwise paced so that a burst of results costs at most ~60 frames a second.

use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior};

use super::persist::Persist;
use super::runner::Runner;
use super::terminal::Term;
use super::{Connected, Connecting, SignInWatch};
use crate::app::State;
use crate::app::action::Action;
use crate::app::update::{init, update};
use crate::wire::Timestamp;

/// Frames drawn for anything but input: one per this on average...
const FRAME: Duration = Duration::from_millis(16);
/// ...after a burst of up to this many drawn at once (the start-up's cached stages, rows and
/// user arrive a few milliseconds apart; none of them should wait for a frame slot).
const BURST: u32 = 4;
/// The clock (spinner, ages, auto-refresh) advances this often.
const TICK: Duration = Duration::from_millis(250);
/// Terminal events taken in one go before drawing (a paste without bracketed paste, a held key).
const INPUT_BATCH: usize = 64;

/// A token bucket of frames: `BURST` frames at once, then one per `FRAME`.
struct Pacer {
    credit: Duration,
    at: Instant,
}

impl Pacer {
    fn new(now: Instant) -> Pacer {
        Pacer {
            credit: FRAME * BURST,
            at: now,
        }
    }

    fn refill(&mut self, now: Instant) {
        self.credit = (self.credit + now.saturating_duration_since(self.at)).min(FRAME * BURST);
        self.at = now;
    }

    fn ready(&mut self, now: Instant) -> bool {
        self.refill(now);
        self.credit >= FRAME
    }

    /// A frame was drawn (input draws spend too, so a burst of results after typing waits).
    fn spend(&mut self, now: Instant) {
        self.refill(now);
        self.credit = self.credit.saturating_sub(FRAME);
    }

    /// When the next paced frame may be drawn.
    fn next(&self) -> Instant {
        self.at + FRAME.saturating_sub(self.credit)
    }
}

pub async fn run(
    terminal: &mut Term,
    mut state: State,
    connect: Connecting,
    persist: Persist,
) -> color_eyre::Result<()> {
    if let Ok(size) = terminal.size() {
        state.size = (size.width, size.height);
    }
    // The first frame: before the store, the network and TLS set-up.
    terminal.draw(|frame| crate::ui::view(frame, &state))?;
    let mut pacer = Pacer::new(Instant::now());

    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut runner = Runner::connecting(persist, tx);
    for effect in init(&mut state) {
        runner.run(effect);
    }
    let mut connecting = Some(tokio::spawn(connect));
    let mut tasks: Vec<JoinHandle<()>> = Vec::new();
    let mut sign_in: Option<SignInWatch> = None;
    let mut events = EventStream::new();
    // The first tick a TICK from now: an immediate one would redraw the first frame at once.
    let mut tick = tokio::time::interval_at(Instant::now() + TICK, TICK);
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut dirty = false;
    // Input is waiting to be seen: drawn at once, whatever the pace.
    let mut input = false;

    let result = loop {
        // Quitting needs no last frame.
        if state.should_quit {
            break Ok(());
        }
        if dirty && (input || pacer.ready(Instant::now())) {
            if let Err(e) = terminal.draw(|frame| crate::ui::view(frame, &state)) {
                break Err(e.into());
            }
            dirty = false;
            input = false;
            pacer.spend(Instant::now());
            // A deliberate crash, so tests can prove the panic hook restores the terminal.
            if std::env::var_os("ENVDECK_DEBUG_PANIC").is_some() {
                panic!("ENVDECK_DEBUG_PANIC is set: a deliberate panic");
            }
        }
        let next_frame = pacer.next();
        let (action, from_terminal) = tokio::select! {
            biased;
            event = events.next() => (terminal_action(event), true),
            outcome = connected(&mut connecting) => {
                connecting = None;
                (Some(match outcome {
                    Ok(Connected { client, sign_in: watch, tasks: spawned }) => {
                        runner.connected(client);
                        sign_in = watch;
                        tasks = spawned;
                        Action::Connected(Ok(()))
                    }
                    Err(message) => Action::Connected(Err(message)),
                }), false)
            }
            Some(action) = rx.recv() => (Some(action), false),
            changed = sign_in_changed(&mut sign_in) => match (changed, sign_in.as_ref()) {
                (true, Some(watch)) => (Some(Action::SignIn(watch.borrow().clone())), false),
                _ => {
                    sign_in = None;
                    (None, false)
                }
            },
            _ = tick.tick() => (Some(Action::Tick(Timestamp::now())), false),
            _ = tokio::time::sleep_until(next_frame), if dirty => (None, false),
        };
        if let Some(action) = action {
            apply(&mut state, &mut runner, action);
            dirty = true;
            if from_terminal {
                input = true;
                // Take the rest of a burst of input before drawing (never waiting for more).
                for _ in 0..INPUT_BATCH {
                    if state.should_quit {
                        break;
                    }
                    let more = tokio::select! {
                        biased;
                        event = events.next() => Some(terminal_action(event)),
                        _ = std::future::ready(()) => None,
                    };
                    match more {
                        Some(Some(action)) => apply(&mut state, &mut runner, action),
                        Some(None) => {}
                        None => break,
                    }
                }
            }
            // Drain what is already queued before drawing again.
            while let Ok(action) = rx.try_recv() {
                apply(&mut state, &mut runner, action);
            }
        }
    };
    for task in tasks {
        task.abort();
    }
    if let Some(pending) = connecting {
        pending.abort();
    }
    result
}

/// The action for a terminal event, if it is one the console acts on.
fn terminal_action(event: Option<std::io::Result<Event>>) -> Option<Action> {
    match event {
        Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => Some(Action::Key(key)),
        Some(Ok(Event::Resize(w, h))) => Some(Action::Resize(w, h)),
        Some(Ok(_)) => None,
        Some(Err(e)) => {
            tracing::warn!("terminal event error: {e}");
            None
        }
        None => {
            tracing::info!("terminal event stream ended");
            Some(Action::Quit)
        }
    }
}
/// The connection task's outcome. Never resolves once it has (the caller drops it).
async fn connected(
    task: &mut Option<JoinHandle<Result<Connected, String>>>,
) -> Result<Connected, String> {
    match task {
        Some(task) => task
            .await
            .unwrap_or_else(|e| Err(format!("the connection task failed: {e}"))),
        None => std::future::pending().await,
    }
}

/// True when the sign-in changed; false when its task is gone. Never resolves without one.
async fn sign_in_changed(watch: &mut Option<SignInWatch>) -> bool {
    match watch {
        Some(watch) => watch.changed().await.is_ok(),
        None => std::future::pending().await,
    }
}

fn apply(state: &mut State, runner: &mut Runner, action: Action) {
    for effect in update(state, action) {
        runner.run(effect);
    }
}
