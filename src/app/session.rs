//! Signing in again from inside the console: a task outside the loop (see
//! `cli::console_session`) keeps the session fresh and, when a refresh fails, starts a
//! device login; the console shows its URL and code in a popup without losing the screen.

/// The sign-in as the console shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum SignIn {
    #[default]
    SignedIn,
    /// Waiting for a person to approve `code` at `uri` (for `account`).
    Prompt {
        account: String,
        uri: String,
        code: String,
    },
    /// Signing in again failed; the next refused request tries again.
    Failed(String),
}
