//! The accept loop: hyper's connection builder with the limits `axum::serve` does not set.
//! Without them a client trickling its headers a byte at a time held its connection (and a
//! file descriptor) forever, and a thousand such clients took /health down.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::Service;

/// Connection limits of the embedded control plane.
#[derive(Clone, Copy, Debug)]
pub struct ConnLimits {
    /// A request head must arrive whole within this. hyper starts the timer whenever the
    /// connection waits for a head, so it is also the idle keep-alive timeout.
    pub header_read: Duration,
    /// Reading the body and answering must end within this (408 otherwise).
    pub request: Duration,
    /// Open connections at most; more are closed as soon as they are accepted.
    pub max_connections: usize,
}

impl Default for ConnLimits {
    fn default() -> Self {
        ConnLimits {
            header_read: Duration::from_secs(10),
            request: Duration::from_secs(30),
            max_connections: 512,
        }
    }
}

/// Accepts until `shutdown` resolves, then lets open connections finish their requests.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnLimits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = app.layer(tower_http::timeout::TimeoutLayer::with_status_code(
        axum::http::StatusCode::REQUEST_TIMEOUT,
        limits.request,
    ));
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read)
        .keep_alive(true);
    // HTTP/2 (prior knowledge only): pings find dead peers.
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(limits.header_read)
        .keep_alive_timeout(limits.header_read);
    let builder = Arc::new(builder);
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: pause rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            tracing::warn!(%peer, max = limits.max_connections, "connection limit reached; closing");
            drop(stream);
            continue;
        };
        let router = app.clone();
        let service =
            hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                // Handlers that throttle by address read it as axum's ConnectInfo.
                req.extensions_mut().insert(ConnectInfo(peer));
                let mut router = router.clone();
                async move { router.call(req).await }
            });
        let conn = builder
            .serve_connection(TokioIo::new(stream), service)
            .into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// The client's address, when the server recorded it (tests may mount routers without).
pub fn peer_of(extensions: &axum::http::Extensions) -> Option<SocketAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| *addr)
}
