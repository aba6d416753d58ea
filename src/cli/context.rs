//! `envdeck context list|use|add|remove|show`: the control planes in config.toml, edited in
//! place (comments and unknown entries kept) and written atomically.

use serde::Serialize;

use super::args::{ContextCommand, Global, OutputFormat};
use super::error::{CliError, GENERAL, MISUSE, NOT_FOUND};
use super::output;
use crate::store::{
    AutoTokenStore, Config, ConfigEdit, ContextConfig, Paths, StoreError, TokenStore,
};

#[derive(Serialize)]
struct ContextView<'a> {
    name: &'a str,
    current: bool,
    server: &'a str,
    tenant: &'a str,
    identity_provider: &'a str,
    realm: &'a str,
    client_id: &'a str,
    stage_endpoints: bool,
}

fn view<'a>(config: &Config, c: &'a ContextConfig) -> ContextView<'a> {
    ContextView {
        name: &c.name,
        current: config.current_context.as_deref() == Some(c.name.as_str()),
        server: &c.server,
        tenant: &c.tenant,
        identity_provider: c.identity_base(),
        realm: c.realm(),
        client_id: c.client_id(),
        stage_endpoints: c.stage_endpoints,
    }
}

fn store_error(e: StoreError) -> CliError {
    let code = match e {
        StoreError::Invalid { .. } | StoreError::Refused { .. } => MISUSE,
        _ => GENERAL,
    };
    CliError::new(code, e.to_string())
}

pub fn run(global: &Global, paths: &Paths, command: &ContextCommand) -> Result<String, CliError> {
    let file = paths.config_file();
    match command {
        ContextCommand::List { output: format } => {
            let config = Config::load(&file).map_err(store_error)?;
            let views: Vec<_> = config.contexts.iter().map(|c| view(&config, c)).collect();
            match output::resolve(*format) {
                OutputFormat::Json => output::json(&views),
                OutputFormat::Table => Ok(table(&views)),
            }
        }
        ContextCommand::Show {
            name,
            output: format,
        } => {
            let config = Config::load(&file).map_err(store_error)?;
            let wanted = name.as_deref().or(global.context.as_deref());
            let context = match wanted {
                Some(n) => config.context(n),
                None => config.current(),
            }
            .ok_or_else(|| {
                CliError::new(
                    NOT_FOUND,
                    match wanted {
                        Some(n) => format!("no context {n:?} in {}", file.display()),
                        None => "no current context; see `envdeck context list`".to_string(),
                    },
                )
            })?;
            let v = view(&config, context);
            match output::resolve(*format) {
                OutputFormat::Json => output::json(&v),
                OutputFormat::Table => Ok(format!(
                    "name:              {}{}\nserver:            {}\ntenant:            {}\nidentity provider: {}/realms/{}\nclient id:         {}\nstage endpoints:   {}\n",
                    v.name,
                    if v.current { " (current)" } else { "" },
                    v.server,
                    v.tenant,
                    v.identity_provider.trim_end_matches('/'),
                    v.realm,
                    v.client_id,
                    if v.stage_endpoints {
                        "each stage on its own control plane"
                    } else {
                        "one control plane for every stage"
                    },
                )),
            }
        }
        ContextCommand::Use { name } => {
            let mut edit = ConfigEdit::open(&file).map_err(store_error)?;
            edit.use_context(name.trim()).map_err(store_error)?;
            edit.save().map_err(store_error)?;
            Ok(format!("current context: {}\n", name.trim()))
        }
        ContextCommand::Add {
            name,
            identity_provider,
            realm,
            client_id,
            stage_endpoints,
            make_current,
        } => {
            let (Some(server), Some(tenant)) = (global.server.clone(), global.tenant.clone())
            else {
                return Err(CliError::misuse(
                    "a context needs --server URL and --tenant T",
                ));
            };
            let mut edit = ConfigEdit::open(&file).map_err(store_error)?;
            edit.add_context(&ContextConfig {
                name: name.trim().to_string(),
                server: server.trim().to_string(),
                tenant: tenant.trim().to_string(),
                identity_provider: identity_provider.clone(),
                realm: realm.clone(),
                client_id: client_id.clone(),
                stage_endpoints: *stage_endpoints,
            })
            .map_err(store_error)?;
            if *make_current {
                edit.use_context(name.trim()).map_err(store_error)?;
            }
            edit.save().map_err(store_error)?;
            Ok(format!("added context {}\n", name.trim()))
        }
        ContextCommand::Remove { name } => {
            let mut edit = ConfigEdit::open(&file).map_err(store_error)?;
            if !edit.remove_context(name.trim()).map_err(store_error)? {
                return Err(CliError::new(
                    NOT_FOUND,
                    format!("no context {:?} in {}", name.trim(), file.display()),
                ));
            }
            edit.save().map_err(store_error)?;
            // Its tokens are of no use any more.
            AutoTokenStore::discover(&paths.state_dir)
                .remove(name.trim())
                .map_err(store_error)?;
            Ok(format!("removed context {}\n", name.trim()))
        }
    }
}

fn table(views: &[ContextView<'_>]) -> String {
    let rows: Vec<Vec<String>> = views
        .iter()
        .map(|v| {
            vec![
                if v.current { "*" } else { "" }.to_string(),
                v.name.to_string(),
                v.server.to_string(),
                v.tenant.to_string(),
                if v.stage_endpoints {
                    "per stage"
                } else {
                    "one"
                }
                .to_string(),
            ]
        })
        .collect();
    output::table(
        &["CURRENT", "NAME", "SERVER", "TENANT", "CONTROL PLANES"],
        &rows,
    )
}
