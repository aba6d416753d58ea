//! The event loop: terminal events, effect results and a clock tick, all as actions.
//! It never awaits the network or the disk (effects run on tasks), and draws on demand at
//! a capped frame rate.

use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior};

use super::action::Action;
use super::effect::Runner;
use super::persist::Persist;
use super::state::State;
use super::terminal::Term;
use super::update::{init, update};
use crate::api::Client;
use crate::wire::Timestamp;

/// At most this many frames a second.
const FRAME: Duration = Duration::from_millis(16);
/// The clock (spinner, ages, auto-refresh) advances this often.
const TICK: Duration = Duration::from_millis(250);

pub async fn run(
    terminal: &mut Term,
    mut state: State,
    client: Client,
    persist: Persist,
    mut sign_in: Option<super::session::SignInWatch>,
) -> color_eyre::Result<()> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut runner = Runner::new(client, persist, tx);
    if let Ok(size) = terminal.size() {
        state.size = (size.width, size.height);
    }
    for effect in init(&mut state) {
        runner.run(effect);
    }
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut dirty = true;
    let mut last_draw: Option<Instant> = None;

    loop {
        if dirty && last_draw.is_none_or(|t| t.elapsed() >= FRAME) {
            terminal.draw(|frame| crate::ui::view(frame, &state))?;
            dirty = false;
            last_draw = Some(Instant::now());
            // A deliberate crash, so tests can prove the panic hook restores the terminal.
            if std::env::var_os("ENVDECK_DEBUG_PANIC").is_some() {
                panic!("ENVDECK_DEBUG_PANIC is set: a deliberate panic");
            }
        }
        if state.should_quit {
            return Ok(());
        }
        let next_frame = last_draw.map_or_else(Instant::now, |t| t + FRAME);
        let action = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => Some(Action::Key(key)),
                Some(Ok(Event::Resize(w, h))) => Some(Action::Resize(w, h)),
                Some(Ok(_)) => None,
                Some(Err(e)) => {
                    tracing::warn!("terminal event error: {e}");
                    None
                }
                None => {
                    tracing::info!("terminal event stream ended");
                    state.should_quit = true;
                    None
                }
            },
            Some(action) = rx.recv() => Some(action),
            changed = sign_in_changed(&mut sign_in) => {
                match (changed, sign_in.as_ref()) {
                    (true, Some(watch)) => state.sign_in = watch.borrow().clone(),
                    _ => sign_in = None,
                }
                dirty = true;
                None
            }
            _ = tick.tick() => Some(Action::Tick(Timestamp::now())),
            _ = tokio::time::sleep_until(next_frame), if dirty => None,
        };
        if let Some(action) = action {
            apply(&mut state, &mut runner, action);
            // Drain what is already queued before drawing again.
            while let Ok(action) = rx.try_recv() {
                apply(&mut state, &mut runner, action);
            }
            dirty = true;
        }
    }
}

/// True when the sign-in changed; false when its task is gone. Never resolves without one.
async fn sign_in_changed(watch: &mut Option<super::session::SignInWatch>) -> bool {
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
