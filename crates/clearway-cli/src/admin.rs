//! `clearway users add|disable|token|revoke|list` and `clearway audit verify|show`: accounts and the
//! audit log from the shell. Every change is audited as actor `cli:$USER`, from `cli`.

use anyhow::{Result, anyhow, bail};
use chrono::Utc;
use clearway_store::{AuditEvent, AuditFilter, Role, Store, User};
use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use crate::DbArgs;

#[derive(clap::Subcommand)]
pub enum UsersCommand {
    /// Add a user. People get a password (read from stdin, or $CLEARWAY_PASSWORD); partners use tokens.
    Add(AddArgs),
    /// Disable a user (or, with --enable, enable again); their sessions and tokens stop working.
    Disable(DisableArgs),
    /// Make a bearer token for a user; the secret is printed once and only its hash is stored.
    Token(TokenArgs),
    /// Revoke a token by its id.
    Revoke(RevokeArgs),
    /// List users.
    List(ListArgs),
}

#[derive(clap::Args)]
pub struct AddArgs {
    #[command(flatten)]
    pub db: DbArgs,
    pub name: String,
    /// officer, supervisor, targeter, list-manager, analyst, auditor, admin or partner.
    #[arg(long)]
    pub role: String,
    #[arg(long)]
    pub office: Option<String>,
    /// No password (machine clients: partners sign in with tokens only).
    #[arg(long)]
    pub no_password: bool,
}

#[derive(clap::Args)]
pub struct DisableArgs {
    #[command(flatten)]
    pub db: DbArgs,
    pub name: String,
    /// Enable the user again instead.
    #[arg(long)]
    pub enable: bool,
}

#[derive(clap::Args)]
pub struct TokenArgs {
    #[command(flatten)]
    pub db: DbArgs,
    pub name: String,
    /// Days until the token expires (0: never).
    #[arg(long, default_value_t = 90)]
    pub days: u32,
}

#[derive(clap::Args)]
pub struct RevokeArgs {
    #[command(flatten)]
    pub db: DbArgs,
    pub id: String,
}

#[derive(clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub db: DbArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain; names the first broken entry (exit 1 when broken).
    Verify(VerifyArgs),
    /// Audit entries, newest first: who looked at or changed a record.
    Show(ShowArgs),
}

#[derive(clap::Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub db: DbArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct ShowArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The record: a filing id, a user name, a list.
    #[arg(long)]
    pub record: Option<String>,
    #[arg(long)]
    pub actor: Option<String>,
    #[arg(long)]
    pub action: Option<String>,
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
    #[arg(long)]
    pub json: bool,
}

fn actor() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "unknown".into())
    )
}

fn audit(
    store: &mut dyn Store,
    action: &str,
    record: &str,
    detail: serde_json::Value,
) -> Result<()> {
    store.append_audit(&AuditEvent {
        at: Utc::now(),
        actor: actor(),
        role: "cli".into(),
        action: action.into(),
        record: Some(record.into()),
        detail,
        from: Some("cli".into()),
    })?;
    Ok(())
}

fn read_password() -> Result<String> {
    if let Ok(p) = std::env::var("CLEARWAY_PASSWORD") {
        return Ok(p);
    }
    if std::io::stdin().is_terminal() {
        eprint!("password (echoed; or set CLEARWAY_PASSWORD): ");
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

pub fn users(c: UsersCommand) -> Result<ExitCode> {
    match c {
        UsersCommand::Add(a) => {
            clearway_server::problem::check_id("name", &a.name)
                .map_err(|p| anyhow!("{}", p.detail.unwrap_or_default()))?;
            let role = Role::parse(&a.role).ok_or_else(|| {
                anyhow!(
                    "--role {}: want one of {}",
                    a.role,
                    Role::ALL.map(Role::as_str).join(", ")
                )
            })?;
            let password_hash = if a.no_password {
                None
            } else {
                let p = read_password()?;
                if p.chars().count() < clearway_server::api::admin::MIN_PASSWORD {
                    bail!(
                        "the password needs at least {} characters",
                        clearway_server::api::admin::MIN_PASSWORD
                    );
                }
                Some(clearway_server::auth::hash_password(&p).map_err(|e| anyhow!("{e}"))?)
            };
            let mut s = clearway_service::open_store(&a.db.db)?;
            let user = User {
                name: a.name.clone(),
                role,
                office: a.office.clone(),
                password_hash,
                disabled: false,
                created_at: Utc::now(),
            };
            s.add_user(&user)?;
            audit(
                s.as_mut(),
                "user.add",
                &a.name,
                serde_json::json!({"role": role, "office": a.office}),
            )?;
            println!("added {} ({})", a.name, role.as_str());
        }
        UsersCommand::Disable(a) => {
            let mut s = clearway_service::open_store(&a.db.db)?;
            if !s.set_user_disabled(&a.name, !a.enable)? {
                bail!("no user {}", a.name);
            }
            audit(
                s.as_mut(),
                if a.enable {
                    "user.enable"
                } else {
                    "user.disable"
                },
                &a.name,
                serde_json::json!({}),
            )?;
            println!(
                "{} {}",
                if a.enable { "enabled" } else { "disabled" },
                a.name
            );
        }
        UsersCommand::Token(a) => {
            let mut s = clearway_service::open_store(&a.db.db)?;
            if s.user(&a.name)?.is_none() {
                bail!("no user {}", a.name);
            }
            let (record, secret) =
                clearway_server::api::admin::make_token(&a.name, a.days, Utc::now());
            s.add_token(&record)?;
            audit(
                s.as_mut(),
                "token.create",
                &a.name,
                serde_json::json!({"token": record.id, "expires_at": record.expires_at}),
            )?;
            eprintln!(
                "token {} for {} (expires {}); the secret is shown once:",
                record.id,
                a.name,
                record
                    .expires_at
                    .map(|t| t.to_rfc3339())
                    .unwrap_or_else(|| "never".into())
            );
            println!("{secret}");
        }
        UsersCommand::Revoke(a) => {
            let mut s = clearway_service::open_store(&a.db.db)?;
            if !s.revoke_token(&a.id, Utc::now())? {
                bail!("no active token {}", a.id);
            }
            audit(s.as_mut(), "token.revoke", &a.id, serde_json::json!({}))?;
            println!("revoked {}", a.id);
        }
        UsersCommand::List(a) => {
            let mut s = clearway_service::open_store(&a.db.db)?;
            let users: Vec<clearway_server::api::admin::UserInfo> =
                s.users()?.into_iter().map(Into::into).collect();
            if a.json {
                println!("{}", serde_json::to_string_pretty(&users)?);
            } else {
                println!(
                    "{:<24} {:<13} {:<10} {:<8} created",
                    "NAME", "ROLE", "OFFICE", "STATE"
                );
                for u in users {
                    let state = if u.disabled { "disabled" } else { "active" };
                    println!(
                        "{:<24} {:<13} {:<10} {:<8} {}",
                        u.name,
                        u.role.as_str(),
                        u.office.as_deref().unwrap_or("-"),
                        state,
                        u.created_at.to_rfc3339()
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn audit_cmd(c: AuditCommand) -> Result<ExitCode> {
    match c {
        AuditCommand::Verify(a) => {
            let mut s = clearway_service::open_store(&a.db.db)?;
            let v = clearway_store::audit::verify(s.as_mut())?;
            if a.json {
                println!("{}", serde_json::to_string(&v)?);
            } else if let Some(b) = &v.first_broken {
                println!(
                    "audit log BROKEN at entry {}: {} ({} entries read)",
                    b.seq, b.reason, v.entries
                );
            } else {
                println!("audit log intact: {} entries", v.entries);
            }
            Ok(if v.ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        AuditCommand::Show(a) => {
            let mut s = clearway_service::open_store(&a.db.db)?;
            let f = AuditFilter {
                record: a.record,
                actor: a.actor,
                action: a.action,
                limit: Some(a.limit.max(1)),
                ..Default::default()
            };
            let entries = s.audit(&f)?;
            if a.json {
                for e in &entries {
                    println!("{}", serde_json::to_string(e)?);
                }
            } else {
                println!(
                    "{:>6}  {:<35} {:<20} {:<13} {:<16} {:<20} from",
                    "SEQ", "AT", "ACTOR", "ROLE", "ACTION", "RECORD"
                );
                for e in &entries {
                    let ev = &e.event;
                    println!(
                        "{:>6}  {:<35} {:<20} {:<13} {:<16} {:<20} {}",
                        e.seq,
                        ev.at.to_rfc3339(),
                        ev.actor,
                        ev.role,
                        ev.action,
                        ev.record.as_deref().unwrap_or("-"),
                        ev.from.as_deref().unwrap_or("-")
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
