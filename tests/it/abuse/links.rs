//! Symbolic links in envdeck's own folders: a write never goes through one (the log, the copy
//! of a corrupt state file, the token file's mode), except config.toml, which dotfiles set-ups
//! link on purpose: it is edited where it points, and stays a link.

use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::process::{Command, Output};

use envdeck::store::{FileTokenStore, Loaded, StateStore, TokenStore, UiState};

use crate::support::BIN;

fn envdeck(home: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("ENVDECK_HOME", home)
        .env("ENVDECK_KEYRING", "off")
        .env("ENVDECK_LOG", "debug")
        .env("ENVDECK_TOKEN", "links-token")
        .env("NO_COLOR", "1")
        .output()
        .expect("run envdeck")
}

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

#[test]
fn a_linked_log_file_is_not_followed() {
    let home = tempfile::tempdir().expect("home");
    let state = home.path().join("state");
    std::fs::create_dir_all(&state).expect("state dir");
    let outside = tempfile::tempdir().expect("outside");
    let precious = outside.path().join("precious.txt");
    std::fs::write(&precious, "precious\n").expect("target");
    let absent = outside.path().join("created-by-envdeck");
    let args = [
        "--server",
        "http://127.0.0.1:1",
        "--tenant",
        "acme",
        "get",
        "apis",
    ];
    for target in [&precious, &absent] {
        let log = state.join("envdeck.log");
        let _ = std::fs::remove_file(&log);
        symlink(target, &log).expect("link");
        let out = envdeck(home.path(), &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("running without a log"), "{stderr}");
        assert!(stderr.contains("symbolic link"), "{stderr}");
        assert!(is_link(&log), "the link is left for its owner to look at");
    }
    assert_eq!(
        std::fs::read_to_string(&precious).expect("read"),
        "precious\n"
    );
    assert!(!absent.exists(), "a dangling link's target was created");
}

#[test]
fn a_linked_backup_of_a_corrupt_state_file_is_replaced_not_followed() {
    let dir = tempfile::tempdir().expect("state dir");
    let outside = tempfile::tempdir().expect("outside");
    let precious = outside.path().join("precious.txt");
    std::fs::write(&precious, "precious\n").expect("target");
    let store = StateStore::new(dir.path());
    let corrupt = b"{\"version\":1,\"control_planes\":{\"x\":";
    std::fs::write(store.path(), corrupt).expect("corrupt state");
    let backup = dir.path().join("state.json.corrupt");
    symlink(&precious, &backup).expect("link");

    let chosen = UiState {
        stage: Some("dev".into()),
        view: Some("apis".into()),
    };
    store.save("x", &chosen).expect("saved");
    assert_eq!(store.load("x"), Loaded::Found(chosen));
    assert_eq!(
        std::fs::read_to_string(&precious).expect("read"),
        "precious\n"
    );
    assert!(!is_link(&backup), "the link was replaced by the copy");
    assert_eq!(std::fs::read(&backup).expect("backup"), corrupt);
}

#[test]
fn a_linked_token_file_keeps_its_targets_mode() {
    let dir = tempfile::tempdir().expect("state dir");
    let outside = tempfile::tempdir().expect("outside");
    let shared = outside.path().join("shared.json");
    std::fs::write(&shared, r#"{"version":1,"contexts":{}}"#).expect("target");
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o644)).expect("mode");
    let store = FileTokenStore::new(dir.path());
    symlink(&shared, store.path()).expect("link");
    assert_eq!(store.load("demo").expect("read"), None);
    let mode = std::fs::metadata(&shared)
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o644, "chmod went through the link");
}

#[test]
fn a_linked_config_is_edited_where_it_points() {
    let home = tempfile::tempdir().expect("home");
    let config_dir = home.path().join("config");
    let dotfiles = home.path().join("dotfiles");
    std::fs::create_dir_all(&config_dir).expect("config dir");
    std::fs::create_dir_all(&dotfiles).expect("dotfiles");
    let target = dotfiles.join("envdeck.toml");
    std::fs::write(
        &target,
        "# kept in git\n[tighten]\nstaging = \"read-only\"\n",
    )
    .expect("config");
    let link = config_dir.join("config.toml");
    // Relative, as dotfiles managers make them.
    symlink("../dotfiles/envdeck.toml", &link).expect("link");

    let add = [
        "context",
        "add",
        "team",
        "--server",
        "http://127.0.0.1:1",
        "--tenant",
        "acme",
        "--use",
    ];
    let out = envdeck(home.path(), &add);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(is_link(&link), "config.toml was replaced by a regular file");
    let text = std::fs::read_to_string(&target).expect("target");
    assert!(text.contains("# kept in git"), "{text}");
    assert!(text.contains("name = \"team\""), "{text}");
    assert!(text.contains("current_context = \"team\""), "{text}");

    // A link to a file not written yet (a fresh dotfiles checkout): created where it points.
    std::fs::remove_file(&link).expect("unlink");
    symlink(dotfiles.join("new.toml"), &link).expect("dangling link");
    let out = envdeck(home.path(), &add);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(is_link(&link), "config.toml was replaced by a regular file");
    let text = std::fs::read_to_string(dotfiles.join("new.toml")).expect("created");
    assert!(text.contains("name = \"team\""), "{text}");
}
