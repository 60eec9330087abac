//! Helpers shared by the integration tests: run the real binary on the
//! bundled content or on a copy of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn bundled_content() -> PathBuf {
    repo().join("content")
}

/// Runs `studybot ARGS` in `dir` with no config file and no token.
pub fn studybot(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_studybot"))
        .args(args)
        .current_dir(dir)
        .env_remove("DISCORD_TOKEN")
        .env("RUST_LOG", "warn")
        .output()
        .expect("the studybot binary runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Copies a folder tree (the content packs) into `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The quiz fixture pack (`tests/fixtures/quiz-pack.toml`, every question
/// medium) keeping only the questions of `kinds`, written to `dir/quiz.toml`:
/// tests that must know what kind of question they will be served use it.
pub fn quiz_pack_with(dir: &Path, kinds: &[&str]) -> PathBuf {
    let fixture = std::fs::read_to_string(repo().join("tests/fixtures/quiz-pack.toml")).unwrap();
    let mut blocks = fixture.split("\n[[questions]]\n");
    let mut pack = blocks.next().unwrap().to_string();
    for block in blocks {
        if kinds
            .iter()
            .any(|k| block.contains(&format!("kind = \"{k}\"")))
        {
            pack.push_str("\n[[questions]]\n");
            pack.push_str(block);
        }
    }
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join("quiz.toml");
    std::fs::write(&path, pack).unwrap();
    path
}

/// A slash command: `/name subs... name=value...`.
pub fn command(name: &str, subs: &[&str], options: &[(&str, &str)]) -> studybot::request::Action {
    studybot::request::Action::Command {
        name: name.into(),
        subcommands: subs.iter().map(|s| s.to_string()).collect(),
        options: options
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

/// A request from `user` in `guild` (`None`: a direct message) at `now`,
/// with an interaction id no other request of the test binary has.
pub fn request_at(
    now: chrono::DateTime<chrono::Utc>,
    guild: Option<u64>,
    user: u64,
    teacher: bool,
    action: studybot::request::Action,
) -> studybot::request::Request {
    use studybot::request::{ChannelId, GuildId, InteractionId, UserId};
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    studybot::request::Request {
        action,
        guild: guild.map(GuildId),
        channel: guild.map(|g| ChannelId(g * 100)),
        user: UserId(user),
        display_name: format!("user{user}"),
        teacher,
        roles: Vec::new(),
        interaction: InteractionId(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)),
        now,
        attachment: None,
    }
}

/// Runs SQL on the PostgreSQL server with a connection of its own, on a
/// thread of its own (the synchronous client must not run inside a tokio
/// runtime, and some tests are async).
pub fn pg_admin(server: &str, sql: &str) -> Result<(), String> {
    let (server, sql) = (server.to_string(), sql.to_string());
    std::thread::spawn(move || {
        let mut client =
            studybot::store::postgres::connect_client(&server).map_err(|e| e.to_string())?;
        client.batch_execute(&sql).map_err(|e| e.to_string())
    })
    .join()
    .map_err(|_| "the admin thread panicked".to_string())?
}
