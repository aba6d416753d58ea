//! The data dir holds password hashes, the signing key and every tenant's data: only its
//! owner may read it, whatever the umask and whether or not it existed before.

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use envdeck::server::{DB_FILE, Seed};

use envdeck::server::agent::{AgentOptions, GatewayMode};

use super::{AGENT_DELAY, Srv, options, start_in, start_with};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// Every file of the running server's data dir, the database's -wal and -shm included.
fn assert_private(dir: &Path) {
    assert_eq!(mode(dir), 0o700, "data dir {}", dir.display());
    let db = dir.join(DB_FILE);
    for suffix in ["", "-wal", "-shm"] {
        let file = std::path::PathBuf::from(format!("{}{suffix}", db.display()));
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
    for entry in std::fs::read_dir(dir).expect("read data dir") {
        let path = entry.expect("dir entry").path();
        if path.is_file() {
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
    }
}

#[tokio::test]
async fn a_new_data_dir_and_its_database_files_are_private() {
    let root = tempfile::tempdir().expect("temp dir");
    let data = root.path().join("share").join("server");
    let agent = AgentOptions {
        mode: GatewayMode::Auto,
        delay: AGENT_DELAY,
    };
    let srv = envdeck::server::start_with(options(&data, Seed::None), agent)
        .await
        .expect("server starts");
    assert_private(&data);
    srv.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn an_existing_open_data_dir_is_narrowed_on_start() {
    // Left by an older envdeck: a world-readable dir and database.
    let first = start_with(
        tempfile::tempdir().expect("temp dir"),
        Seed::None,
        GatewayMode::Auto,
    )
    .await;
    let Srv { server, dir, .. } = first;
    server.shutdown().await.expect("shutdown");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    for entry in std::fs::read_dir(dir.path()).expect("read data dir") {
        let path = entry.expect("dir entry").path();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    }
    let again = start_in(dir, Seed::None).await;
    assert_private(again.dir.path());
    again.server.shutdown().await.expect("shutdown");
}
