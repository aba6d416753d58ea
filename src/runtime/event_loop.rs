//! The event loop: terminal events, effect results, the sign-in and a clock tick, all as
//! actions. It draws the first frame before anything else (from the cache when there is one,
//! else the header with a spinner), never awaits the network or the disk (effects run on
//! tasks; the client itself arrives on one), and draws on demand at a capped frame rate.

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

/// At most this many frames a second.
const FRAME: Duration = Duration::from_millis(16);
/// The clock (spinner, ages, auto-refresh) advances this often.
const TICK: Duration = Duration::from_millis(250);

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
    let mut last_draw = Some(Instant::now());

    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut runner = Runner::connecting(persist, tx);
    for effect in init(&mut state) {
        runner.run(effect);
    }
    let mut connecting = Some(tokio::spawn(connect));
    let mut tasks: Vec<JoinHandle<()>> = Vec::new();
    let mut sign_in: Option<SignInWatch> = None;
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut dirty = false;

    let result = loop {
        if dirty && last_draw.is_none_or(|t| t.elapsed() >= FRAME) {
            if let Err(e) = terminal.draw(|frame| crate::ui::view(frame, &state)) {
                break Err(e.into());
            }
            dirty = false;
            last_draw = Some(Instant::now());
            // A deliberate crash, so tests can prove the panic hook restores the terminal.
            if std::env::var_os("ENVDECK_DEBUG_PANIC").is_some() {
                panic!("ENVDECK_DEBUG_PANIC is set: a deliberate panic");
            }
        }
        if state.should_quit {
            break Ok(());
        }
        let next_frame = last_draw.map_or_else(Instant::now, |t| t + FRAME);
        let action = tokio::select! {
            biased;
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
                    Some(Action::Quit)
                }
            },
            outcome = connected(&mut connecting) => {
                connecting = None;
                Some(match outcome {
                    Ok(Connected { client, sign_in: watch, tasks: spawned }) => {
                        runner.connected(client);
                        sign_in = watch;
                        tasks = spawned;
                        Action::Connected(Ok(()))
                    }
                    Err(message) => Action::Connected(Err(message)),
                })
            }
            Some(action) = rx.recv() => Some(action),
            changed = sign_in_changed(&mut sign_in) => match (changed, sign_in.as_ref()) {
                (true, Some(watch)) => Some(Action::SignIn(watch.borrow().clone())),
                _ => {
                    sign_in = None;
                    None
                }
            },
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
    };
    for task in tasks {
        task.abort();
    }
    if let Some(pending) = connecting {
        pending.abort();
    }
    result
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
