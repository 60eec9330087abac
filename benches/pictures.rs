//! Pictures: the `/timeline picture:true` reply for the whole bundled pack
//! (every event, collected, drawn and PNG-encoded, as a student gets it) and
//! a ten-row ranking card. Issue #12's target: well under a second.
//! Run: `cargo bench --bench pictures`.

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::path::PathBuf;
use studybot::config::Config;
use studybot::handlers;
use studybot::pictures::{self, Ranked};
use studybot::request::Request;
use studybot::{App, Library};

fn pictures_bench(c: &mut Criterion) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("content");
    let (library, _) = Library::load(&[dir]).expect("the bundled content loads");
    let app = App::in_memory(Config::default(), library).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
    let request = Request::command("timeline", &[("picture", "true")], now);
    let reply = handlers::respond(&app, &request);
    assert_eq!(reply.attachments.len(), 1, "{}", reply.text);
    println!(
        "whole-pack timeline: {} bytes of PNG",
        reply.attachments[0].data.len()
    );
    c.bench_function("timeline picture, whole bundled pack", |b| {
        b.iter(|| black_box(handlers::respond(&app, &request)))
    });
    let rows: Vec<Ranked> = (1..=10)
        .map(|n| Ranked {
            rank: n,
            name: format!("Student number {n}"),
            points: 300 - 20 * n as i64,
        })
        .collect();
    c.bench_function("ranking card, top ten", |b| {
        b.iter(|| black_box(pictures::ranking("Leaderboard: all time", &rows).unwrap()))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = pictures_bench
}
criterion_main!(benches);
