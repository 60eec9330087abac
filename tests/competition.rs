//! Group quiz competitions scripted through the handlers with an injected
//! time: exact speed points and run bonuses, the fastest three of each
//! round, the podium, late and second presses, a restart in the middle and
//! two channels at once.

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use std::path::Path;
use std::sync::Arc;
use studybot::config::Config;
use studybot::handlers::{self, competition};
use studybot::request::{Action, ChannelId, GuildId, InteractionId, Request, UserId};
use studybot::{App, Library, Reply};

const GUILD: u64 = 10;
const CHANNEL: u64 = 500;
const ANNA: u64 = 1;
const BORIS: u64 = 2;
const CHEN: u64 = 3;
const DANA: u64 = 4;

fn name(user: u64) -> &'static str {
    ["?", "anna", "boris", "chen", "dana"]
        .get(user as usize)
        .copied()
        .unwrap_or("ms-petrova")
}

fn app_on(dir: &Path) -> App {
    let pack = common::quiz_pack_with(dir, &["multiple_choice", "true_false"]);
    let (library, _) = Library::load(&[pack]).unwrap();
    let store = studybot::store::open(dir.join("s.db").to_str().unwrap()).unwrap();
    App::new(Config::default(), library, store).unwrap()
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
}

fn at(seconds: i64) -> DateTime<Utc> {
    t0() + Duration::seconds(seconds)
}

static NEXT_INTERACTION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

fn request(user: u64, channel: u64, action: Action, now: DateTime<Utc>) -> Request {
    Request {
        action,
        guild: Some(GuildId(GUILD)),
        channel: Some(ChannelId(channel)),
        user: UserId(user),
        display_name: name(user).to_string(),
        teacher: false,
        roles: Vec::new(),
        interaction: InteractionId(
            NEXT_INTERACTION.fetch_add(1, std::sync::atomic::Ordering::SeqCst),
        ),
        now,
        attachment: None,
    }
}

fn command(
    app: &App,
    user: u64,
    channel: u64,
    sub: &str,
    options: &[(&str, &str)],
    now: DateTime<Utc>,
) -> Reply {
    let action = Action::Command {
        name: "competition".into(),
        subcommands: vec![sub.into()],
        options: options
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    };
    handlers::respond(app, &request(user, channel, action, now))
}

fn press(app: &App, user: u64, custom_id: &str, now: DateTime<Utc>) -> Reply {
    let action = Action::Press {
        custom_id: custom_id.into(),
        input: None,
    };
    handlers::respond(app, &request(user, CHANNEL, action, now))
}

/// The custom id of the right (or a wrong) button of a round, worked out
/// from the stored round and the content.
fn button(app: &App, competition: i64, round: u32, right: bool) -> String {
    let stored = app.store.competition(competition).unwrap().unwrap();
    let round_data = stored.round(round).unwrap();
    let library = app.library();
    let (pack, question) = studybot::quiz::find(&library.content, &round_data.question).unwrap();
    let position = round_data
        .option_order
        .iter()
        .position(|&i| studybot::quiz::is_correct(pack, question, Some(i), None) == right)
        .unwrap();
    format!("cq1:{competition}:{round}:{position}")
}

fn running_id(app: &App, channel: u64) -> i64 {
    app.store
        .running_competition_in(channel)
        .unwrap()
        .expect("a competition runs")
        .id
}

fn titles(step: &competition::Step) -> Vec<String> {
    step.posts
        .iter()
        .map(|p| p.reply.title.clone().unwrap_or_default())
        .collect()
}

#[test]
fn a_scripted_competition_scores_speed_runs_and_a_podium() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_on(dir.path());
    let season = handlers::respond(&app, &{
        let mut r = request(
            9,
            CHANNEL,
            Action::Command {
                name: "season".into(),
                subcommands: vec!["start".into()],
                options: [("name".to_string(), "Autumn".to_string())].into(),
            },
            at(-60),
        );
        r.teacher = true;
        r
    });
    assert_eq!(season.title.as_deref(), Some("New season"));

    let started = command(
        &app,
        ANNA,
        CHANNEL,
        "start",
        &[("rounds", "2"), ("seconds", "20")],
        at(0),
    );
    assert_eq!(
        started.title.as_deref(),
        Some("Quiz competition!"),
        "{}",
        started.text
    );
    assert!(!started.ephemeral, "the whole channel sees it");
    assert!(started
        .text
        .starts_with("**2 questions, 20 seconds each.**"));
    let id = running_id(&app, CHANNEL);

    // Round 1 opens at once, with a countdown and buttons.
    let step = competition::advance(&app, id, at(0)).unwrap();
    assert_eq!(titles(&step), ["Round 1 of 2 (medium)"]);
    let round1 = &step.posts[0];
    assert_eq!(round1.channel, CHANNEL);
    assert_eq!(round1.shows_round, Some(1));
    assert!(round1
        .reply
        .text
        .ends_with(&format!("Closes <t:{}:R>.", at(20).timestamp())));
    assert!(round1.reply.buttons.len() >= 2);
    assert_eq!(step.next, Some(at(20)));
    app.store.set_round_message(id, 1, 7001).unwrap();

    let right = button(&app, id, 1, true);
    let wrong = button(&app, id, 1, false);
    let anna = press(&app, ANNA, &right, at(0));
    assert_eq!(
        anna.title.as_deref(),
        Some("Correct! +20 points"),
        "{}",
        anna.text
    );
    assert!(anna.ephemeral);
    let boris = press(&app, BORIS, &right, at(10));
    assert_eq!(boris.title.as_deref(), Some("Correct! +15 points"));
    let chen = press(&app, CHEN, &wrong, at(5));
    assert_eq!(chen.title.as_deref(), Some("Not quite"));
    assert!(
        !chen.text.contains("answer is **"),
        "the answer stays secret until the round closes"
    );
    // A second press changes nothing.
    let again = press(&app, ANNA, &wrong, at(6));
    assert_eq!(again.title.as_deref(), Some("Already answered"));
    // Before the deadline nothing happens; after it, a press is refused.
    let early = competition::advance(&app, id, at(19)).unwrap();
    assert!(early.posts.is_empty());
    assert_eq!(early.next, Some(at(20)));
    let late = press(&app, DANA, &right, at(21));
    assert!(
        late.ephemeral && late.text.starts_with("Too late"),
        "{}",
        late.text
    );

    // The round closes: its buttons go, the answer and the fastest three come.
    let step = competition::advance(&app, id, at(21)).unwrap();
    assert_eq!(
        titles(&step),
        [
            "Round 1 of 2 (medium)",
            "Round 1 of 2: the answer",
            "Round 2 of 2 (medium)"
        ]
    );
    assert_eq!(
        step.posts[0].edit,
        Some(7001),
        "the round's message loses its buttons"
    );
    assert!(step.posts[0].reply.buttons.is_empty());
    let results = &step.posts[1].reply;
    assert_eq!(
        results.fields[0].value,
        "1. anna — 0.0 s (+20)\n2. boris — 10.0 s (+15)"
    );
    assert!(results
        .footer
        .as_deref()
        .unwrap()
        .starts_with("3 answered, 2 correct"));
    assert_eq!(step.next, Some(at(41)));

    // Round 2 (opened at 21 s, closing at 41 s): runs of two earn +2.
    let right = button(&app, id, 2, true);
    let boris = press(&app, BORIS, &right, at(21));
    assert_eq!(
        boris.title.as_deref(),
        Some("Correct! +22 points"),
        "{}",
        boris.text
    );
    assert!(boris.text.contains("2 right in a row: +2 bonus"));
    let anna = press(&app, ANNA, &right, at(41));
    assert_eq!(
        anna.title.as_deref(),
        Some("Correct! +12 points"),
        "at the deadline: half, plus the run"
    );
    let chen = press(&app, CHEN, &right, at(31));
    assert_eq!(
        chen.title.as_deref(),
        Some("Correct! +15 points"),
        "no run after a wrong answer"
    );

    let step = competition::advance(&app, id, at(41)).unwrap();
    assert_eq!(
        titles(&step),
        ["Round 2 of 2: the answer", "Competition over: the podium"]
    );
    assert_eq!(
        step.posts[0].reply.fields[0].value,
        "1. boris — 0.0 s (+22)\n2. chen — 10.0 s (+15)\n3. anna — 20.0 s (+12)"
    );
    let podium = &step.posts[1].reply;
    assert_eq!(
        podium.text,
        "🥇 **boris** — 37 points\n🥈 **anna** — 32 points\n🥉 **chen** — 15 points"
    );
    assert_eq!(
        podium.fields[0].value,
        "1. boris — 37 points, 2 of 2 correct\n2. anna — 32 points, 2 of 2 correct\n3. chen — 15 points, 1 of 2 correct"
    );
    assert_eq!(step.next, None, "over");
    assert!(competition::advance(&app, id, at(60))
        .unwrap()
        .posts
        .is_empty());
    let finished = press(&app, DANA, &right, at(42));
    assert_eq!(finished.text, "This competition has ended.");

    // The points count on the season's leaderboard.
    let mut board = request(
        DANA,
        CHANNEL,
        Action::Command {
            name: "leaderboard".into(),
            subcommands: vec![],
            options: [("period".to_string(), "season".to_string())].into(),
        },
        at(70),
    );
    board.display_name = "dana".into();
    let board = handlers::respond(&app, &board);
    assert!(
        board.text.starts_with("**1.** **boris** — 37 points (2 of 2 correct)\n**2.** **anna** — 32 points (2 of 2 correct)\n**3.** **chen** — 15 points (1 of 2 correct)"),
        "{}",
        board.text
    );
}

#[test]
fn a_restart_mid_competition_keeps_finished_rounds_and_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let id = {
        let app = app_on(dir.path());
        command(
            &app,
            ANNA,
            CHANNEL,
            "start",
            &[("rounds", "2"), ("seconds", "10")],
            at(0),
        );
        let id = running_id(&app, CHANNEL);
        competition::advance(&app, id, at(0)).unwrap();
        let right = button(&app, id, 1, true);
        press(&app, ANNA, &right, at(2));
        press(&app, BORIS, &right, at(4));
        id
        // The process stops here, with round 1 still open.
    };
    let app = Arc::new(app_on(dir.path()));
    // Back after its deadline: round 1 is closed with its answers, round 2 opens.
    let step = competition::advance(&app, id, at(30)).unwrap();
    assert_eq!(
        titles(&step),
        ["Round 1 of 2: the answer", "Round 2 of 2 (medium)"]
    );
    assert_eq!(
        step.posts[0].reply.fields[0].value,
        "1. anna — 2.0 s (+18)\n2. boris — 4.0 s (+16)"
    );
    let right = button(&app, id, 2, true);
    let anna = press(&app, ANNA, &right, at(30));
    assert_eq!(anna.title.as_deref(), Some("Correct! +22 points"));
    let step = competition::advance(&app, id, at(40)).unwrap();
    let podium = &step.posts.last().unwrap().reply;
    assert_eq!(
        podium.text,
        "🥇 **anna** — 40 points\n🥈 **boris** — 16 points"
    );
    // Exactly once across the restart: the all-time totals match.
    let board = app
        .store
        .leaderboard(GuildId(GUILD), "all", 10, UserId(ANNA))
        .unwrap();
    let points: Vec<(u64, i64)> = board.top.iter().map(|s| (s.user.0, s.points)).collect();
    assert_eq!(points, [(ANNA, 40), (BORIS, 16)]);
}

#[test]
fn channels_run_their_own_competitions_and_only_the_starter_or_a_teacher_stops_one() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_on(dir.path());
    const OTHER: u64 = 600;
    command(&app, ANNA, CHANNEL, "start", &[("rounds", "1")], at(0));
    let busy = command(&app, BORIS, CHANNEL, "start", &[], at(1));
    assert!(
        busy.ephemeral && busy.text.starts_with("A competition is already running"),
        "{}",
        busy.text
    );
    let other = command(
        &app,
        BORIS,
        OTHER,
        "start",
        &[("rounds", "1"), ("seconds", "30")],
        at(1),
    );
    assert_eq!(other.title.as_deref(), Some("Quiz competition!"));
    let (a, b) = (running_id(&app, CHANNEL), running_id(&app, OTHER));
    assert_ne!(a, b);

    let steps = competition::advance_all(&app, at(2)).unwrap();
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0].posts[0].channel, CHANNEL);
    assert_eq!(steps[1].posts[0].channel, OTHER);
    assert_eq!(steps[0].next, Some(at(22)));
    assert_eq!(steps[1].next, Some(at(32)));
    // A button of one competition cannot answer the other's round.
    let stray = format!("cq1:{a}:2:0");
    assert!(press(&app, CHEN, &stray, at(3))
        .text
        .contains("does not belong"));

    let refused = command(&app, CHEN, OTHER, "stop", &[], at(5));
    assert!(
        refused.text.starts_with("Only the student who started"),
        "{}",
        refused.text
    );
    let stopped = command(&app, BORIS, OTHER, "stop", &[], at(5));
    assert_eq!(
        stopped.title.as_deref(),
        Some("Competition stopped: the podium so far")
    );
    assert!(app.store.running_competition_in(OTHER).unwrap().is_none());
    assert!(competition::advance(&app, b, at(40))
        .unwrap()
        .posts
        .is_empty());
    // A teacher may stop someone else's competition.
    let mut teacher = request(
        9,
        CHANNEL,
        Action::Command {
            name: "competition".into(),
            subcommands: vec!["stop".into()],
            options: Default::default(),
        },
        at(6),
    );
    teacher.teacher = true;
    assert!(handlers::respond(&app, &teacher)
        .title
        .unwrap()
        .starts_with("Competition stopped"));
    // The channel is free again.
    let again = command(&app, CHEN, CHANNEL, "start", &[], at(7));
    assert_eq!(again.title.as_deref(), Some("Quiz competition!"));
}

#[test]
fn a_server_can_keep_starting_competitions_to_teachers_and_bad_options_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_on(dir.path());
    let mut set = request(
        9,
        CHANNEL,
        Action::Command {
            name: "settings".into(),
            subcommands: vec!["competitions".into()],
            options: [("who".to_string(), "teachers".to_string())].into(),
        },
        at(0),
    );
    set.teacher = true;
    assert_eq!(
        handlers::respond(&app, &set).title.as_deref(),
        Some("Settings saved")
    );
    let refused = command(&app, ANNA, CHANNEL, "start", &[], at(1));
    assert_eq!(
        refused.text,
        "In this server only teachers can start a competition."
    );
    for (option, value) in [
        ("rounds", "0"),
        ("rounds", "21"),
        ("seconds", "5"),
        ("seconds", "x"),
    ] {
        let mut bad = request(
            9,
            CHANNEL,
            Action::Command {
                name: "competition".into(),
                subcommands: vec!["start".into()],
                options: [(option.to_string(), value.to_string())].into(),
            },
            at(2),
        );
        bad.teacher = true;
        let reply = handlers::respond(&app, &bad);
        assert!(
            reply.ephemeral
                && reply
                    .text
                    .contains(&format!("`{option}` is a whole number")),
            "{}",
            reply.text
        );
    }
    assert!(app.store.running_competition_in(CHANNEL).unwrap().is_none());
}

/// Issue #20, 4: four runners (two processes' schedulers, a restart in the
/// middle of a tick) advancing one competition at the same moments post
/// each round's question once, its results once and the podium once.
#[test]
fn concurrent_runners_post_each_round_once() {
    let dir = tempfile::tempdir().unwrap();
    let runners: Vec<App> = (0..4).map(|_| app_on(dir.path())).collect();
    let started = command(
        &runners[0],
        ANNA,
        CHANNEL,
        "start",
        &[("rounds", "3"), ("seconds", "20")],
        at(0),
    );
    assert_eq!(started.title.as_deref(), Some("Quiz competition!"));
    let id = running_id(&runners[0], CHANNEL);
    let mut all_titles = Vec::new();
    for tick in [0, 20, 40, 60] {
        let barrier = std::sync::Barrier::new(runners.len());
        let posted: Vec<Vec<String>> = std::thread::scope(|scope| {
            let handles: Vec<_> = runners
                .iter()
                .map(|app| {
                    let barrier = &barrier;
                    scope.spawn(move || {
                        barrier.wait();
                        titles(&competition::advance(app, id, at(tick)).unwrap())
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        all_titles.extend(posted.into_iter().flatten());
    }
    all_titles.sort();
    let mut expected = vec![
        "Round 1 of 3 (medium)".to_string(),
        "Round 2 of 3 (medium)".to_string(),
        "Round 3 of 3 (medium)".to_string(),
        "Round 1 of 3: the answer".to_string(),
        "Round 2 of 3: the answer".to_string(),
        "Round 3 of 3: the answer".to_string(),
    ];
    let podium: Vec<&String> = all_titles
        .iter()
        .filter(|t| !t.starts_with("Round"))
        .collect();
    assert_eq!(podium.len(), 1, "one podium: {all_titles:?}");
    expected.push(podium[0].clone());
    expected.sort();
    let difficulty_free: Vec<String> = all_titles
        .iter()
        .map(|t| {
            t.replace("(easy)", "(medium)")
                .replace("(hard)", "(medium)")
        })
        .collect();
    assert_eq!(difficulty_free, expected);
}

/// Issue #20, 12: a round's button pressed in another channel of the
/// server (an id copied there) is refused and scores nothing.
#[test]
fn a_round_is_answered_only_in_its_channel() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_on(dir.path());
    command(&app, ANNA, CHANNEL, "start", &[("rounds", "1")], at(0));
    let id = running_id(&app, CHANNEL);
    competition::advance(&app, id, at(0)).unwrap();
    let right = button(&app, id, 1, true);
    let elsewhere = handlers::respond(
        &app,
        &request(
            BORIS,
            CHANNEL + 1,
            Action::Press {
                custom_id: right.clone(),
                input: None,
            },
            at(2),
        ),
    );
    assert!(elsewhere.ephemeral);
    assert_eq!(
        elsewhere.text,
        format!("This competition is played in <#{CHANNEL}>: answer there.")
    );
    let here = press(&app, BORIS, &right, at(3));
    assert!(here.text.starts_with("Answered in 3.0 s"), "{}", here.text);
}
