//! Micro-benchmark: YAML → `serde_json::Value` through serde-saphyr vs the event-based
//! reader `skillforge::docker::yaml::to_json`.
//!
//! `cargo run --release --example yaml_speed -- FILE`

use serde_json::Value;
use std::hint::black_box;
use std::time::Instant;

const ITERATIONS: u32 = 20_000;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: yaml_speed FILE");
        std::process::exit(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let slow = serde_saphyr::from_str::<Value>(&text);
    let fast = skillforge::docker::yaml::to_json(&text);
    match (&fast, &slow) {
        (Some(f), Ok(s)) if f == s => println!("fast path taken, same value"),
        (Some(_), _) => println!("WARNING: fast path differs from serde-saphyr"),
        (None, Ok(_)) => println!("fast path bails out (falls back to serde-saphyr)"),
        (None, Err(e)) => println!("not valid for serde-saphyr: {e}"),
    }

    // warm-up
    for _ in 0..ITERATIONS / 10 {
        black_box(serde_saphyr::from_str::<Value>(black_box(&text)).ok());
        black_box(skillforge::docker::yaml::to_json(black_box(&text)));
    }

    let t = Instant::now();
    for _ in 0..ITERATIONS {
        black_box(serde_saphyr::from_str::<Value>(black_box(&text)).ok());
    }
    let saphyr = t.elapsed().as_secs_f64() * 1e6 / f64::from(ITERATIONS);

    let t = Instant::now();
    for _ in 0..ITERATIONS {
        black_box(skillforge::docker::yaml::to_json(black_box(&text)));
    }
    let events = t.elapsed().as_secs_f64() * 1e6 / f64::from(ITERATIONS);

    // The floor: iterating granit-parser's events without building anything.
    let t = Instant::now();
    for _ in 0..ITERATIONS {
        let mut n = 0usize;
        for ev in granit_parser::Parser::new_from_str(black_box(&text)) {
            n += usize::from(ev.is_ok());
        }
        black_box(n);
    }
    let floor = t.elapsed().as_secs_f64() * 1e6 / f64::from(ITERATIONS);

    println!(
        "{path} ({} lines, {} bytes), {ITERATIONS} iterations each",
        text.lines().count(),
        text.len()
    );
    println!("serde_saphyr::from_str::<Value>: {saphyr:8.2} µs/doc");
    println!(
        "yaml::to_json:                   {events:8.2} µs/doc ({:.1}x faster)",
        saphyr / events
    );
    println!("granit-parser events only:       {floor:8.2} µs/doc (floor, default options)");
}
