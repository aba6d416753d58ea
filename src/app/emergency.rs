//! The emergency override of read-only stages in the console (cpi-admin only, PRODUCT.md):
//! `:override REASON` starts it, `:override off` ends it; a loud banner shows it while it
//! lasts; it ends by itself after ten minutes, or after two idle minutes. The client carries
//! the reason on every write (`api::OVERRIDE_HEADER`) and ends it by itself too.

use super::effect::Effect;
use super::state::State;
use crate::domain::policy::{Emergency as Checked, OVERRIDE_MAX};
use crate::domain::text::sanitize;
use crate::wire::Timestamp;

/// No key for this long ends the override.
pub const IDLE_SECS: i64 = 120;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Emergency {
    pub reason: String,
    pub until: Timestamp,
    pub last_key: Timestamp,
}

fn max_length() -> chrono::Duration {
    chrono::Duration::from_std(OVERRIDE_MAX).unwrap_or_else(|_| chrono::Duration::minutes(10))
}

/// `:override REASON` or `:override off`.
pub fn command(state: &mut State, args: &str) -> Vec<Effect> {
    let args = args.trim();
    if args.eq_ignore_ascii_case("off") {
        return end(state, "ended");
    }
    if args.is_empty() {
        state.set_status(
            "usage: :override REASON (cpi-admin; ten minutes at most) · :override off",
            true,
        );
        return Vec::new();
    }
    if !state.actor.is_cpi_admin() {
        state.set_status("only a cpi-admin may override a read-only stage", true);
        return Vec::new();
    }
    let checked = match Checked::new(args, OVERRIDE_MAX) {
        Ok(o) => o.reason().to_string(),
        Err(e) => {
            state.set_status(e.to_string(), true);
            return Vec::new();
        }
    };
    state.emergency = Some(Emergency {
        reason: checked.clone(),
        until: Timestamp(state.now.0 + max_length()),
        last_key: state.now,
    });
    state.set_status(
        "emergency override on: writes to read-only stages are allowed and audit-logged with your reason",
        false,
    );
    vec![Effect::Override(Some(checked))]
}

/// A key was pressed: the override is not idle.
pub fn on_key(state: &mut State) {
    let now = state.now;
    if let Some(e) = state.emergency.as_mut() {
        e.last_key = now;
    }
}

/// The clock moved: end the override when its time is up or nobody is there.
pub fn on_tick(state: &mut State) -> Vec<Effect> {
    let Some(e) = &state.emergency else {
        return Vec::new();
    };
    if state.now >= e.until {
        return end(state, "ten minutes are up");
    }
    if (state.now.0 - e.last_key.0).num_seconds() >= IDLE_SECS {
        return end(state, "idle");
    }
    Vec::new()
}

fn end(state: &mut State, why: &str) -> Vec<Effect> {
    if state.emergency.take().is_none() {
        return Vec::new();
    }
    state.set_status(
        format!("emergency override {why}: read-only stages are locked again"),
        false,
    );
    vec![Effect::Override(None)]
}

/// The banner while the override lasts.
pub fn banner_text(e: &Emergency, now: Timestamp) -> String {
    let left = (e.until.0 - now.0).num_seconds().max(0);
    format!(
        "EMERGENCY OVERRIDE {}:{:02} left: writes to read-only stages allowed and audited ({}) · :override off",
        left / 60,
        left % 60,
        sanitize(&e.reason)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;
    use crate::domain::policy::Actor;

    fn state(role: Role) -> State {
        let now = Timestamp::parse("2026-11-24T10:00:00Z").unwrap();
        let mut s = State::new("team", "acme", "cp#acme", now);
        s.actor = Actor {
            username: "ada".into(),
            permissions: crate::domain::permissions_for(std::slice::from_ref(&role))
                .into_iter()
                .map(str::to_string)
                .collect(),
            roles: vec![role],
        };
        s
    }

    fn at(s: &mut State, secs: i64) {
        s.now = Timestamp(s.now.0 + chrono::Duration::seconds(secs));
    }

    #[test]
    fn only_a_cpi_admin_with_a_reason_starts_it() {
        let mut devops = state(Role::Devops);
        assert!(command(&mut devops, "INC-1").is_empty());
        assert!(devops.emergency.is_none());
        let mut ada = state(Role::CpiAdmin);
        assert!(command(&mut ada, "  ").is_empty());
        assert_eq!(
            command(&mut ada, "INC-1 hotfix"),
            vec![Effect::Override(Some("INC-1 hotfix".into()))]
        );
        let e = ada.emergency.clone().unwrap();
        assert!(banner_text(&e, ada.now).contains("EMERGENCY OVERRIDE 10:00 left"));
        assert_eq!(command(&mut ada, "off"), vec![Effect::Override(None)]);
        assert!(ada.emergency.is_none());
    }

    #[test]
    fn it_locks_again_after_ten_minutes_or_when_idle() {
        let mut ada = state(Role::CpiAdmin);
        command(&mut ada, "INC-2");
        for _ in 0..9 {
            at(&mut ada, 60);
            on_key(&mut ada);
            assert!(on_tick(&mut ada).is_empty());
        }
        at(&mut ada, 60);
        assert_eq!(on_tick(&mut ada), vec![Effect::Override(None)]);

        command(&mut ada, "INC-3");
        at(&mut ada, IDLE_SECS - 1);
        assert!(on_tick(&mut ada).is_empty());
        at(&mut ada, 1);
        assert_eq!(on_tick(&mut ada), vec![Effect::Override(None)]);
        assert!(ada.status.as_ref().unwrap().text.contains("idle"));
    }
}
