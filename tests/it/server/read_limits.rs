//! A read that runs past the time limit is interrupted (its reader goes back to the pool and
//! works again), so one slow query cannot hold a reader and the requests queued behind it.

use std::time::{Duration, Instant};

use envdeck::server::db::DbError;

#[tokio::test]
async fn a_read_past_the_time_limit_is_interrupted_and_its_reader_is_reused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().to_path_buf();
    let db = tokio::task::spawn_blocking(move || envdeck::server::open_database(&path, false))
        .await
        .expect("task")
        .expect("database opens");
    db.set_read_time_limit(Duration::from_millis(200));
    let started = Instant::now();
    // Counts forever: only the interrupt ends it.
    let endless = db
        .read(|c| {
            c.query_row(
                "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) \
                 SELECT count(*) FROM n",
                [],
                |r| r.get::<_, i64>(0),
            )
        })
        .await;
    let took = started.elapsed();
    assert!(matches!(endless, Err(DbError::TimedOut(_))), "{endless:?}");
    assert!(took < Duration::from_secs(2), "stopped after {took:?}");
    // Every reader still answers.
    for _ in 0..8 {
        let one = db
            .read(|c| c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0)))
            .await;
        assert_eq!(one.expect("a plain read"), 1);
    }
}
