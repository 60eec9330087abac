//! Storage faults through the handlers, on a real database file:
//! - a full disk (SQLite's `max_page_count` caps the file, as a full disk
//!   would; permission tricks do not work when tests run as root): answers
//!   are refused politely and nothing is half-written, lookups keep working,
//!   teachers see the problem in `/settings show`, and everything recovers
//!   when space returns;
//! - a database locked by another writer: after the bounded busy timeout the
//!   student is asked to try again, nothing is saved, and the retry counts once;
//! - a new database file created by several connections at the same moment
//!   (two processes started together): every one opens it, migrated once;
//! - leaderboards, read on connections of their own, answer while an answer
//!   waits for the write lock.

mod common;

use chrono::{DateTime, TimeZone, Utc};
use common::command;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use studybot::config::Config;
use studybot::handlers;
use studybot::request::{Action, GuildId, UserId};
use studybot::store::prelude::*;
use studybot::store::sqlite::SqliteStore;
use studybot::store::Store;
use studybot::{App, Library, Reply};

const CLASS: u64 = 10;

fn app_on(store: Arc<SqliteStore>) -> App {
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/quiz-pack.toml");
    let (library, _) = Library::load(&[fixture]).unwrap();
    App::new(Config::default(), library, store).unwrap()
}

fn open(path: &Path) -> Arc<SqliteStore> {
    Arc::new(SqliteStore::open(path).unwrap())
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

fn ask(app: &App, user: u64, teacher: bool, action: Action) -> Reply {
    handlers::respond(
        app,
        &common::request_at(now(), Some(CLASS), user, teacher, action),
    )
}

/// Presses the first answer button of today's daily question (typing an
/// answer when the question wants one).
fn answer_daily(app: &App, user: u64) -> Reply {
    let daily = ask(app, user, false, command("daily", &[], &[]));
    let button = &daily.buttons[0];
    ask(
        app,
        user,
        false,
        Action::Press {
            custom_id: button.custom_id.clone(),
            input: button.opens_input.then(|| "Yezhov".to_string()),
        },
    )
}

fn answered(app: &App, user: u64) -> u64 {
    app.store
        .question_results(Some(GuildId(CLASS)), UserId(user))
        .unwrap()
        .iter()
        .map(|r| r.answered)
        .sum()
}

fn settings_shown(app: &App) -> String {
    let reply = ask(app, 1, true, command("settings", &["show"], &[]));
    reply
        .fields
        .iter()
        .map(|f| format!("{}: {}", f.name, f.value))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_full_disk_refuses_answers_cleanly_keeps_lookups_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("class.db"));
    let app = app_on(store.clone());
    assert!(answer_daily(&app, 100).title.is_some());
    // The file may not grow: students answer until the first write fails.
    store
        .set_max_pages(Some(store.page_count().unwrap()))
        .unwrap();
    let mut refused = None;
    for user in 101..5_000 {
        let reply = answer_daily(&app, user);
        if reply.text == handlers::UNWRITABLE {
            refused = Some(user);
            break;
        }
        assert!(reply.title.is_some(), "{reply:?}");
    }
    let refused = refused.expect("a capped database fills up");
    assert!(reply_is_private(&answer_daily(&app, refused)));
    assert_eq!(answered(&app, refused), 0, "nothing half-written");
    let problem = store
        .write_problem()
        .expect("the store knows why writes fail");
    assert!(problem.contains("full"), "{problem}");

    // Lookups still answer; teachers see the problem.
    let explained = ask(
        &app,
        refused,
        false,
        command("explain", &[], &[("term", "Yezhov")]),
    );
    assert_eq!(explained.title.as_deref(), Some("Nikolai Yezhov"));
    let shown = settings_shown(&app);
    assert!(
        shown.contains("Problem with the database: studybot cannot save"),
        "{shown}"
    );

    // Space returns: the same student's answer counts, once, and the problem clears.
    store.set_max_pages(None).unwrap();
    let reply = answer_daily(&app, refused);
    assert!(reply.title.is_some(), "{reply:?}");
    assert_eq!(answered(&app, refused), 1);
    assert_eq!(store.write_problem(), None);
    assert!(!settings_shown(&app).contains("Problem with the database"));
    // And everyone who was told their answer counted is still counted.
    for user in 100..refused {
        assert_eq!(answered(&app, user), 1, "student {user}");
    }
}

fn reply_is_private(reply: &Reply) -> bool {
    reply.ephemeral
}

#[test]
fn a_locked_database_asks_the_student_to_try_again_and_saves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("class.db");
    let store = open(&path);
    let app = app_on(store.clone());
    ask(&app, 5, false, command("daily", &[], &[]));
    // Another process holds the write lock.
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = std::time::Instant::now();
    let reply = answer_daily(&app, 5);
    let waited = started.elapsed();
    assert!(reply.ephemeral);
    assert!(
        reply
            .text
            .starts_with("studybot is very busy right now and nothing was saved"),
        "{reply:?}"
    );
    assert!(
        waited >= std::time::Duration::from_millis(1500)
            && waited < std::time::Duration::from_secs(10),
        "bounded by the busy timeout: {waited:?}"
    );
    assert_eq!(answered(&app, 5), 0);
    other.execute_batch("ROLLBACK").unwrap();
    let retried = answer_daily(&app, 5);
    assert!(retried.title.is_some(), "{retried:?}");
    assert_eq!(answered(&app, 5), 1);
}

#[test]
fn leaderboards_answer_while_an_answer_waits_for_a_locked_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("class.db");
    let app = app_on(open(&path));
    answer_daily(&app, 5);
    let daily = ask(&app, 6, false, command("daily", &[], &[]));
    let press = Action::Press {
        custom_id: daily.buttons[0].custom_id.clone(),
        input: daily.buttons[0].opens_input.then(|| "Yezhov".to_string()),
    };
    // Another process holds the write lock: this answer waits the busy
    // timeout (2 s) holding the writer's connection.
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    std::thread::scope(|scope| {
        let waiting = scope.spawn(|| ask(&app, 6, false, press));
        std::thread::sleep(std::time::Duration::from_millis(300));
        // Student 5's name is known already, so the leaderboard only reads.
        let started = std::time::Instant::now();
        let board = ask(&app, 5, false, command("leaderboard", &[], &[]));
        let took = started.elapsed();
        assert!(board.text.contains("user5"), "{}", board.text);
        assert!(
            !waiting.is_finished(),
            "the answer was still waiting for the lock"
        );
        // Not behind the answer: well under the 1.7 s it still had to wait.
        assert!(
            took < std::time::Duration::from_millis(800),
            "the leaderboard waited {took:?}"
        );
        let refused = waiting.join().unwrap();
        assert!(
            refused.text.starts_with("studybot is very busy"),
            "{}",
            refused.text
        );
    });
    other.execute_batch("ROLLBACK").unwrap();
}

#[test]
fn the_wal_stays_bounded_under_sustained_answers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("class.db");
    const LIMIT: u64 = 1024 * 1024;
    let store = Arc::new(SqliteStore::open_with_wal_limit(&path, LIMIT).unwrap());
    let app = app_on(store);
    let wal = dir.path().join("class.db-wal");
    let mut largest = 0;
    // Answers without a pause for well over the checkpoint interval (500
    // ms) and at least 800 times (57 MB of WAL if nothing truncated it): a
    // passive checkpoint alone let the WAL grow to 47 MB here (about 70 KB
    // per answer); the writer truncates it once past the limit, checking
    // every 64 commits, so it stays within a few MB of the limit. A slow
    // disk once kept a passive checkpoint running for most of each interval
    // and every truncation failed (30 MB); the writer now waits for it.
    let started = std::time::Instant::now();
    let mut user = 1_000;
    while user < 1_800 || started.elapsed() < std::time::Duration::from_millis(2500) {
        assert!(answer_daily(&app, user).title.is_some());
        largest = largest.max(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0));
        user += 1;
    }
    println!(
        "{} answers; the WAL was at most {largest} bytes",
        user - 1_000
    );
    assert!(
        largest < 8 * LIMIT,
        "the WAL stayed bounded: {largest} bytes"
    );
    for user in 1_000..user {
        assert_eq!(answered(&app, user), 1, "student {user}");
    }
}

#[test]
fn several_connections_creating_one_new_database_at_once_all_open_it() {
    for round in 0..8 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.db");
        let start = Arc::new(std::sync::Barrier::new(4));
        let openers: Vec<_> = (0..4)
            .map(|_| {
                let (path, start) = (path.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    SqliteStore::open(&path).map(|_| ())
                })
            })
            .collect();
        for opener in openers {
            let opened = opener.join().unwrap();
            assert!(opened.is_ok(), "round {round}: {opened:?}");
        }
        // One schema, usable: a setting saved is read back after reopening.
        let store = open(&path);
        let mut settings = store.settings(GuildId(CLASS)).unwrap();
        settings.timezone = Some("Europe/London".into());
        store
            .save_settings(GuildId(CLASS), &settings, now())
            .unwrap();
        drop(store);
        let timezone = open(&path).settings(GuildId(CLASS)).unwrap().timezone;
        assert_eq!(timezone.as_deref(), Some("Europe/London"));
    }
}
