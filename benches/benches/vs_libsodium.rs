//! The ratio tables: reads the medians the other benches left in `target/criterion/` and prints
//! one table per backend found there. Each row is a group measured on both sides: sessionkit
//! under that backend, `libsodium` and their ratio (below 1.0: sessionkit is faster), plus the
//! precomputed variant where a group has it.
//!
//! - pure Rust: `sessionkit` and `sessionkit_precomputed`, always printed;
//! - aws-lc-rs: `sessionkit_native` and `sessionkit_precomputed_native`, printed only when such
//!   results exist (a run with `--features native`). Criterion keeps old results, so this
//!   table may come from an earlier native run than the pure one.
//!
//! The tables read whatever results exist, whether or not this bench is built with `native`.
//! `cargo bench -p sessionkit-benches` runs it last (benches run in name order);
//! `cargo bench -p sessionkit-benches --bench vs_libsodium` prints the tables of the latest
//! results again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// One measured function: its group, the parameter (for swept groups) and its median in ns.
struct Measurement {
    group: String,
    function: String,
    value: String,
    median_ns: f64,
}

fn criterion_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("target")
        });
    target.join("criterion")
}

fn read_json(path: &Path) -> Option<Value> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

/// Every `<…>/new/` folder under `dir` holding `benchmark.json` and `estimates.json`.
fn collect(dir: &Path, out: &mut Vec<Measurement>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        if path.file_name().is_some_and(|name| name == "new") {
            let (Some(benchmark), Some(estimates)) = (
                read_json(&path.join("benchmark.json")),
                read_json(&path.join("estimates.json")),
            ) else {
                continue;
            };
            let text = |key: &str| benchmark[key].as_str().unwrap_or_default().to_owned();
            if let Some(median_ns) = estimates["median"]["point_estimate"].as_f64() {
                out.push(Measurement {
                    group: text("group_id"),
                    function: text("function_id"),
                    value: text("value_str"),
                    median_ns,
                });
            }
        } else {
            collect(&path, out);
        }
    }
}

fn time(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{ns:.1} ns")
    }
}

/// The backends' tables: the heading, and the suffix of their function names (that of
/// `sessionkit_benches::function_name`).
const BACKENDS: &[(&str, &str)] = &[
    ("pure Rust backend", ""),
    ("native backend (aws-lc-rs)", "_native"),
];

type Groups = BTreeMap<(String, String), BTreeMap<String, f64>>;

/// Prints the table of the backend whose functions end in `suffix`; false when no group has
/// both its `sessionkit` function and `libsodium`.
fn table(groups: &Groups, heading: &str, suffix: &str, dir: &Path) -> bool {
    let ours_name = format!("sessionkit{suffix}");
    let precomputed_name = format!("sessionkit_precomputed{suffix}");
    let mut paired: Vec<_> = groups
        .iter()
        .filter(|(_, functions)| {
            functions.contains_key(&ours_name) && functions.contains_key("libsodium")
        })
        .collect();
    if paired.is_empty() {
        return false;
    }
    // Swept parameters (sizes, hop counts) in numeric order.
    paired.sort_by_key(|((group, value), _)| (group.clone(), value.parse::<u64>().ok()));
    println!(
        "\n{ours_name} / libsodium, {heading} (criterion medians, {})\n",
        dir.display()
    );
    println!("| group | {ours_name} | libsodium | ratio | {precomputed_name} | ratio |");
    println!("|---|---:|---:|---:|---:|---:|");
    for ((group, value), functions) in paired {
        let name = if value.is_empty() {
            group.clone()
        } else {
            format!("{group} [{value}]")
        };
        let ours = functions[&ours_name];
        let peer = functions["libsodium"];
        let (precomputed, precomputed_ratio) = match functions.get(&precomputed_name) {
            Some(&t) => (time(t), format!("{:.2}", t / peer)),
            None => (String::new(), String::new()),
        };
        println!(
            "| `{name}` | {} | {} | {:.2} | {precomputed} | {precomputed_ratio} |",
            time(ours),
            time(peer),
            ours / peer
        );
    }
    true
}

fn main() {
    let dir = criterion_dir();
    let mut measurements = Vec::new();
    collect(&dir, &mut measurements);
    // (group, parameter) → function → median
    let mut groups = Groups::new();
    for m in measurements {
        groups
            .entry((m.group, m.value))
            .or_default()
            .insert(m.function, m.median_ns);
    }
    let mut printed = false;
    for &(heading, suffix) in BACKENDS {
        printed |= table(&groups, heading, suffix, &dir);
    }
    if !printed {
        println!(
            "no results with both sessionkit and libsodium under {}: run `cargo bench -p sessionkit-benches` first",
            dir.display()
        );
    }
}
