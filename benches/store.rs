//! The store: recording an answer with its commit (target p99 < 1 ms and at
//! least 5,000 answers/s), and the leaderboard top 10 of a guild with
//! 1,000,000 answers from 100,000 users (target < 1 ms).
//! Run: `cargo bench --bench store` (building the large database takes a
//! minute or so; it is built once per run in a temporary folder).

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::time::Instant;
use studybot::request::{GuildId, InteractionId, UserId};
use studybot::store::prelude::*;
use studybot::store::sqlite::SqliteStore;
use studybot::store::{InstanceKind, NewAnswer, NewInstance};

#[path = "support/mod.rs"]
mod support;
use support::percentiles;

const GUILD: GuildId = GuildId(10);

fn instance(store: &SqliteStore, day: u32) -> i64 {
    store
        .create_instance(&NewInstance {
            kind: InstanceKind::Daily,
            guild: Some(GUILD),
            owner: None,
            day: Some(
                chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
                    + chrono::Duration::days(day.into()),
            ),
            class: 0,
            question: format!("pack/q{day}"),
            option_order: vec![1, 0, 2, 3],
            created_at: Utc::now(),
        })
        .unwrap()
        .id
}

fn answer(instance: i64, user: u64, interaction: u64) -> NewAnswer {
    let correct = !user.is_multiple_of(3);
    NewAnswer {
        instance,
        guild: Some(GUILD),
        user: UserId(user),
        interaction: InteractionId(interaction),
        question: "pack/q".into(),
        answer: "Nikolai Yezhov".into(),
        correct,
        points: if correct {
            10 + (user % 3) as i64 * 10
        } else {
            0
        },
        at: Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap(),
        periods: vec!["all".into(), "week:2026-W01".into()],
        streak: None,
        display_name: None,
        review: None,
    }
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();

    // Recording: one committed transaction per answer, on a file database.
    let store = SqliteStore::open(&dir.path().join("record.db")).unwrap();
    let inst = instance(&store, 0);
    let n = 20_000u64;
    let mut nanos = Vec::with_capacity(n as usize);
    let start = Instant::now();
    for user in 1..=n {
        let t = Instant::now();
        store.record_answer(&answer(inst, user, user)).unwrap();
        nanos.push(t.elapsed().as_nanos() as u64);
    }
    let rate = n as f64 / start.elapsed().as_secs_f64();
    let (p50, p99, max) = percentiles(nanos);
    println!("p99 record answer (commit included): p50 {p50:.1} µs, p99 {p99:.1} µs, max {max:.1} µs; {rate:.0} answers/s");
    let mut next = n;
    c.bench_function("record answer (commit included)", |b| {
        b.iter(|| {
            next += 1;
            store
                .record_answer(black_box(&answer(inst, next, next)))
                .unwrap()
        })
    });

    // Leaderboard: 1,000,000 answers from 100,000 users (10 questions each).
    let big = SqliteStore::open(&dir.path().join("leaderboard.db")).unwrap();
    let built = Instant::now();
    let mut interaction = 0u64;
    for day in 0..10u32 {
        let inst = instance(&big, day);
        for chunk in (1..=100_000u64).collect::<Vec<_>>().chunks(50_000) {
            let batch: Vec<NewAnswer> = chunk
                .iter()
                .map(|&user| {
                    interaction += 1;
                    let mut a = answer(inst, user, interaction);
                    a.correct = !(user + u64::from(day)).is_multiple_of(4);
                    a.points = if a.correct {
                        10 + ((user * 7 + u64::from(day)) % 3) as i64 * 10
                    } else {
                        0
                    };
                    a
                })
                .collect();
            big.record_many(&batch).unwrap();
        }
    }
    println!(
        "built 1,000,000 answers from 100,000 users in {:.1} s",
        built.elapsed().as_secs_f64()
    );
    let board = big.leaderboard(GUILD, "all", 10, UserId(1)).unwrap();
    assert_eq!(board.players, 100_000);
    assert_eq!(board.top.len(), 10);
    let callers: Vec<u64> = (0..1000).map(|i| 1 + i * 97).collect();
    let mut top_only = Vec::new();
    let mut with_rank = Vec::new();
    for (i, &caller) in callers.iter().enumerate() {
        let caller = if i.is_multiple_of(2) {
            board.top[0].user.0
        } else {
            caller
        };
        let t = Instant::now();
        let b = big.leaderboard(GUILD, "all", 10, UserId(caller)).unwrap();
        let elapsed = t.elapsed().as_nanos() as u64;
        if b.caller.as_ref().is_some_and(|s| s.rank <= 10) {
            top_only.push(elapsed);
        } else {
            with_rank.push(elapsed);
        }
    }
    let (p50, p99, max) = percentiles(top_only);
    println!("p99 leaderboard top 10 (caller in the top 10), 100k users: p50 {p50:.1} µs, p99 {p99:.1} µs, max {max:.1} µs");
    let (p50, p99, max) = percentiles(with_rank);
    println!("p99 leaderboard top 10 + caller's own rank (anywhere), 100k users: p50 {p50:.1} µs, p99 {p99:.1} µs, max {max:.1} µs");
    let leader = board.top[0].user;
    c.bench_function("leaderboard top 10, 100k users, 1M answers", |b| {
        b.iter(|| {
            big.leaderboard(GUILD, "all", 10, black_box(leader))
                .unwrap()
        })
    });
    c.bench_function("leaderboard top 10 + rank of a mid-table caller", |b| {
        b.iter(|| {
            big.leaderboard(GUILD, "all", 10, black_box(UserId(50_001)))
                .unwrap()
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_main!(benches);
