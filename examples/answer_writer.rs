//! One writer process for the several-writers benchmark
//! (`benches/store_scale.rs`, issue #13): it records daily answers one at a
//! time, as the bot does for button presses, into a database that other
//! writer processes use at the same time, and measures answers per second.
//!
//! ```text
//! answer_writer URL WRITER ANSWERS BARRIER [own|shared]
//! ```
//!
//! - `URL`: the database (`sqlite://PATH`, a plain path, or `postgres://...`).
//! - `WRITER`: this writer's index (0, 1, ...): it picks the guild (in `own`
//!   mode), the students and the interaction ids, so writers never collide.
//! - `ANSWERS`: how many answers to record.
//! - `BARRIER`: a path, or `@` and a Unix time in milliseconds. With a path,
//!   the writer sets up, creates `PATH.ready-WRITER`, and starts when `PATH`
//!   exists; with `@MS` it starts at that time.
//! - `own` (default): the writer's own guild, season and daily questions;
//!   `shared`: every writer answers the same guild's daily questions (the
//!   tally, player counts and score histogram rows are then shared).
//!
//! Students answer in classes of [`STUDENTS_PER_DAY`], one daily question a
//! day on consecutive days, each answer with its interaction id, the periods
//! the bot uses ("all", the ISO week, the open season), the streak, the
//! display name and the review card. An answer the store reports as busy is
//! sent again with the same interaction id (the student pressing again) and
//! counted. Every answer must end `Recorded`; otherwise the writer says why
//! and exits with status 1. On success it prints one line of JSON:
//! `{"writer":0,"answers":N,"recorded":N,"busy_retries":0,"seconds":S,
//! "per_second":R,"p50_us":..,"p99_us":..,"max_us":..,"setup_ms":..}`.
//!
//! Build: `cargo build --release --example answer_writer`.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;
use studybot::request::{GuildId, InteractionId, UserId};
use studybot::store::{InstanceKind, NewAnswer, NewInstance, RecordOutcome, Store, StoreError};

/// Students answering each day's question (one class year of a school).
const STUDENTS_PER_DAY: u64 = 250;
/// How many times one answer is sent again after "busy" before giving up.
const BUSY_TRIES: u32 = 100;

fn fail(message: impl std::fmt::Display) -> ! {
    eprintln!("answer_writer: {message}");
    std::process::exit(1);
}

fn usage() -> ! {
    fail("usage: answer_writer URL WRITER ANSWERS BARRIER [own|shared]")
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 4 || args.len() > 5 {
        usage();
    }
    let url = &args[0];
    let writer: u64 = args[1].parse().unwrap_or_else(|_| usage());
    let answers: u64 = args[2].parse().unwrap_or_else(|_| usage());
    let barrier = &args[3];
    let shared = match args.get(4).map(String::as_str) {
        None | Some("own") => false,
        Some("shared") => true,
        Some(_) => usage(),
    };

    let setup = Instant::now();
    let store =
        studybot::store::open(url).unwrap_or_else(|e| fail(format!("cannot open {url}: {e}")));
    let guild = if shared {
        GuildId(1000)
    } else {
        GuildId(1001 + writer)
    };
    let start = Utc.with_ymd_and_hms(2026, 11, 2, 7, 0, 0).unwrap();
    let season = open_or_start_season(store.as_ref(), guild, start);
    // One daily question a day; in shared mode every writer gets the same
    // instance back for a day (create_instance returns the existing one).
    let days = answers.div_ceil(STUDENTS_PER_DAY);
    let first_day = start.date_naive();
    let instances: Vec<(NaiveDate, i64, String)> = (0..days)
        .map(|d| {
            let day = first_day + Duration::days(d as i64);
            let question = format!("bench/q{}", d % 40);
            let instance = store
                .create_instance(&NewInstance {
                    kind: InstanceKind::Daily,
                    guild: Some(guild),
                    owner: None,
                    day: Some(day),
                    class: 0,
                    question: question.clone(),
                    option_order: vec![2, 0, 3, 1],
                    created_at: start + Duration::days(d as i64),
                })
                .unwrap_or_else(|e| fail(format!("cannot create the question of {day}: {e}")));
            (day, instance.id, question)
        })
        .collect();
    let setup_ms = setup.elapsed().as_secs_f64() * 1000.0;

    wait_for_release(barrier, writer);

    let mut streaks: HashMap<u64, studybot::store::Streak> = HashMap::new();
    let mut nanos = Vec::with_capacity(answers as usize);
    let mut busy_retries = 0u64;
    let began = Instant::now();
    for i in 0..answers {
        let (day, instance, question) = &instances[(i / STUDENTS_PER_DAY) as usize];
        let student = i % STUDENTS_PER_DAY;
        // Distinct students per writer, also in the shared guild.
        let user = (writer + 1) * 1_000_000 + student;
        let correct = !(student * 7 + i / STUDENTS_PER_DAY * 3).is_multiple_of(4);
        let before = streaks.entry(user).or_default();
        let streak = studybot::quiz::streak_after(before, *day, None, correct);
        *before = streak.clone();
        let points = if correct {
            20 + studybot::quiz::streak_bonus(streak.current)
        } else {
            0
        };
        let at = day.and_hms_opt(9, 0, 0).unwrap().and_utc()
            + Duration::milliseconds((student * 40) as i64);
        let answer = NewAnswer {
            instance: *instance,
            guild: Some(guild),
            user: UserId(user),
            interaction: InteractionId((writer + 1) * 1_000_000_000 + i),
            question: question.clone(),
            answer: if correct {
                "Nikolai Yezhov".into()
            } else {
                "Genrikh Yagoda".into()
            },
            correct,
            points,
            at,
            periods: studybot::quiz::periods(*day, season.as_ref()),
            streak: Some(streak),
            display_name: Some(format!("Student {student} of writer {writer}")),
            review: Some(studybot::review::after_answer(None, question, correct, at)),
        };
        let t = Instant::now();
        let mut tries = 0;
        let outcome = loop {
            tries += 1;
            match store.record_answer(&answer) {
                Err(StoreError::Busy) if tries < BUSY_TRIES => busy_retries += 1,
                other => break other,
            }
        };
        nanos.push(t.elapsed().as_nanos() as u64);
        match outcome {
            Ok(RecordOutcome::Recorded) => {}
            Ok(other) => fail(format!(
                "answer {i} (interaction {}) was not recorded: {other:?}",
                answer.interaction.0
            )),
            Err(e) => fail(format!(
                "answer {i} (interaction {}) failed after {tries} tries: {e}",
                answer.interaction.0
            )),
        }
    }
    let seconds = began.elapsed().as_secs_f64();

    nanos.sort_unstable();
    let at = |q: f64| {
        nanos
            .get(((nanos.len() as f64 - 1.0) * q).round() as usize)
            .map_or(0.0, |&n| n as f64 / 1000.0)
    };
    println!(
        "{}",
        serde_json::json!({
            "writer": writer,
            "answers": answers,
            "recorded": nanos.len(),
            "busy_retries": busy_retries,
            "seconds": seconds,
            "per_second": answers as f64 / seconds,
            "p50_us": at(0.5),
            "p99_us": at(0.99),
            "max_us": at(1.0),
            "setup_ms": setup_ms,
        })
    );
}

/// The guild's open season, started if there is none (in shared mode another
/// writer may start it first: then that one is used).
fn open_or_start_season(
    store: &dyn Store,
    guild: GuildId,
    now: chrono::DateTime<Utc>,
) -> Option<studybot::store::Season> {
    let open = |store: &dyn Store| {
        store
            .open_season(guild)
            .unwrap_or_else(|e| fail(format!("cannot read the season: {e}")))
    };
    if let Some(season) = open(store) {
        return Some(season);
    }
    match store.start_season(guild, "Autumn term", now) {
        Ok(season) => Some(season),
        Err(_) => open(store),
    }
}

/// Waits until the barrier releases this writer.
fn wait_for_release(barrier: &str, writer: u64) {
    if let Some(ms) = barrier.strip_prefix('@') {
        let at: u128 = ms.parse().unwrap_or_else(|_| usage());
        loop {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis();
            if now >= at {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(((at - now) as u64).min(5)));
        }
    }
    let ready = format!("{barrier}.ready-{writer}");
    std::fs::write(&ready, b"").unwrap_or_else(|e| fail(format!("cannot create {ready}: {e}")));
    let go = Path::new(barrier);
    let deadline = Instant::now() + std::time::Duration::from_secs(300);
    while !go.exists() {
        if Instant::now() > deadline {
            fail(format!("{barrier} did not appear within 5 minutes"));
        }
        std::thread::sleep(std::time::Duration::from_micros(200));
    }
}
