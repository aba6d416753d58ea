//! Command-line arguments (clap derive).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "envdeck",
    version,
    about = "A terminal console for multi-stage platforms: stages, resources and promotions",
    after_help = "Run `envdeck demo` to try it against an embedded control plane with demo data."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct Global {
    /// Control plane URL for one-off use (with --tenant and ENVDECK_TOKEN).
    #[arg(long, global = true, env = "ENVDECK_SERVER", value_name = "URL")]
    pub server: Option<String>,
    /// Tenant to work in.
    #[arg(long, global = true, env = "ENVDECK_TENANT", value_name = "T")]
    pub tenant: Option<String>,
    /// Context from config.toml (default: its current_context).
    #[arg(long, global = true, env = "ENVDECK_CONTEXT", value_name = "NAME")]
    pub context: Option<String>,
    /// Make every stage read-only for this session.
    #[arg(long, global = true)]
    pub readonly: bool,
    /// No colours (NO_COLOR is honoured too).
    #[arg(long, global = true)]
    pub no_color: bool,
    /// ASCII symbols instead of Unicode (automatic on non-UTF-8 terminals).
    #[arg(long, global = true)]
    pub ascii: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The console against an embedded control plane seeded with demo data.
    Demo(DemoArgs),
    /// Run the embedded control plane alone (for other clients, scripts and CI).
    Serve(ServeArgs),
    /// Print the active stage, or set it (aliases such as prod or stg are accepted).
    Env(EnvArgs),
    /// Print a stage's resources for scripts.
    Get(GetArgs),
    /// The pipeline at a glance: every API in every stage, what differs, what waits (for
    /// scripts and CI gates; exit code 7 when --fail-on finds something).
    Status(StatusArgs),
    /// Create, review, approve, complete and roll back promotions.
    #[command(subcommand)]
    Promote(PromoteCommand),
    /// Edit or delete an API's catalog entry (shared by every stage it runs in).
    #[command(subcommand)]
    Api(ApiCommand),
    /// Sign in: the device-code grant (a URL and a code to approve in a browser), or
    /// --username with --password-stdin where the provider allows it.
    Login(LoginArgs),
    /// Forget every stored secret of the context.
    Logout(LogoutArgs),
    /// Who the control plane says you are (/v1/me); exit code 3 when not signed in.
    Whoami(WhoamiArgs),
    /// Control planes in config.toml: list, use, add, remove, show.
    #[command(subcommand)]
    Context(ContextCommand),
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Sign in with a password instead (read from standard input with --password-stdin).
    #[arg(long, value_name = "U", requires = "password_stdin")]
    pub username: Option<String>,
    /// Read the password from the first line of standard input.
    #[arg(long, requires = "username")]
    pub password_stdin: bool,
    /// Sign in to the identity provider of a stage that lives on its own control plane.
    #[arg(long, value_name = "STAGE")]
    pub stage: Option<String>,
}

#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// Only forget the sign-in to this stage's own identity provider.
    #[arg(long, value_name = "STAGE")]
    pub stage: Option<String>,
}

#[derive(Debug, Args)]
pub struct WhoamiArgs {
    #[arg(short = 'o', long, value_enum)]
    pub output: Option<OutputFormat>,
}

#[derive(Debug, Subcommand)]
pub enum ContextCommand {
    /// List the contexts (* marks the current one).
    List {
        #[arg(short = 'o', long, value_enum)]
        output: Option<OutputFormat>,
    },
    /// Make a context the current one.
    Use { name: String },
    /// Add a context (with the global --server URL and --tenant T).
    Add {
        name: String,
        /// The identity provider's base URL (default: the control plane's own).
        #[arg(long, value_name = "URL")]
        identity_provider: Option<String>,
        #[arg(long)]
        realm: Option<String>,
        #[arg(long, value_name = "ID")]
        client_id: Option<String>,
        /// Each stage lives on its own control plane (its endpoints.api_url).
        #[arg(long)]
        stage_endpoints: bool,
        /// Make it the current context too.
        #[arg(long = "use")]
        make_current: bool,
    },
    /// Remove a context and forget its stored tokens.
    Remove { name: String },
    /// Show a context (default: the current one).
    Show {
        name: Option<String>,
        #[arg(short = 'o', long, value_enum)]
        output: Option<OutputFormat>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ApiCommand {
    /// Create an API in a stage (the console prints this command after a create).
    Create {
        /// The API's name: its identity, kept for life.
        name: String,
        /// The stage it is created in (any alias).
        #[arg(long = "env", value_name = "STAGE")]
        stage: String,
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long, default_value = "1.0.0")]
        version: String,
        #[arg(long, default_value = "")]
        description: String,
        #[arg(long, default_value = "")]
        backend_url: String,
        /// The stage's name, typed to confirm a create in a guarded stage.
        #[arg(long, value_name = "STAGE")]
        confirm: Option<String>,
        #[arg(short = 'o', long, value_enum)]
        output: Option<OutputFormat>,
    },
    /// Delete an API. Its catalog entry is shared: it goes from every stage it runs in, and
    /// each of them must allow it.
    Delete {
        /// API name or id.
        api: String,
        /// The stage you act from (any alias).
        #[arg(long = "env", value_name = "STAGE")]
        stage: String,
        /// The name of a guarded stage the delete reaches, typed to confirm.
        #[arg(long, value_name = "STAGE")]
        confirm: Option<String>,
        #[arg(short = 'o', long, value_enum)]
        output: Option<OutputFormat>,
    },
    /// Change an API's display name, version, description or backend URL.
    Edit {
        api: String,
        #[arg(long = "env", value_name = "STAGE")]
        stage: String,
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long)]
        version: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        backend_url: Option<String>,
        #[arg(long, value_name = "STAGE")]
        confirm: Option<String>,
        #[arg(short = 'o', long, value_enum)]
        output: Option<OutputFormat>,
    },
}

#[derive(Debug, Subcommand)]
pub enum PromoteCommand {
    /// Ask to promote an API into the next stage (from the stage before STAGE).
    Create {
        /// API name or id.
        api: String,
        /// Target stage (any alias).
        #[arg(long = "to", value_name = "STAGE")]
        to: String,
        /// Why: the mandatory audit text (1 to 1000 characters).
        #[arg(short = 'm', long)]
        message: Option<String>,
        /// A target gateway by name (repeatable). Default: this tenant's compatible gateways of
        /// the target stage, else the platform's.
        #[arg(long = "gateway", value_name = "NAME")]
        gateways: Vec<String>,
        #[arg(short = 'o', long, value_enum)]
        output: Option<OutputFormat>,
    },
    /// List promotions.
    List {
        /// pending, promoting, promoted, failed or rolled_back.
        #[arg(long)]
        status: Option<String>,
        /// Only promotions of this API (name or id).
        #[arg(long)]
        api: Option<String>,
        /// Only promotions into this stage.
        #[arg(long = "to", value_name = "STAGE")]
        to: Option<String>,
        #[arg(short = 'o', long, value_enum)]
        output: Option<OutputFormat>,
    },
    /// Show one promotion, and with --diff what it changes.
    Show {
        id: String,
        #[arg(long)]
        diff: bool,
        #[arg(short = 'o', long, value_enum)]
        output: Option<OutputFormat>,
    },
    /// Approve a pending promotion (into a read-only or promote-only stage: --confirm STAGE).
    Approve {
        id: String,
        /// The target stage's name, typed to confirm an approval into a guarded stage.
        #[arg(long, value_name = "STAGE")]
        confirm: Option<String>,
        #[arg(short = 'o', long, value_enum)]
        output: Option<OutputFormat>,
    },
    /// Complete an approved promotion (on STOA its gateways complete it when they acknowledge).
    Complete {
        id: String,
        /// The target stage's name, typed to confirm completing into a guarded stage.
        #[arg(long, value_name = "STAGE")]
        confirm: Option<String>,
        /// Wait until it is promoted or failed, with progress on stderr.
        #[arg(long)]
        wait: bool,
        /// How long --wait waits: 90, 90s, 5m, 1h.
        #[arg(long, value_name = "DURATION", default_value = "2m", value_parser = parse_duration)]
        timeout: std::time::Duration,
        #[arg(short = 'o', long, value_enum)]
        output: Option<OutputFormat>,
    },
    /// Roll back a promoted promotion (creates the reverse promotion).
    Rollback {
        id: String,
        #[arg(short = 'm', long)]
        message: Option<String>,
        /// The stage's name, typed to confirm rolling back a guarded stage.
        #[arg(long, value_name = "STAGE")]
        confirm: Option<String>,
        #[arg(short = 'o', long, value_enum)]
        output: Option<OutputFormat>,
    },
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Demo user to sign in as: ada (cpi-admin), tess (tenant-admin), dave, dora (devops), vic (viewer), gus (globex).
    #[arg(long = "as", default_value = "tess", value_name = "USER")]
    pub user: String,
    /// Start from freshly seeded demo data.
    #[arg(long)]
    pub fresh: bool,
    /// How the simulated gateways answer deployments: auto (synced), manual (nothing; `complete` acknowledges), fail (sync error).
    #[arg(long, value_enum, env = "ENVDECK_GATEWAYS", default_value = "auto")]
    pub gateways: GatewaysArg,
    /// How long the simulated gateways take to answer, in milliseconds.
    #[arg(
        long,
        env = "ENVDECK_GATEWAY_DELAY_MS",
        default_value_t = 1500,
        value_name = "MS"
    )]
    pub gateway_delay_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GatewaysArg {
    Auto,
    Manual,
    Fail,
}

impl GatewaysArg {
    pub fn agent(self, delay_ms: u64) -> crate::server::agent::AgentOptions {
        use crate::server::agent::GatewayMode;
        crate::server::agent::AgentOptions {
            mode: match self {
                GatewaysArg::Auto => GatewayMode::Auto,
                GatewaysArg::Manual => GatewayMode::Manual,
                GatewaysArg::Fail => GatewayMode::Fail,
            },
            delay: std::time::Duration::from_millis(delay_ms),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SeedArg {
    Demo,
    None,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8421", value_name = "ADDR")]
    pub listen: SocketAddr,
    /// Where the database and signing key live (default: the user data dir).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Data to seed a new database with.
    #[arg(long, value_enum, default_value = "none")]
    pub seed: SeedArg,
    /// Start from an empty database.
    #[arg(long)]
    pub fresh: bool,
    /// A stages file replacing the default dev, staging, production.
    #[arg(long, value_name = "FILE")]
    pub stages: Option<PathBuf>,
    /// How the simulated gateways answer deployments: auto (synced), manual (nothing; `complete` acknowledges), fail (sync error).
    #[arg(long, value_enum, env = "ENVDECK_GATEWAYS", default_value = "auto")]
    pub gateways: GatewaysArg,
    /// How long the simulated gateways take to answer, in milliseconds.
    #[arg(
        long,
        env = "ENVDECK_GATEWAY_DELAY_MS",
        default_value_t = 1500,
        value_name = "MS"
    )]
    pub gateway_delay_ms: u64,
}

#[derive(Debug, Args)]
pub struct EnvArgs {
    /// Stage to make active; without it, print the active stage.
    pub name: Option<String>,
    #[arg(short = 'o', long, value_enum)]
    pub output: Option<OutputFormat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    Apis,
    Deployments,
    Gateways,
    Subscriptions,
    Promotions,
    Audit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct GetArgs {
    #[arg(value_enum)]
    pub kind: Kind,
    /// Stage (any alias); default: the active stage.
    #[arg(long = "env", short = 'e', value_name = "STAGE")]
    pub stage: Option<String>,
    /// Output format; default: table on a terminal, json otherwise.
    #[arg(short = 'o', long, value_enum)]
    pub output: Option<OutputFormat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// A gateway drifted or failed to sync.
    Drift,
    /// A promotion waits (pending or promoting).
    Waiting,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Output format; default: table on a terminal, json otherwise.
    #[arg(short = 'o', long, value_enum)]
    pub output: Option<OutputFormat>,
    /// Only APIs with a drifted or failed gateway somewhere.
    #[arg(long)]
    pub only_drift: bool,
    /// Only APIs with an open promotion.
    #[arg(long)]
    pub only_waiting: bool,
    /// Exit with code 7 (after printing) when a shown API drifts or waits (repeatable).
    #[arg(long, value_enum, value_name = "drift|waiting")]
    pub fail_on: Vec<FailOn>,
    /// Also the pipeline's health over 30 days: promotions per day into each stage, the
    /// median lead time from the first stage to the last, the change failure rate.
    #[arg(long)]
    pub health: bool,
}

/// `90`, `90s`, `5m`, `1h`: a whole number with an optional unit.
pub fn parse_duration(raw: &str) -> Result<std::time::Duration, String> {
    let raw = raw.trim();
    let (digits, unit) = raw.split_at(raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len()));
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{raw:?} is not a duration (try 90s, 5m or 1h)"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        _ => return Err(format!("{raw:?}: the unit is s, m or h")),
    };
    Ok(std::time::Duration::from_secs(secs))
}
