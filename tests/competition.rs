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

/// A request from `user` holding `roles`.
fn with_roles(user: u64, roles: &[u64], action: Action, now: DateTime<Utc>) -> Request {
    let mut request = request(user, CHANNEL, action, now);
    request.roles = roles.to_vec();
    request
}

fn start_teams(
    app: &App,
    user: u64,
    roles: &[u64],
    options: &[(&str, &str)],
    now: DateTime<Utc>,
) -> Reply {
    let action = Action::Command {
        name: "competition".into(),
        subcommands: vec!["start".into()],
        options: options
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    };
    handlers::respond(app, &with_roles(user, roles, action, now))
}

fn press_with_roles(
    app: &App,
    user: u64,
    roles: &[u64],
    custom_id: &str,
    now: DateTime<Utc>,
) -> Reply {
    let action = Action::Press {
        custom_id: custom_id.into(),
        input: None,
    };
    handlers::respond(app, &with_roles(user, roles, action, now))
}

fn field<'a>(reply: &'a Reply, name: &str) -> Option<&'a str> {
    reply
        .fields
        .iter()
        .find(|f| f.name == name)
        .map(|f| f.value.as_str())
}

/// The team lines the results should show, worked out here from the stored
/// teams and each student's points: the mean over every member (those who
/// did not answer count 0), best first, one decimal when not whole.
fn expected_team_lines(
    teams: &[studybot::store::CompetitionTeam],
    points: &[(u64, i64)],
) -> String {
    let mut scored: Vec<(usize, &str, i64, usize)> = teams
        .iter()
        .map(|t| {
            let sum: i64 = t
                .members
                .iter()
                .map(|m| {
                    points
                        .iter()
                        .filter(|(u, _)| *u == m.0)
                        .map(|(_, p)| p)
                        .sum::<i64>()
                })
                .sum();
            (t.number as usize, t.name.as_str(), sum, t.members.len())
        })
        .collect();
    let mean = |(_, _, sum, n): &(usize, &str, i64, usize)| {
        if *n == 0 {
            -1.0
        } else {
            *sum as f64 / *n as f64
        }
    };
    scored.sort_by(|a, b| mean(b).partial_cmp(&mean(a)).unwrap().then(a.0.cmp(&b.0)));
    let mut lines = Vec::new();
    let mut rank = 0;
    for (i, team) in scored.iter().enumerate() {
        if i == 0 || mean(&scored[i - 1]) != mean(team) {
            rank = i + 1;
        }
        let shown = (mean(team).max(0.0) * 10.0).round() / 10.0;
        let shown = if shown.fract() == 0.0 {
            format!("{shown:.0}")
        } else {
            format!("{shown:.1}")
        };
        let players = if team.3 == 1 { "player" } else { "players" };
        lines.push(format!(
            "{rank}. **{}** — {shown} points each ({} {players})",
            team.1, team.3
        ));
    }
    lines.join("\n")
}

#[test]
fn random_teams_are_drawn_announced_stored_scored_by_mean_and_survive_restarts() {
    const EVE: u64 = 5;
    let dir = tempfile::tempdir().unwrap();
    let warm_up_points = {
        // A first competition puts four students on the server's board:
        // random teams are drawn from the server's players.
        let app = app_on(dir.path());
        command(
            &app,
            ANNA,
            CHANNEL,
            "start",
            &[("rounds", "1"), ("seconds", "10")],
            at(0),
        );
        let id = running_id(&app, CHANNEL);
        competition::advance(&app, id, at(0)).unwrap();
        let right = button(&app, id, 1, true);
        for user in [ANNA, BORIS, CHEN, DANA] {
            press(&app, user, &right, at(0));
        }
        competition::advance(&app, id, at(11)).unwrap();
        20
    };

    let (id, announced) = {
        let app = app_on(dir.path());
        let started = start_teams(
            &app,
            ANNA,
            &[],
            &[
                ("rounds", "2"),
                ("seconds", "10"),
                ("team_mode", "random"),
                ("teams", "2"),
            ],
            at(100),
        );
        assert_eq!(
            started.title.as_deref(),
            Some("Team competition!"),
            "{}",
            started.text
        );
        assert!(
            started.text.contains("**Played in teams: 2 random teams.** A team scores the mean of its members' points"),
            "{}",
            started.text
        );
        let id = running_id(&app, CHANNEL);
        let stored = app.store.competition(id).unwrap().unwrap();
        assert_eq!(stored.team_mode, "random");
        // Balanced: four players, two and two, everyone once.
        let mut everyone: Vec<u64> = stored
            .teams
            .iter()
            .flat_map(|t| t.members.iter().map(|m| m.0))
            .collect();
        everyone.sort();
        assert_eq!(everyone, [ANNA, BORIS, CHEN, DANA]);
        assert_eq!(
            stored
                .teams
                .iter()
                .map(|t| (t.name.as_str(), t.members.len()))
                .collect::<Vec<_>>(),
            [("Red", 2), ("Blue", 2)]
        );
        // The announcement names each team's members, as stored.
        let fields: Vec<(String, String)> = started
            .fields
            .iter()
            .map(|f| (f.name.clone(), f.value.clone()))
            .collect();
        let expected: Vec<(String, String)> = stored
            .teams
            .iter()
            .map(|t| {
                (
                    format!("{} (2 players)", t.name),
                    t.members
                        .iter()
                        .map(|m| name(m.0))
                        .collect::<Vec<_>>()
                        .join(", "),
                )
            })
            .collect();
        assert_eq!(fields, expected);
        (id, stored.teams)
        // The process stops before the first round.
    };

    let app = app_on(dir.path());
    let step = competition::advance(&app, id, at(100)).unwrap();
    assert_eq!(titles(&step), ["Round 1 of 2 (medium)"]);
    let right = button(&app, id, 1, true);
    let wrong = button(&app, id, 1, false);
    let anna = press(&app, ANNA, &right, at(100));
    assert_eq!(anna.title.as_deref(), Some("Correct! +20 points"));
    let anna_team = announced
        .iter()
        .find(|t| t.members.contains(&UserId(ANNA)))
        .unwrap();
    assert_eq!(field(&anna, "Your team"), Some(anna_team.name.as_str()));
    assert_eq!(
        press(&app, BORIS, &right, at(105)).title.as_deref(),
        Some("Correct! +15 points")
    );
    assert_eq!(
        press(&app, CHEN, &wrong, at(103)).title.as_deref(),
        Some("Not quite")
    );
    // Eve was not drawn: her first answer puts her in the smallest team
    // (both have two: the first, Red).
    let eve = press(&app, EVE, &right, at(110));
    assert_eq!(eve.title.as_deref(), Some("Correct! +10 points"));
    assert_eq!(field(&eve, "Your team"), Some("Red"));
    let teams = app.store.competition(id).unwrap().unwrap().teams;
    assert_eq!(teams[0].members.len(), 3);
    assert_eq!(teams[0].members.last(), Some(&UserId(EVE)));
    assert_eq!(teams[1], announced[1]);
    drop(app);

    // Another restart with round 1 open: it closes with the same teams.
    let app = app_on(dir.path());
    let step = competition::advance(&app, id, at(111)).unwrap();
    assert_eq!(
        titles(&step),
        ["Round 1 of 2: the answer", "Round 2 of 2 (medium)"]
    );
    let round1 = [(ANNA, 20), (BORIS, 15), (CHEN, 0), (EVE, 10)];
    let results = &step.posts[0].reply;
    assert_eq!(
        field(results, "Teams this round"),
        Some(expected_team_lines(&teams, &round1).as_str())
    );
    assert_eq!(
        field(results, "Teams so far"),
        Some(expected_team_lines(&teams, &round1).as_str())
    );

    let right = button(&app, id, 2, true);
    let dana = press(&app, DANA, &right, at(111));
    assert_eq!(dana.title.as_deref(), Some("Correct! +20 points"));
    let step = competition::advance(&app, id, at(122)).unwrap();
    assert_eq!(
        titles(&step),
        [
            "Round 2 of 2: the answer",
            "Competition over: the team podium"
        ]
    );
    let total = [(ANNA, 20), (BORIS, 15), (CHEN, 0), (EVE, 10), (DANA, 20)];
    assert_eq!(
        field(&step.posts[0].reply, "Teams this round"),
        Some(expected_team_lines(&teams, &[(DANA, 20)]).as_str())
    );
    let podium = &step.posts[1].reply;
    let lines = expected_team_lines(&teams, &total);
    assert_eq!(field(podium, "Teams"), Some(lines.as_str()));
    // The podium's text is the same ranking with medals.
    let medals: Vec<String> = lines
        .lines()
        .zip(["🥇", "🥈"])
        .map(|(line, medal)| format!("{medal} {}", line.split_once(". ").unwrap().1))
        .collect();
    assert_eq!(podium.text, medals.join("\n"));
    assert_eq!(
        podium
            .attachments
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>(),
        if cfg!(feature = "pictures") {
            vec!["podium.png"]
        } else {
            vec![]
        }
    );
    // Each student's own result, with their team.
    let results = field(podium, "Results").unwrap();
    let team_of = |user: u64| {
        teams
            .iter()
            .find(|t| t.members.contains(&UserId(user)))
            .unwrap()
            .name
            .clone()
    };
    assert!(
        results.starts_with(&format!(
            "1. anna ({}) — 20 points, 1 of 2 correct",
            team_of(ANNA)
        )),
        "{results}"
    );
    // And each student's points still count for them.
    let board = app
        .store
        .leaderboard(GuildId(GUILD), "all", 10, UserId(ANNA))
        .unwrap();
    let mut points: Vec<(u64, i64)> = board.top.iter().map(|s| (s.user.0, s.points)).collect();
    points.sort();
    assert_eq!(
        points,
        [
            (ANNA, warm_up_points + 20),
            (BORIS, warm_up_points + 15),
            (CHEN, warm_up_points),
            (DANA, warm_up_points + 20),
            (EVE, 10)
        ]
    );
}

#[test]
fn class_and_house_teams_follow_classes_and_roles() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_on(dir.path());
    // Fewer than two teams is refused, with why.
    let refused = start_teams(&app, ANNA, &[], &[("team_mode", "class")], at(0));
    assert_eq!(
        refused.text,
        "A team competition needs at least two teams: this server needs two classes."
    );
    let refused = start_teams(
        &app,
        ANNA,
        &[],
        &[("team_mode", "role"), ("house1", "700")],
        at(0),
    );
    assert_eq!(
        refused.text,
        "A team competition needs at least two teams: name at least two house roles."
    );
    assert!(app.store.running_competition_in(CHANNEL).unwrap().is_none());

    for (name, channel, role) in [("10A", 11, 501), ("10B", 12, 502)] {
        app.store
            .save_class(
                &studybot::store::Class {
                    id: 0,
                    guild: GuildId(GUILD),
                    name: name.into(),
                    channel,
                    role: Some(role),
                    teacher_role: None,
                    settings: Default::default(),
                },
                &studybot::classes::name_key(name),
            )
            .unwrap();
    }
    let started = start_teams(
        &app,
        ANNA,
        &[501],
        &[("rounds", "1"), ("seconds", "10"), ("team_mode", "class")],
        at(0),
    );
    assert_eq!(
        started.title.as_deref(),
        Some("Team competition!"),
        "{}",
        started.text
    );
    assert!(started
        .text
        .contains("**Played in teams: class against class.**"));
    let fields: Vec<(&str, &str)> = started
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.value.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            ("10A (1 player)", "anna"),
            ("10B (0 players)", "Nobody yet.")
        ]
    );
    let id = running_id(&app, CHANNEL);
    competition::advance(&app, id, at(0)).unwrap();
    let right = button(&app, id, 1, true);
    // Boris holds 10B's role: he plays for 10B; Chen is in no class and
    // plays for himself only.
    let boris = press_with_roles(&app, BORIS, &[502], &right, at(5));
    assert_eq!(field(&boris, "Your team"), Some("10B"));
    let chen = press_with_roles(&app, CHEN, &[], &right, at(0));
    assert_eq!(field(&chen, "Your team"), None);
    let stored = app.store.competition(id).unwrap().unwrap();
    assert_eq!(
        stored
            .teams
            .iter()
            .map(|t| (t.name.as_str(), t.members.clone()))
            .collect::<Vec<_>>(),
        [("10A", vec![UserId(ANNA)]), ("10B", vec![UserId(BORIS)])]
    );
    let step = competition::advance(&app, id, at(11)).unwrap();
    let podium = &step.posts.last().unwrap().reply;
    assert_eq!(
        podium.title.as_deref(),
        Some("Competition over: the team podium")
    );
    assert_eq!(podium.text, "🥇 **10B** — 15 points each (1 player)");
    assert_eq!(
        field(podium, "Teams"),
        Some("1. **10B** — 15 points each (1 player)\n2. **10A** — 0 points each (1 player)")
    );
    assert_eq!(
        field(podium, "Results"),
        Some("1. chen — 20 points, 1 of 1 correct\n2. boris (10B) — 15 points, 1 of 1 correct")
    );

    // Houses: the roles given, named as Discord names them (the edge
    // passes `house1_name`), or numbered; each player joins the first house
    // role they hold.
    let started = start_teams(
        &app,
        DANA,
        &[701],
        &[
            ("rounds", "1"),
            ("team_mode", "role"),
            ("house1", "700"),
            ("house1_name", "Gryphon"),
            ("house2", "<@&701>"),
        ],
        at(100),
    );
    assert!(
        started
            .text
            .contains("**Played in teams: house against house.**"),
        "{}",
        started.text
    );
    let fields: Vec<(&str, &str)> = started
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.value.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            ("Gryphon (0 players)", "Nobody yet."),
            ("House 2 (1 player)", "dana")
        ]
    );
    let id = running_id(&app, CHANNEL);
    competition::advance(&app, id, at(100)).unwrap();
    let right = button(&app, id, 1, true);
    let anna = press_with_roles(&app, ANNA, &[501, 700, 701], &right, at(100));
    assert_eq!(
        field(&anna, "Your team"),
        Some("Gryphon"),
        "the first house listed"
    );
    // Stopped early: the podium so far, by team.
    let stop = command(&app, DANA, CHANNEL, "stop", &[], at(105));
    assert_eq!(
        stop.title.as_deref(),
        Some("Competition stopped: the podium so far")
    );
    assert_eq!(stop.text, "🥇 **Gryphon** — 20 points each (1 player)");
}
