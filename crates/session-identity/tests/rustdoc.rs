//! The crate documentation builds without warnings (broken intra-doc links included) with the
//! default features and with all of them (see below for `native`): items behind a feature, such as `OsRng`, must not be
//! linked when the feature is off.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

fn rustdoc_is_clean(features: &[&str]) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    // A target directory of its own: the one running this test may be locked.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rustdoc");
    let output = Command::new(cargo)
        .args([
            "doc",
            "--no-deps",
            "--offline",
            "--locked",
            "-p",
            "session-identity",
        ])
        .args(features)
        .arg("--manifest-path")
        .arg(&manifest)
        .env("CARGO_TARGET_DIR", &target)
        .env("RUSTDOCFLAGS", "-D warnings")
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "cargo doc {features:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn docs_build_without_warnings_with_default_features() {
    rustdoc_is_clean(&[]);
}

/// Every feature but `native`, whose documentation build compiles aws-lc's C: that one runs
/// when the tests themselves are built with `native`.
#[test]
fn docs_build_without_warnings_with_every_pure_feature() {
    rustdoc_is_clean(&["--features", "serde getrandom test-util"]);
}

#[cfg(feature = "native")]
#[test]
fn docs_build_without_warnings_with_all_features() {
    rustdoc_is_clean(&["--all-features"]);
}
