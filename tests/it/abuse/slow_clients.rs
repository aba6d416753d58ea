//! Clients that trickle their headers a byte at a time, or sit idle on a kept-alive
//! connection, are closed after the header-read timeout, and /health answers throughout.

use std::time::{Duration, Instant};

use envdeck::server::Seed;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::start_server;

/// Trickling connections opened at once: a few hundred, under the connection cap.
const TRICKLERS: usize = 300;
/// Longest a trickler may live (the header timeout is 10 s); the test stops by then anyway.
const GIVE_UP: Duration = Duration::from_secs(25);

/// Sends a request head one byte every 200 ms, never finishing it; returns how long the
/// server kept the connection open (None: still open when the test gave up).
async fn trickle(addr: std::net::SocketAddr) -> Option<Duration> {
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).await.ok()?;
    let head = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
    let mut buf = [0u8; 512];
    for i in 0.. {
        if started.elapsed() > GIVE_UP {
            return None;
        }
        let byte = head.get(i).copied().unwrap_or(b'a');
        if stream.write_all(&[byte]).await.is_err() {
            return Some(started.elapsed());
        }
        // A closed connection reads EOF (or a 408) before the next byte is due.
        match tokio::time::timeout(Duration::from_millis(200), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => return Some(started.elapsed()),
            Err(_) => {}
        }
    }
    None
}

#[tokio::test]
async fn a_slow_header_flood_is_cut_off_and_health_keeps_answering() {
    let srv = start_server(Seed::None).await;
    let addr = srv.server.local_addr().expect("loopback address");
    let tricklers: Vec<_> = (0..TRICKLERS)
        .map(|_| tokio::spawn(trickle(addr)))
        .collect();
    // An idle kept-alive connection: one whole request, then nothing.
    let idle = tokio::spawn(async move {
        let started = Instant::now();
        let mut stream = TcpStream::connect(addr).await.ok()?;
        stream
            .write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .await
            .ok()?;
        let mut buf = [0u8; 4096];
        let _ = stream.read(&mut buf).await.ok()?;
        loop {
            match tokio::time::timeout(GIVE_UP, stream.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => return Some(started.elapsed()),
                Ok(Ok(_)) => {}
                Err(_) => return None,
            }
        }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;

    let http = envdeck::net::http_client_builder()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    let mut slowest = Duration::ZERO;
    for _ in 0..20 {
        let started = Instant::now();
        let resp = http
            .get(format!("{}/health", srv.url()))
            .send()
            .await
            .expect("/health answers during the flood");
        assert!(resp.status().is_success(), "{}", resp.status());
        slowest = slowest.max(started.elapsed());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!("/health during a flood of {TRICKLERS} slow-header connections: slowest {slowest:?}");
    assert!(slowest < Duration::from_secs(1), "/health took {slowest:?}");

    let mut held = Vec::new();
    for t in tricklers {
        held.push(t.await.expect("trickler task"));
    }
    let open = held.iter().filter(|h| h.is_none()).count();
    let longest = held.iter().flatten().max().copied().unwrap_or_default();
    eprintln!("tricklers still open after {GIVE_UP:?}: {open}; longest held: {longest:?}");
    assert_eq!(open, 0, "slow-header connections were never closed");
    assert!(longest < Duration::from_secs(15), "held for {longest:?}");
    let idle = idle.await.expect("idle task");
    assert!(
        idle.is_some_and(|d| d < Duration::from_secs(15)),
        "an idle kept-alive connection stayed open: {idle:?}"
    );
}
