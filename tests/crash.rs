//! Durability: a process records answers in a burst and is killed with
//! SIGKILL; after reopening, every answer it acknowledged is there, counted
//! once, and the leaderboard totals agree with the answers.
//!
//! The test binary runs itself as the child (the `child_records_answers`
//! test, which does nothing unless `STUDYBOT_CRASH_DB` is set).

use chrono::{TimeZone, Utc};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use studybot::config::Config;
use studybot::handlers;
use studybot::request::{Action, GuildId, InteractionId, Request, UserId};
use studybot::{App, Library};

const ENV: &str = "STUDYBOT_CRASH_DB";

fn app(db: &str) -> App {
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/quiz-pack.toml");
    let (library, _) = Library::load(&[fixture]).unwrap();
    App::new(
        Config::default(),
        library,
        studybot::store::open(db).unwrap(),
    )
    .unwrap()
}

fn request(action: Action, user: u64, interaction: u64) -> Request {
    Request {
        action,
        guild: Some(GuildId(10)),
        channel: None,
        user: UserId(user),
        display_name: format!("s{user}"),
        teacher: false,
        roles: Vec::new(),
        interaction: InteractionId(interaction),
        now: Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
        attachment: None,
    }
}

#[test]
fn child_records_answers() {
    let Ok(db) = std::env::var(ENV) else { return };
    let app = app(&db);
    let daily = handlers::respond(
        &app,
        &request(
            Action::Command {
                name: "daily".into(),
                subcommands: vec![],
                options: Default::default(),
            },
            1,
            1,
        ),
    );
    let id = daily.buttons[0].custom_id.clone();
    let input = daily.buttons[0].opens_input.then(|| "1934".to_string());
    let mut out = std::io::stdout().lock();
    for user in 1..1_000_000u64 {
        let reply = handlers::respond(
            &app,
            &request(
                Action::Press {
                    custom_id: id.clone(),
                    input: input.clone(),
                },
                user,
                1000 + user,
            ),
        );
        // The reply exists only after the commit: acknowledging it now is what
        // a student would see.
        assert!(reply.title.is_some(), "{}", reply.text);
        writeln!(out, "ACK {user}").unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn sigkill_loses_no_acknowledged_answer() {
    if std::env::var(ENV).is_ok() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db").display().to_string();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_records_answers",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(ENV, &db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut acknowledged = Vec::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    while let Some(Ok(line)) = lines.next() {
        if let Some(user) = line.strip_prefix("ACK ") {
            acknowledged.push(user.parse::<u64>().unwrap());
            if acknowledged.len() == 300 {
                child.kill().unwrap(); // SIGKILL on Unix: no cleanup, no flush.
                break;
            }
        }
    }
    child.wait().unwrap();
    // Drain what the pipe still held: those answers were acknowledged too.
    for line in lines.map_while(Result::ok) {
        if let Some(user) = line.strip_prefix("ACK ") {
            acknowledged.push(user.parse().unwrap());
        }
    }
    assert!(
        acknowledged.len() >= 300,
        "the child acknowledged {} answers",
        acknowledged.len()
    );

    let app = app(&db);
    let tally = app.store.tally(1).unwrap();
    assert!(
        tally.answered >= acknowledged.len() as u64,
        "{} answers stored, {} acknowledged",
        tally.answered,
        acknowledged.len()
    );
    let board = app
        .store
        .leaderboard(GuildId(10), "all", 1_000_000, UserId(1))
        .unwrap();
    assert_eq!(
        board.players, tally.answered,
        "every stored answer is in the totals, once"
    );
    for user in &acknowledged {
        let standing = board.top.iter().find(|s| s.user == UserId(*user));
        assert_eq!(
            standing.map(|s| s.answered),
            Some(1),
            "acknowledged answer of user {user}"
        );
    }
}
