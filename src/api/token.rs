//! The seam for token refresh (issue 6): when the control plane answers 401, the client asks a
//! [`TokenRefresher`] once for a fresh access token and resends the call with it.

use futures::future::BoxFuture;

use crate::secret::Secret;

/// Supplies a fresh access token (a refresh-token grant, a re-login prompt, …).
/// Errors are one line for the log; they must never contain a token.
pub trait TokenRefresher: Send + Sync {
    fn refresh(&self) -> BoxFuture<'static, Result<Secret, String>>;
}

/// Any `Fn() -> Future` works as a refresher.
impl<F, Fut> TokenRefresher for F
where
    F: Fn() -> Fut + Send + Sync,
    Fut: std::future::Future<Output = Result<Secret, String>> + Send + 'static,
{
    fn refresh(&self) -> BoxFuture<'static, Result<Secret, String>> {
        Box::pin(self())
    }
}
