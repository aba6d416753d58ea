//! The command line: argument parsing, the console's start-up and the non-interactive commands.

mod api_cmd;
mod args;
mod caps;
mod confirm;
mod connect;
mod console_session;
mod context;
mod demo;
mod env_cmd;
pub mod error;
mod get;
mod logging;
mod login;
mod logout;
mod output;
mod promote;
mod promote_complete;
mod promote_create;
mod safe_json;
mod stages;
mod status;
mod whoami;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

pub use args::Cli;
use args::{Command, Global, SeedArg, ServeArgs};
pub use connect::control_plane_key;
use error::CliError;

use crate::store::Paths;

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&CliError::general(format!("cannot start the runtime: {e}"))),
    };
    match runtime.block_on(dispatch(cli)) {
        Ok(stdout) => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`envdeck get apis | head`) is not an error worth reporting.
            let _ = out.write_all(stdout.as_bytes()).and_then(|_| out.flush());
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

fn fail(e: &CliError) -> ExitCode {
    let line = crate::domain::text::sanitize(&e.message).into_owned();
    let _ = writeln!(std::io::stderr(), "envdeck: {line}");
    ExitCode::from(e.code)
}

async fn dispatch(cli: Cli) -> Result<String, CliError> {
    let global = cli.global;
    match cli.command {
        Some(Command::Serve(args)) => serve(args).await.map(|_| String::new()),
        Some(Command::Demo(args)) => {
            let paths = paths()?;
            let _log = log_to_file(&paths);
            install_panic_report();
            demo::run(&global, &args, paths)
                .await
                .map(|_| String::new())
        }
        Some(Command::Env(args)) => {
            let paths = paths()?;
            let _log = log_to_file(&paths);
            env_cmd::run(&connect::connect(&global, &paths).await?, &args).await
        }
        Some(Command::Get(args)) => {
            let paths = paths()?;
            let _log = log_to_file(&paths);
            get::run(&connect::connect(&global, &paths).await?, &args).await
        }
        Some(Command::Status(args)) => {
            let paths = paths()?;
            let _log = log_to_file(&paths);
            let conn = connect::connect(&global, &paths).await?;
            let (out, failure) = status::run(&conn, &args, caps::ascii(global.ascii)).await?;
            match failure {
                // The matrix first, then the exit code the gate looks for.
                Some(found) => {
                    let mut stdout = std::io::stdout().lock();
                    let _ = stdout
                        .write_all(out.as_bytes())
                        .and_then(|_| stdout.flush());
                    Err(found)
                }
                None => Ok(out),
            }
        }
        Some(Command::Promote(cmd)) => {
            let paths = paths()?;
            let _log = log_to_file(&paths);
            let conn = connect::connect(&global, &paths).await?;
            let colour = !caps::no_color(global.no_color)
                && std::io::IsTerminal::is_terminal(&std::io::stdout());
            promote::run(&conn, &cmd, global.readonly, colour).await
        }
        Some(Command::Api(cmd)) => {
            let paths = paths()?;
            let _log = log_to_file(&paths);
            let conn = connect::connect(&global, &paths).await?;
            api_cmd::run(&conn, &cmd, global.readonly).await
        }
        Some(Command::Login(args)) => {
            let paths = paths()?;
            let _log = log_to_file(&paths);
            login::login(&global, &paths, &args).await
        }
        Some(Command::Logout(args)) => {
            let paths = paths()?;
            let _log = log_to_file(&paths);
            logout::run(&global, &paths, &args).await
        }
        Some(Command::Whoami(args)) => {
            let paths = paths()?;
            let _log = log_to_file(&paths);
            whoami::run(&connect::connect(&global, &paths).await?, &args).await
        }
        Some(Command::Context(cmd)) => context::run(&global, &paths()?, &cmd),
        None => console(&global).await.map(|_| String::new()),
    }
}

fn paths() -> Result<Paths, CliError> {
    Paths::discover().map_err(|e| CliError::general(e.to_string()))
}

fn log_to_file(paths: &Paths) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    match logging::to_file(&paths.log_file) {
        Ok(guard) => Some(guard),
        Err(reason) => {
            let _ = writeln!(
                std::io::stderr(),
                "envdeck: running without a log: {reason}"
            );
            None
        }
    }
}

/// color-eyre's report for panics and errors; the console chains its terminal-restoring hook on top.
fn install_panic_report() {
    let _ = color_eyre::install();
}

async fn console(global: &Global) -> Result<(), CliError> {
    let paths = paths()?;
    let _log = log_to_file(&paths);
    // Only what is local comes before the first frame: the config and the target it names.
    let config = connect::load_config(&paths)?;
    let target = connect::resolve(global, &config)?;
    install_panic_report();
    // Each `[keys]` entry that cannot be applied keeps its default and says so, with its line.
    let (keymap, key_notices) = crate::app::keymap::KeyMap::from_config(&config.keys);
    let mut notices = config.warnings.clone();
    notices.extend(key_notices);
    let app = crate::runtime::AppConfig {
        tenant: target.tenant.clone(),
        control_plane: target.key.clone(),
        context_name: target.name.clone(),
        local_tightening: config.tighten.clone(),
        notices,
        keymap,
        session_readonly: global.readonly,
        no_color: caps::no_color(global.no_color),
        ascii: caps::ascii(global.ascii),
        connect: Box::pin(connect_console(
            target,
            config,
            paths.clone(),
            global.readonly,
        )),
        paths,
    };
    crate::runtime::run(app)
        .await
        .map_err(|e| CliError::general(format!("the console stopped: {e}")))
}

/// The console's network side, built after its first frame: token store and sign-in, the
/// HTTP client, the write guard and the stages on their own control planes.
async fn connect_console(
    target: connect::Target,
    config: crate::store::Config,
    paths: crate::store::Paths,
    readonly: bool,
) -> Result<crate::runtime::Connected, String> {
    let conn = connect::connect_to(target, config, &paths, readonly)
        .await
        .map_err(|e| e.message)?;
    // The client's write guard learns the stages and the actor from the console's own
    // fetches of /v1/environments and /v1/me (it refuses writes until then).

    // Stages on their own control planes (contexts with stage_endpoints).
    let mut sessions = match conn.route_stages().await {
        Ok(stages) => stages,
        Err(e) => {
            tracing::warn!(error = %e.message, "stage endpoints unavailable; one control plane serves every stage");
            Vec::new()
        }
    };
    sessions.insert(0, (conn.session.clone(), conn.client.clone()));
    let (tasks, sign_in) = console_session::spawn(sessions);
    Ok(crate::runtime::Connected {
        client: conn.client,
        sign_in: Some(sign_in),
        tasks,
    })
}

async fn serve(args: ServeArgs) -> Result<(), CliError> {
    logging::to_stderr();
    if !args.listen.ip().is_loopback() {
        // The embedded control plane signs in its six demo accounts with the password `demo`.
        tracing::warn!(
            "listening on {} beyond loopback: anyone who reaches it can sign in with the demo accounts (password `demo`)",
            args.listen
        );
    }
    let data_dir = match args.data_dir {
        Some(dir) => dir,
        None => crate::server::default_data_dir().ok_or_else(|| {
            CliError::general("no home folder to keep the database in; pass --data-dir DIR")
        })?,
    };
    let options = crate::server::ServerOptions {
        listen: args.listen,
        data_dir,
        seed: match args.seed {
            SeedArg::Demo => crate::server::Seed::Demo,
            SeedArg::None => crate::server::Seed::None,
        },
        fresh: args.fresh,
        stages_file: args.stages,
    };
    crate::server::serve_with(options, args.gateways.agent(args.gateway_delay_ms))
        .await
        .map_err(|e| CliError::general(e.to_string()))
}
