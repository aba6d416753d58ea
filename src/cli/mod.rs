//! The command line: argument parsing, the console's start-up and the non-interactive commands.

mod api_cmd;
mod args;
mod caps;
mod connect;
mod console_session;
mod context;
mod demo;
mod env_cmd;
pub mod error;
mod get;
mod logging;
mod login;
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
            conn.install_guard(global.readonly).await?;
            let colour = !caps::no_color(global.no_color)
                && std::io::IsTerminal::is_terminal(&std::io::stdout());
            promote::run(&conn, &cmd, global.readonly, colour).await
        }
        Some(Command::Api(cmd)) => {
            let paths = paths()?;
            let _log = log_to_file(&paths);
            let conn = connect::connect(&global, &paths).await?;
            conn.install_guard(global.readonly).await?;
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
            login::logout(&global, &paths, &args)
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
    let conn = connect::connect(global, &paths).await?;
    install_panic_report();
    // The guard's pipeline and actor come from the server; the console refreshes its own view.
    if let Err(e) = conn.install_guard(global.readonly).await {
        tracing::warn!(error = %e.message, "the write guard waits for the server");
    }
    // Stages on their own control planes (contexts with stage_endpoints).
    let mut sessions = match conn.route_stages().await {
        Ok(stages) => stages,
        Err(e) => {
            tracing::warn!(error = %e.message, "stage endpoints unavailable; one control plane serves every stage");
            Vec::new()
        }
    };
    sessions.insert(0, (conn.session.clone(), conn.client.clone()));
    let (supervisors, sign_in) = console_session::spawn(sessions);
    let config = crate::app::AppConfig {
        local_tightening: conn.local_tightening(),
        notices: conn.config.warnings.clone(),
        client: conn.client,
        control_plane: conn.key,
        context_name: conn.context_name,
        paths,
        session_readonly: global.readonly,
        no_color: caps::no_color(global.no_color),
        ascii: caps::ascii(global.ascii),
        sign_in: Some(sign_in),
    };
    let result = crate::app::run(config).await;
    for supervisor in supervisors {
        supervisor.abort();
    }
    result.map_err(|e| CliError::general(format!("the console stopped: {e}")))
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
