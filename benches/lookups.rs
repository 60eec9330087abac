//! Lookups: explain (exact, alias, fuzzy), autocomplete and date lookups
//! (parsed, found and ranked as `/date` ranks them), on
//! the bundled content and on a generated pack of 10,000 entries.
//! Criterion reports means and medians; the per-call p99 is measured
//! separately (each call timed) and printed as `p99 ...` lines.
//! Run: `cargo bench --bench lookups`.

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;
use studybot::config::Config;
use studybot::content::load::load_pack_text;
use studybot::dates::query::{self, DateQuery};
use studybot::handlers;
use studybot::request::Request;
use studybot::search::Item;
use studybot::{App, Library};

#[path = "support/mod.rs"]
mod support;
use support::{entry_names, generated_pack, percentiles};

fn generated_app(entries: usize) -> (App, Vec<String>) {
    let report = load_pack_text("generated.toml", generated_pack(entries, 100));
    assert!(!report.has_errors(), "{:?}", report.diagnostics.first());
    let app = App::in_memory(Config::default(), Library::new(report.content)).unwrap();
    (app, entry_names(entries))
}

fn bundled_app() -> Option<App> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("content");
    match Library::load(&[dir]) {
        Ok((library, _)) => Some(App::in_memory(Config::default(), library).unwrap()),
        Err(e) => {
            eprintln!("bundled content does not load, its benchmarks are skipped:\n{e}");
            None
        }
    }
}

/// A typo: drop one character from the middle of each word.
fn misspell(name: &str) -> String {
    name.split(' ')
        .map(|w| {
            let chars: Vec<char> = w.chars().collect();
            if chars.len() > 4 {
                chars
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != chars.len() / 2)
                    .map(|(_, c)| *c)
                    .collect()
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn p99(label: &str, queries: &[String], mut call: impl FnMut(&str)) {
    let mut nanos = Vec::with_capacity(queries.len() * 3);
    for _ in 0..3 {
        for q in queries {
            let t = Instant::now();
            call(q);
            nanos.push(t.elapsed().as_nanos() as u64);
        }
    }
    let (p50, p99, max) = percentiles(nanos);
    println!("p99 {label}: p50 {p50:.1} µs, p99 {p99:.1} µs, max {max:.1} µs");
}

fn bench(c: &mut Criterion) {
    let (app, names) = generated_app(10_000);
    let library = app.library();
    let exact: Vec<String> = names.iter().step_by(7).take(1000).cloned().collect();
    let alias: Vec<String> = names
        .iter()
        .enumerate()
        .step_by(7)
        .take(1000)
        .map(|(i, n)| format!("{} {i}", n.split(' ').nth(1).unwrap_or("")))
        .collect();
    let fuzzy: Vec<String> = exact.iter().map(|n| misspell(n)).collect();
    let partial: Vec<String> = exact.iter().map(|n| n.chars().take(4).collect()).collect();

    p99("explain exact (10k entries)", &exact, |q| {
        black_box(library.search.lookup(q));
    });
    p99("explain alias (10k entries)", &alias, |q| {
        black_box(library.search.lookup(q));
    });
    p99("explain fuzzy (10k entries)", &fuzzy, |q| {
        black_box(library.search.lookup(q));
    });
    // The same queries, each timed at its best of five: what the lookup
    // itself costs, apart from what other processes on the machine add to
    // the p99 above (compare the two when the machine is busy).
    let mut best: Vec<u64> = fuzzy
        .iter()
        .map(|q| {
            (0..5)
                .map(|_| {
                    let t = Instant::now();
                    black_box(library.search.lookup(q));
                    t.elapsed().as_nanos() as u64
                })
                .min()
                .unwrap_or(0)
        })
        .collect();
    best.sort_unstable();
    let mean = best.iter().sum::<u64>() as f64 / best.len().max(1) as f64 / 1000.0;
    let best_p99 = best[best.len() * 99 / 100] as f64 / 1000.0;
    println!(
        "best of 5 per query, explain fuzzy (10k entries): mean {mean:.1} µs, p99 {best_p99:.1} µs"
    );
    // Fast but wrong would be no use: how often the intended entry is the
    // answer, and how often another entry is answered instead.
    let (mut found, mut wrong) = (0, 0);
    for (typo, name) in fuzzy.iter().zip(&exact) {
        let lookup = library.search.lookup(typo);
        if let Some(hit) = lookup.answer() {
            match hit.item.item {
                Item::Entry(e) if &library.content.packs[0].entries[e].name == name => found += 1,
                _ => wrong += 1,
            }
        }
    }
    println!(
        "recall explain fuzzy (10k entries): {found} of {} misspelt names answered with their entry, {wrong} with another",
        fuzzy.len()
    );
    p99("autocomplete (10k entries)", &partial, |q| {
        black_box(library.search.suggest(q));
    });
    let dates: Vec<String> = (0..1000)
        .map(|i| match i % 4 {
            0 => format!("{} December {}", 1 + i % 28, 1920 + i % 40),
            1 => format!("July {}", 1920 + i % 40),
            2 => format!("{}", 1920 + i % 40),
            _ => format!("{}-{}", 1920 + i % 40, 1921 + i % 40),
        })
        .collect();
    let pack = &library.content.packs[0];
    // As `/date` does it: parse, find the overlapping events, rank them.
    let date_lookup = |q: &str| match query::parse(q) {
        Ok(DateQuery::Period(w)) => {
            let (first, last) = (w.first_day(), w.last_day());
            let found = studybot::dates::rank_by_fit(
                pack.events_overlapping(first, last),
                |e| e.when,
                first,
                last,
            );
            found.len()
        }
        _ => 0,
    };
    p99("date parse + lookup + rank (10k events)", &dates, |q| {
        black_box(date_lookup(q));
    });

    let mut group = c.benchmark_group("10k entries");
    group.bench_function("explain exact", |b| {
        b.iter(|| library.search.lookup(black_box(&exact[17])))
    });
    group.bench_function("explain alias", |b| {
        b.iter(|| library.search.lookup(black_box(&alias[17])))
    });
    group.bench_function("explain fuzzy", |b| {
        b.iter(|| library.search.lookup(black_box(&fuzzy[17])))
    });
    group.bench_function("autocomplete", |b| {
        b.iter(|| library.search.suggest(black_box(&partial[17])))
    });
    group.bench_function("date parse + lookup + rank", |b| {
        b.iter(|| date_lookup(black_box("July 1937")))
    });
    group.finish();

    let Some(bundled) = bundled_app() else { return };
    // Queries of every kind the lookup corpus has, on the real pack.
    let mixed: Vec<String> = [
        "Yezhov",
        "troika",
        "Tukhachevskii",
        "Nikolai Yezov",
        "Stallin",
        "Ежов",
        "N.K.V.D.",
        "order 447",
        "Congress of Victors",
        "Shakhty trial",
        "Korean deportation",
        "Georgy Zhukov",
        "Special Board",
        "Nikolai",
        "who replaced Yezhov",
        "Tukhachev",
        "Trial of the Twenty-Two",
        "qwxz plorb",
    ]
    .iter()
    .cycle()
    .take(18 * 50)
    .map(|q| q.to_string())
    .collect();
    let search = &bundled.library().search;
    p99("explain, bundled pack, mixed queries", &mixed, |q| {
        black_box(search.lookup(q));
    });
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap();
    let mut group = c.benchmark_group("bundled");
    for (name, command, option, value) in [
        ("explain troika", "explain", "term", "troika"),
        ("explain misspelt", "explain", "term", "Tukhachevskii"),
        ("explain event", "explain", "term", "Congress of Victors"),
        ("explain nothing found", "explain", "term", "Georgy Zhukov"),
        ("date month", "date", "when", "November 1938"),
        ("date range", "date", "when", "1936-1938"),
    ] {
        let request = Request::command(command, &[(option, value)], now);
        group.bench_function(name, |b| {
            b.iter(|| handlers::respond(&bundled, black_box(&request)))
        });
    }
    group.bench_function("autocomplete 'ye'", |b| {
        b.iter(|| bundled.library().search.suggest(black_box("ye")))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
