//! The load driver: studybot under load beside a bare serenity bot
//! (`examples/echo_bot.rs`), both as child processes talking to the fake
//! Discord of the end-to-end tests (`tests/fake_discord/`), everything on
//! 127.0.0.1.
//!
//! For each bot it measures start-up to command registration and idle RSS,
//! then sends interactions at a fixed rate and flat out (a bounded number in
//! flight) and records, for each, the time from its dispatch on the gateway
//! to the bot's callback request. It reports sent, answered, throughput,
//! p50/p99/max latency, the bot's CPU time per interaction (from
//! /proc/PID/stat) and peak RSS (VmHWM), and checks the targets of
//! docs/performance.md. The driver stops the bots and itself when done.
//!
//! Run (builds the echo bot first; `--quick` for a short smoke run;
//! `LOAD_ONLY=explain` runs only the studybot runs whose name contains it,
//! `LOAD_TOTAL=N` sends N interactions flat out, for profiling):
//!
//! ```sh
//! cargo build --release --example echo_bot && cargo bench --bench e2e_load
//! ```

#[path = "../tests/fake_discord/mod.rs"]
mod fake_discord;
#[path = "support/mod.rs"]
mod support;

use chrono::{Duration as Days, Utc};
use fake_discord::{
    FakeDiscord, Person, CHANNEL, GUILD, OTHER_CHANNEL, OTHER_GUILD, STUDENT_PERMISSIONS, TOKEN,
};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use studybot::request::{GuildId, InteractionId, UserId};
use studybot::store::prelude::*;
use studybot::store::{InstanceKind, NewAnswer, NewInstance};

/// Students already on the leaderboard of the guild.
const STUDENTS: u64 = 100_000;

#[derive(Clone, Copy)]
enum Mode {
    /// `per_second` interactions a second for `seconds`.
    Rate { per_second: u32, seconds: u32 },
    /// `total` interactions as fast as the bot answers, at most `in_flight` unanswered.
    FlatOut { total: usize, in_flight: usize },
}

impl Mode {
    fn label(self) -> String {
        match self {
            Mode::Rate { per_second, .. } => format!("{per_second}/s"),
            Mode::FlatOut { in_flight, .. } => format!("flat out ({in_flight} in flight)"),
        }
    }
}

struct Outcome {
    bot: &'static str,
    run: String,
    mode: String,
    flat_out: bool,
    sent: usize,
    answered: usize,
    seconds: f64,
    latencies: Vec<u64>,
    cpu_micros_each: f64,
    /// For a studybot run flat out: the echo bot's throughput measured just
    /// before it, so slow drifts of a shared machine cancel in the ratio.
    paired_echo: Option<f64>,
}

impl Outcome {
    fn throughput(&self) -> f64 {
        self.answered as f64 / self.seconds
    }
    fn p(&self) -> (f64, f64, f64) {
        support::percentiles(self.latencies.clone())
    }
}

/// A bot running as a child process against its own fake Discord.
struct Bot {
    name: &'static str,
    child: Child,
    fake: FakeDiscord,
    startup: Duration,
    idle_rss_kb: u64,
    /// Of the idle RSS, how much is anonymous memory (heap, stacks); the
    /// rest is file-backed (mostly the binary's own code and data).
    idle_anon_kb: u64,
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn proc_field(pid: u32, key: &str) -> u64 {
    proc_file_field(pid, "status", key)
}

fn proc_file_field(pid: u32, file: &str, key: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/{file}")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Where a process's resident memory is, from /proc/PID/smaps: the
/// binary's own pages (file-backed, then the private copies of its data),
/// the heap, other anonymous mappings (thread stacks, malloc's per-thread
/// arenas, SQLite's caches) and shared libraries, in KiB.
fn rss_by_mapping(pid: u32) -> String {
    let smaps = std::fs::read_to_string(format!("/proc/{pid}/smaps")).unwrap_or_default();
    let exe = std::fs::read_link(format!("/proc/{pid}/exe"))
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let mut groups: std::collections::BTreeMap<&str, (u64, u64, usize)> = Default::default();
    let mut group = "";
    for line in smaps.lines() {
        let mut fields = line.split_whitespace();
        let first = fields.next().unwrap_or("");
        if first.contains('-') && !first.ends_with(':') {
            let path = line.split_whitespace().nth(5).unwrap_or("");
            group = match path {
                "" => "anonymous (stacks, arenas, caches)",
                "[heap]" => "heap",
                p if p == exe => "binary",
                p if p.starts_with('[') => "kernel ([stack], [vdso]...)",
                _ => "shared libraries",
            };
            groups.entry(group).or_default().2 += 1;
        } else if first == "Rss:" || first == "Anonymous:" {
            let kb: u64 = fields.next().and_then(|v| v.parse().ok()).unwrap_or(0);
            let entry = groups.entry(group).or_default();
            if first == "Rss:" {
                entry.0 += kb;
            } else {
                entry.1 += kb;
            }
        }
    }
    groups
        .iter()
        .map(|(name, (rss, anon, count))| {
            format!("{name} {rss} KiB ({anon} anonymous, {count} mappings)")
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// User + system CPU seconds of a process (clock ticks are 1/100 s: USER_HZ).
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which is in parentheses).
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|f| f.parse::<u64>().ok()))
        .sum();
    ticks as f64 / 100.0
}

fn student(n: u64) -> Person {
    Person {
        id: 1_500_000_000_000_000_000 + n,
        name: "student",
        permissions: STUDENT_PERMISSIONS,
    }
}

fn option(name: &str, value: &str) -> Value {
    json!([{"name": name, "type": 3, "value": value}])
}

async fn measure(
    bot: &Bot,
    run: &str,
    mode: Mode,
    make: &(dyn Fn(u64) -> Value + Sync),
) -> Outcome {
    let pid = bot.child.id();
    let cpu_before = cpu_seconds(pid);
    let started = Instant::now();
    let mut waiters = Vec::new();
    let send = |i: u64| {
        let interaction = make(i);
        let id: u64 = interaction["id"].as_str().unwrap().parse().unwrap();
        let callback = bot.fake.await_callback(id);
        let fake = bot.fake.clone();
        let sent_at = Instant::now();
        fake.dispatch_unchecked(interaction);
        tokio::spawn(async move {
            match tokio::time::timeout(Duration::from_secs(10), callback).await {
                Ok(Ok((at, _))) => Some((at - sent_at).as_nanos() as u64),
                _ => {
                    fake.forget_callback(id);
                    None
                }
            }
        })
    };
    let sent = match mode {
        Mode::Rate {
            per_second,
            seconds,
        } => {
            let total = u64::from(per_second * seconds);
            let mut ticker =
                tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(per_second)));
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            for i in 0..total {
                ticker.tick().await;
                waiters.push(send(i));
            }
            total as usize
        }
        Mode::FlatOut { total, in_flight } => {
            let permits = Arc::new(tokio::sync::Semaphore::new(in_flight));
            for i in 0..total as u64 {
                let permit = permits.clone().acquire_owned().await.unwrap();
                let waiter = send(i);
                waiters.push(tokio::spawn(async move {
                    let latency = waiter.await.ok().flatten();
                    drop(permit);
                    latency
                }));
            }
            total
        }
    };
    let mut latencies = Vec::with_capacity(sent);
    for waiter in waiters {
        if let Ok(Some(latency)) = waiter.await {
            latencies.push(latency);
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let answered = latencies.len();
    let cpu = cpu_seconds(pid) - cpu_before;
    Outcome {
        bot: bot.name,
        run: run.to_string(),
        mode: mode.label(),
        flat_out: matches!(mode, Mode::FlatOut { .. }),
        sent,
        answered,
        seconds,
        latencies,
        cpu_micros_each: cpu * 1e6 / answered.max(1) as f64,
        paired_echo: None,
    }
}

/// A short unmeasured burst before each run, so first-use costs (code
/// paged in, caches filled, connections opened) do not count in the run.
async fn warm_up(bot: &Bot, make: &(dyn Fn(u64) -> Value + Sync)) {
    let burst = Mode::FlatOut {
        total: 300,
        in_flight: 8,
    };
    // Offset the sequence so warm-up presses come from other students.
    let shifted = |i: u64| make(900_000 + i);
    measure(bot, "warm-up", burst, &shifted).await;
}

/// A database whose guild already has `STUDENTS` students on the board.
fn populate(path: &Path, daily: &DailyQuestions) {
    let store = studybot::store::sqlite::SqliteStore::open(path).unwrap();
    let yesterday = Utc::now() - Days::days(1);
    let instance = store
        .create_instance(&NewInstance {
            kind: InstanceKind::Daily,
            guild: Some(GuildId(GUILD)),
            owner: None,
            day: Some(yesterday.date_naive() - Days::days(400)),
            class: 0,
            question: "great-purge/load".into(),
            option_order: vec![0, 1, 2, 3],
            created_at: yesterday,
        })
        .unwrap();
    let answers: Vec<NewAnswer> = (1..=STUDENTS)
        .map(|user| {
            let correct = !user.is_multiple_of(4);
            NewAnswer {
                instance: instance.id,
                guild: Some(GuildId(GUILD)),
                user: UserId(1_600_000_000_000_000_000 + user),
                interaction: InteractionId(1_700_000_000_000_000_000 + user),
                question: "great-purge/load".into(),
                answer: "x".into(),
                correct,
                points: if correct {
                    10 + (user % 3) as i64 * 10
                } else {
                    0
                },
                at: yesterday,
                periods: vec!["all".into()],
                streak: None,
                display_name: None,
                review: None,
            }
        })
        .collect();
    for chunk in answers.chunks(50_000) {
        store.record_many(chunk).unwrap();
    }
    // Today's daily question, pinned, so that a press measures the same work
    // whatever the date: a choice question in GUILD, a typed one in
    // OTHER_GUILD (the bot would otherwise pick one by date). Created for
    // yesterday, today and tomorrow (UTC, the bot's default time zone), so
    // a run that crosses midnight stays pinned.
    let now = Utc::now();
    for (guild, question) in [(GUILD, &daily.choice), (OTHER_GUILD, &daily.typed)] {
        for offset in -1..=1 {
            store
                .create_instance(&NewInstance {
                    kind: InstanceKind::Daily,
                    guild: Some(GuildId(guild)),
                    owner: None,
                    day: Some(now.date_naive() + Days::days(offset)),
                    class: 0,
                    question: question.key.clone(),
                    option_order: (0..question.options).collect(),
                    created_at: now,
                })
                .unwrap();
        }
    }
}

/// A question of the bundled pack that the bench pins as a daily question.
struct Pinned {
    /// `pack/question`, as instances name it.
    key: String,
    /// Its choice buttons (0 for a typed question).
    options: usize,
    /// For a typed question: the right answer as typed, a slip of it, and a
    /// wrong answer; presses cycle through them.
    typed: [String; 3],
}

/// The daily questions of the runs: the bundled pack's first multiple-choice
/// question and its first typed (free-text) question.
struct DailyQuestions {
    choice: Pinned,
    typed: Pinned,
}

impl DailyQuestions {
    fn from_bundled_pack() -> Self {
        use studybot::content::Answer;
        let (content, _) = studybot::content::load_bundled()
            .into_result()
            .expect("the bundled pack loads");
        let pack = &content.packs[0];
        let find = |typed: bool| {
            pack.questions
                .iter()
                .find_map(|q| match (&q.answer, typed) {
                    (Answer::MultipleChoice { options, .. }, false) => Some(Pinned {
                        key: format!("{}/{}", pack.id, q.id),
                        options: options.len(),
                        typed: Default::default(),
                    }),
                    (Answer::FreeText { answers, .. }, true) => {
                        let right = answers[0].clone();
                        let mut slip: Vec<char> = right.chars().collect();
                        let mid = slip.len() / 2;
                        slip.swap(mid - 1, mid);
                        Some(Pinned {
                            key: format!("{}/{}", pack.id, q.id),
                            options: 0,
                            typed: [right, slip.into_iter().collect(), "1937".into()],
                        })
                    }
                    _ => None,
                })
                .expect("the bundled pack has both kinds")
        };
        Self {
            choice: find(false),
            typed: find(true),
        }
    }
}

/// `interaction` as if it came from OTHER_GUILD's channel.
fn in_other_guild(mut interaction: Value) -> Value {
    let (guild, channel) = (OTHER_GUILD.to_string(), OTHER_CHANNEL.to_string());
    interaction["guild"]["id"] = json!(guild);
    interaction["guild_id"] = json!(guild);
    interaction["channel"]["guild_id"] = json!(guild);
    interaction["channel"]["id"] = json!(channel);
    interaction["channel_id"] = json!(channel);
    interaction["authorizing_integration_owners"]["0"] = json!(guild);
    interaction
}

fn echo_binary() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_BIN_EXE_studybot"))
        .parent()
        .unwrap()
        .join("examples/echo_bot");
    if !path.is_file() {
        eprintln!(
            "{} is missing: build it first with `cargo build --release --example echo_bot`",
            path.display()
        );
        std::process::exit(2);
    }
    path
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (rate_seconds, mut flat_total) = if quick { (2, 1000) } else { (8, 8000) };
    if let Some(total) = std::env::var("LOAD_TOTAL")
        .ok()
        .and_then(|t| t.parse().ok())
    {
        flat_total = total;
    }
    let rate = Mode::Rate {
        per_second: 500,
        seconds: rate_seconds,
    };
    let flat = Mode::FlatOut {
        total: flat_total,
        in_flight: 64,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(drive(rate, flat));
}

async fn drive(rate: Mode, flat: Mode) {
    let echo_path = echo_binary();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("studybot.db");
    let built = Instant::now();
    let daily_questions = DailyQuestions::from_bundled_pack();
    populate(&db, &daily_questions);
    eprintln!(
        "database with {STUDENTS} students built in {:.1} s",
        built.elapsed().as_secs_f64()
    );
    let content = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("content");
    let config = dir.path().join("studybot.toml");
    let mut outcomes = Vec::new();

    // The echo bot: the floor.
    let fake = FakeDiscord::start_quiet().await;
    let mut command = Command::new(&echo_path);
    command.env("DISCORD_PROXY", fake.proxy_url());
    let echo = start_bot(fake, "echo bot", command).await;
    let echo_text = |i: u64| {
        echo.fake.command_interaction(
            student(i % 1000),
            GUILD,
            CHANNEL,
            "echo",
            option("text", "yezhof"),
        )
    };
    fake_discord::assert_parses(&echo_text(0));
    warm_up(&echo, &echo_text).await;
    for mode in [rate, flat] {
        outcomes.push(measure(&echo, "/echo text", mode, &echo_text).await);
    }
    let (echo_startup, echo_idle, echo_anon) = (echo.startup, echo.idle_rss_kb, echo.idle_anon_kb);

    // studybot, on the bundled content, with the populated database.
    // The proxy comes from the config file.
    std::fs::write(
        &config,
        "[discord]\nproxy = \"PROXY\"\n[database]\nurl = \"sqlite://DB\"\n[content]\nfolders = [\"CONTENT\"]\n[log]\nlevel = \"warn\"\n"
            .replace("DB", &db.display().to_string())
            .replace("CONTENT", &content.display().to_string()),
    )
    .unwrap();
    let mut studybot = {
        // The config names the proxy, so the fake must exist first: start
        // it, write its address in, then start the process.
        let fake = FakeDiscord::start_quiet().await;
        let text = std::fs::read_to_string(&config)
            .unwrap()
            .replace("PROXY", &fake.proxy_url());
        std::fs::write(&config, text).unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_studybot"));
        command.arg("--config").arg(&config).arg("run");
        start_bot(fake, "studybot", command).await
    };
    let bot = &studybot;
    let explain = |i: u64| {
        bot.fake.command_interaction(
            student(i % 1000),
            GUILD,
            CHANNEL,
            "explain",
            option("term", "yezhof"),
        )
    };
    let date = |i: u64| {
        bot.fake.command_interaction(
            student(i % 1000),
            GUILD,
            CHANNEL,
            "date",
            option("when", "1936-1938"),
        )
    };
    let leaderboard = |i: u64| {
        bot.fake
            .command_interaction(student(i % 1000), GUILD, CHANNEL, "leaderboard", json!([]))
    };
    for make in [
        &explain as &(dyn Fn(u64) -> Value + Sync),
        &date,
        &leaderboard,
    ] {
        fake_discord::assert_parses(&make(0));
    }

    // Today's daily question of each guild (pinned above): its message,
    // then presses from distinct students.
    let daily_message = |other: bool| {
        let mut daily =
            bot.fake
                .command_interaction(student(0), GUILD, CHANNEL, "daily", json!([]));
        if other {
            daily = in_other_guild(daily);
        }
        let id: u64 = daily["id"].as_str().unwrap().parse().unwrap();
        let reply = bot.fake.await_callback(id);
        async move {
            bot.fake.dispatch(daily).await;
            let (_, body) = tokio::time::timeout(Duration::from_secs(10), reply)
                .await
                .expect("/daily answers")
                .unwrap();
            let channel = if other { OTHER_CHANNEL } else { CHANNEL };
            let message = bot.fake.message_from_reply(channel, &body["data"]);
            let buttons: Vec<String> = message["components"][0]["components"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b["custom_id"].as_str().unwrap().to_string())
                .collect();
            (message, buttons)
        }
    };
    let choice_daily = daily_message(false).await;
    let typed_daily = daily_message(true).await;
    assert!(
        !choice_daily.1[0].starts_with("qa1:") && typed_daily.1[0].starts_with("qa1:"),
        "the pinned daily questions are served: {:?} {:?}",
        choice_daily.1,
        typed_daily.1
    );
    let typed_answers = daily_questions.typed.typed.clone();
    let mut next_student = 10_000u64;
    let press_run = |offset: &mut u64, typed: bool| {
        let base = *offset;
        *offset += 1_000_000;
        let (message, buttons) = if typed {
            typed_daily.clone()
        } else {
            choice_daily.clone()
        };
        let typed_answers = typed_answers.clone();
        move |i: u64| {
            let who = student(base + i);
            if typed {
                let modal = format!("m1:{}", buttons[0]);
                let text = &typed_answers[(i % 3) as usize];
                in_other_guild(bot.fake.modal_interaction(
                    who,
                    Some(&message),
                    &modal,
                    "answer",
                    text,
                ))
            } else {
                let button = &buttons[(i % buttons.len() as u64) as usize];
                bot.fake.button_interaction(who, &message, button)
            }
        }
    };
    fake_discord::assert_parses(&press_run(&mut next_student, false)(0));
    fake_discord::assert_parses(&press_run(&mut next_student, true)(0));

    let only = std::env::var("LOAD_ONLY").unwrap_or_default();
    for mode in [rate, flat] {
        let presses = press_run(&mut next_student, false);
        let typed_presses = press_run(&mut next_student, true);
        let runs: [(&str, &(dyn Fn(u64) -> Value + Sync)); 5] = [
            ("/explain yezhof (misspelled)", &explain),
            ("/date 1936-1938", &date),
            ("daily press (choice, scored, distinct students)", &presses),
            ("daily typed (right, slip, wrong; scored)", &typed_presses),
            ("/leaderboard (100,000 students)", &leaderboard),
        ];
        let warm_presses = press_run(&mut next_student, false);
        let warm_typed = press_run(&mut next_student, true);
        for (run, make) in runs {
            if run.contains(only.as_str()) {
                if run.starts_with("daily press") {
                    warm_up(bot, &warm_presses).await;
                } else if run.starts_with("daily typed") {
                    warm_up(bot, &warm_typed).await;
                } else {
                    warm_up(bot, make).await;
                }
                let paired = match mode {
                    Mode::FlatOut { .. } => {
                        let echo_run =
                            measure(&echo, "/echo text (paired)", mode, &echo_text).await;
                        let throughput = echo_run.throughput();
                        outcomes.push(echo_run);
                        Some(throughput)
                    }
                    Mode::Rate { .. } => None,
                };
                let mut outcome = measure(bot, run, mode, make).await;
                outcome.paired_echo = paired;
                outcomes.push(outcome);
            }
        }
    }
    let study_peak = proc_field(studybot.child.id(), "VmHWM:");
    let echo_peak = proc_field(echo.child.id(), "VmHWM:");
    drop(echo);
    let (study_startup, study_idle, study_anon) = (
        studybot.startup,
        studybot.idle_rss_kb,
        studybot.idle_anon_kb,
    );
    // Every press was committed: count them in the database.
    let _ = studybot.child.kill();
    let _ = studybot.child.wait();
    let store = studybot::store::sqlite::SqliteStore::open(&db).unwrap();
    let board = store
        .leaderboard(GuildId(GUILD), "all", 1, UserId(1))
        .unwrap();

    report(
        &outcomes,
        (echo_startup, echo_idle, echo_peak, echo_anon),
        (study_startup, study_idle, study_peak, study_anon),
        board.players,
    );
}

/// Starts a bot process against `fake`; measures start-up to command
/// registration, then the idle footprint after a second's settling.
async fn start_bot(fake: FakeDiscord, name: &'static str, mut command: Command) -> Bot {
    command
        .env("DISCORD_TOKEN", TOKEN)
        // studybot's start-up breakdown (content, database) is logged too.
        .env("RUST_LOG", "warn,studybot::startup=info")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    let started = Instant::now();
    let child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
    let registered = fake.registered_at(1).await;
    let startup = registered - started;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let idle_rss_kb = proc_field(child.id(), "VmRSS:");
    let idle_anon_kb = proc_file_field(child.id(), "smaps_rollup", "Anonymous:");
    eprintln!(
        "{name}: idle RSS by mapping: {}",
        rss_by_mapping(child.id())
    );
    Bot {
        name,
        child,
        fake,
        startup,
        idle_rss_kb,
        idle_anon_kb,
    }
}

fn report(
    outcomes: &[Outcome],
    echo: (Duration, u64, u64, u64),
    study: (Duration, u64, u64, u64),
    players: u64,
) {
    println!("\n| run | bot | mode | sent | answered | throughput/s | p50 ms | p99 ms | max ms | CPU µs each |");
    println!("|---|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for o in outcomes {
        let (p50, p99, max) = o.p();
        println!(
            "| {} | {} | {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.0} |",
            o.run,
            o.bot,
            o.mode,
            o.sent,
            o.answered,
            o.throughput(),
            p50 / 1000.0,
            p99 / 1000.0,
            max / 1000.0,
            o.cpu_micros_each
        );
    }
    println!(
        "\nstart-up to command registration: studybot {:.1} ms, echo bot {:.1} ms",
        study.0.as_secs_f64() * 1000.0,
        echo.0.as_secs_f64() * 1000.0
    );
    println!(
        "RSS: studybot idle {:.1} MiB, peak {:.1} MiB; echo bot idle {:.1} MiB, peak {:.1} MiB",
        study.1 as f64 / 1024.0,
        study.2 as f64 / 1024.0,
        echo.1 as f64 / 1024.0,
        echo.2 as f64 / 1024.0
    );
    println!(
        "idle RSS by kind: studybot {:.1} MiB anonymous + {:.1} MiB file-backed (code, data); echo bot {:.1} + {:.1} MiB",
        study.3 as f64 / 1024.0,
        (study.1 - study.3) as f64 / 1024.0,
        echo.3 as f64 / 1024.0,
        (echo.1 - echo.3) as f64 / 1024.0
    );
    println!("students on the board after the runs: {players}");

    let echo_flat = outcomes
        .iter()
        .find(|o| o.bot == "echo bot" && o.flat_out)
        .map(Outcome::throughput)
        .unwrap_or(f64::NAN);
    println!("\ntargets:");
    let mark = |ok: bool| if ok { "met" } else { "MISSED" };
    for o in outcomes.iter().filter(|o| o.bot == "studybot") {
        if o.flat_out {
            let ratio = o.throughput() / o.paired_echo.unwrap_or(echo_flat);
            println!(
                "  {}: {:.2}x the echo bot's flat-out throughput, run just before it (target >= 0.8x): {}",
                o.run,
                ratio,
                mark(ratio >= 0.8)
            );
        } else {
            let (_, p99, _) = o.p();
            let limit = if o.run.starts_with("daily") { 5.0 } else { 1.0 };
            println!(
                "  {}: p99 {:.2} ms at 500/s (target < {limit} ms): {}",
                o.run,
                p99 / 1000.0,
                mark(p99 / 1000.0 < limit)
            );
        }
        if o.answered < o.sent {
            println!(
                "  {}: {} of {} unanswered",
                o.run,
                o.sent - o.answered,
                o.sent
            );
        }
    }
    let rss_ratio = study.1 as f64 / echo.1 as f64;
    println!(
        "  idle RSS: {:.2}x the echo bot's (target <= 1.3x): {}",
        rss_ratio,
        mark(rss_ratio <= 1.3)
    );
    let startup_ms = study.0.as_secs_f64() * 1000.0;
    println!(
        "  start-up to registration: {startup_ms:.1} ms (target < 100 ms): {}",
        mark(startup_ms < 100.0)
    );
}
