//! `session-node`: serves the in-memory testnet's service nodes over HTTPS on loopback until
//! Ctrl-C or SIGTERM. See `docs/NODE.md`.

use std::net::SocketAddrV4;
use std::process::ExitCode;

use clap::Parser;
use serde_json::json;
use session_identity::Ed25519PublicKey;
use session_node::{LoopbackNetwork, NodeConfig};

/// Serve a testnet of Session service nodes over HTTPS on loopback (127.0.x.1).
#[derive(Debug, Parser)]
#[command(name = "session-node", version)]
struct Args {
    /// Number of nodes (split evenly over the swarms).
    #[arg(long, default_value_t = 12)]
    nodes: usize,
    /// Number of swarms.
    #[arg(long, default_value_t = 3)]
    swarms: usize,
    /// The seed's plain-HTTP address (loopback only); node i listens on 127.0.(i+1).1 at
    /// this port + 1 + i. Port 0 picks free ports.
    #[arg(long, default_value = "127.0.0.1:22000")]
    listen: SocketAddrV4,
    /// Chance (0 to 1) that a guard answers 503 "Snode not ready".
    #[arg(long, default_value_t = 0.0)]
    fail_rate: f64,
    /// Kill this node (Ed25519 key in hex) at start; may be repeated.
    #[arg(long = "kill", value_name = "ED25519_HEX")]
    kill: Vec<String>,
    /// Make this node (Ed25519 key in hex) answer every onion and storage request with 200
    /// and random bytes, from the start; may be repeated.
    #[arg(long = "garbage", value_name = "ED25519_HEX")]
    garbage: Vec<String>,
    /// Seed of the network's keys and fault draws.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Print the network as one JSON line instead of a readable block.
    #[arg(long)]
    json: bool,
    /// Also serve the testnet's community server (SOGS, room `lobby`), reached through the
    /// exit node like the file server.
    #[arg(long)]
    community: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("session-node: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("session-node: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let killed = keys("--kill", &args.kill)?;
    let garbage = keys("--garbage", &args.garbage)?;
    let config = NodeConfig {
        nodes: args.nodes,
        swarms: args.swarms,
        listen: args.listen,
        fail_rate: args.fail_rate,
        seed: args.seed,
    };
    let net = LoopbackNetwork::start(config)
        .await
        .map_err(|e| e.to_string())?;
    for key in &killed {
        net.kill(key).map_err(|e| format!("--kill: {e}"))?;
    }
    for key in &garbage {
        net.set_garbage(key, true)
            .map_err(|e| format!("--garbage: {e}"))?;
    }
    let community = if args.community {
        let config = session_testnet::CommunityConfig::default();
        let host = config.host.clone();
        let server = session_testnet::CommunityServer::new(config).map_err(|e| e.to_string())?;
        net.with_network(|n| n.add_community(server));
        net.with_network(|n| {
            n.community(&host).map(|c| {
                let server = c.server().clone();
                let join = session_community::RoomToken::new("lobby")
                    .map(|room| server.join_url(&room))
                    .unwrap_or_default();
                (host.clone(), hex::encode(c.key().as_bytes()), join)
            })
        })
    } else {
        None
    };
    print_network(&net, args.json, community.as_ref());
    wait_for_stop().await;
    net.shutdown().await;
    Ok(())
}

/// The keys given to `flag`, each an Ed25519 key in hex.
fn keys(flag: &str, given: &[String]) -> Result<Vec<Ed25519PublicKey>, String> {
    given
        .iter()
        .map(|hex| {
            Ed25519PublicKey::from_hex(hex.trim())
                .map_err(|_| format!("{flag} {hex}: not an Ed25519 key in hex"))
        })
        .collect()
}

/// (host, server key hex, join URL) of the community server, when one is served.
type CommunityInfo = (String, String, String);

fn print_network(net: &LoopbackNetwork, as_json: bool, community: Option<&CommunityInfo>) {
    let nodes = net.nodes();
    let files = net.file_server();
    if as_json {
        let listed: Vec<_> = nodes
            .iter()
            .map(|n| {
                json!({
                    "address": format!("{}:{}", n.ip, n.https_port),
                    "ed25519": n.ed25519.to_hex(),
                    "x25519": n.x25519.to_hex(),
                    "swarm_id": n.swarm_id.map(|s| s.get()),
                    "killed": net.is_killed(&n.ed25519).unwrap_or(false),
                    "garbage": net.is_garbage(&n.ed25519).unwrap_or(false),
                })
            })
            .collect();
        let mut line = json!({
            "seed_url": net.seed_url(),
            "nodes": listed,
            "file_server": { "host": files.host, "x25519": files.x25519.to_hex() },
        });
        if let Some((host, key, join)) = community {
            line["community"] = json!({ "host": host, "key": key, "join_url": join });
        }
        println!("{line}");
        return;
    }
    println!("seed      {}json_rpc (plain HTTP)", net.seed_url());
    println!(
        "files     {} (served by the exit node), x25519 {}",
        files.host,
        files.x25519.to_hex()
    );
    if let Some((host, key, join)) = community {
        println!("community {host} (served by the exit node), key {key}");
        println!("          join URL {join}");
    }
    println!("nodes     {} (HTTPS, self-signed):", nodes.len());
    for n in &nodes {
        let swarm = n
            .swarm_id
            .map_or_else(String::new, |s| format!("{:016x}", s.get()));
        let state = if net.is_killed(&n.ed25519).unwrap_or(false) {
            "  KILLED"
        } else if net.is_garbage(&n.ed25519).unwrap_or(false) {
            "  GARBAGE"
        } else {
            ""
        };
        println!(
            "  https://{}:{}  ed25519 {}  swarm {swarm}{state}",
            n.ip,
            n.https_port,
            n.ed25519.to_hex()
        );
    }
    println!("ready; Ctrl-C or SIGTERM stops it");
}

async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
