//! `sessionkit`: a Session account on the command line.
//!
//! ```text
//! sessionkit --profile DIR init                       # new account: Session ID, phrase, QR
//! sessionkit --profile DIR restore "<13 words>"       # the same account on another device
//! sessionkit --profile DIR id
//! sessionkit --profile DIR --network URL send <session-id> <text>
//! sessionkit --profile DIR --network URL receive [--follow]
//! ```
//!
//! `--network` takes a loopback network's seed URL (what `session-node` prints) or `mainnet`.
//! `--json` prints one JSON object per line. With `--passphrase-env VAR`, the seed is sealed
//! (Argon2id, XChaCha20-Poly1305) with the passphrase in that environment variable.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};
use session_client::store::{IdentityRecord, KdfParams, SqliteStore, Store, StoreError};
use session_client::{Client, ClientError, HttpsTransport, Network, NetworkConfig, SeedNode};
use session_identity::{Identity, OsRng, Seed, SessionId};
use zeroize::Zeroizing;

/// `println!` that ignores a closed stdout (`sessionkit … | head`) instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// A Session client on the command line.
#[derive(Debug, Parser)]
#[command(name = "sessionkit", version, about)]
struct Cli {
    /// The profile directory: the account, received messages.
    #[arg(
        long,
        global = true,
        env = "SESSIONKIT_PROFILE",
        default_value = "sessionkit-profile"
    )]
    profile: PathBuf,
    /// A loopback network's seed URL (`http://127.0.0.1:22000/`), or `mainnet`.
    #[arg(
        long,
        global = true,
        env = "SESSIONKIT_NETWORK",
        default_value = "mainnet"
    )]
    network: String,
    /// One JSON object per line, for scripts.
    #[arg(long, global = true)]
    json: bool,
    /// The environment variable holding the passphrase that seals the seed.
    #[arg(long, global = true)]
    passphrase_env: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Creates a new account in the profile.
    Init,
    /// Restores an account from its recovery phrase.
    Restore {
        /// The 13 words, in one argument.
        phrase: String,
    },
    /// Prints the account's Session ID.
    Id,
    /// Sends a text message; returns once the recipient's swarm stored it.
    Send {
        /// The recipient's Session ID (66 hex digits, `05…`).
        to: String,
        /// The text.
        text: String,
    },
    /// Prints every message not printed before, then exits (or keeps polling).
    Receive {
        /// Keep polling until interrupted.
        #[arg(long)]
        follow: bool,
        /// Seconds between polls with `--follow`.
        #[arg(long, default_value_t = 2)]
        interval: u64,
    },
}

#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Network(#[from] ClientError),
    #[error("the profile {0} already holds an account")]
    AccountExists(String),
    #[error("the profile {0} holds no account: run `sessionkit --profile {0} init` first")]
    NoAccount(String),
    #[error("not a recovery phrase: {0}")]
    Phrase(String),
    #[error("not a Session ID: {0}")]
    SessionId(String),
    #[error("the environment variable {0} is not set")]
    NoPassphrase(String),
    #[error("cannot create the profile directory {0}: {1}")]
    Profile(String, std::io::Error),
    #[error("unknown network {0:?}: give a seed URL starting with http:// or `mainnet`")]
    UnknownNetwork(String),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(&cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if cli.json {
                say!("{}", serde_json::json!({ "error": e.to_string() }));
            } else {
                eprintln!("error: {e}");
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: &Cli) -> Result<(), CliError> {
    let store = open_profile(cli)?;
    match &cli.command {
        Command::Init => {
            let identity = Identity::generate(&mut OsRng);
            save_identity(cli, &store, identity.seed())?;
            print_account(cli, &identity, true);
        }
        Command::Restore { phrase } => {
            let seed =
                Seed::from_recovery_phrase(phrase).map_err(|e| CliError::Phrase(e.to_string()))?;
            let identity = Identity::from_seed(seed);
            save_identity(cli, &store, identity.seed())?;
            print_account(cli, &identity, false);
        }
        Command::Id => {
            let identity = load_identity(cli, &store)?;
            if cli.json {
                say!(
                    "{}",
                    serde_json::json!({ "session_id": identity.session_id().to_hex() })
                );
            } else {
                say!("{}", identity.session_id());
            }
        }
        Command::Send { to, text } => {
            let to: SessionId = to.parse().map_err(|_| CliError::SessionId(to.clone()))?;
            let identity = load_identity(cli, &store)?;
            let client = connect(cli, identity, store).await?;
            let spinner = spinner(cli, "sending");
            let hash = client.send_text(&to, text).await?;
            spinner.finish_and_clear();
            if cli.json {
                say!(
                    "{}",
                    serde_json::json!({ "sent": hash.as_str(), "to": to.to_hex() })
                );
            } else {
                say!("sent {}", hash.as_str());
            }
        }
        Command::Receive { follow, interval } => {
            let identity = load_identity(cli, &store)?;
            let client = connect(cli, identity.clone(), Arc::clone(&store)).await?;
            loop {
                // The poll records what it fetched; printing works from the store, so a
                // message recorded by a run killed before it printed is printed by the next.
                client.poll().await?;
                print_unprinted(cli, &store, &identity)?;
                if !follow {
                    break;
                }
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs((*interval).max(1))) => {}
                    _ = tokio::signal::ctrl_c() => break,
                }
            }
        }
    }
    Ok(())
}

/// The store key of the hashes already printed by `receive`.
const PRINTED: &str = "sessionkit-printed";

/// Prints every inbox message in the store not printed before (oldest first), then records
/// them as printed. The record only keeps hashes still in the store (expired ones leave).
fn print_unprinted(cli: &Cli, store: &SqliteStore, identity: &Identity) -> Result<(), CliError> {
    let account = identity.session_id().to_hex();
    let held = store.received(&account, 0)?;
    let printed_before = store.config_dump(PRINTED)?.unwrap_or_default();
    let printed_before = String::from_utf8_lossy(&printed_before);
    let printed: std::collections::HashSet<&str> = printed_before.lines().collect();
    let mut now_printed = Vec::new();
    for message in &held {
        if printed.contains(message.hash.as_str()) {
            continue;
        }
        now_printed.push(message.hash.clone());
        let Ok(opened) = session_envelope::decode(&message.body, identity) else {
            continue;
        };
        let from = opened.sender_session_id.to_hex();
        let text = opened
            .content
            .data_message
            .as_ref()
            .and_then(|d| d.body.as_deref())
            .unwrap_or("");
        if cli.json {
            say!(
                "{}",
                serde_json::json!({
                    "from": from,
                    "text": text,
                    "hash": message.hash,
                    "sent_ms": opened.sent_timestamp_ms,
                })
            );
        } else {
            say!("{from}: {text}");
        }
    }
    if now_printed.is_empty() {
        return Ok(());
    }
    // Only hashes still held (oldest first): expired ones leave the record with the message.
    let record: Vec<&str> = held
        .iter()
        .map(|m| m.hash.as_str())
        .filter(|hash| printed.contains(hash) || now_printed.iter().any(|n| n == hash))
        .collect();
    store.put_config_dump(PRINTED, record.join("\n").as_bytes())?;
    Ok(())
}

fn open_profile(cli: &Cli) -> Result<Arc<SqliteStore>, CliError> {
    let dir = &cli.profile;
    std::fs::create_dir_all(dir).map_err(|e| CliError::Profile(dir.display().to_string(), e))?;
    Ok(Arc::new(SqliteStore::open(dir.join("profile.sqlite"))?))
}

/// The passphrase from the environment variable `--passphrase-env` names; this copy is wiped
/// when dropped.
fn passphrase(cli: &Cli) -> Result<Option<Zeroizing<String>>, CliError> {
    match &cli.passphrase_env {
        None => Ok(None),
        Some(var) => std::env::var(var)
            .map(|p| Some(Zeroizing::new(p)))
            .map_err(|_| CliError::NoPassphrase(var.clone())),
    }
}

fn save_identity(cli: &Cli, store: &SqliteStore, seed: &Seed) -> Result<(), CliError> {
    if store.identity()?.is_some() {
        return Err(CliError::AccountExists(cli.profile.display().to_string()));
    }
    let record = match passphrase(cli)? {
        Some(p) => IdentityRecord::seal(seed, p.as_bytes(), KdfParams::default(), &mut OsRng)?,
        None => IdentityRecord::Plain(seed.clone()),
    };
    store.put_identity(&record)?;
    Ok(())
}

fn load_identity(cli: &Cli, store: &SqliteStore) -> Result<Identity, CliError> {
    let record = store
        .identity()?
        .ok_or_else(|| CliError::NoAccount(cli.profile.display().to_string()))?;
    let passphrase = passphrase(cli)?;
    let seed = record.unlock(passphrase.as_ref().map(|p| p.as_bytes()))?;
    Ok(Identity::from_seed(seed))
}

fn print_account(cli: &Cli, identity: &Identity, new: bool) {
    let id = identity.session_id().to_hex();
    let phrase = identity.recovery_phrase();
    if cli.json {
        say!(
            "{}",
            serde_json::json!({ "session_id": id, "recovery_phrase": phrase.expose_secret() })
        );
        return;
    }
    say!("Session ID: {id}");
    if new {
        say!("Recovery phrase (write it down; anyone who has it has the account):");
        say!("  {}", phrase.expose_secret());
    }
    if let Ok(code) = qrcode::QrCode::new(id.as_bytes()) {
        let art = code
            .render::<qrcode::render::unicode::Dense1x2>()
            .quiet_zone(true)
            .build();
        say!("{art}");
    }
}

fn network_config(cli: &Cli) -> Result<NetworkConfig, CliError> {
    if cli.network == "mainnet" {
        Ok(NetworkConfig::new(SeedNode::mainnet()))
    } else if cli.network.starts_with("http://") {
        Ok(NetworkConfig::local(cli.network.clone()))
    } else {
        Err(CliError::UnknownNetwork(cli.network.clone()))
    }
}

async fn connect(
    cli: &Cli,
    identity: Identity,
    store: Arc<SqliteStore>,
) -> Result<Client<HttpsTransport>, CliError> {
    let config = network_config(cli)?;
    let transport = HttpsTransport::new(&config.seeds).map_err(ClientError::from)?;
    let spinner = spinner(cli, "connecting: node list, onion paths");
    // The node list saved by an earlier run (under two hours old) spares the seeds.
    let network = Network::bootstrap_with_store(transport, config, store.clone()).await?;
    spinner.finish_and_clear();
    Ok(Client::with_store(identity, Arc::new(network), store))
}

fn spinner(cli: &Cli, message: &'static str) -> indicatif::ProgressBar {
    if cli.json {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner().with_message(message);
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}
