//! Two bot processes (the real binary, `--shards 0-0` and `--shards 1-1` of
//! `--total-shards 2`) share one PostgreSQL database, each connected to its
//! own fake Discord gateway. The process whose shard holds the class server
//! posts its daily question, once; the other posts nothing. Answers pressed
//! through both processes, the same interactions delivered twice, are each
//! counted once. The bots' logs and every reply are shown if it fails.
//!
//! Needs `STUDYBOT_TEST_POSTGRES_URL` (`.ci/postgres.sh start` prints it);
//! without it the test says it was skipped, except under `CI`, where a
//! missing database is a failure.

mod common;
mod fake_discord;

use common::pg_admin;
use fake_discord::*;
use std::time::{Duration, Instant};
use studybot::request::{GuildId, UserId};
use studybot::shards::ShardSet;
use studybot::store::GuildSettings;

/// A schema of the test's own, dropped when the test passes (kept after a
/// failure, to look at) so a developer's server does not collect them.
struct Schema {
    server: String,
    name: String,
    url: String,
}

impl Drop for Schema {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            pg_admin(&self.server, &format!("DROP SCHEMA {} CASCADE", self.name)).unwrap();
        }
    }
}

/// A fresh schema on the test server.
fn fresh_schema() -> Option<Schema> {
    let server = std::env::var("STUDYBOT_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty());
    let Some(server) = server else {
        assert!(
            std::env::var_os("CI").is_none_or(|ci| ci.is_empty()),
            "STUDYBOT_TEST_POSTGRES_URL is not set: under CI the scale-out test must run"
        );
        eprintln!("scale_out skipped: STUDYBOT_TEST_POSTGRES_URL not set");
        return None;
    };
    let name = format!("studybot_scale_{}", std::process::id());
    pg_admin(
        &server,
        &format!("DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}"),
    )
    .unwrap();
    let separator = if server.contains('?') { '&' } else { '?' };
    let url = format!("{server}{separator}options=-c%20search_path%3D{name}");
    Some(Schema { server, name, url })
}

fn players(store: &dyn studybot::store::Store) -> u64 {
    store
        .leaderboard(GuildId(GUILD), "all", 100, UserId(0))
        .unwrap()
        .players
}

fn is_channel_post(c: &Captured) -> bool {
    c.is("POST", &format!("/channels/{CHANNEL}/messages")) && c.response.get("id").is_some()
}

#[test]
fn two_processes_on_one_database_post_the_daily_question_once_and_count_each_answer_once() {
    let Some(schema) = fresh_schema() else { return };
    let url = schema.url.clone();
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    // Only this pack (it replaces the one built into the binary), so every
    // daily question is a multiple-choice one the students answer by button.
    common::replace_the_bundled_pack(&common::quiz_pack_with(&content, &["multiple_choice"]));
    // The class posts every day at 00:00 UTC: due whenever the test runs.
    let store = studybot::store::open(&url).unwrap();
    store
        .save_settings(
            GuildId(GUILD),
            &GuildSettings {
                timezone: Some("UTC".into()),
                channel: Some(CHANNEL),
                post_time: Some("00:00".into()),
                ..GuildSettings::default()
            },
            chrono::Utc::now(),
        )
        .unwrap();
    let owner_shard = ShardSet::shard_of(GuildId(GUILD), 2);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut bots = Vec::new();
    let mut replies = Vec::new();
    runtime.block_on(async {
        let fakes = [FakeDiscord::start().await, FakeDiscord::start().await];
        for (shard, fake) in fakes.iter().enumerate() {
            let config = dir.path().join(format!("shard{shard}.toml"));
            std::fs::write(
                &config,
                format!(
                    "[discord]\nproxy = \"{}\"\n[database]\nurl = \"{url}\"\n[content]\nfolders = [\"{}\"]\n[log]\nlevel = \"warn\"\n",
                    fake.proxy_url(),
                    content.display()
                ),
            )
            .unwrap();
            let shard_arg = shard.to_string();
            bots.push(
                std::process::Command::new(env!("CARGO_BIN_EXE_studybot"))
                    .args(["--config", config.to_str().unwrap(), "run", "--shards", &shard_arg, "--total-shards", "2"])
                    .env("DISCORD_TOKEN", TOKEN)
                    .stdout(std::process::Stdio::null())
                    // Kept, to be shown if the test fails.
                    .stderr(std::fs::File::create(dir.path().join(format!("shard{shard}.log"))).unwrap())
                    .spawn()
                    .unwrap(),
            );
        }
        for fake in &fakes {
            fake.wait_for_registration(1).await;
        }
        let owner = &fakes[owner_shard as usize];
        let other = &fakes[1 - owner_shard as usize];
        let post = owner.wait_for("the daily post from the owning process", is_channel_post).await;
        // Both schedulers have planned several times since (they plan at
        // start and every tick); only the owner posted, once.
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(owner.count(is_channel_post), 1, "one daily post");
        assert_eq!(other.count(is_channel_post), 0, "the other process posts nothing for this server");

        // Twelve students answer through the owner; every interaction is
        // delivered to the other process too.
        let message = post.response.clone();
        let button = message["components"][0]["components"][0]["custom_id"]
            .as_str()
            .unwrap()
            .to_string();
        let mut callbacks = Vec::new();
        for n in 0..12u64 {
            let who = Person {
                id: 1_300_000_000_000_200_000 + n,
                name: Box::leak(format!("student{n}").into_boxed_str()),
                permissions: STUDENT_PERMISSIONS,
            };
            let press = owner.button_interaction(who, &message, &button);
            for fake in [owner, other] {
                let id: u64 = press["id"].as_str().unwrap().parse().unwrap();
                callbacks.push(fake.await_callback(id));
                fake.dispatch_unchecked(press.clone());
            }
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        for callback in callbacks {
            let left = deadline.saturating_duration_since(Instant::now());
            let (_, body) = tokio::time::timeout(left, callback).await.unwrap().unwrap();
            replies.push(body["data"].to_string());
        }
        // A reply deferred by a slow commit (over 2 s) is followed up when
        // the commit is done: wait for the answers to land, not for a time.
        let deadline = Instant::now() + Duration::from_secs(20);
        while players(&*store) < 12 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        for bot in &bots {
            unsafe {
                libc::kill(bot.id() as i32, libc::SIGTERM);
            }
        }
    });
    for bot in &mut bots {
        let status = bot.wait().unwrap();
        assert!(status.success(), "a clean exit on SIGTERM: {status:?}");
    }
    let logs: Vec<String> = (0..2)
        .map(|shard| {
            std::fs::read_to_string(dir.path().join(format!("shard{shard}.log")))
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(
        players(&*store),
        12,
        "twelve students on the board; the replies: {replies:#?}; the bots' logs: {logs:#?}"
    );
    for n in 0..12u64 {
        let user = UserId(1_300_000_000_000_200_000 + n);
        let answered: u64 = store
            .question_results(Some(GuildId(GUILD)), user)
            .unwrap()
            .iter()
            .map(|r| r.answered)
            .sum();
        assert_eq!(answered, 1, "student {n} counted once");
    }
}
