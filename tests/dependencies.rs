//! What the dependency graph promises, checked on the locked graph (`cargo metadata` and
//! `cargo tree`, offline: the dependencies are on disk once the tests are built):
//!
//! - the workspace's `rust-version` is honest: no locked dependency (normal, build or dev, on
//!   this host) needs a newer Rust than the one the crates declare;
//! - the facade and its examples compile no C: nothing in `sessionkit`'s tree, dev-dependencies
//!   included, is a C build tool or a `-sys` crate (libsodium lives in `sessionkit-benches`);
//! - neither do the commands run at the root without `-p`: the workspace's default members
//!   are the facade alone.
#![allow(clippy::unwrap_used)]

use std::process::Command;

use serde_json::Value;

/// `1.85`, `1.85.0` → `(1, 85, 0)`.
fn parse_version(text: &str) -> Option<(u32, u32, u32)> {
    let mut parts = text.split('.').map(str::parse::<u32>);
    let major = parts.next()?.ok()?;
    let minor = parts.next().unwrap_or(Ok(0)).ok()?;
    let patch = parts.next().unwrap_or(Ok(0)).ok()?;
    Some((major, minor, patch))
}

fn host_triple() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let output = Command::new(rustc).arg("-vV").output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix("host: "))
        .unwrap()
        .to_owned()
}

#[test]
fn declared_rust_version_covers_every_locked_dependency() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .args(["--filter-platform", &host_triple()])
        .arg("--manifest-path")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout).unwrap();
    let packages = metadata["packages"].as_array().unwrap();

    let declared = packages
        .iter()
        .find(|p| p["name"] == "sessionkit")
        .and_then(|p| p["rust_version"].as_str())
        .and_then(parse_version)
        .unwrap();
    // Every workspace member inherits it.
    let members: Vec<&str> = metadata["workspace_members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap())
        .collect();
    let mut checked = 0;
    let mut too_new = Vec::new();
    for package in packages {
        let name = package["name"].as_str().unwrap();
        let version = package["version"].as_str().unwrap();
        let Some(needed) = package["rust_version"].as_str() else {
            continue;
        };
        let needed_version = parse_version(needed).unwrap();
        checked += 1;
        if members.contains(&package["id"].as_str().unwrap()) {
            assert_eq!(
                needed_version, declared,
                "{name} declares its own rust-version"
            );
        }
        if needed_version > declared {
            too_new.push(format!("{name} {version} needs Rust {needed}"));
        }
    }
    // The graph has well over a hundred packages and most declare a rust-version: a near-empty
    // count means the metadata was not read.
    assert!(
        checked > 50,
        "only {checked} packages declare a rust-version"
    );
    assert!(
        too_new.is_empty(),
        "the workspace declares rust-version {declared:?}, but: {too_new:?}"
    );
}

/// The crates `cargo tree` lists with `selection` (e.g. `-p sessionkit`, or nothing: the
/// workspace's default members, what a command run at the root without `-p` builds), with
/// normal, dev and build dependencies on this host.
fn tree_names(selection: &[&str]) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["tree", "--locked", "--offline"])
        .args(selection)
        .args([
            "-e",
            "normal,dev,build",
            "--prefix",
            "none",
            "--target",
            &host_triple(),
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

/// The crates of `names` that build C.
fn c_builders(names: &[String]) -> Vec<&String> {
    // `-sys` crates that are Rust bindings to the kernel or the OS API, with nothing to compile.
    let pure_rust_sys = ["linux-raw-sys", "windows-sys", "wasi"];
    names
        .iter()
        .filter(|name| {
            matches!(
                name.as_str(),
                "cc" | "cmake" | "bindgen" | "pkg-config" | "vcpkg"
            ) || ((name.ends_with("-sys") || name.ends_with("-sys-stable"))
                && !pure_rust_sys.contains(&name.as_str()))
        })
        .collect()
}

#[test]
fn the_facade_and_its_examples_compile_no_c() {
    let names = tree_names(&["-p", "sessionkit"]);
    assert!(
        names.iter().any(|n| n == "session-testnet"),
        "the tree was not read"
    );
    assert_eq!(
        c_builders(&names),
        Vec::<&String>::new(),
        "crates that build C"
    );
}

/// `cargo run --release --example local_network` at the root, README's first command, builds
/// the default members: they must be the facade alone, with no C (not the benchmark crate and
/// its libsodium, not the I/O crates with SQLite and ring).
#[test]
fn the_root_commands_build_no_c() {
    let names = tree_names(&[]);
    assert!(
        names.iter().any(|n| n == "sessionkit"),
        "the tree was not read"
    );
    for member in [
        "sessionkit-benches",
        "sodium-peer",
        "session-client",
        "session-node",
    ] {
        assert!(
            !names.iter().any(|n| n == member),
            "{member} is a default member"
        );
    }
    assert_eq!(
        c_builders(&names),
        Vec::<&String>::new(),
        "crates that build C"
    );
}

#[test]
fn versions_compare_numerically() {
    assert_eq!(parse_version("1.89"), Some((1, 89, 0)));
    assert!(parse_version("1.100").unwrap() > parse_version("1.89.1").unwrap());
    assert_eq!(parse_version("x"), None);
}
