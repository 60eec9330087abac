//! The store contract: what every [`Store`] backend must do, checked the same
//! way on each. SQLite (a temporary file) always runs; PostgreSQL runs when
//! `STUDYBOT_TEST_POSTGRES_URL` names a database (`.ci/postgres.sh start`
//! prints one), each test in a schema of its own that is dropped afterwards.
//! Without the variable the PostgreSQL tests say they were skipped and pass,
//! except under CI (`CI` set), where that is a failure.
//!
//! Each case is a function of a store (or of an empty database, for the cases
//! that open it more than once); `contract!` at the bottom runs every case on
//! both backends, as `sqlite::NAME` and `postgres::NAME`.

mod common;

use chrono::{DateTime, Duration, NaiveDate, SubsecRound, TimeZone, Utc};
use common::pg_admin as admin;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use studybot::quiz::season_key;
use studybot::request::{GuildId, InteractionId, UserId};
use studybot::store::{
    class_period, AnswerPlan, Answered, Class, ClassSettings, CompetitionAnswer,
    CompetitionStanding, CompetitionStatus, CompetitionTeam, ExportRow, GuildPacks, GuildSettings,
    Instance, InstanceKind, Leaderboard, NewAnswer, NewCompetition, NewCompetitionAnswer,
    NewInstance, PastAnswer, PostClaim, QuestionResults, RecordOutcome, Removed, ReviewCard,
    Season, Store, StoreError, Streak, StreakRebuild, Tally, UploadedPack,
};

const CLASS: GuildId = GuildId(10);
const OTHER: GuildId = GuildId(11);
const WEEK: &str = "week:2026-W48";

// ---------------------------------------------------------------------------
// Databases

/// An empty database of one backend, deleted when dropped.
struct TestDb {
    url: String,
    _cleanup: Cleanup,
}

enum Cleanup {
    File { _dir: tempfile::TempDir },
    Schema { server: String, schema: String },
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Cleanup::Schema { server, schema } = self {
            if let Err(e) = admin(server, &format!("DROP SCHEMA {schema} CASCADE")) {
                eprintln!("could not drop the test schema {schema}: {e}");
            }
        }
    }
}

impl TestDb {
    fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("store.db").display());
        Self {
            url,
            _cleanup: Cleanup::File { _dir: dir },
        }
    }

    /// A fresh schema on the server `STUDYBOT_TEST_POSTGRES_URL` names, or
    /// `None` (after saying so) when the variable is unset outside CI.
    fn postgres(case: &str) -> Option<Self> {
        let server = std::env::var("STUDYBOT_TEST_POSTGRES_URL")
            .ok()
            .filter(|url| !url.is_empty());
        let Some(server) = server else {
            assert!(
                std::env::var_os("CI").is_none_or(|ci| ci.is_empty()),
                "STUDYBOT_TEST_POSTGRES_URL is not set: under CI the store contract must run on \
                 PostgreSQL too (eval \"$(.ci/postgres.sh start)\" sets it)"
            );
            // Straight to stderr, past the test harness's capture, so it shows.
            let _ = writeln!(
                std::io::stderr(),
                "postgres::{case} skipped: STUDYBOT_TEST_POSTGRES_URL not set"
            );
            return None;
        };
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let schema = format!(
            "studybot_test_{}_{}_{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        admin(&server, &format!("CREATE SCHEMA {schema}"))
            .unwrap_or_else(|e| panic!("cannot create a test schema: {e}"));
        let separator = if server.contains('?') { '&' } else { '?' };
        let url = format!("{server}{separator}options=-c%20search_path%3D{schema}");
        Some(Self {
            url,
            _cleanup: Cleanup::Schema { server, schema },
        })
    }

    /// Opens (another) store on this database, as another process would.
    fn open(&self) -> Arc<dyn Store> {
        studybot::store::open(&self.url).unwrap()
    }
}

// ---------------------------------------------------------------------------
// Helpers

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
}

fn date(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, day).unwrap()
}

fn daily(store: &dyn Store, guild: GuildId, day: u32, question: &str) -> Instance {
    store
        .create_instance(&NewInstance {
            kind: InstanceKind::Daily,
            guild: Some(guild),
            owner: None,
            day: Some(date(day)),
            class: 0,
            question: question.into(),
            option_order: vec![2, 0, 1],
            created_at: at(day, 7),
        })
        .unwrap()
}

fn practice(store: &dyn Store, guild: Option<GuildId>, owner: u64, question: &str) -> Instance {
    store
        .create_instance(&NewInstance {
            kind: InstanceKind::Practice,
            guild,
            owner: Some(UserId(owner)),
            day: None,
            class: 0,
            question: question.into(),
            option_order: vec![],
            created_at: at(23, 8),
        })
        .unwrap()
}

/// An answer worth `points` (right when more than 0), counted in the
/// all-time and weekly boards when the instance belongs to a guild.
fn answer(instance: &Instance, user: u64, interaction: u64, points: i64) -> NewAnswer {
    NewAnswer {
        instance: instance.id,
        guild: instance.guild,
        user: UserId(user),
        interaction: InteractionId(interaction),
        question: instance.question.clone(),
        answer: format!("answer of {user}"),
        correct: points > 0,
        points,
        at: at(23, 9),
        periods: if instance.guild.is_some() {
            vec!["all".into(), WEEK.into()]
        } else {
            vec![]
        },
        streak: None,
        display_name: None,
        review: None,
    }
}

fn record(store: &dyn Store, answer: &NewAnswer) -> RecordOutcome {
    store.record_answer(answer).unwrap()
}

fn board(
    store: &dyn Store,
    guild: GuildId,
    period: &str,
    limit: usize,
    caller: u64,
) -> Leaderboard {
    store
        .leaderboard(guild, period, limit, UserId(caller))
        .unwrap()
}

/// (user, points) of a leaderboard's top.
fn top(board: &Leaderboard) -> Vec<(u64, i64)> {
    board.top.iter().map(|s| (s.user.0, s.points)).collect()
}

fn results(question: &str, answered: u64, correct: u64) -> QuestionResults {
    QuestionResults {
        question: question.into(),
        answered,
        correct,
    }
}

fn tally(answered: u64, correct: u64) -> Tally {
    Tally { answered, correct }
}

fn card(question: &str, due: DateTime<Utc>, lapses: i32) -> ReviewCard {
    ReviewCard {
        question: question.into(),
        due,
        stability: 2.345_678_9,
        difficulty: 5.5,
        elapsed_days: 3,
        scheduled_days: 4,
        reps: 5,
        lapses,
        state: 2,
        last_review: at(20, 10),
    }
}

fn competition(guild: GuildId, channel: u64, rounds: usize) -> NewCompetition {
    NewCompetition {
        guild,
        channel,
        starter: UserId(1),
        seconds: 20,
        questions: (0..rounds)
            .map(|n| (format!("p/c{n}"), vec![n, 0]))
            .collect(),
        created_at: at(23, 12),
        team_mode: String::new(),
        teams: Vec::new(),
    }
}

fn competition_answer(
    competition: i64,
    round: u32,
    user: u64,
    interaction: u64,
    points: i64,
    millis: i64,
) -> NewCompetitionAnswer {
    NewCompetitionAnswer {
        competition,
        round,
        guild: CLASS,
        user: UserId(user),
        interaction: InteractionId(interaction),
        answer: format!("{user} in round {round}"),
        correct: points > 0,
        points,
        millis,
        at: at(23, 12),
        periods: vec!["all".into()],
        display_name: None,
    }
}

fn pack(pack_id: &str, text: &str) -> UploadedPack {
    UploadedPack {
        pack_id: pack_id.into(),
        file_name: format!("{pack_id}.toml"),
        text: text.into(),
        items: 12,
        by: UserId(u64::MAX - 3),
        at: at(23, 14),
    }
}

// ---------------------------------------------------------------------------
// Cases on one store

fn settings_round_trip(store: &dyn Store) {
    assert_eq!(store.settings(CLASS).unwrap(), GuildSettings::default());
    assert_eq!(store.write_problem(), None);
    let full = GuildSettings {
        timezone: Some("Europe/London".into()),
        // Discord ids use the whole u64 range.
        channel: Some(u64::MAX - 7),
        post_time: Some("08:30".into()),
        post_days: Some(vec![0, 2, 4]),
        ping_role: Some(1 << 62),
        teacher_role: Some(42),
        competitions_teachers_only: true,
    };
    store.save_settings(CLASS, &full, at(23, 8)).unwrap();
    assert_eq!(store.settings(CLASS).unwrap(), full);

    // A problem with the daily post is kept apart from the settings.
    store
        .set_post_problem(CLASS, Some("missing permission: Send Messages"), at(23, 9))
        .unwrap();
    assert_eq!(
        store.post_problem(CLASS).unwrap().as_deref(),
        Some("missing permission: Send Messages")
    );
    assert_eq!(store.settings(CLASS).unwrap(), full);
    let no_days = GuildSettings {
        post_days: Some(vec![]),
        competitions_teachers_only: false,
        ..full.clone()
    };
    store.save_settings(CLASS, &no_days, at(23, 10)).unwrap();
    assert_eq!(store.settings(CLASS).unwrap(), no_days);
    assert!(
        store.post_problem(CLASS).unwrap().is_some(),
        "saving settings keeps the problem"
    );
    store.set_post_problem(CLASS, None, at(23, 11)).unwrap();
    assert_eq!(store.post_problem(CLASS).unwrap(), None);

    // A problem noted for a guild without settings leaves them at the defaults.
    store
        .set_post_problem(OTHER, Some("channel deleted"), at(23, 9))
        .unwrap();
    assert_eq!(store.settings(OTHER).unwrap(), GuildSettings::default());
    assert_eq!(
        store.post_problem(OTHER).unwrap().as_deref(),
        Some("channel deleted")
    );
    assert_eq!(store.post_problem(GuildId(12)).unwrap(), None);

    // Scheduled: a channel and a time set, in guild id order.
    let early = GuildSettings {
        channel: Some(5),
        post_time: Some("07:00".into()),
        ..Default::default()
    };
    store.save_settings(GuildId(3), &early, at(23, 8)).unwrap();
    let no_time = GuildSettings {
        channel: Some(6),
        ..Default::default()
    };
    store
        .save_settings(GuildId(4), &no_time, at(23, 8))
        .unwrap();
    assert_eq!(
        store.scheduled_guilds().unwrap(),
        vec![(GuildId(3), early), (CLASS, no_days)]
    );
}

/// Settings are saved whole: a field left empty is cleared, not kept from
/// before. A scheduled server comes back with every setting (its days and
/// roles too), a problem noted with its post changes none of them, and a
/// server known only by such a problem is not scheduled.
fn settings_are_saved_whole_and_scheduled_with_every_field(store: &dyn Store) {
    let weekdays = GuildSettings {
        timezone: Some("America/New_York".into()),
        channel: Some(u64::MAX),
        post_time: Some("16:45".into()),
        post_days: Some(vec![0, 1, 2, 3, 4, 5, 6]),
        ping_role: Some(u64::MAX - 1),
        teacher_role: Some(1),
        competitions_teachers_only: true,
    };
    store.save_settings(CLASS, &weekdays, at(23, 8)).unwrap();
    let mondays_and_fridays = GuildSettings {
        channel: Some(9),
        post_time: Some("09:00".into()),
        post_days: Some(vec![0, 4]),
        ..GuildSettings::default()
    };
    store
        .save_settings(OTHER, &mondays_and_fridays, at(23, 8))
        .unwrap();
    store
        .set_post_problem(CLASS, Some("channel deleted"), at(23, 9))
        .unwrap();
    store
        .set_post_problem(GuildId(12), Some("missing permission"), at(23, 9))
        .unwrap();
    assert_eq!(
        store.scheduled_guilds().unwrap(),
        vec![
            (CLASS, weekdays.clone()),
            (OTHER, mondays_and_fridays.clone())
        ]
    );

    // Saved again with only a time zone: the rest is cleared, and the
    // server is no longer scheduled.
    let zone_only = GuildSettings {
        timezone: Some("Europe/Paris".into()),
        ..GuildSettings::default()
    };
    store.save_settings(CLASS, &zone_only, at(24, 8)).unwrap();
    assert_eq!(store.settings(CLASS).unwrap(), zone_only);
    assert_eq!(
        store.post_problem(CLASS).unwrap().as_deref(),
        Some("channel deleted")
    );
    assert_eq!(
        store.scheduled_guilds().unwrap(),
        vec![(OTHER, mondays_and_fridays)]
    );
    store
        .save_settings(CLASS, &GuildSettings::default(), at(24, 9))
        .unwrap();
    assert_eq!(store.settings(CLASS).unwrap(), GuildSettings::default());
}

fn daily_instance_is_created_once_per_guild_and_day(store: &dyn Store) {
    assert_eq!(store.daily_instance(CLASS, date(23)).unwrap(), None);
    let created_at = at(23, 7) + Duration::nanoseconds(123_456_789);
    let new = NewInstance {
        kind: InstanceKind::Daily,
        guild: Some(CLASS),
        owner: None,
        day: Some(date(23)),
        class: 0,
        question: "p/a".into(),
        option_order: vec![2, 0, 1],
        created_at,
    };
    let first = store.create_instance(&new).unwrap();
    assert_eq!(first.kind, InstanceKind::Daily);
    assert_eq!(
        (first.guild, first.day, first.question.as_str()),
        (Some(CLASS), Some(date(23)), "p/a")
    );
    assert_eq!(first.option_order, vec![2, 0, 1]);
    // Times are kept to the microsecond (SQLite's RFC 3339 text).
    assert_eq!(first.created_at, created_at.trunc_subsecs(6));

    let again = store
        .create_instance(&NewInstance {
            question: "p/other".into(),
            option_order: vec![0, 1],
            ..new.clone()
        })
        .unwrap();
    assert_eq!(again, first, "the existing instance is returned unchanged");
    assert_eq!(
        store.daily_instance(CLASS, date(23)).unwrap(),
        Some(first.clone())
    );
    assert_eq!(store.instance(first.id).unwrap(), Some(first.clone()));
    let other = daily(store, OTHER, 23, "p/b");
    assert_ne!(other.id, first.id);

    // History and "previous" go by day, not by creation order.
    let later = daily(store, CLASS, 25, "p/c");
    let earlier = daily(store, CLASS, 21, "p/d");
    assert_eq!(store.daily_history(CLASS).unwrap(), ["p/d", "p/a", "p/c"]);
    assert_eq!(store.daily_history(OTHER).unwrap(), ["p/b"]);
    assert_eq!(
        store.daily_history(GuildId(12)).unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(
        store.previous_daily(CLASS, date(25)).unwrap(),
        Some(first.clone())
    );
    assert_eq!(
        store.previous_daily(CLASS, date(23)).unwrap(),
        Some(earlier)
    );
    assert_eq!(store.previous_daily(CLASS, date(21)).unwrap(), None);
    assert_eq!(store.previous_daily(CLASS, date(30)).unwrap(), Some(later));

    // Practice instances are never merged.
    let p1 = practice(store, None, 7, "p/a");
    let p2 = practice(store, None, 7, "p/a");
    assert!(p2.id > p1.id);
    assert_eq!(p1.kind, InstanceKind::Practice);
    assert_eq!((p1.owner, p1.guild, p1.day), (Some(UserId(7)), None, None));
    assert!(p1.option_order.is_empty());
    assert_eq!(store.instance(p2.id).unwrap(), Some(p2.clone()));
    assert_eq!(store.instance(p2.id + 1000).unwrap(), None);
}

fn answers_count_once_per_student_and_per_interaction(store: &dyn Store) {
    let q = daily(store, CLASS, 23, "p/a");
    let mut ada = answer(&q, 1, 100, 20);
    ada.display_name = Some("Ada".into());
    assert_eq!(record(store, &ada), RecordOutcome::Recorded);
    let earlier = PastAnswer {
        answer: "answer of 1".into(),
        correct: true,
        points: 20,
    };
    // Redelivered, even with other content: the earlier outcome, no change.
    let redelivered = NewAnswer {
        correct: false,
        points: 0,
        answer: "something else".into(),
        ..ada.clone()
    };
    assert_eq!(
        record(store, &redelivered),
        RecordOutcome::Duplicate(earlier.clone())
    );
    // The same student pressing again (a new interaction).
    assert_eq!(
        record(store, &answer(&q, 1, 101, 0)),
        RecordOutcome::AlreadyAnswered(earlier.clone())
    );
    assert_eq!(
        record(store, &answer(&q, 2, 102, 0)),
        RecordOutcome::Recorded
    );
    // Interaction ids are unique everywhere: one seen before is a redelivery,
    // whatever it says.
    let q2 = daily(store, CLASS, 24, "p/b");
    assert_eq!(
        record(store, &answer(&q2, 3, 100, 20)),
        RecordOutcome::Duplicate(earlier)
    );
    assert_eq!(store.tally(q.id).unwrap(), tally(2, 1));
    assert_eq!(store.tally(q2.id).unwrap(), Tally::default());
    assert_eq!(store.tally(q2.id + 1000).unwrap(), Tally::default());

    let b = board(store, CLASS, "all", 10, 2);
    assert_eq!(b.players, 2);
    assert_eq!(top(&b), [(1, 20), (2, 0)]);
    assert_eq!(b.top[0].name, "Ada");
    assert_eq!(b.top[1].name, "(unknown student)");
    assert_eq!((b.top[0].answered, b.top[0].correct), (1, 1));
    assert_eq!((b.top[1].answered, b.top[1].correct), (1, 0));
    assert_eq!(b.caller.as_ref().map(|c| c.rank), Some(2));
    assert_eq!(board(store, CLASS, WEEK, 10, 2).players, 2);

    // Practice in direct messages counts for the student and the tally, on
    // no leaderboard.
    let p = practice(store, None, 1, "p/c");
    assert_eq!(
        record(store, &answer(&p, 1, 103, 20)),
        RecordOutcome::Recorded
    );
    assert_eq!(store.tally(p.id).unwrap(), tally(1, 1));
    assert_eq!(board(store, CLASS, "all", 10, 1).players, 2);
    assert_eq!(
        store.question_results(Some(CLASS), UserId(1)).unwrap(),
        [results("p/a", 1, 1)]
    );
    assert_eq!(
        store.question_results(None, UserId(1)).unwrap(),
        [results("p/a", 1, 1), results("p/c", 1, 1)]
    );
    assert_eq!(
        store.question_results(None, UserId(2)).unwrap(),
        [results("p/a", 1, 0)]
    );
    assert!(store.question_results(None, UserId(3)).unwrap().is_empty());
}

fn leaderboard_ranks_ties_and_player_counts(store: &dyn Store) {
    store
        .remember_name(Some(CLASS), UserId(7), "Ada", at(1, 6))
        .unwrap();
    for user in 1..=15u64 {
        let q = daily(store, CLASS, user as u32, "p/a");
        let points = if user == 7 { 5 } else { 10 };
        record(store, &answer(&q, user, 1000 + user, points));
    }
    // Student 16 ties on 10 points but took two answers: after the others.
    for (day, interaction) in [(1, 2001), (2, 2002)] {
        let q = store.daily_instance(CLASS, date(day)).unwrap().unwrap();
        record(store, &answer(&q, 16, interaction, 5));
    }
    let b = board(store, CLASS, "all", 10, 7);
    // Everyone else ties on 10 points with one answer: user id breaks the tie.
    assert_eq!(
        b.top.iter().map(|s| s.user.0).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6, 8, 9, 10, 11]
    );
    assert_eq!(
        b.top.iter().map(|s| s.rank).collect::<Vec<_>>(),
        (1..=10).collect::<Vec<u64>>()
    );
    let me = b.caller.unwrap();
    assert_eq!((me.rank, me.name.as_str(), me.points), (16, "Ada", 5));
    assert_eq!(b.players, 16);
    let sixteen = board(store, CLASS, "all", 10, 16).caller.unwrap();
    assert_eq!(
        (sixteen.rank, sixteen.points, sixteen.answered),
        (15, 10, 2)
    );
    // A caller in the top is given as listed.
    let three = board(store, CLASS, "all", 10, 3);
    assert_eq!(three.caller.as_ref(), Some(&three.top[2]));
    // No top at all: the rank still comes from the score histogram.
    let none = board(store, CLASS, "all", 0, 7);
    assert!(none.top.is_empty());
    assert_eq!(none.caller.map(|c| c.rank), Some(16));
    assert_eq!(board(store, CLASS, WEEK, 10, 7).top.len(), 10);
    // The latest name wins.
    store
        .remember_name(Some(CLASS), UserId(7), "Ada L.", at(2, 6))
        .unwrap();
    assert_eq!(
        board(store, CLASS, "all", 10, 7).caller.unwrap().name,
        "Ada L."
    );
    // A caller without a total, a period and a guild without players.
    assert!(board(store, CLASS, "all", 10, 99).caller.is_none());
    let empty = board(store, CLASS, "season:1", 10, 7);
    assert_eq!((empty.top.len(), empty.players), (0, 0));
    assert!(empty.caller.is_none());
    let other = board(store, OTHER, "all", 10, 7);
    assert!(other.top.is_empty() && other.caller.is_none() && other.players == 0);
}

fn ranks_from_the_score_histogram_match_a_full_sort(store: &dyn Store) {
    let mut rng = studybot::quiz::rng(&[7]);
    let mut interaction = 0;
    let mut totals: HashMap<u64, (i64, u64)> = HashMap::new();
    for day in 1..=4u32 {
        let q = daily(store, CLASS, day, "p/a");
        for user in 1..=40u64 {
            if studybot::quiz::below(&mut rng, 3) == 0 {
                continue;
            }
            interaction += 1;
            let points = [0, 10, 20][studybot::quiz::below(&mut rng, 3)];
            record(store, &answer(&q, user, interaction, points));
            let t = totals.entry(user).or_default();
            t.0 += points;
            t.1 += 1;
        }
    }
    let mut order: Vec<(u64, (i64, u64))> = totals.iter().map(|(u, t)| (*u, *t)).collect();
    order.sort_by(|a, b| {
        b.1 .0
            .cmp(&a.1 .0)
            .then(a.1 .1.cmp(&b.1 .1))
            .then(a.0.cmp(&b.0))
    });
    for (rank, (user, (points, answered))) in order.iter().enumerate() {
        let b = board(store, CLASS, "all", 3, *user);
        let me = b.caller.unwrap();
        assert_eq!(
            (me.rank, me.points, me.answered),
            (rank as u64 + 1, *points, *answered),
            "user {user}"
        );
        assert_eq!(b.players, totals.len() as u64);
    }
}

fn streaks_are_kept_per_guild(store: &dyn Store) {
    assert_eq!(store.streak(CLASS, UserId(1)).unwrap(), Streak::default());
    let streak_after = |day: u32, interaction: u64, points: i64, streak: Option<Streak>| {
        let q = daily(store, CLASS, day, "p/a");
        let mut a = answer(&q, 1, interaction, points);
        a.streak = streak;
        record(store, &a);
        store.streak(CLASS, UserId(1)).unwrap()
    };
    let one = Streak {
        current: 1,
        best: 4,
        last_day: Some(date(23)),
    };
    assert_eq!(streak_after(23, 1, 20, Some(one.clone())), one);
    let two = Streak {
        current: 2,
        best: 4,
        last_day: Some(date(24)),
    };
    assert_eq!(streak_after(24, 2, 20, Some(two.clone())), two);
    // Answers without a streak leave it as it was.
    assert_eq!(streak_after(25, 3, 0, None), two);
    let reset = Streak {
        current: 0,
        best: 4,
        last_day: None,
    };
    assert_eq!(streak_after(26, 4, 0, Some(reset.clone())), reset);
    // A redelivered answer changes nothing.
    let q = store.daily_instance(CLASS, date(24)).unwrap().unwrap();
    let mut again = answer(&q, 1, 2, 20);
    again.streak = Some(Streak {
        current: 9,
        best: 9,
        last_day: Some(date(24)),
    });
    assert!(matches!(record(store, &again), RecordOutcome::Duplicate(_)));
    assert_eq!(store.streak(CLASS, UserId(1)).unwrap(), reset);
    assert_eq!(store.streak(OTHER, UserId(1)).unwrap(), Streak::default());
    assert_eq!(store.export_rows(CLASS, "all").unwrap()[0].streak, 0);
    let three = Streak {
        current: 3,
        best: 4,
        last_day: Some(date(27)),
    };
    assert_eq!(streak_after(27, 5, 20, Some(three.clone())), three);
    assert_eq!(store.export_rows(CLASS, "all").unwrap()[0].streak, 3);
}

fn seasons_open_and_end(store: &dyn Store) {
    assert!(store.open_season(CLASS).unwrap().is_none());
    assert!(store.end_season(CLASS, at(23, 9)).unwrap().is_none());
    let autumn = store.start_season(CLASS, "Autumn", at(23, 8)).unwrap();
    assert_eq!(autumn.name, "Autumn");
    assert_eq!((autumn.started_at, autumn.ended_at), (at(23, 8), None));
    assert_eq!(store.open_season(CLASS).unwrap(), Some(autumn.clone()));
    assert!(
        matches!(
            store.start_season(CLASS, "Twice", at(23, 9)),
            Err(StoreError::Database(_))
        ),
        "one open season per guild"
    );
    // Other guilds have their own.
    let elsewhere = store.start_season(OTHER, "Elsewhere", at(23, 9)).unwrap();
    assert_ne!(elsewhere.id, autumn.id);

    let ended = store.end_season(CLASS, at(24, 10)).unwrap().unwrap();
    assert_eq!(
        ended,
        Season {
            ended_at: Some(at(24, 10)),
            ..autumn.clone()
        }
    );
    assert!(store.open_season(CLASS).unwrap().is_none());
    assert!(store.end_season(CLASS, at(24, 11)).unwrap().is_none());
    let winter = store.start_season(CLASS, "Winter", at(25, 8)).unwrap();
    assert!(winter.id > autumn.id);
    assert_eq!(store.seasons(CLASS).unwrap(), [winter, ended]);
    assert_eq!(store.seasons(OTHER).unwrap(), [elsewhere]);
    assert!(store.seasons(GuildId(12)).unwrap().is_empty());
}

fn claim_post_and_mark_posted(store: &dyn Store) {
    assert_eq!(
        store.claim_post(CLASS, date(23), "n1", at(23, 8)).unwrap(),
        PostClaim::New
    );
    assert_eq!(
        store.claim_post(CLASS, date(23), "n2", at(23, 9)).unwrap(),
        PostClaim::Pending { nonce: "n1".into() },
        "the first claim's nonce, so a resend is deduplicated"
    );
    let message = u64::MAX - 11;
    store
        .mark_posted(CLASS, date(23), message, at(23, 9))
        .unwrap();
    assert_eq!(
        store.claim_post(CLASS, date(23), "n3", at(23, 10)).unwrap(),
        PostClaim::Sent { message }
    );
    // Other days and guilds are claims of their own.
    assert_eq!(
        store.claim_post(CLASS, date(24), "n4", at(24, 8)).unwrap(),
        PostClaim::New
    );
    assert_eq!(
        store.claim_post(OTHER, date(23), "n5", at(23, 8)).unwrap(),
        PostClaim::New
    );
    // Marking a post nobody claimed records nothing.
    store.mark_posted(CLASS, date(25), 77, at(25, 9)).unwrap();
    assert_eq!(
        store.claim_post(CLASS, date(25), "n6", at(25, 9)).unwrap(),
        PostClaim::New
    );
}

/// A team competition's teams are written with it, loaded with it (so a
/// restarted process plays on with them), late joiners are added once, and
/// a forgotten student or a deleted server takes their rows with them.
fn team_competitions_keep_their_teams(store: &dyn Store) {
    let team = |number: u32, name: &str, key: Option<i64>, members: &[u64]| CompetitionTeam {
        number,
        name: name.into(),
        key,
        members: members.iter().map(|&m| UserId(m)).collect(),
    };
    let drawn = vec![
        team(1, "Red", None, &[3, 1]),
        team(2, "Blue 🦉 Ærø", None, &[2]),
    ];
    let created = store
        .create_competition(&NewCompetition {
            team_mode: "random".into(),
            teams: drawn.clone(),
            ..competition(CLASS, 600, 2)
        })
        .unwrap()
        .unwrap();
    assert_eq!(created.team_mode, "random");
    assert_eq!(created.teams, drawn, "members in the order they were drawn");
    let individual = store
        .create_competition(&competition(CLASS, 601, 1))
        .unwrap()
        .unwrap();
    assert_eq!(
        (individual.team_mode.as_str(), individual.teams.len()),
        ("", 0)
    );

    // A late joiner is put in the team asked for, once: a second join (a
    // second press, another process) keeps the first team.
    assert_eq!(
        store
            .join_competition_team(created.id, 2, UserId(4))
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .join_competition_team(created.id, 1, UserId(4))
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .join_competition_team(created.id, 2, UserId(1))
            .unwrap(),
        1,
        "a drawn player stays in their team"
    );
    let now = store.competition(created.id).unwrap().unwrap();
    assert_eq!(
        now.teams,
        [
            team(1, "Red", None, &[3, 1]),
            team(2, "Blue 🦉 Ærø", None, &[2, 4])
        ]
    );
    // Every way of loading a competition brings its teams.
    assert_eq!(
        store.running_competition_in(600).unwrap(),
        Some(now.clone())
    );
    assert!(store.running_competitions().unwrap().contains(&now));

    // Class and house teams keep the class or role they stand for.
    let houses = vec![
        team(1, "Gryphon", Some(700), &[5]),
        team(2, "Otter", Some(i64::MAX), &[]),
    ];
    let by_role = store
        .create_competition(&NewCompetition {
            team_mode: "role".into(),
            teams: houses.clone(),
            ..competition(CLASS, 602, 1)
        })
        .unwrap()
        .unwrap();
    assert_eq!(
        (by_role.team_mode.as_str(), by_role.teams.clone()),
        ("role", houses)
    );

    // A forgotten student leaves their team; the others stay. A student
    // drawn into a team who never answered is found and forgotten too.
    store.remove_student(CLASS, UserId(2)).unwrap();
    assert_eq!(
        store.competition(created.id).unwrap().unwrap().teams[1].members,
        [UserId(4)]
    );
    assert_eq!(store.delete_user(UserId(3)).unwrap().1, 1, "one server");
    assert_eq!(
        store.competition(created.id).unwrap().unwrap().teams[0].members,
        [UserId(1)]
    );
    // A deleted server takes its competitions' teams along (PostgreSQL
    // refuses to delete a competition its teams still refer to).
    store.delete_guild(CLASS).unwrap();
    assert_eq!(store.competition(created.id).unwrap(), None);
    assert_eq!(store.competition(by_role.id).unwrap(), None);
}

fn competitions_run_rounds_and_count_answers_once(store: &dyn Store) {
    let first = store
        .create_competition(&competition(CLASS, 500, 3))
        .unwrap()
        .unwrap();
    assert_eq!(first.status, CompetitionStatus::Running);
    assert_eq!(
        (first.guild, first.channel, first.starter, first.seconds),
        (CLASS, 500, UserId(1), 20)
    );
    assert_eq!(first.created_at, at(23, 12));
    assert_eq!(
        first
            .rounds
            .iter()
            .map(|r| (r.number, r.question.as_str(), r.option_order.clone()))
            .collect::<Vec<_>>(),
        [
            (1, "p/c0", vec![0, 0]),
            (2, "p/c1", vec![1, 0]),
            (3, "p/c2", vec![2, 0])
        ]
    );
    assert!(first.rounds.iter().all(|r| r.opened_at.is_none()
        && r.closes_at.is_none()
        && !r.closed
        && r.message.is_none()));
    assert!(first.open_round().is_none());
    assert_eq!(
        store
            .create_competition(&competition(CLASS, 500, 2))
            .unwrap(),
        None,
        "one running competition per channel"
    );
    let second = store
        .create_competition(&competition(CLASS, 501, 1))
        .unwrap()
        .unwrap();
    assert!(second.id > first.id);
    assert_eq!(
        store.running_competitions().unwrap(),
        [first.clone(), second.clone()]
    );
    assert_eq!(
        store.running_competition_in(500).unwrap(),
        Some(first.clone())
    );
    assert_eq!(store.running_competition_in(502).unwrap(), None);
    assert_eq!(store.competition(first.id).unwrap(), Some(first.clone()));
    assert_eq!(store.competition(second.id + 1000).unwrap(), None);

    // Round 1: shown once (a second open changes nothing), then answered.
    let opened = at(23, 12) + Duration::microseconds(250);
    assert!(store
        .open_round(first.id, 1, opened, opened + Duration::seconds(20))
        .unwrap());
    assert!(
        !store
            .open_round(first.id, 1, at(23, 13), at(23, 14))
            .unwrap(),
        "a round is claimed once"
    );
    let message = u64::MAX - 2;
    store.set_round_message(first.id, 1, message).unwrap();
    let now = store.competition(first.id).unwrap().unwrap();
    let round = now.open_round().unwrap();
    assert_eq!(round.number, 1);
    assert_eq!(
        (round.opened_at, round.closes_at, round.message),
        (
            Some(opened),
            Some(opened + Duration::seconds(20)),
            Some(message)
        )
    );
    store
        .remember_name(Some(CLASS), UserId(2), "Ben", at(23, 11))
        .unwrap();
    let mut ada = competition_answer(first.id, 1, 1, 10, 10, 3000);
    ada.display_name = Some("Ada".into());
    assert_eq!(
        store.record_competition_answer(&ada).unwrap(),
        RecordOutcome::Recorded
    );
    let ada_before = PastAnswer {
        answer: "1 in round 1".into(),
        correct: true,
        points: 10,
    };
    assert_eq!(
        store
            .record_competition_answer(&NewCompetitionAnswer {
                points: 0,
                correct: false,
                ..ada.clone()
            })
            .unwrap(),
        RecordOutcome::Duplicate(ada_before.clone())
    );
    assert_eq!(
        store
            .record_competition_answer(&competition_answer(first.id, 1, 1, 11, 0, 100))
            .unwrap(),
        RecordOutcome::AlreadyAnswered(ada_before)
    );
    for (user, interaction, points, millis) in
        [(2, 12, 10, 1500), (3, 13, 0, 900), (4, 14, 10, 2000)]
    {
        assert_eq!(
            store
                .record_competition_answer(&competition_answer(
                    first.id,
                    1,
                    user,
                    interaction,
                    points,
                    millis
                ))
                .unwrap(),
            RecordOutcome::Recorded
        );
    }
    assert!(store.close_round(first.id, 1).unwrap());
    assert!(!store.close_round(first.id, 1).unwrap(), "closed already");
    assert!(store
        .competition(first.id)
        .unwrap()
        .unwrap()
        .open_round()
        .is_none());

    // Round 2.
    assert!(store
        .open_round(first.id, 2, at(23, 13), at(23, 13) + Duration::seconds(20))
        .unwrap());
    for (user, interaction, points, millis) in
        [(1, 20, 10, 1000), (2, 21, 0, 500), (4, 22, 10, 2500)]
    {
        store
            .record_competition_answer(&competition_answer(
                first.id,
                2,
                user,
                interaction,
                points,
                millis,
            ))
            .unwrap();
    }
    let answered =
        |round: u32, user: u64, name: &str, points: i64, millis: i64| CompetitionAnswer {
            round,
            user: UserId(user),
            name: name.into(),
            correct: points > 0,
            points,
            millis,
        };
    let round_one = vec![
        answered(1, 3, "", 0, 900),
        answered(1, 2, "Ben", 10, 1500),
        answered(1, 4, "", 10, 2000),
        answered(1, 1, "Ada", 10, 3000),
    ];
    assert_eq!(
        store.competition_answers(first.id, Some(1)).unwrap(),
        round_one
    );
    let mut all = round_one;
    all.extend([
        answered(2, 2, "Ben", 0, 500),
        answered(2, 1, "Ada", 10, 1000),
        answered(2, 4, "", 10, 2500),
    ]);
    assert_eq!(store.competition_answers(first.id, None).unwrap(), all);
    assert!(store
        .competition_answers(first.id, Some(3))
        .unwrap()
        .is_empty());
    // Most points first; equal points: less time on the correct answers.
    let standing =
        |user: u64, name: &str, points: i64, correct: u64, millis: i64| CompetitionStanding {
            user: UserId(user),
            name: name.into(),
            points,
            correct,
            millis,
        };
    assert_eq!(
        store.competition_standings(first.id).unwrap(),
        [
            standing(1, "Ada", 20, 2, 4000),
            standing(4, "", 20, 2, 4500),
            standing(2, "Ben", 10, 1, 1500),
            standing(3, "", 0, 0, 0),
        ]
    );
    assert!(store.competition_standings(second.id).unwrap().is_empty());
    // The points went to the guild's leaderboard too.
    let b = board(store, CLASS, "all", 10, 3);
    assert_eq!(top(&b), [(1, 20), (4, 20), (2, 10), (3, 0)]);
    assert_eq!((b.top[0].answered, b.top[0].correct), (2, 2));
    assert_eq!(b.players, 4);

    assert!(store
        .end_competition(first.id, CompetitionStatus::Finished, at(23, 14))
        .unwrap());
    assert!(!store
        .end_competition(first.id, CompetitionStatus::Stopped, at(23, 15))
        .unwrap());
    assert_eq!(
        store.competition(first.id).unwrap().unwrap().status,
        CompetitionStatus::Finished
    );
    assert!(store
        .end_competition(second.id, CompetitionStatus::Stopped, at(23, 14))
        .unwrap());
    assert_eq!(
        store.competition(second.id).unwrap().unwrap().status,
        CompetitionStatus::Stopped
    );
    assert!(store.running_competitions().unwrap().is_empty());
    assert_eq!(store.running_competition_in(500).unwrap(), None);
    let third = store
        .create_competition(&competition(CLASS, 500, 1))
        .unwrap()
        .unwrap();
    assert!(third.id > second.id, "the channel is free again");
}

fn review_cards_come_due_in_order(store: &dyn Store) {
    let due = at(24, 9) + Duration::microseconds(10);
    // (question, due, lapses); the order they come back in is
    // b (first due), e (1 µs later), c and d (a day later, most lapsed, by
    // question), a.
    let cards = [
        card("p/a", due + Duration::days(1), 0),
        card("p/b", due, 0),
        card("p/c", due + Duration::days(1), 2),
        card("p/d", due + Duration::days(1), 2),
        card("p/e", due + Duration::microseconds(1), 0),
    ];
    for (n, c) in cards.iter().enumerate() {
        let q = practice(store, None, 7, &c.question);
        let mut a = answer(&q, 7, 100 + n as u64, 20);
        a.review = Some(c.clone());
        record(store, &a);
    }
    let order = |guild: Option<GuildId>, limit: usize| -> Vec<String> {
        store
            .next_reviews(UserId(7), guild, limit)
            .unwrap()
            .into_iter()
            .map(|c| c.question)
            .collect()
    };
    assert_eq!(order(None, 10), ["p/b", "p/e", "p/c", "p/d", "p/a"]);
    assert_eq!(order(None, 2), ["p/b", "p/e"]);
    assert_eq!(
        store.next_review(UserId(7), None).unwrap(),
        Some(cards[1].clone())
    );
    assert_eq!(
        store.review_card(UserId(7), "p/c").unwrap(),
        Some(cards[2].clone())
    );
    assert_eq!(store.review_card(UserId(7), "p/zz").unwrap(), None);
    assert_eq!(store.review_card(UserId(8), "p/c").unwrap(), None);
    assert_eq!(store.next_review(UserId(8), None).unwrap(), None);

    // Disabled questions are left out where the student asks.
    store
        .disable_question(CLASS, "p/b", UserId(1), at(23, 9))
        .unwrap();
    assert_eq!(order(Some(CLASS), 10), ["p/e", "p/c", "p/d", "p/a"]);
    assert_eq!(order(Some(OTHER), 10), ["p/b", "p/e", "p/c", "p/d", "p/a"]);
    assert_eq!(order(None, 10), ["p/b", "p/e", "p/c", "p/d", "p/a"]);

    assert_eq!(
        store
            .reviews_due(UserId(7), due - Duration::microseconds(1))
            .unwrap(),
        0
    );
    assert_eq!(store.reviews_due(UserId(7), due).unwrap(), 1);
    assert_eq!(
        store
            .reviews_due(UserId(7), due + Duration::microseconds(1))
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .reviews_due(UserId(7), due + Duration::days(1))
            .unwrap(),
        5
    );
    assert_eq!(
        store
            .reviews_due(UserId(8), due + Duration::days(9))
            .unwrap(),
        0
    );

    // A later answer to the same question reschedules the card.
    let q = practice(store, Some(CLASS), 7, "p/b");
    let mut a = answer(&q, 7, 200, 20);
    let rescheduled = ReviewCard {
        stability: 9.25,
        reps: 6,
        state: 1,
        ..card("p/b", due + Duration::days(3), 1)
    };
    a.review = Some(rescheduled.clone());
    record(store, &a);
    assert_eq!(
        store.review_card(UserId(7), "p/b").unwrap(),
        Some(rescheduled)
    );
    assert_eq!(order(None, 10), ["p/e", "p/c", "p/d", "p/a", "p/b"]);
}

fn reports_and_disabled_questions(store: &dyn Store) {
    let first = store
        .add_report(CLASS, UserId(1), "p/a", "typo in option B", at(23, 9))
        .unwrap();
    assert_eq!(
        (
            first.guild,
            first.user,
            first.question.as_str(),
            first.text.as_str(),
            first.at
        ),
        (CLASS, UserId(1), "p/a", "typo in option B", at(23, 9))
    );
    let second = store
        .add_report(CLASS, UserId(2), "p/b", "wrong year", at(23, 10))
        .unwrap();
    let third = store
        .add_report(CLASS, UserId(2), "p/a", "still wrong", at(23, 11))
        .unwrap();
    let elsewhere = store
        .add_report(OTHER, UserId(3), "p/a", "hm", at(23, 11))
        .unwrap();
    assert!(first.id < second.id && second.id < third.id);
    assert_eq!(
        store.open_reports(CLASS, 10).unwrap(),
        [third.clone(), second.clone(), first.clone()]
    );
    assert_eq!(
        store.open_reports(CLASS, 2).unwrap(),
        [third.clone(), second.clone()]
    );
    assert_eq!(store.report(first.id).unwrap(), Some(first.clone()));
    assert_eq!(store.report(elsewhere.id + 1000).unwrap(), None);

    assert!(store.disabled_questions(CLASS).unwrap().is_empty());
    store
        .disable_question(CLASS, "p/a", UserId(9), at(23, 12))
        .unwrap();
    store
        .disable_question(CLASS, "p/a", UserId(9), at(23, 13))
        .unwrap();
    assert_eq!(
        store.disabled_questions(CLASS).unwrap(),
        HashSet::from(["p/a".to_string()])
    );
    assert!(store.disabled_questions(OTHER).unwrap().is_empty());
    // Reports of a disabled question are dealt with; the report itself stays.
    assert_eq!(store.open_reports(CLASS, 10).unwrap(), [second]);
    assert_eq!(store.report(first.id).unwrap(), Some(first));
    assert_eq!(store.open_reports(OTHER, 10).unwrap(), [elsewhere]);
}

fn uploaded_packs_and_their_revision(store: &dyn Store) {
    assert_eq!(store.pack_revision(CLASS).unwrap(), 0);
    assert_eq!(store.guild_packs(CLASS).unwrap(), GuildPacks::default());
    assert!(!store.save_pack(CLASS, &pack("alpha", "a = 1")).unwrap());
    assert!(!store.save_pack(CLASS, &pack("beta", "b = 1")).unwrap());
    assert_eq!(store.pack_revision(CLASS).unwrap(), 2);
    let ids = |store: &dyn Store| -> Vec<String> {
        store
            .guild_packs(CLASS)
            .unwrap()
            .uploads
            .into_iter()
            .map(|p| p.pack_id)
            .collect()
    };
    assert_eq!(ids(store), ["alpha", "beta"]);
    // A replaced pack comes last, with its new text.
    assert!(store.save_pack(CLASS, &pack("alpha", "a = 2")).unwrap());
    let packs = store.guild_packs(CLASS).unwrap();
    assert_eq!(packs.revision, 3);
    assert_eq!(
        packs.uploads,
        [pack("beta", "b = 1"), pack("alpha", "a = 2")]
    );

    let turned_off = |store: &dyn Store| store.guild_packs(CLASS).unwrap().turned_off;
    assert!(store.set_pack_active(CLASS, "beta", false).unwrap());
    assert!(
        !store.set_pack_active(CLASS, "beta", false).unwrap(),
        "no change"
    );
    assert_eq!(store.pack_revision(CLASS).unwrap(), 4);
    // Bundled packs (never uploaded) can be turned off too.
    assert!(store.set_pack_active(CLASS, "bundled", false).unwrap());
    assert_eq!(
        turned_off(store),
        BTreeSet::from(["beta".to_string(), "bundled".to_string()])
    );
    assert!(store.set_pack_active(CLASS, "beta", true).unwrap());
    assert!(!store.set_pack_active(CLASS, "beta", true).unwrap());
    assert_eq!(store.pack_revision(CLASS).unwrap(), 6);
    assert!(store.set_pack_active(CLASS, "beta", false).unwrap());
    // Removing an upload forgets its on/off choice too.
    assert!(store.remove_pack(CLASS, "beta").unwrap());
    assert!(!store.remove_pack(CLASS, "beta").unwrap());
    let packs = store.guild_packs(CLASS).unwrap();
    assert_eq!(packs.revision, 8);
    assert_eq!(packs.uploads, [pack("alpha", "a = 2")]);
    assert_eq!(packs.turned_off, BTreeSet::from(["bundled".to_string()]));
    assert_eq!(store.pack_revision(OTHER).unwrap(), 0);
    assert!(!store.remove_pack(OTHER, "alpha").unwrap());
    assert_eq!(store.pack_revision(OTHER).unwrap(), 0);
}

/// Pack changes that change nothing keep the revision: turning on a pack
/// that was never off, removing a pack that was only turned off (its
/// choice stays), a server's changes leave another's revision alone.
/// Saving the same pack again is a change (it replaces the upload).
fn pack_changes_that_change_nothing_keep_the_revision(store: &dyn Store) {
    assert!(!store.set_pack_active(CLASS, "bundled", true).unwrap());
    assert_eq!(store.pack_revision(CLASS).unwrap(), 0);
    assert!(store.set_pack_active(CLASS, "bundled", false).unwrap());
    assert!(!store.remove_pack(CLASS, "bundled").unwrap());
    let packs = store.guild_packs(CLASS).unwrap();
    assert_eq!(packs.revision, 1);
    assert_eq!(packs.turned_off, BTreeSet::from(["bundled".to_string()]));
    assert!(packs.uploads.is_empty());

    assert!(!store.save_pack(OTHER, &pack("alpha", "a = 1")).unwrap());
    assert!(store.save_pack(OTHER, &pack("alpha", "a = 1")).unwrap());
    assert_eq!(store.pack_revision(OTHER).unwrap(), 2);
    assert_eq!(
        store.guild_packs(OTHER).unwrap().uploads,
        [pack("alpha", "a = 1")]
    );
    assert_eq!(store.pack_revision(CLASS).unwrap(), 1);
    assert!(store.guild_packs(CLASS).unwrap().uploads.is_empty());
}

/// Every open report when the limit is past any count, none for a server
/// without reports, and a question disabled in one server still reported
/// in another.
fn reports_without_a_limit_and_per_server(store: &dyn Store) {
    assert!(store.open_reports(CLASS, usize::MAX).unwrap().is_empty());
    let reports: Vec<_> = (0..5)
        .map(|n| {
            store
                .add_report(CLASS, UserId(n), &format!("p/q{n}"), "typo", at(23, 9))
                .unwrap()
        })
        .collect();
    assert_eq!(
        store.open_reports(CLASS, usize::MAX).unwrap(),
        reports.iter().rev().cloned().collect::<Vec<_>>()
    );
    assert!(store.open_reports(OTHER, usize::MAX).unwrap().is_empty());
    let elsewhere = store
        .add_report(OTHER, UserId(1), "p/q1", "wrong date", at(23, 10))
        .unwrap();
    store
        .disable_question(CLASS, "p/q1", UserId(9), at(23, 11))
        .unwrap();
    assert_eq!(store.open_reports(CLASS, usize::MAX).unwrap().len(), 4);
    assert_eq!(store.open_reports(OTHER, 1).unwrap(), [elsewhere]);
    assert_eq!(store.open_reports(CLASS, 0).unwrap(), []);
}

fn accept_answer_adds_points_once(store: &dyn Store) {
    let monday = daily(store, CLASS, 23, "p/a");
    let tuesday = daily(store, CLASS, 24, "p/b");
    record(store, &answer(&monday, 1, 1, 0));
    record(store, &answer(&tuesday, 1, 2, 0));
    record(store, &answer(&monday, 2, 3, 20));
    let practice_question = practice(store, Some(CLASS), 1, "p/c");
    record(store, &answer(&practice_question, 1, 4, 0));

    let wrong = store.wrong_daily_answers(CLASS, UserId(1), 10).unwrap();
    assert_eq!(
        wrong.iter().map(|a| a.instance).collect::<Vec<_>>(),
        [tuesday.id, monday.id],
        "daily answers only, newest first"
    );
    let on_monday = wrong[1].clone();
    assert_eq!(
        (
            on_monday.guild,
            on_monday.user,
            on_monday.question.as_str(),
            on_monday.answer.as_str(),
            on_monday.correct,
            on_monday.points,
            on_monday.day,
            on_monday.at
        ),
        (
            CLASS,
            UserId(1),
            "p/a",
            "answer of 1",
            false,
            0,
            date(23),
            at(23, 9)
        )
    );
    assert_eq!(
        store.wrong_daily_answers(CLASS, UserId(1), 1).unwrap(),
        [wrong[0].clone()]
    );
    assert!(store
        .wrong_daily_answers(OTHER, UserId(1), 10)
        .unwrap()
        .is_empty());
    assert_eq!(
        store.scored_answer(on_monday.id).unwrap(),
        Some(on_monday.clone())
    );
    assert_eq!(store.scored_answer(on_monday.id + 1000).unwrap(), None);
    assert_eq!(top(&board(store, CLASS, "all", 10, 1)), [(2, 20), (1, 0)]);

    let periods = ["all".to_string(), WEEK.to_string(), "season:99".to_string()];
    // The rule is quiz's; the store hands it the stored streak and the
    // student's daily answers in this guild (not practice, not the other
    // guild's), oldest day first, as they stand after the accept.
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let rebuild: StreakRebuild = {
        let seen = seen.clone();
        Arc::new(move |stored: &Streak, daily: &[(NaiveDate, bool)]| {
            seen.lock().unwrap().push((stored.clone(), daily.to_vec()));
            studybot::quiz::rebuild_streak(stored, daily, None)
        })
    };
    record(store, &answer(&daily(store, OTHER, 22, "p/a"), 1, 5, 0));
    let mended = store
        .accept_answer(on_monday.id, 20, &periods, &rebuild)
        .unwrap();
    let expected = Streak {
        current: 0,
        best: 1,
        last_day: Some(date(23)),
    };
    assert_eq!(mended.as_ref(), Some(&expected));
    assert_eq!(
        seen.lock().unwrap().as_slice(),
        [(Streak::default(), vec![(date(23), true), (date(24), false)])]
    );
    assert_eq!(store.streak(CLASS, UserId(1)).unwrap(), expected);
    assert_eq!(store.streak(OTHER, UserId(1)).unwrap(), Streak::default());
    assert_eq!(
        store
            .accept_answer(on_monday.id, 20, &periods, &rebuild)
            .unwrap(),
        None,
        "already right: nothing changes"
    );
    assert_eq!(seen.lock().unwrap().len(), 1, "and nothing is rebuilt");
    let accepted = store.scored_answer(on_monday.id).unwrap().unwrap();
    assert_eq!((accepted.correct, accepted.points), (true, 20));
    assert_eq!(store.tally(monday.id).unwrap(), tally(2, 2));
    // Student 1 now ties on points with more answers: second, and the rank
    // from the histogram agrees.
    let b = board(store, CLASS, "all", 10, 1);
    assert_eq!(top(&b), [(2, 20), (1, 20)]);
    assert_eq!((b.top[1].answered, b.top[1].correct), (3, 1));
    assert_eq!(board(store, CLASS, "all", 1, 1).caller.unwrap().rank, 2);
    assert_eq!(board(store, CLASS, WEEK, 1, 1).caller.unwrap().points, 20);
    // A period the answer never counted in gets no row.
    assert_eq!(board(store, CLASS, "season:99", 10, 1).players, 0);
    assert_eq!(
        store
            .wrong_daily_answers(CLASS, UserId(1), 10)
            .unwrap()
            .iter()
            .map(|a| a.instance)
            .collect::<Vec<_>>(),
        [tuesday.id]
    );
    // Accepting Tuesday's too mends the streak: two days.
    let on_tuesday = store.wrong_daily_answers(CLASS, UserId(1), 1).unwrap()[0].clone();
    let mended = store
        .accept_answer(on_tuesday.id, 20, &[WEEK.to_string()], &rebuild)
        .unwrap();
    let expected = Streak {
        current: 2,
        best: 2,
        last_day: Some(date(24)),
    };
    assert_eq!(mended, Some(expected.clone()));
    assert_eq!(seen.lock().unwrap()[1].0.best, 1, "the stored streak");
    assert_eq!(store.streak(CLASS, UserId(1)).unwrap(), expected);
}

fn remove_student_keeps_every_board_consistent(store: &dyn Store) {
    let monday = daily(store, CLASS, 23, "p/a");
    let tuesday = daily(store, CLASS, 24, "p/b");
    let mut ada = answer(&monday, 1, 1, 20);
    ada.display_name = Some("Ada".into());
    ada.streak = Some(Streak {
        current: 1,
        best: 1,
        last_day: Some(date(23)),
    });
    record(store, &ada);
    record(store, &answer(&monday, 2, 2, 20));
    record(store, &answer(&monday, 3, 3, 0));
    record(store, &answer(&tuesday, 1, 4, 20));
    let elsewhere = daily(store, OTHER, 23, "p/a");
    record(store, &answer(&elsewhere, 1, 5, 20));
    let quiz = store
        .create_competition(&competition(CLASS, 500, 1))
        .unwrap()
        .unwrap();
    store
        .record_competition_answer(&competition_answer(quiz.id, 1, 1, 6, 10, 900))
        .unwrap();
    assert_eq!(board(store, CLASS, "all", 10, 1).top[0].points, 50);

    assert_eq!(
        store.remove_student(CLASS, UserId(1)).unwrap(),
        Removed {
            answers: 2,
            competition_answers: 1,
            totals: 2
        }
    );
    let b = board(store, CLASS, "all", 10, 1);
    assert_eq!(
        (top(&b), b.players, b.caller),
        (vec![(2, 20), (3, 0)], 2, None)
    );
    assert_eq!(board(store, CLASS, WEEK, 10, 1).players, 2);
    assert_eq!(board(store, CLASS, "all", 1, 3).caller.unwrap().rank, 2);
    assert_eq!(store.tally(monday.id).unwrap(), tally(2, 1));
    assert_eq!(store.tally(tuesday.id).unwrap(), tally(0, 0));
    assert_eq!(store.streak(CLASS, UserId(1)).unwrap(), Streak::default());
    assert!(store
        .question_results(Some(CLASS), UserId(1))
        .unwrap()
        .is_empty());
    assert!(store.competition_answers(quiz.id, None).unwrap().is_empty());
    assert!(store
        .export_rows(CLASS, "all")
        .unwrap()
        .iter()
        .all(|row| row.user != UserId(1)));
    // Their other guild keeps them.
    assert_eq!(top(&board(store, OTHER, "all", 10, 1)), [(1, 20)]);
    assert_eq!(
        store.remove_student(CLASS, UserId(1)).unwrap(),
        Removed::default()
    );
    // Back again, they start from nothing (and the player count follows).
    record(store, &answer(&tuesday, 1, 7, 20));
    let b = board(store, CLASS, "all", 10, 1);
    assert_eq!(
        (b.caller.map(|c| (c.rank, c.points, c.name)), b.players),
        (Some((1, 20, "(unknown student)".to_string())), 3)
    );
}

fn delete_user_erases_them_everywhere(store: &dyn Store) {
    let class = daily(store, CLASS, 23, "p/a");
    let other = daily(store, OTHER, 23, "p/a");
    let mut mine = answer(&class, 7, 1, 20);
    mine.display_name = Some("Ada".into());
    record(store, &mine);
    record(store, &answer(&class, 8, 2, 20));
    record(store, &answer(&other, 7, 3, 0));
    let dm = practice(store, None, 7, "p/b");
    let mut reviewed = answer(&dm, 7, 4, 20);
    reviewed.review = Some(card("p/b", at(24, 9), 0));
    record(store, &reviewed);
    store
        .remember_name(None, UserId(7), "Ada in DMs", at(23, 9))
        .unwrap();
    // A competition answer is all they left in guild 12.
    let quiz = store
        .create_competition(&competition(GuildId(12), 600, 1))
        .unwrap()
        .unwrap();
    store
        .record_competition_answer(&NewCompetitionAnswer {
            guild: GuildId(12),
            ..competition_answer(quiz.id, 1, 7, 5, 10, 700)
        })
        .unwrap();

    assert_eq!(
        store.delete_user(UserId(7)).unwrap(),
        (
            Removed {
                answers: 3,
                competition_answers: 1,
                totals: 5
            },
            3
        )
    );
    assert_eq!(store.next_review(UserId(7), None).unwrap(), None);
    assert_eq!(store.review_card(UserId(7), "p/b").unwrap(), None);
    assert!(store.question_results(None, UserId(7)).unwrap().is_empty());
    assert_eq!(store.tally(dm.id).unwrap(), Tally::default());
    assert_eq!(store.tally(class.id).unwrap(), tally(1, 1));
    for guild in [CLASS, OTHER, GuildId(12)] {
        let b = board(store, guild, "all", 10, 7);
        assert!(b.caller.is_none() && b.top.iter().all(|s| s.user != UserId(7)));
    }
    // Nobody else changes.
    let b = board(store, CLASS, "all", 10, 8);
    assert_eq!((top(&b), b.players), (vec![(8, 20)], 1));
    assert_eq!(
        store.question_results(Some(CLASS), UserId(8)).unwrap(),
        [results("p/a", 1, 1)]
    );
    assert_eq!(
        store.delete_user(UserId(7)).unwrap(),
        (Removed::default(), 0)
    );
}

fn guilds_left_and_returned(store: &dyn Store) {
    assert!(store.known_guilds().unwrap().is_empty());
    store
        .save_settings(CLASS, &GuildSettings::default(), at(20, 8))
        .unwrap();
    store
        .remember_name(Some(OTHER), UserId(1), "Ada", at(20, 8))
        .unwrap();
    // Names seen in direct messages belong to no guild.
    store
        .remember_name(None, UserId(1), "Ada", at(20, 8))
        .unwrap();
    let q = daily(store, GuildId(12), 20, "p/a");
    record(store, &answer(&q, 1, 1, 20));
    // Only an instance (no settings, names or scores): not "known".
    daily(store, GuildId(13), 20, "p/a");
    assert_eq!(store.known_guilds().unwrap(), [CLASS, OTHER, GuildId(12)]);

    store.guild_left(CLASS, at(21, 8)).unwrap();
    store.guild_left(CLASS, at(22, 8)).unwrap();
    store.guild_left(GuildId(13), at(21, 9)).unwrap();
    assert_eq!(store.known_guilds().unwrap(), [OTHER, GuildId(12)]);
    // The first departure counts, and the cutoff is strict.
    assert!(store.guilds_left_before(at(21, 8)).unwrap().is_empty());
    assert_eq!(
        store
            .guilds_left_before(at(21, 8) + Duration::microseconds(1))
            .unwrap(),
        [CLASS]
    );
    assert_eq!(
        store.guilds_left_before(at(30, 0)).unwrap(),
        [CLASS, GuildId(13)]
    );
    assert!(store.guild_returned(CLASS).unwrap());
    assert!(!store.guild_returned(CLASS).unwrap());
    assert!(!store.guild_returned(OTHER).unwrap());
    assert_eq!(store.guilds_left_before(at(30, 0)).unwrap(), [GuildId(13)]);
    assert_eq!(store.known_guilds().unwrap(), [CLASS, OTHER, GuildId(12)]);
}

/// What [`fill_guild`] stored: how many rows (as `delete_guild` counts them)
/// and the ids to look for afterwards.
struct Filled {
    rows: u64,
    daily: i64,
    practice: i64,
    competition: i64,
    report: i64,
}

/// Everything a guild can have stored, one or two of each.
fn fill_guild(store: &dyn Store, guild: GuildId, first_interaction: u64) -> Filled {
    let i = first_interaction;
    store
        .save_settings(
            guild,
            &GuildSettings {
                channel: Some(1),
                post_time: Some("08:00".into()),
                ..Default::default()
            },
            at(20, 8),
        )
        .unwrap(); // guild_settings 1
    let q = daily(store, guild, 23, "p/a"); // instances 1
    let mut first = answer(&q, 1, i, 20);
    first.display_name = Some("Ada".into()); // members 1
    first.streak = Some(Streak {
        current: 1,
        best: 1,
        last_day: Some(date(23)),
    }); // streaks 1
    first.periods = vec!["all".into()];
    record(store, &first); // answers 1, tally 1, totals 1, period_players 1, score_counts(20) 1
    let mut second = answer(&q, 2, i + 1, 10);
    second.periods = vec!["all".into()];
    record(store, &second); // answers 2, totals 2, score_counts(10) 2
    store
        .remember_name(Some(guild), UserId(2), "Ben", at(23, 9))
        .unwrap(); // members 2
    let p = practice(store, Some(guild), 1, "p/b"); // instances 2
    let mut practiced = answer(&p, 1, i + 2, 0);
    practiced.periods = vec![];
    record(store, &practiced); // answers 3, tally 2
    let quiz = store
        .create_competition(&competition(guild, guild.0 * 100, 2))
        .unwrap()
        .unwrap(); // competitions 1, rounds 2
    store
        .record_competition_answer(&NewCompetitionAnswer {
            guild,
            ..competition_answer(quiz.id, 1, 1, i + 3, 10, 500)
        })
        .unwrap(); // competition_answers 1; student 1 moves 20 -> 30: score_counts(30) 3, (20) stays at 0
    store.start_season(guild, "Autumn", at(20, 8)).unwrap(); // seasons 1
    store.claim_post(guild, date(23), "n", at(23, 8)).unwrap(); // daily_posts 1
    let report = store
        .add_report(guild, UserId(2), "p/a", "typo", at(23, 10))
        .unwrap(); // reports 1
    store
        .disable_question(guild, "p/c", UserId(9), at(23, 10))
        .unwrap(); // disabled_questions 1
    store.save_pack(guild, &pack("alpha", "a = 1")).unwrap(); // uploaded_packs 1, pack_revisions 1
    store.set_pack_active(guild, "alpha", false).unwrap(); // packs_turned_off 1
    store.guild_left(guild, at(24, 8)).unwrap(); // departed_guilds 1
    Filled {
        rows: 29,
        daily: q.id,
        practice: p.id,
        competition: quiz.id,
        report: report.id,
    }
}

fn delete_guild_leaves_nothing_of_it(store: &dyn Store) {
    let Filled {
        rows,
        daily: daily_id,
        practice: practice_id,
        competition: quiz,
        report,
    } = fill_guild(store, CLASS, 100);
    fill_guild(store, OTHER, 200);
    let other_board = board(store, OTHER, "all", 10, 1);
    let other_packs = store.guild_packs(OTHER).unwrap();
    let review = card("p/a", at(24, 9), 0);
    let q = practice(store, None, 1, "p/a");
    let mut reviewed = answer(&q, 1, 300, 20);
    reviewed.review = Some(review.clone());
    record(store, &reviewed);
    // Cards of questions from a guild's uploaded packs go with the guild;
    // other guilds' stay (110 ends like 10 but is another guild).
    let scoped = ["alpha/q@10", "alpha/q@11", "alpha/q@110"];
    for (n, key) in (310..).zip(scoped) {
        let mut reviewed = answer(&practice(store, None, 1, "alpha/q"), 1, n, 0);
        reviewed.review = Some(card(key, at(24, 9), 0));
        record(store, &reviewed);
    }

    assert_eq!(store.delete_guild(CLASS).unwrap(), rows + 1);
    let kept = |key: &str| store.review_card(UserId(1), key).unwrap().is_some();
    assert_eq!(scoped.map(kept), [false, true, true]);
    assert_eq!(store.settings(CLASS).unwrap(), GuildSettings::default());
    assert_eq!(store.post_problem(CLASS).unwrap(), None);
    assert_eq!(store.daily_instance(CLASS, date(23)).unwrap(), None);
    assert_eq!(store.instance(daily_id).unwrap(), None);
    assert_eq!(store.instance(practice_id).unwrap(), None);
    assert_eq!(store.tally(daily_id).unwrap(), Tally::default());
    assert!(store.daily_history(CLASS).unwrap().is_empty());
    let b = board(store, CLASS, "all", 10, 1);
    assert!(b.top.is_empty() && b.caller.is_none() && b.players == 0);
    assert!(store.export_rows(CLASS, "all").unwrap().is_empty());
    assert!(store.class_results(CLASS, None).unwrap().is_empty());
    assert!(store
        .question_results(Some(CLASS), UserId(1))
        .unwrap()
        .is_empty());
    assert_eq!(store.streak(CLASS, UserId(1)).unwrap(), Streak::default());
    assert!(store.open_season(CLASS).unwrap().is_none());
    assert!(store.seasons(CLASS).unwrap().is_empty());
    assert_eq!(store.competition(quiz).unwrap(), None);
    assert!(store.competition_answers(quiz, None).unwrap().is_empty());
    assert_eq!(store.running_competition_in(CLASS.0 * 100).unwrap(), None);
    assert_eq!(store.report(report).unwrap(), None);
    assert!(store.open_reports(CLASS, 10).unwrap().is_empty());
    assert!(store.disabled_questions(CLASS).unwrap().is_empty());
    assert_eq!(store.guild_packs(CLASS).unwrap(), GuildPacks::default());
    assert!(store
        .wrong_daily_answers(CLASS, UserId(1), 10)
        .unwrap()
        .is_empty());
    assert_eq!(store.guilds_left_before(at(30, 0)).unwrap(), [OTHER]);
    assert!(!store.guild_returned(CLASS).unwrap());
    assert_eq!(
        store
            .claim_post(CLASS, date(23), "again", at(25, 8))
            .unwrap(),
        PostClaim::New
    );
    // The other guild, and what belongs to students rather than guilds, stay.
    assert_eq!(board(store, OTHER, "all", 10, 1), other_board);
    assert_eq!(store.guild_packs(OTHER).unwrap(), other_packs);
    assert_eq!(store.running_competitions().unwrap().len(), 1);
    assert_eq!(store.review_card(UserId(1), "p/a").unwrap(), Some(review));
    assert_eq!(
        store.delete_guild(CLASS).unwrap(),
        1,
        "the claim made since"
    );
}

fn export_rows_in_leaderboard_order(store: &dyn Store) {
    let monday = daily(store, CLASS, 23, "p/a");
    let tuesday = daily(store, CLASS, 24, "p/b");
    let mut ada = answer(&monday, 1, 1, 20);
    ada.display_name = Some("Ada".into());
    ada.streak = Some(Streak {
        current: 2,
        best: 2,
        last_day: Some(date(23)),
    });
    record(store, &ada);
    let mut ada_tuesday = answer(&tuesday, 1, 2, 10);
    ada_tuesday.periods = vec!["all".into()];
    record(store, &ada_tuesday);
    record(store, &answer(&monday, 2, 3, 30));
    record(store, &answer(&monday, 3, 4, 0));
    let row =
        |user: u64, name: &str, answered: u64, correct: u64, points: i64, streak: u32| ExportRow {
            user: UserId(user),
            name: name.into(),
            answered,
            correct,
            points,
            streak,
        };
    assert_eq!(
        store.export_rows(CLASS, "all").unwrap(),
        [
            row(2, "", 1, 1, 30, 0),
            row(1, "Ada", 2, 2, 30, 2),
            row(3, "", 1, 0, 0, 0)
        ]
    );
    assert_eq!(
        store.export_rows(CLASS, WEEK).unwrap(),
        [
            row(2, "", 1, 1, 30, 0),
            row(1, "Ada", 1, 1, 20, 2),
            row(3, "", 1, 0, 0, 0)
        ]
    );
    assert!(store.export_rows(CLASS, "season:1").unwrap().is_empty());
    assert!(store.export_rows(OTHER, "all").unwrap().is_empty());
}

fn class_results_per_question(store: &dyn Store) {
    let monday = daily(store, CLASS, 23, "p/b");
    let tuesday = daily(store, CLASS, 24, "p/a");
    let later = at(24, 9) + Duration::microseconds(5);
    let on =
        |instance: &Instance, user: u64, interaction: u64, points: i64, when: DateTime<Utc>| {
            let mut a = answer(instance, user, interaction, points);
            a.at = when;
            record(store, &a);
        };
    on(&monday, 1, 1, 20, at(23, 9));
    on(&monday, 2, 2, 0, at(23, 9));
    on(&tuesday, 1, 3, 0, later);
    // Practice in the guild counts; in DMs or another guild it does not.
    // Question keys sort by bytes: "p/B" before "p/a".
    let upper = practice(store, Some(CLASS), 3, "p/B");
    on(&upper, 3, 4, 20, later);
    let dm = practice(store, None, 3, "p/c");
    on(&dm, 3, 5, 20, later);
    let elsewhere = daily(store, OTHER, 24, "p/a");
    on(&elsewhere, 3, 6, 20, later);

    assert_eq!(
        store.class_results(CLASS, None).unwrap(),
        [
            results("p/B", 1, 1),
            results("p/a", 1, 0),
            results("p/b", 2, 1)
        ]
    );
    assert_eq!(
        store.class_results(CLASS, Some(later)).unwrap(),
        [results("p/B", 1, 1), results("p/a", 1, 0)],
        "since is inclusive, to the microsecond"
    );
    assert!(store
        .class_results(CLASS, Some(later + Duration::microseconds(1)))
        .unwrap()
        .is_empty());
    assert_eq!(
        store.question_results(None, UserId(3)).unwrap(),
        [
            results("p/B", 1, 1),
            results("p/a", 1, 1),
            results("p/c", 1, 1)
        ]
    );
}

/// Whatever people type comes back exactly: control characters (U+0000
/// included), bidi overrides, combining marks, long text.
fn typed_text_comes_back_byte_for_byte(store: &dyn Store) {
    let odd = [
        "a\u{0}b\u{7}c\u{1b}[31mred".to_string(),
        "\u{202e}desrever\u{202c} \u{2067}isolate".to_string(),
        "e\u{301}".repeat(300),
        "€".repeat(6000),
        "@everyone **bold** 'quoted' \"double\" \\ back".to_string(),
        String::new(),
    ];
    let q = daily(store, CLASS, 23, "p/a");
    for (n, text) in odd.iter().enumerate() {
        let user = n as u64 + 1;
        let mut a = answer(&q, user, user, 10);
        a.answer = text.clone();
        a.display_name = Some(text.clone());
        assert_eq!(record(store, &a), RecordOutcome::Recorded);
        let past = PastAnswer {
            answer: text.clone(),
            correct: true,
            points: 10,
        };
        assert_eq!(record(store, &a), RecordOutcome::Duplicate(past));
        let shown = board(store, CLASS, "all", 0, user).caller.unwrap();
        assert_eq!(&shown.name, text);
        let report = store
            .add_report(CLASS, UserId(user), "p/a", text, at(23, 10))
            .unwrap();
        assert_eq!(&store.report(report.id).unwrap().unwrap().text, text);
        let season = store
            .start_season(GuildId(100 + user), text, at(23, 8))
            .unwrap();
        assert_eq!(
            &store
                .open_season(GuildId(100 + user))
                .unwrap()
                .unwrap()
                .name,
            text
        );
        assert_eq!(
            &store
                .end_season(GuildId(100 + user), at(23, 9))
                .unwrap()
                .unwrap()
                .name,
            text
        );
        assert_eq!(store.seasons(GuildId(100 + user)).unwrap()[0].id, season.id);
        let uploaded = UploadedPack {
            file_name: text.clone(),
            ..pack(&format!("pack-{n}"), "a = 1")
        };
        store.save_pack(CLASS, &uploaded).unwrap();
        assert_eq!(store.guild_packs(CLASS).unwrap().uploads[n], uploaded);
    }
    let names: HashSet<String> = store
        .export_rows(CLASS, "all")
        .unwrap()
        .into_iter()
        .map(|row| row.name)
        .collect();
    assert_eq!(names, odd.iter().cloned().collect());
    let wrong = {
        let q = daily(store, CLASS, 24, "p/b");
        let mut a = answer(&q, 1, 100, 0);
        a.answer = odd[0].clone();
        record(store, &a);
        store.wrong_daily_answers(CLASS, UserId(1), 1).unwrap()
    };
    assert_eq!(wrong[0].answer, odd[0]);
    let quiz = store
        .create_competition(&competition(CLASS, 500, 1))
        .unwrap()
        .unwrap();
    let mut a = competition_answer(quiz.id, 1, 1, 200, 10, 100);
    a.answer = odd[0].clone();
    store.record_competition_answer(&a).unwrap();
    assert_eq!(
        store.record_competition_answer(&a).unwrap(),
        RecordOutcome::Duplicate(PastAnswer {
            answer: odd[0].clone(),
            correct: true,
            points: 10
        })
    );
    assert_eq!(
        store.competition_answers(quiz.id, None).unwrap()[0].name,
        odd[0]
    );
    assert_eq!(
        store.competition_standings(quiz.id).unwrap()[0].name,
        odd[0]
    );
}

// ---------------------------------------------------------------------------
// Cases on a database (opened more than once)

fn reopening_sees_the_same_data(db: &TestDb) {
    let q = {
        let store = db.open();
        let q = daily(&*store, CLASS, 23, "p/a");
        record(&*store, &answer(&q, 1, 1, 20));
        q
    };
    // The other spelling of the URL scheme (and migrating again is a no-op).
    let url = match db.url.strip_prefix("postgres://") {
        Some(rest) => format!("postgresql://{rest}"),
        None => db.url.trim_start_matches("sqlite://").to_string(),
    };
    let store = studybot::store::open(&url).unwrap();
    assert_eq!(
        store.daily_instance(CLASS, date(23)).unwrap(),
        Some(q.clone())
    );
    assert_eq!(store.tally(q.id).unwrap(), tally(1, 1));
    assert_eq!(top(&board(&*store, CLASS, "all", 10, 1)), [(1, 20)]);
}

/// Two stores on one database (two bot processes), several threads each,
/// all recording the same answers at once, each answer also pressed again
/// as a new interaction: every answer counts exactly once, and every total,
/// tally, player count and rank agrees with the answers.
fn concurrent_answers_count_exactly_once(db: &TestDb) {
    const USERS: u64 = 24;
    const THREADS_PER_STORE: usize = 3;
    let stores = [db.open(), db.open()];
    let days = [23, 24, 25];
    let instances: Vec<Instance> = days
        .iter()
        .map(|&day| daily(&*stores[0], CLASS, day, "p/a"))
        .collect();
    let points = |instance: usize, user: u64| ((user + instance as u64) % 4) as i64 * 10;
    let mut work = Vec::new();
    for (n, q) in instances.iter().enumerate() {
        for user in 1..=USERS {
            let mut a = answer(q, user, 1000 * (n as u64 + 1) + user, points(n, user));
            a.display_name = Some(format!("student {user}"));
            work.push(a);
        }
    }
    let threads = stores.len() * THREADS_PER_STORE;
    let barrier = Barrier::new(threads);
    let outcomes: Vec<Vec<(usize, RecordOutcome)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (store, work, barrier) = (&stores[t % stores.len()], &work, &barrier);
                scope.spawn(move || {
                    barrier.wait();
                    let mut seen = Vec::new();
                    // Each thread starts elsewhere in the list, so they collide.
                    for k in 0..work.len() {
                        let n = (k + t * 7) % work.len();
                        // The same press redelivered, and a second press by the
                        // same student (a new interaction).
                        let again = NewAnswer {
                            interaction: InteractionId(1_000_000 * (t as u64 + 1) + n as u64),
                            ..work[n].clone()
                        };
                        for a in [&work[n], &again] {
                            seen.push((n, record_retrying(&**store, a)));
                        }
                    }
                    seen
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });

    let mut recorded = vec![0; work.len()];
    for (n, outcome) in outcomes.into_iter().flatten() {
        let expected = PastAnswer {
            answer: work[n].answer.clone(),
            correct: work[n].correct,
            points: work[n].points,
        };
        match outcome {
            RecordOutcome::Recorded => recorded[n] += 1,
            RecordOutcome::Duplicate(past) | RecordOutcome::AlreadyAnswered(past) => {
                assert_eq!(past, expected)
            }
        }
    }
    assert!(
        recorded.iter().all(|&n| n == 1),
        "each answer recorded exactly once: {recorded:?}"
    );

    let store = &*stores[1];
    for (n, q) in instances.iter().enumerate() {
        let correct = (1..=USERS).filter(|&u| points(n, u) > 0).count() as u64;
        assert_eq!(store.tally(q.id).unwrap(), tally(USERS, correct));
    }
    let total = |user: u64| (0..instances.len()).map(|n| points(n, user)).sum::<i64>();
    let rows = store.export_rows(CLASS, "all").unwrap();
    assert_eq!(rows.len() as u64, USERS);
    for row in &rows {
        assert_eq!(
            (row.answered, row.points, row.name.clone()),
            (3, total(row.user.0), format!("student {}", row.user.0))
        );
    }
    assert_eq!(
        rows.iter().map(|r| r.points).sum::<i64>(),
        work.iter().map(|a| a.points).sum::<i64>()
    );
    for period in ["all", WEEK] {
        assert_eq!(board(store, CLASS, period, 1, 1).players, USERS);
    }
    // The histogram behind every rank survived the races.
    for (rank, row) in rows.iter().enumerate() {
        let me = board(store, CLASS, "all", 1, row.user.0).caller.unwrap();
        assert_eq!(me.rank, rank as u64 + 1, "user {}", row.user.0);
    }
}

/// Records an answer, pressing again while the database says it is busy
/// (what a student asked to try again does; the interaction id is the same).
fn record_retrying(store: &dyn Store, answer: &NewAnswer) -> RecordOutcome {
    for _ in 0..100 {
        match store.record_answer(answer) {
            Err(StoreError::Busy) => std::thread::sleep(std::time::Duration::from_millis(20)),
            result => return result.unwrap(),
        }
    }
    panic!("the database stayed busy");
}

/// Two stores, several threads each, all creating the same daily question,
/// claiming the same daily post and starting a competition in the same
/// channel at the same moment: exactly one of each wins, and the others get
/// the winner's.
fn racing_for_the_daily_and_its_post(db: &TestDb) {
    const THREADS_PER_STORE: usize = 4;
    let stores = [db.open(), db.open()];
    let threads = stores.len() * THREADS_PER_STORE;
    for day in 20..24u32 {
        let barrier = Barrier::new(threads);
        let results: Vec<(Instance, PostClaim, bool)> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let (store, barrier) = (&*stores[t % stores.len()], &barrier);
                    scope.spawn(move || {
                        barrier.wait();
                        let instance = daily(store, CLASS, day, &format!("p/q{t}"));
                        barrier.wait();
                        let claim = store
                            .claim_post(CLASS, date(day), &format!("nonce {t}"), at(day, 8))
                            .unwrap();
                        barrier.wait();
                        let started = store
                            .create_competition(&competition(CLASS, u64::from(day), 1))
                            .unwrap()
                            .is_some();
                        (instance, claim, started)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let winner = &results[0].0;
        assert!(results.iter().all(|(i, _, _)| i == winner), "day {day}");
        assert_eq!(
            stores[1].daily_instance(CLASS, date(day)).unwrap().as_ref(),
            Some(winner)
        );
        let new_claims: Vec<usize> = (0..threads)
            .filter(|&t| results[t].1 == PostClaim::New)
            .collect();
        assert_eq!(new_claims.len(), 1, "day {day}: {results:?}");
        let nonce = format!("nonce {}", new_claims[0]);
        assert!(results.iter().all(|(_, c, _)| *c == PostClaim::New
            || *c
                == PostClaim::Pending {
                    nonce: nonce.clone()
                }));
        assert_eq!(
            results.iter().filter(|(_, _, started)| *started).count(),
            1,
            "day {day}: one competition per channel"
        );
    }
    let history = stores[0].daily_history(CLASS).unwrap();
    assert_eq!(history.len(), 4);
    assert!(history.iter().all(|q| q.starts_with("p/q")));
    assert_eq!(stores[0].running_competitions().unwrap().len(), 4);
}

/// Several processes saving the same pack at once: every save counts (the
/// revision goes up once each), exactly one finds no earlier upload, and
/// one upload of that pack is left, holding one of the texts sent.
fn racing_to_save_the_same_pack(db: &TestDb) {
    const THREADS_PER_STORE: usize = 4;
    let stores = [db.open(), db.open()];
    let threads = stores.len() * THREADS_PER_STORE;
    let barrier = Barrier::new(threads);
    let replaced: Vec<bool> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (store, barrier) = (&*stores[t % stores.len()], &barrier);
                scope.spawn(move || {
                    barrier.wait();
                    store
                        .save_pack(CLASS, &pack("alpha", &format!("a = {t}")))
                        .unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(replaced.iter().filter(|r| !**r).count(), 1, "{replaced:?}");
    let packs = stores[1].guild_packs(CLASS).unwrap();
    assert_eq!(packs.revision, threads as i64);
    assert_eq!(packs.uploads.len(), 1);
    assert!((0..threads).any(|t| packs.uploads[0] == pack("alpha", &format!("a = {t}"))));
}

/// Several processes opening a new database at the same moment: one
/// migrates, the others wait for it and find nothing to do. (PostgreSQL
/// only: SQLite is one process's embedded file.)
fn first_open_from_several_processes_migrates_once(db: &TestDb) {
    let barrier = Barrier::new(3);
    let stores: Vec<Arc<dyn Store>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..3)
            .map(|_| {
                scope.spawn(|| {
                    barrier.wait();
                    db.open()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let q = daily(&*stores[0], CLASS, 23, "p/a");
    record(&*stores[1], &answer(&q, 1, 1, 20));
    assert_eq!(stores[2].tally(q.id).unwrap(), tally(1, 1));
}

/// The migration that gives the cards of uploaded packs' questions their
/// server (see `studybot::review::card_key`), run on a database as the
/// previous build left it: cards keyed by the question alone.
fn old_review_cards_of_uploaded_packs_get_their_servers_id(db: &TestDb) {
    let store = db.open();
    store.save_pack(CLASS, &pack("ww1", "[pack]")).unwrap();
    let card = |key: &str| studybot::review::after_answer(None, key, false, at(23, 9));
    // Answered in the server that uploaded ww1; a bundled question; a ww1
    // question answered only in a server without that upload (and in DMs).
    let mut interaction = 0;
    let mut old_answer = |guild, user, question: &str| {
        interaction += 1;
        let instance = practice(&*store, guild, user, question);
        let mut answer = answer(&instance, user, interaction, 0);
        answer.review = Some(card(question));
        record(&*store, &answer);
    };
    old_answer(Some(CLASS), 1, "ww1/marne");
    old_answer(Some(CLASS), 1, "p/a");
    old_answer(Some(OTHER), 2, "ww1/marne");
    old_answer(None, 2, "ww1/archduke");
    drop(store);
    // Back to the schema as the build before that migration left it, with
    // the history it kept (before the migration runner changed).
    // The classes migration came after it and cannot run twice: undone.
    undo_the_classes_migration(db);
    as_an_earlier_build_left_it(db, Back::Migrations(MIGRATIONS_SINCE_CLASSES + 1));
    let store = db.open();
    let keys = |user: u64| -> Vec<String> {
        let mut keys: Vec<String> = store
            .next_reviews(UserId(user), None, 10)
            .unwrap()
            .into_iter()
            .map(|c| c.question)
            .collect();
        keys.sort();
        keys
    };
    assert_eq!(keys(1), ["p/a", "ww1/marne@10"]);
    assert_eq!(keys(2), ["ww1/archduke", "ww1/marne"]);
    // The card kept its schedule under the new key.
    let moved = store
        .review_card(UserId(1), "ww1/marne@10")
        .unwrap()
        .unwrap();
    assert_eq!(
        moved,
        ReviewCard {
            question: "ww1/marne@10".into(),
            ..card("ww1/marne")
        }
    );
    assert_eq!(store.review_card(UserId(1), "ww1/marne").unwrap(), None);
}

/// How far back [`as_an_earlier_build_left_it`] takes a database.
enum Back {
    /// Today's schema, recorded only as builds before the shared migration
    /// runner recorded it.
    RunnerOnly,
    /// The same, this many migrations earlier: their history entries are
    /// gone, so the next open runs them again (they must be safe to, or be
    /// undone first, as [`undo_the_classes_migration`] does).
    Migrations(i64),
}

/// A plan for a daily (or practice) answer, with quiz's rules.
fn plan(instance: &Instance, user: u64, interaction: u64, correct: bool) -> AnswerPlan {
    let now = at(instance.day.map_or(23, |d| chrono::Datelike::day(&d)), 9);
    AnswerPlan {
        instance: instance.id,
        kind: instance.kind,
        guild: instance.guild,
        user: UserId(user),
        interaction: InteractionId(interaction),
        question: instance.question.clone(),
        answer: format!("answer of {user}"),
        correct,
        points: if correct { 20 } else { 0 },
        at: now,
        display_name: Some(format!("Student {user}")),
        card: instance.question.clone(),
        rules: Arc::new(studybot::quiz::Rules {
            day: instance.day,
            post_days: None,
            paused: Default::default(),
            class: None,
            correct,
            now,
        }),
    }
}

fn streak(current: u32, best: u32, last_day: u32) -> Streak {
    Streak {
        current,
        best,
        last_day: Some(date(last_day)),
    }
}

/// An answer carried out from a plan: the store reads the stored streak,
/// the open season and the review card in the answer's transaction,
/// applies quiz's rules, writes everything and returns what the reply
/// needs; repeats change nothing and say so.
fn answers_apply_the_rules_to_what_is_stored(store: &dyn Store) {
    let season = store.start_season(CLASS, "Autumn", at(20, 8)).unwrap();
    let monday = daily(store, CLASS, 23, "p/a");
    let tuesday = daily(store, CLASS, 24, "p/b");
    assert_eq!(
        store.answer(&plan(&monday, 1, 1, true)).unwrap(),
        Answered {
            outcome: RecordOutcome::Recorded,
            points: 20,
            bonus: 0,
            streak: Some(streak(1, 1, 23)),
            tally: tally(1, 1),
        }
    );
    store.answer(&plan(&monday, 2, 2, false)).unwrap();
    // The next day builds on the stored streak: a bonus for day two.
    assert_eq!(
        store.answer(&plan(&tuesday, 1, 3, true)).unwrap(),
        Answered {
            outcome: RecordOutcome::Recorded,
            points: 22,
            bonus: 2,
            streak: Some(streak(2, 2, 24)),
            tally: tally(1, 1),
        }
    );
    assert_eq!(store.streak(CLASS, UserId(1)).unwrap(), streak(2, 2, 24));
    for period in ["all", WEEK, &format!("season:{}", season.id)] {
        assert_eq!(top(&board(store, CLASS, period, 10, 1)), [(1, 42), (2, 0)]);
    }
    assert_eq!(board(store, CLASS, "all", 10, 1).top[0].name, "Student 1");
    assert_eq!(
        store.review_card(UserId(1), "p/b").unwrap().unwrap().reps,
        1
    );
    // A redelivery and a second press change nothing.
    let again = store.answer(&plan(&tuesday, 1, 3, true)).unwrap();
    assert!(matches!(
        again.outcome,
        RecordOutcome::Duplicate(PastAnswer { points: 22, .. })
    ));
    assert_eq!(
        (again.points, again.streak, again.tally),
        (0, None, tally(1, 1))
    );
    let second = store.answer(&plan(&tuesday, 1, 4, false)).unwrap();
    assert!(matches!(second.outcome, RecordOutcome::AlreadyAnswered(_)));
    assert_eq!(store.streak(CLASS, UserId(1)).unwrap(), streak(2, 2, 24));
    // Practice of Monday's question: its review card is built on the one
    // the daily answer left; no streak, no leaderboard.
    let own = practice(store, Some(CLASS), 1, "p/a");
    let practised = store.answer(&plan(&own, 1, 5, true)).unwrap();
    assert_eq!(
        (practised.outcome, practised.streak, practised.tally),
        (RecordOutcome::Recorded, None, tally(1, 1))
    );
    assert_eq!(
        store.review_card(UserId(1), "p/a").unwrap().unwrap().reps,
        2
    );
    assert_eq!(store.streak(CLASS, UserId(1)).unwrap(), streak(2, 2, 24));
    assert_eq!(top(&board(store, CLASS, "all", 10, 1)), [(1, 42), (2, 0)]);
}

/// A teacher accepting a student's wrong answer while the same student
/// answers the next daily question (issue #24's race: the streak was read
/// before the answer's transaction and a rebuild landing in between was
/// overwritten). Whichever commits first, the other builds on it: a
/// student right on days 21 and 23 whose day-22 answer is accepted ends
/// with a three-day streak, in either order and when both run at once.
fn an_answer_and_an_accept_at_once_lose_no_streak(store: &dyn Store) {
    let days: Vec<Instance> = (21..=23)
        .map(|d| daily(store, CLASS, d, &format!("p/d{d}")))
        .collect();
    let periods = ["all".to_string(), WEEK.to_string()];
    let rebuild: StreakRebuild = Arc::new(|stored: &Streak, daily: &[(NaiveDate, bool)]| {
        studybot::quiz::rebuild_streak(stored, daily, None)
    });
    const STUDENTS: u64 = 12;
    let mut wrong_on_22 = HashMap::new();
    for user in 1..=STUDENTS {
        store
            .answer(&plan(&days[0], user, user * 10, true))
            .unwrap();
        store
            .answer(&plan(&days[1], user, user * 10 + 1, false))
            .unwrap();
        assert_eq!(
            store.streak(CLASS, UserId(user)).unwrap(),
            Streak {
                current: 0,
                best: 1,
                last_day: Some(date(21)),
            }
        );
        let wrong = store.wrong_daily_answers(CLASS, UserId(user), 1).unwrap();
        wrong_on_22.insert(user, wrong[0].id);
    }
    let accept = |user: u64| {
        let mended = store
            .accept_answer(wrong_on_22[&user], 20, &periods, &rebuild)
            .unwrap();
        assert!(mended.is_some());
    };
    let answer_23 = |user: u64| {
        let answered = store
            .answer(&plan(&days[2], user, user * 10 + 2, true))
            .unwrap();
        assert_eq!(answered.outcome, RecordOutcome::Recorded);
    };
    // One order, then the other.
    accept(1);
    answer_23(1);
    answer_23(2);
    accept(2);
    // Both at once, for every other student.
    let barrier = Barrier::new(2);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            for user in 3..=STUDENTS {
                barrier.wait();
                accept(user);
            }
        });
        scope.spawn(|| {
            for user in 3..=STUDENTS {
                barrier.wait();
                answer_23(user);
            }
        });
    });
    for user in 1..=STUDENTS {
        assert_eq!(
            store.streak(CLASS, UserId(user)).unwrap(),
            streak(3, 3, 23),
            "student {user}"
        );
    }
    // And every point counted once: 20 + 20 (accepted) + 20, and a bonus
    // of 0 or 4 for day 23, depending on which came first (the bonus is
    // the streak's when the answer was given).
    let board = board(store, CLASS, "all", STUDENTS as usize, 1);
    assert_eq!(board.players, STUDENTS);
    for standing in &board.top {
        assert!(
            [60, 64].contains(&standing.points),
            "student {} has {}",
            standing.user.0,
            standing.points
        );
        assert_eq!((standing.answered, standing.correct), (3, 3));
    }
}

/// Rewrites a closed database's schema history as the builds before the
/// shared runner (`store/migrate.rs`) kept it: SQLite's `user_version`
/// (rusqlite_migration), PostgreSQL's `studybot_migrations`, and no
/// `refinery_schema_history`.
fn as_an_earlier_build_left_it(db: &TestDb, back: Back) {
    let rewind = |latest: i64| match back {
        Back::RunnerOnly => latest,
        Back::Migrations(n) => latest - n,
    };
    match &db._cleanup {
        Cleanup::File { .. } => {
            let path = db.url.strip_prefix("sqlite://").unwrap();
            let conn = rusqlite::Connection::open(path).unwrap();
            let latest: i64 = conn
                .query_row(
                    "SELECT max(version) FROM refinery_schema_history",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            conn.execute_batch("DROP TABLE refinery_schema_history")
                .unwrap();
            conn.pragma_update(None, "user_version", rewind(latest))
                .unwrap();
        }
        Cleanup::Schema { server, schema } => {
            let mut client = studybot::store::postgres::connect_client(server).unwrap();
            let latest: i32 = client
                .query_one(
                    &format!("SELECT max(version) FROM {schema}.refinery_schema_history"),
                    &[],
                )
                .unwrap()
                .get(0);
            client
                .batch_execute(&format!(
                    "DROP TABLE {schema}.refinery_schema_history;
                     CREATE TABLE {schema}.studybot_migrations (
                         version    INTEGER PRIMARY KEY,
                         applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                     );
                     INSERT INTO {schema}.studybot_migrations (version)
                         SELECT generate_series(1, {})",
                    rewind(i64::from(latest))
                ))
                .unwrap();
        }
    }
}

/// Takes a closed database back to the schema before the class seasons
/// migration (SQLite V13, PostgreSQL V5): no `class_seasons` table. Its
/// history is rewound separately.
fn undo_the_class_seasons_migration(db: &TestDb) {
    match &db._cleanup {
        Cleanup::File { .. } => {
            let path = db.url.strip_prefix("sqlite://").unwrap();
            let conn = rusqlite::Connection::open(path).unwrap();
            conn.execute_batch("DROP TABLE class_seasons;").unwrap();
        }
        Cleanup::Schema { server, schema } => {
            admin(server, &format!("DROP TABLE {schema}.class_seasons;")).unwrap()
        }
    }
}

/// How many migration files, the classes one included, are undone by
/// [`undo_the_classes_migration`] (classes, team competitions, class
/// seasons).
const MIGRATIONS_SINCE_CLASSES: i64 = 3;

/// Takes a closed database back to the schema before the classes migration
/// (SQLite V11, PostgreSQL V3) and those after it (team competitions V12,
/// V4; class seasons V13, V5), keeping its data: what a build before
/// classes left. Its history is rewound separately
/// ([`MIGRATIONS_SINCE_CLASSES`] files).
fn undo_the_classes_migration(db: &TestDb) {
    undo_the_class_seasons_migration(db);
    match &db._cleanup {
        Cleanup::File { .. } => {
            let path = db.url.strip_prefix("sqlite://").unwrap();
            let conn = rusqlite::Connection::open(path).unwrap();
            conn.execute_batch(
                "DROP TABLE competition_team_members;
                 DROP TABLE competition_teams;
                 ALTER TABLE competitions DROP COLUMN team_mode;
                 DROP TABLE classes;
                 DROP INDEX instances_one_daily;
                 ALTER TABLE instances DROP COLUMN class_id;
                 CREATE UNIQUE INDEX instances_one_daily ON instances (guild_id, day) WHERE kind = 'daily';
                 CREATE TABLE daily_posts_before (
                     guild_id   INTEGER NOT NULL,
                     day        TEXT NOT NULL,
                     nonce      TEXT NOT NULL,
                     message_id INTEGER,
                     updated_at TEXT NOT NULL,
                     PRIMARY KEY (guild_id, day)
                 ) WITHOUT ROWID;
                 INSERT INTO daily_posts_before SELECT guild_id, day, nonce, message_id, updated_at FROM daily_posts;
                 DROP TABLE daily_posts;
                 ALTER TABLE daily_posts_before RENAME TO daily_posts;",
            )
            .unwrap();
        }
        Cleanup::Schema { server, schema } => admin(
            server,
            &format!(
                "DROP TABLE {schema}.competition_team_members;
                 DROP TABLE {schema}.competition_teams;
                 ALTER TABLE {schema}.competitions DROP COLUMN team_mode;
                 DROP TABLE {schema}.classes;
                 DROP INDEX {schema}.instances_one_daily;
                 ALTER TABLE {schema}.instances DROP COLUMN class_id;
                 CREATE UNIQUE INDEX instances_one_daily ON {schema}.instances (guild_id, day) WHERE kind = 'daily';
                 ALTER TABLE {schema}.daily_posts DROP CONSTRAINT daily_posts_pkey;
                 ALTER TABLE {schema}.daily_posts DROP COLUMN class_id;
                 ALTER TABLE {schema}.daily_posts ADD PRIMARY KEY (guild_id, day);"
            ),
        )
        .unwrap(),
    }
}

/// A server that posted its daily question before classes existed becomes
/// one class, `main`, bound to its daily channel, with nothing lost or
/// changed for its students: the day's question and post are the class's,
/// the class board equals the server's, and the server's boards stay.
fn servers_from_before_classes_keep_their_daily_and_boards(db: &TestDb) {
    let q = {
        let store = db.open();
        let settings = GuildSettings {
            channel: Some(11),
            post_time: Some("09:00".into()),
            ..GuildSettings::default()
        };
        store.save_settings(CLASS, &settings, at(22, 8)).unwrap();
        let q = daily(&*store, CLASS, 23, "p/a");
        record(&*store, &answer(&q, 1, 1, 20));
        record(&*store, &answer(&q, 2, 2, 10));
        record(&*store, &answer(&q, 4, 4, 10));
        store.claim_post(CLASS, date(23), "n", at(23, 9)).unwrap();
        store.mark_posted(CLASS, date(23), 42, at(23, 9)).unwrap();
        let other = daily(&*store, OTHER, 23, "p/b");
        record(&*store, &answer(&other, 3, 3, 30));
        q
    };
    undo_the_classes_migration(db);
    as_an_earlier_build_left_it(db, Back::Migrations(MIGRATIONS_SINCE_CLASSES));
    for _ in 0..2 {
        let store = db.open();
        let classes = store.classes(CLASS).unwrap();
        assert_eq!(classes.len(), 1, "{classes:?}");
        let main = &classes[0];
        assert_eq!((main.name.as_str(), main.channel), ("main", 11));
        assert_eq!(
            main.settings,
            ClassSettings::default(),
            "the server's settings"
        );
        assert!(
            store.classes(OTHER).unwrap().is_empty(),
            "no channel, no class"
        );
        let settings = store.settings(CLASS).unwrap();
        assert_eq!(settings.channel, None, "the class holds the channel");
        assert_eq!(settings.post_time.as_deref(), Some("09:00"));
        assert_eq!(
            store
                .class_daily(CLASS, main.id, date(23))
                .unwrap()
                .map(|i| i.id),
            Some(q.id)
        );
        assert_eq!(store.instance(q.id).unwrap().unwrap().class, main.id);
        assert_eq!(store.daily_instance(CLASS, date(23)).unwrap(), None);
        assert_eq!(
            store
                .claim_class_post(CLASS, main.id, date(23), "x", at(23, 10))
                .unwrap(),
            PostClaim::Sent { message: 42 },
            "not posted again"
        );
        for period in ["all", WEEK] {
            for board_period in [period.to_string(), class_period(main.id, period)] {
                let b = board(&*store, CLASS, &board_period, 10, 4);
                assert_eq!(top(&b), [(1, 20), (2, 10), (4, 10)], "{board_period}");
                assert_eq!(b.players, 3);
                assert_eq!(b.caller.map(|s| s.rank), Some(3), "the tie goes by user id");
            }
        }
        assert_eq!(top(&board(&*store, OTHER, "all", 10, 3)), [(3, 30)]);
    }
    // The class goes on: tomorrow's answer counts on its board.
    let store = db.open();
    let main = store.classes(CLASS).unwrap().remove(0);
    {
        let tomorrow = store
            .create_instance(&NewInstance {
                class: main.id,
                ..NewInstance {
                    kind: InstanceKind::Daily,
                    guild: Some(CLASS),
                    owner: None,
                    day: Some(date(24)),
                    class: 0,
                    question: "p/c".into(),
                    option_order: vec![0, 1],
                    created_at: at(24, 9),
                }
            })
            .unwrap();
        let mut a = answer(&tomorrow, 2, 20, 15);
        a.periods.push(class_period(main.id, "all"));
        record(&*store, &a);
        assert_eq!(
            board(&*store, CLASS, &class_period(main.id, "all"), 10, 2)
                .caller
                .map(|s| (s.rank, s.points)),
            Some((1, 25))
        );
    }
}

/// A database made by a build before the shared migration runner opens
/// with nothing lost: its history is taken over (every migration it had
/// is recorded, none is run again) and it goes on working; opening it
/// again finds nothing to do.
fn databases_from_before_the_migration_runner_open_with_nothing_lost(db: &TestDb) {
    let q = {
        let store = db.open();
        store
            .save_settings(
                CLASS,
                &GuildSettings {
                    timezone: Some("Europe/London".into()),
                    ..GuildSettings::default()
                },
                at(23, 8),
            )
            .unwrap();
        let q = daily(&*store, CLASS, 23, "p/a");
        record(&*store, &answer(&q, 1, 1, 20));
        record(&*store, &answer(&q, 2, 2, 0));
        q
    };
    as_an_earlier_build_left_it(db, Back::RunnerOnly);
    for _ in 0..2 {
        let store = db.open();
        assert_eq!(
            store.settings(CLASS).unwrap().timezone.as_deref(),
            Some("Europe/London")
        );
        assert_eq!(store.tally(q.id).unwrap(), tally(2, 1));
        assert_eq!(top(&board(&*store, CLASS, "all", 10, 1)), [(1, 20), (2, 0)]);
    }
    // Still one instance for the day, and new answers count as before.
    let store = db.open();
    assert_eq!(daily(&*store, CLASS, 23, "p/b").id, q.id);
    record(&*store, &answer(&q, 3, 3, 10));
    assert_eq!(store.tally(q.id).unwrap(), tally(3, 2));
}

/// Opening a store while another process holds the migration lock for
/// longer than a request's lock timeout (2 s) waits for it, then opens.
/// (CI once saw `Busy` here when many tests migrated their schemas at once.)
fn opening_waits_for_another_process_migrating(db: &TestDb) {
    let Cleanup::Schema { server, .. } = &db._cleanup else {
        unreachable!("a PostgreSQL test database")
    };
    // The store's migration lock key ("Studybot" in ASCII).
    const MIGRATION_LOCK: i64 = 0x5374_7564_7962_6f74;
    let (locked, lock_taken) = std::sync::mpsc::channel();
    let server = server.clone();
    let holder = std::thread::spawn(move || {
        let mut client = studybot::store::postgres::connect_client(&server).unwrap();
        let mut tx = client.transaction().unwrap();
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .unwrap();
        locked.send(()).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(3500));
        tx.commit().unwrap();
    });
    lock_taken.recv().unwrap();
    let started = std::time::Instant::now();
    let store = db.open();
    let waited = started.elapsed();
    holder.join().unwrap();
    assert!(
        waited >= std::time::Duration::from_secs(2),
        "the open did not wait for the lock ({waited:?})"
    );
    let q = daily(&*store, CLASS, 23, "p/a");
    record(&*store, &answer(&q, 1, 1, 20));
    assert_eq!(store.tally(q.id).unwrap(), tally(1, 1));
}

/// A server that refuses writes (here: every transaction read-only, as on
/// a standby): writes fail as "cannot be written" and are reported by
/// `write_problem`, reads go on working, and the store still opens.
fn read_only_server_is_unwritable(db: &TestDb) {
    let q = {
        let store = db.open();
        let q = daily(&*store, CLASS, 23, "p/a");
        record(&*store, &answer(&q, 1, 1, 20));
        assert_eq!(store.write_problem(), None);
        q
    };
    // The test database's URL ends with its `options` parameter.
    let read_only = studybot::store::open(&format!(
        "{}%20-c%20default_transaction_read_only%3Don",
        db.url
    ))
    .unwrap();
    assert_eq!(read_only.write_problem(), None);
    assert!(matches!(
        read_only.record_answer(&answer(&q, 2, 2, 20)),
        Err(StoreError::Unwritable(_))
    ));
    assert!(read_only
        .write_problem()
        .is_some_and(|why| why.contains("read-only")));
    assert_eq!(read_only.tally(q.id).unwrap(), tally(1, 1));
    assert_eq!(top(&board(&*read_only, CLASS, "all", 10, 1)), [(1, 20)]);
    assert!(read_only.write_problem().is_some(), "reads do not clear it");
}

// ---------------------------------------------------------------------------
// Called from inside a tokio runtime

/// The bot calls cheap reads directly on tokio worker threads (not only from
/// `spawn_blocking`): every backend must work there, from many tasks at once.
async fn called_from_async_runtime(store: Arc<dyn Store>) {
    store
        .save_settings(
            CLASS,
            &GuildSettings {
                timezone: Some("Europe/Paris".into()),
                ..Default::default()
            },
            at(23, 8),
        )
        .unwrap();
    assert_eq!(
        store.settings(CLASS).unwrap().timezone.as_deref(),
        Some("Europe/Paris")
    );
    let q = daily(&*store, CLASS, 23, "p/a");
    let tasks: Vec<_> = (1..=16u64)
        .map(|user| {
            let (store, q) = (store.clone(), q.clone());
            tokio::spawn(async move {
                // Directly in the task, on a worker thread.
                record(&*store, &answer(&q, user, user, 10))
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), RecordOutcome::Recorded);
    }
    assert_eq!(store.tally(q.id).unwrap(), tally(16, 16));
    assert_eq!(board(&*store, CLASS, "all", 5, 16).players, 16);
    assert_eq!(
        store.claim_post(CLASS, date(23), "n", at(23, 8)).unwrap(),
        PostClaim::New
    );
}

// ---------------------------------------------------------------------------
// Every case on every backend

macro_rules! contract {
    (
        store: [$($store_case:ident),* $(,)?],
        database: [$($database_case:ident),* $(,)?],
        postgres_only: [$($postgres_case:ident),* $(,)?],
        async: [$($async_case:ident),* $(,)?] $(,)?
    ) => {
        mod sqlite {
            use super::TestDb;
            $(
                #[test]
                fn $store_case() {
                    let db = TestDb::sqlite();
                    let store = db.open();
                    super::$store_case(&*store);
                }
            )*
            $(
                #[test]
                fn $database_case() {
                    super::$database_case(&TestDb::sqlite());
                }
            )*
            $(
                #[tokio::test(flavor = "multi_thread")]
                async fn $async_case() {
                    let db = TestDb::sqlite();
                    super::$async_case(db.open()).await;
                }
            )*
        }

        mod postgres {
            use super::TestDb;
            $(
                #[test]
                fn $store_case() {
                    if let Some(db) = TestDb::postgres(stringify!($store_case)) {
                        let store = db.open();
                        super::$store_case(&*store);
                    }
                }
            )*
            $(
                #[test]
                fn $database_case() {
                    if let Some(db) = TestDb::postgres(stringify!($database_case)) {
                        super::$database_case(&db);
                    }
                }
            )*
            $(
                #[test]
                fn $postgres_case() {
                    if let Some(db) = TestDb::postgres(stringify!($postgres_case)) {
                        super::$postgres_case(&db);
                    }
                }
            )*
            $(
                #[tokio::test(flavor = "multi_thread")]
                async fn $async_case() {
                    if let Some(db) = TestDb::postgres(stringify!($async_case)) {
                        super::$async_case(db.open()).await;
                    }
                }
            )*
        }
    };
}

contract! {
    store: [
        settings_round_trip,
        settings_are_saved_whole_and_scheduled_with_every_field,
        daily_instance_is_created_once_per_guild_and_day,
        answers_count_once_per_student_and_per_interaction,
        leaderboard_ranks_ties_and_player_counts,
        ranks_from_the_score_histogram_match_a_full_sort,
        streaks_are_kept_per_guild,
        seasons_open_and_end,
        claim_post_and_mark_posted,
        competitions_run_rounds_and_count_answers_once,
        team_competitions_keep_their_teams,
        review_cards_come_due_in_order,
        reports_and_disabled_questions,
        uploaded_packs_and_their_revision,
        pack_changes_that_change_nothing_keep_the_revision,
        reports_without_a_limit_and_per_server,
        accept_answer_adds_points_once,
        remove_student_keeps_every_board_consistent,
        delete_user_erases_them_everywhere,
        guilds_left_and_returned,
        delete_guild_leaves_nothing_of_it,
        export_rows_in_leaderboard_order,
        class_results_per_question,
        typed_text_comes_back_byte_for_byte,
        classes_are_kept_with_their_settings_and_unique_names,
        each_class_has_its_own_daily_question_and_post,
        a_servers_own_daily_becomes_its_first_class,
        answers_apply_the_rules_to_what_is_stored,
        an_answer_and_an_accept_at_once_lose_no_streak,
        classes_have_seasons_of_their_own,
        a_class_report_is_its_students_and_its_questions,
        a_class_season_counts_what_is_answered_while_it_runs,
        a_competition_answer_counts_once_on_every_board,
    ],
    database: [
        reopening_sees_the_same_data,
        the_generation_moves_on_with_every_write_and_only_where_it_can,
        old_review_cards_of_uploaded_packs_get_their_servers_id,
        servers_from_before_classes_keep_their_daily_and_boards,
        databases_from_before_class_seasons_keep_their_seasons_and_boards,
        databases_from_before_the_migration_runner_open_with_nothing_lost,
        concurrent_answers_count_exactly_once,
        racing_for_the_daily_and_its_post,
        a_competition_goes_on_after_a_restart,
        competition_answers_from_two_processes_count_once,
        racing_to_save_the_same_pack,
    ],
    postgres_only: [
        first_open_from_several_processes_migrates_once,
        opening_waits_for_another_process_migrating,
        read_only_server_is_unwritable,
    ],
    async: [called_from_async_runtime],
}

// ---------------------------------------------------------------------------
// Classes

fn class(guild: GuildId, name: &str, channel: u64) -> Class {
    Class {
        id: 0,
        guild,
        name: name.into(),
        channel,
        role: None,
        teacher_role: None,
        settings: ClassSettings::default(),
    }
}

fn class_daily(store: &dyn Store, class: &Class, day: u32, question: &str) -> Instance {
    store
        .create_instance(&NewInstance {
            class: class.id,
            ..NewInstance {
                kind: InstanceKind::Daily,
                guild: Some(class.guild),
                owner: None,
                day: Some(date(day)),
                class: 0,
                question: question.into(),
                option_order: vec![1, 0],
                created_at: at(day, 7),
            }
        })
        .unwrap()
}

fn classes_are_kept_with_their_settings_and_unique_names(store: &dyn Store) {
    let saved = store.save_class(&class(CLASS, "10A", 11), "10a").unwrap();
    assert!(saved.id > 0);
    let mut full = class(CLASS, "Year 12 History", 12);
    full.role = Some(u64::MAX);
    full.teacher_role = Some(77);
    full.settings = ClassSettings {
        post_time: Some("14:15".into()),
        timezone: Some("America/New_York".into()),
        post_days: Some(vec![0, 2, 4]),
        paused: [date(24), date(25)].into(),
        packs: vec!["russia".into(), "ww1".into()],
        tags: vec!["stalin".into()],
        ping_role: Some(88),
    };
    let full = store.save_class(&full, "year 12 history").unwrap();
    let other = store.save_class(&class(OTHER, "10A", 11), "10a").unwrap();
    assert_eq!(store.classes(CLASS).unwrap(), [saved.clone(), full.clone()]);
    assert_eq!(store.classes(OTHER).unwrap(), std::slice::from_ref(&other));
    assert_eq!(
        store.all_classes().unwrap(),
        [saved.clone(), full.clone(), other]
    );
    // Names (by key) and channels are unique within a server.
    assert!(store.save_class(&class(CLASS, "10a", 13), "10a").is_err());
    assert!(store.save_class(&class(CLASS, "10C", 12), "10c").is_err());
    // An edit keeps the id; settings can be cleared again.
    let edited = Class {
        name: "10A History".into(),
        channel: 14,
        settings: ClassSettings::default(),
        ..full.clone()
    };
    assert_eq!(
        store.save_class(&edited, "10a history").unwrap(),
        edited.clone()
    );
    assert_eq!(store.classes(CLASS).unwrap(), [saved.clone(), edited]);
    assert!(store.known_guilds().unwrap().contains(&CLASS));
    // Removing a class drops its leaderboards, never the server's.
    let q = class_daily(store, &saved, 23, "p/a");
    let mut a = answer(&q, 1, 1, 20);
    let class_all = class_period(saved.id, "all");
    a.periods.push(class_all.clone());
    record(store, &a);
    assert_eq!(top(&board(store, CLASS, &class_all, 10, 1)), [(1, 20)]);
    assert!(store.remove_class(CLASS, saved.id).unwrap());
    assert!(!store.remove_class(CLASS, saved.id).unwrap());
    assert_eq!(store.classes(CLASS).unwrap().len(), 1);
    let gone = board(store, CLASS, &class_all, 10, 1);
    assert_eq!((gone.players, gone.caller), (0, None));
    assert_eq!(top(&board(store, CLASS, "all", 10, 1)), [(1, 20)]);
    assert_eq!(board(store, CLASS, WEEK, 10, 1).players, 1);
    store.delete_guild(CLASS).unwrap();
    assert!(store.classes(CLASS).unwrap().is_empty());
    assert_eq!(store.classes(OTHER).unwrap().len(), 1);
}

fn each_class_has_its_own_daily_question_and_post(store: &dyn Store) {
    let a = store.save_class(&class(CLASS, "10A", 11), "10a").unwrap();
    let b = store.save_class(&class(CLASS, "10B", 12), "10b").unwrap();
    let server = daily(store, CLASS, 23, "p/s");
    let qa = class_daily(store, &a, 23, "p/a");
    let qb = class_daily(store, &b, 23, "p/b");
    assert_eq!((server.class, qa.class, qb.class), (0, a.id, b.id));
    assert_ne!(qa.id, qb.id);
    // Created twice (a restart, a race): the same instance.
    assert_eq!(class_daily(store, &a, 23, "p/other"), qa);
    assert_eq!(
        store.class_daily(CLASS, a.id, date(23)).unwrap(),
        Some(qa.clone())
    );
    assert_eq!(store.daily_instance(CLASS, date(23)).unwrap(), Some(server));
    assert_eq!(store.instance(qb.id).unwrap(), Some(qb.clone()));
    let qa2 = class_daily(store, &a, 25, "p/a2");
    assert_eq!(
        store.class_daily_history(CLASS, a.id).unwrap(),
        ["p/a", "p/a2"]
    );
    assert_eq!(store.class_daily_history(CLASS, b.id).unwrap(), ["p/b"]);
    assert_eq!(store.daily_history(CLASS).unwrap(), ["p/s"]);
    assert_eq!(
        store.previous_class_daily(CLASS, a.id, date(26)).unwrap(),
        Some(qa2)
    );
    assert_eq!(
        store.previous_class_daily(CLASS, b.id, date(26)).unwrap(),
        Some(qb)
    );
    // Posts are claimed per class.
    assert_eq!(
        store
            .claim_class_post(CLASS, a.id, date(23), "na", at(23, 9))
            .unwrap(),
        PostClaim::New
    );
    assert_eq!(
        store
            .claim_class_post(CLASS, b.id, date(23), "nb", at(23, 9))
            .unwrap(),
        PostClaim::New
    );
    store
        .mark_class_posted(CLASS, a.id, date(23), 5, at(23, 9))
        .unwrap();
    assert_eq!(
        store
            .claim_class_post(CLASS, a.id, date(23), "x", at(23, 10))
            .unwrap(),
        PostClaim::Sent { message: 5 }
    );
    assert_eq!(
        store
            .claim_class_post(CLASS, b.id, date(23), "x", at(23, 10))
            .unwrap(),
        PostClaim::Pending { nonce: "nb".into() }
    );
    assert_eq!(
        store.claim_post(CLASS, date(23), "ns", at(23, 10)).unwrap(),
        PostClaim::New,
        "the server's own post is another"
    );
}

fn a_servers_own_daily_becomes_its_first_class(store: &dyn Store) {
    let settings = GuildSettings {
        channel: Some(11),
        post_time: Some("09:00".into()),
        ..GuildSettings::default()
    };
    store.save_settings(CLASS, &settings, at(22, 8)).unwrap();
    let q = daily(store, CLASS, 23, "p/a");
    record(store, &answer(&q, 1, 1, 20));
    record(store, &answer(&q, 2, 2, 10));
    store.claim_post(CLASS, date(23), "n", at(23, 9)).unwrap();
    store.mark_posted(CLASS, date(23), 42, at(23, 9)).unwrap();
    let other = daily(store, OTHER, 23, "p/a");
    record(store, &answer(&other, 3, 3, 30));

    let main = store.save_class(&class(CLASS, "main", 11), "main").unwrap();
    store.adopt_server_daily(CLASS, main.id).unwrap();
    // The daily question, its post and its boards are the class's now.
    assert_eq!(store.daily_instance(CLASS, date(23)).unwrap(), None);
    assert_eq!(
        store
            .class_daily(CLASS, main.id, date(23))
            .unwrap()
            .map(|i| i.id),
        Some(q.id)
    );
    assert_eq!(
        store
            .claim_class_post(CLASS, main.id, date(23), "x", at(23, 10))
            .unwrap(),
        PostClaim::Sent { message: 42 }
    );
    for period in ["all", WEEK] {
        let class_board = board(store, CLASS, &class_period(main.id, period), 10, 2);
        assert_eq!(top(&class_board), [(1, 20), (2, 10)], "{period}");
        assert_eq!(class_board.players, 2);
        assert_eq!(class_board.caller.map(|s| s.rank), Some(2));
        assert_eq!(top(&board(store, CLASS, period, 10, 1)), [(1, 20), (2, 10)]);
    }
    assert_eq!(
        store.settings(CLASS).unwrap().channel,
        None,
        "the class holds it"
    );
    assert_eq!(
        store.settings(CLASS).unwrap().post_time.as_deref(),
        Some("09:00")
    );
    // Another server is untouched.
    assert_eq!(top(&board(store, OTHER, "all", 10, 3)), [(3, 30)]);
    assert_eq!(
        board(store, OTHER, &class_period(main.id, "all"), 10, 3).players,
        0
    );
}

/// A class's own seasons: one open at a time per class, apart from the
/// server's season and from other classes'; removing the class or the
/// server takes them too.
fn classes_have_seasons_of_their_own(store: &dyn Store) {
    let ten_a = store.save_class(&class(CLASS, "10A", 11), "10a").unwrap();
    let ten_b = store.save_class(&class(CLASS, "10B", 12), "10b").unwrap();
    let server = store.start_season(CLASS, "Year", at(20, 8)).unwrap();
    assert_eq!(store.open_class_season(CLASS, ten_a.id).unwrap(), None);
    assert_eq!(
        store.end_class_season(CLASS, ten_a.id, at(20, 9)).unwrap(),
        None
    );
    let spring = store
        .start_class_season(CLASS, ten_a.id, "Spring \u{202e}term", at(21, 8))
        .unwrap();
    assert_eq!(
        (spring.name.as_str(), spring.started_at, spring.ended_at),
        ("Spring \u{202e}term", at(21, 8), None)
    );
    assert_eq!(
        store.open_class_season(CLASS, ten_a.id).unwrap(),
        Some(spring.clone())
    );
    assert!(
        matches!(
            store.start_class_season(CLASS, ten_a.id, "Twice", at(21, 9)),
            Err(StoreError::Database(_))
        ),
        "one open season per class"
    );
    // 10B and the server keep their own.
    let b_season = store
        .start_class_season(CLASS, ten_b.id, "B", at(21, 9))
        .unwrap();
    assert_ne!(b_season.id, spring.id);
    assert_eq!(store.open_season(CLASS).unwrap(), Some(server.clone()));
    assert_eq!(store.seasons(CLASS).unwrap(), std::slice::from_ref(&server));

    let ended = store
        .end_class_season(CLASS, ten_a.id, at(22, 10))
        .unwrap()
        .unwrap();
    assert_eq!(
        ended,
        Season {
            ended_at: Some(at(22, 10)),
            ..spring.clone()
        }
    );
    assert_eq!(store.open_class_season(CLASS, ten_a.id).unwrap(), None);
    assert_eq!(
        store.open_class_season(CLASS, ten_b.id).unwrap(),
        Some(b_season.clone())
    );
    let summer = store
        .start_class_season(CLASS, ten_a.id, "Summer", at(23, 8))
        .unwrap();
    assert_eq!(
        store.class_seasons(CLASS, ten_a.id).unwrap(),
        [summer.clone(), ended]
    );
    assert_eq!(store.open_season(CLASS).unwrap(), Some(server), "untouched");

    // A removed class takes its seasons; the server's other classes keep theirs.
    assert!(store.remove_class(CLASS, ten_a.id).unwrap());
    assert!(store.class_seasons(CLASS, ten_a.id).unwrap().is_empty());
    assert_eq!(store.class_seasons(CLASS, ten_b.id).unwrap(), [b_season]);
    store.delete_guild(CLASS).unwrap();
    assert!(store.class_seasons(CLASS, ten_b.id).unwrap().is_empty());
}

/// `/class report class:` reads the answers of the students on the class's
/// board: to the class's own daily questions (not another class's) and
/// their practice in the server, since the season's start.
fn a_class_report_is_its_students_and_its_questions(store: &dyn Store) {
    let ten_a = store.save_class(&class(CLASS, "10A", 11), "10a").unwrap();
    let ten_b = store.save_class(&class(CLASS, "10B", 12), "10b").unwrap();
    let a_monday = class_daily(store, &ten_a, 23, "p/a");
    let b_monday = class_daily(store, &ten_b, 23, "p/b");
    let mut interaction = 0;
    let mut on = |instance: &Instance, user: u64, points: i64, class: Option<i64>, when| {
        interaction += 1;
        let mut a = answer(instance, user, interaction, points);
        a.at = when;
        if let Some(class) = class {
            a.periods.push(class_period(class, "all"));
        }
        record(store, &a);
    };
    // Ada (1) and Ben (2) are 10A's; Cy (3) is 10B's. Ada also answered
    // 10B's question as a visitor, which counts for the server only.
    on(&a_monday, 1, 20, Some(ten_a.id), at(23, 9));
    on(&a_monday, 2, 0, Some(ten_a.id), at(23, 10));
    on(&b_monday, 3, 20, Some(ten_b.id), at(23, 9));
    on(&b_monday, 1, 20, None, at(23, 9));
    // Practice: Ben's counts for 10A; Cy's for 10B; in DMs for nobody.
    let ben_practice = practice(store, Some(CLASS), 2, "p/c");
    on(&ben_practice, 2, 20, None, at(24, 9));
    let cy_practice = practice(store, Some(CLASS), 3, "p/c");
    on(&cy_practice, 3, 0, None, at(24, 9));
    let dm = practice(store, None, 1, "p/d");
    on(&dm, 1, 20, None, at(24, 9));

    assert_eq!(
        store.class_report_results(CLASS, ten_a.id, None).unwrap(),
        [results("p/a", 2, 1), results("p/c", 1, 1)]
    );
    assert_eq!(
        store.class_report_results(CLASS, ten_b.id, None).unwrap(),
        [results("p/b", 1, 1), results("p/c", 1, 0)]
    );
    assert_eq!(
        store
            .class_report_results(CLASS, ten_a.id, Some(at(23, 10)))
            .unwrap(),
        [results("p/a", 1, 0), results("p/c", 1, 1)],
        "since is inclusive"
    );
    assert!(store
        .class_report_results(CLASS, 999, None)
        .unwrap()
        .is_empty());
    // The server's report still has everyone.
    assert_eq!(
        store.class_results(CLASS, None).unwrap(),
        [
            results("p/a", 2, 1),
            results("p/b", 2, 2),
            results("p/c", 2, 1)
        ]
    );
}

/// A database from before class seasons (SQLite V13, PostgreSQL V5) opens
/// with nothing changed: the server's running season, its classes and all
/// their boards are as they were, and its classes can start seasons.
fn databases_from_before_class_seasons_keep_their_seasons_and_boards(db: &TestDb) {
    let (season, ten_a) = {
        let store = db.open();
        let season = store.start_season(CLASS, "Autumn", at(20, 8)).unwrap();
        let ten_a = store.save_class(&class(CLASS, "10A", 11), "10a").unwrap();
        let q = class_daily(&*store, &ten_a, 23, "p/a");
        for (user, points) in [(1, 20), (2, 10)] {
            let mut a = answer(&q, user, user, points);
            a.periods.push(season_key(season.id));
            for period in ["all", &season_key(season.id)] {
                a.periods.push(class_period(ten_a.id, period));
            }
            record(&*store, &a);
        }
        (season, ten_a)
    };
    undo_the_class_seasons_migration(db);
    as_an_earlier_build_left_it(db, Back::Migrations(1));
    for _ in 0..2 {
        let store = db.open();
        assert_eq!(store.open_season(CLASS).unwrap(), Some(season.clone()));
        assert_eq!(store.classes(CLASS).unwrap(), std::slice::from_ref(&ten_a));
        assert_eq!(store.open_class_season(CLASS, ten_a.id).unwrap(), None);
        for period in [
            "all".to_string(),
            season_key(season.id),
            class_period(ten_a.id, "all"),
            class_period(ten_a.id, &season_key(season.id)),
        ] {
            let b = board(&*store, CLASS, &period, 10, 2);
            assert_eq!(top(&b), [(1, 20), (2, 10)], "{period}");
        }
    }
    let store = db.open();
    let own = store
        .start_class_season(CLASS, ten_a.id, "Spring", at(24, 8))
        .unwrap();
    assert_eq!(store.open_class_season(CLASS, ten_a.id).unwrap(), Some(own));
}

/// A plan for an answer by a student of `class`.
fn class_plan(instance: &Instance, user: u64, interaction: u64, class: i64) -> AnswerPlan {
    let mut plan = plan(instance, user, interaction, true);
    plan.rules = Arc::new(studybot::quiz::Rules {
        day: instance.day,
        post_days: None,
        paused: Default::default(),
        class: Some(class),
        correct: true,
        now: plan.at,
    });
    plan
}

/// A class's own season: answers given while it runs count on its board
/// (beside the class's and the server's boards), answers committed after it
/// ended do not, even when planned before; removing the class takes its boards and seasons but never the
/// server's totals, its students' answers or their streaks.
fn a_class_season_counts_what_is_answered_while_it_runs(store: &dyn Store) {
    let ten_a = store.save_class(&class(CLASS, "10A", 11), "10a").unwrap();
    let monday = class_daily(store, &ten_a, 23, "p/a");
    let tuesday = class_daily(store, &ten_a, 24, "p/b");
    let spring = store
        .start_class_season(CLASS, ten_a.id, "Spring", at(22, 8))
        .unwrap();
    let season_board = class_period(ten_a.id, &studybot::classes::season_key(spring.id));
    let answered = store.answer(&class_plan(&monday, 1, 1, ten_a.id)).unwrap();
    assert_eq!(
        (answered.outcome, answered.points),
        (RecordOutcome::Recorded, 20)
    );
    store.answer(&class_plan(&monday, 2, 2, ten_a.id)).unwrap();
    for period in [
        "all".to_string(),
        class_period(ten_a.id, "all"),
        season_board.clone(),
    ] {
        let b = board(store, CLASS, &period, 10, 2);
        assert_eq!(top(&b), [(1, 20), (2, 20)], "{period}");
        assert_eq!(b.players, 2, "{period}");
    }
    // Planned while the season ran, carried out after it ended: the store
    // reads the class's season in the answer's transaction, so it no
    // longer counts (the handler once read it before, and it did).
    let planned = class_plan(&tuesday, 1, 3, ten_a.id);
    let ended = store
        .end_class_season(CLASS, ten_a.id, at(23, 12))
        .unwrap()
        .unwrap();
    assert_eq!((ended.id, ended.ended_at), (spring.id, Some(at(23, 12))));
    // After the season: the class's all-time board counts, its season's does not.
    let tuesday_answer = store.answer(&planned).unwrap();
    assert_eq!(tuesday_answer.points, 22, "a two-day streak's bonus");
    assert_eq!(
        top(&board(store, CLASS, &class_period(ten_a.id, "all"), 10, 1)),
        [(1, 42), (2, 20)]
    );
    assert_eq!(
        top(&board(store, CLASS, &season_board, 10, 1)),
        [(1, 20), (2, 20)]
    );
    assert_eq!(store.class_seasons(CLASS, ten_a.id).unwrap(), [ended]);

    assert!(store.remove_class(CLASS, ten_a.id).unwrap());
    for period in [class_period(ten_a.id, "all"), season_board] {
        let gone = board(store, CLASS, &period, 10, 1);
        assert_eq!((gone.players, gone.top.len(), gone.caller), (0, 0, None));
    }
    assert!(store.class_seasons(CLASS, ten_a.id).unwrap().is_empty());
    let server = board(store, CLASS, "all", 10, 1);
    assert_eq!(top(&server), [(1, 42), (2, 20)]);
    assert_eq!(
        (server.players, server.caller.map(|s| s.rank)),
        (2, Some(1))
    );
    assert_eq!(store.streak(CLASS, UserId(1)).unwrap(), streak(2, 2, 24));
    assert_eq!(
        store.question_results(Some(CLASS), UserId(1)).unwrap(),
        [results("p/a", 1, 1), results("p/b", 1, 1)]
    );
    assert_eq!(store.tally(monday.id).unwrap(), tally(2, 2));
}

// ---------------------------------------------------------------------------
// Competitions, again

/// A competition answer counts on every board it is given (the server's
/// and a class's) exactly once: a redelivered press and a second press
/// change no total, no player count and no name, and the class's board
/// ranks it among the class's daily answers.
fn a_competition_answer_counts_once_on_every_board(store: &dyn Store) {
    let ten_a = store.save_class(&class(CLASS, "10A", 11), "10a").unwrap();
    let class_all = class_period(ten_a.id, "all");
    let q = class_daily(store, &ten_a, 23, "p/a");
    let mut daily_answer = answer(&q, 2, 1, 20);
    daily_answer.periods.push(class_all.clone());
    record(store, &daily_answer);
    let quiz = store
        .create_competition(&competition(CLASS, 500, 2))
        .unwrap()
        .unwrap();
    let mut ada = competition_answer(quiz.id, 1, 1, 10, 30, 1200);
    ada.periods = vec!["all".into(), WEEK.into(), class_all.clone()];
    ada.display_name = Some("Ada".into());
    assert_eq!(
        store.record_competition_answer(&ada).unwrap(),
        RecordOutcome::Recorded
    );
    let first = PastAnswer {
        answer: ada.answer.clone(),
        correct: true,
        points: 30,
    };
    // Redelivered (same interaction, another name seen), then pressed again.
    let redelivered = NewCompetitionAnswer {
        display_name: Some("Ada L.".into()),
        ..ada.clone()
    };
    assert_eq!(
        store.record_competition_answer(&redelivered).unwrap(),
        RecordOutcome::Duplicate(first.clone())
    );
    let again = NewCompetitionAnswer {
        interaction: InteractionId(11),
        answer: "another".into(),
        points: 0,
        correct: false,
        ..ada.clone()
    };
    assert_eq!(
        store.record_competition_answer(&again).unwrap(),
        RecordOutcome::AlreadyAnswered(first)
    );
    for period in ["all", WEEK, &class_all] {
        let b = board(store, CLASS, period, 10, 2);
        assert_eq!(top(&b), [(1, 30), (2, 20)], "{period}");
        assert_eq!((b.players, b.top[0].answered), (2, 1), "{period}");
        assert_eq!(b.top[0].name, "Ada", "{period}");
        assert_eq!(b.caller.map(|s| s.rank), Some(2), "{period}");
    }
    // The next round counts on its own; the standings hold both.
    let mut round_two = competition_answer(quiz.id, 2, 1, 12, 10, 800);
    round_two.periods = ada.periods.clone();
    store.record_competition_answer(&round_two).unwrap();
    assert_eq!(
        top(&board(store, CLASS, &class_all, 10, 1)),
        [(1, 40), (2, 20)]
    );
    assert_eq!(
        store.competition_standings(quiz.id).unwrap(),
        [CompetitionStanding {
            user: UserId(1),
            name: "Ada".into(),
            points: 40,
            correct: 2,
            millis: 2000,
        }]
    );
}

/// What a restarted bot reads back: a running team competition with its
/// rounds as far as they went, the teams with their late joiners, the
/// answers and standings, and a second join of the same player keeps
/// their team.
fn a_competition_goes_on_after_a_restart(db: &TestDb) {
    let drawn = vec![
        CompetitionTeam {
            number: 1,
            name: "Röd".into(),
            key: Some(700),
            members: vec![UserId(1)],
        },
        CompetitionTeam {
            number: 2,
            name: "Blue".into(),
            key: None,
            members: vec![UserId(2)],
        },
    ];
    let opened = at(23, 12) + Duration::microseconds(7);
    let before = {
        let store = db.open();
        let quiz = store
            .create_competition(&NewCompetition {
                team_mode: "random".into(),
                teams: drawn,
                ..competition(CLASS, 600, 3)
            })
            .unwrap()
            .unwrap();
        assert!(store
            .open_round(quiz.id, 1, opened, opened + Duration::seconds(20))
            .unwrap());
        store.set_round_message(quiz.id, 1, 99).unwrap();
        assert_eq!(
            store.join_competition_team(quiz.id, 2, UserId(3)).unwrap(),
            2
        );
        for (user, interaction, points) in [(1, 1, 10), (3, 2, 0)] {
            store
                .record_competition_answer(&competition_answer(
                    quiz.id,
                    1,
                    user,
                    interaction,
                    points,
                    900,
                ))
                .unwrap();
        }
        assert!(store.close_round(quiz.id, 1).unwrap());
        store.competition(quiz.id).unwrap().unwrap()
    };
    let store = db.open();
    assert_eq!(
        store.running_competitions().unwrap(),
        std::slice::from_ref(&before)
    );
    assert_eq!(
        store.running_competition_in(600).unwrap(),
        Some(before.clone())
    );
    assert_eq!(
        before.teams[1].members,
        [UserId(2), UserId(3)],
        "the late joiner is in the team they joined"
    );
    assert_eq!(
        (
            before.rounds[0].opened_at,
            before.rounds[0].message,
            before.rounds[0].closed
        ),
        (Some(opened), Some(99), true)
    );
    assert!(before.rounds[1..]
        .iter()
        .all(|r| r.opened_at.is_none() && !r.closed));
    assert_eq!(
        store
            .join_competition_team(before.id, 1, UserId(3))
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .competition_answers(before.id, None)
            .unwrap()
            .iter()
            .map(|a| (a.round, a.user.0, a.points))
            .collect::<Vec<_>>(),
        [(1, 1, 10), (1, 3, 0)]
    );
    assert_eq!(
        store
            .record_competition_answer(&competition_answer(before.id, 1, 1, 1, 10, 900))
            .unwrap(),
        RecordOutcome::Duplicate(PastAnswer {
            answer: "1 in round 1".into(),
            correct: true,
            points: 10,
        }),
        "a press redelivered after the restart"
    );
    assert!(!store.close_round(before.id, 1).unwrap());
    assert!(store
        .end_competition(before.id, CompetitionStatus::Finished, at(23, 13))
        .unwrap());
    assert!(store.running_competitions().unwrap().is_empty());
}

/// Two stores (two bot processes), several threads each, recording the
/// same competition answers at once, each also pressed again as a new
/// interaction: each counts exactly once, in the standings and on the board.
fn competition_answers_from_two_processes_count_once(db: &TestDb) {
    const PLAYERS: u64 = 12;
    const THREADS_PER_STORE: usize = 2;
    let stores = [db.open(), db.open()];
    let quiz = stores[0]
        .create_competition(&competition(CLASS, 700, 2))
        .unwrap()
        .unwrap();
    let points = |round: u32, user: u64| ((user + u64::from(round)) % 3) as i64 * 10;
    let work: Vec<NewCompetitionAnswer> = (1..=2)
        .flat_map(|round| (1..=PLAYERS).map(move |user| (round, user)))
        .map(|(round, user)| {
            competition_answer(
                quiz.id,
                round,
                user,
                100 * u64::from(round) + user,
                points(round, user),
                500,
            )
        })
        .collect();
    let threads = stores.len() * THREADS_PER_STORE;
    let barrier = Barrier::new(threads);
    let recorded: Vec<usize> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (store, work, barrier) = (&stores[t % stores.len()], &work, &barrier);
                scope.spawn(move || {
                    barrier.wait();
                    let mut mine = Vec::new();
                    for k in 0..work.len() {
                        let n = (k + t * 5) % work.len();
                        let again = NewCompetitionAnswer {
                            interaction: InteractionId(10_000 * (t as u64 + 1) + n as u64),
                            ..work[n].clone()
                        };
                        for a in [&work[n], &again] {
                            let outcome = loop {
                                match store.record_competition_answer(a) {
                                    Err(StoreError::Busy) => {
                                        std::thread::sleep(std::time::Duration::from_millis(20))
                                    }
                                    result => break result.unwrap(),
                                }
                            };
                            if outcome == RecordOutcome::Recorded {
                                mine.push(n);
                            }
                        }
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let mut counted = recorded.clone();
    counted.sort_unstable();
    assert_eq!(counted, (0..work.len()).collect::<Vec<_>>(), "each once");
    let store = &*stores[1];
    assert_eq!(
        store.competition_answers(quiz.id, None).unwrap().len(),
        work.len()
    );
    let standings = store.competition_standings(quiz.id).unwrap();
    assert_eq!(standings.len() as u64, PLAYERS);
    let b = board(store, CLASS, "all", 100, 1);
    assert_eq!(b.players, PLAYERS);
    for s in &standings {
        let total = points(1, s.user.0) + points(2, s.user.0);
        assert_eq!(s.points, total, "player {}", s.user.0);
        let on_board = b.top.iter().find(|t| t.user == s.user).unwrap();
        assert_eq!((on_board.points, on_board.answered), (total, 2));
    }
}

/// [`Store::generation`], which replies kept in memory rest on
/// (`studybot::memo`): on SQLite every write of this process moves it on,
/// whatever the write, and reads do not; PostgreSQL, which other processes
/// write too, reports none, so nothing is kept there.
fn the_generation_moves_on_with_every_write_and_only_where_it_can(db: &TestDb) {
    let store = db.open();
    if db.url.starts_with("postgres") {
        assert_eq!(store.generation(), None);
        return;
    }
    let current = || store.generation().expect("SQLite keeps a generation");
    let mut seen = current();
    let mut moved = |what: &str| {
        let now = current();
        assert_ne!(now, seen, "{what} moves the generation on");
        seen = now;
    };
    let q = daily(&*store, CLASS, 23, "p/a");
    moved("an instance");
    record(&*store, &answer(&q, 1, 1, 20));
    moved("an answer");
    record(&*store, &answer(&q, 2, 2, 0));
    moved("a wrong answer");
    let wrong_id = store.wrong_daily_answers(CLASS, UserId(2), 5).unwrap()[0].id;
    let rebuild: StreakRebuild =
        Arc::new(|streak: &Streak, _: &[(NaiveDate, bool)]| streak.clone());
    store
        .accept_answer(wrong_id, 20, &["all".to_string()], &rebuild)
        .unwrap();
    moved("an accepted answer");
    store
        .remember_name(Some(CLASS), UserId(1), "Ada", at(23, 10))
        .unwrap();
    moved("a new name");
    store.start_season(CLASS, "Autumn", at(23, 10)).unwrap();
    moved("a season started");
    store.end_season(CLASS, at(24, 10)).unwrap();
    moved("a season ended");
    store.save_class(&class(CLASS, "10A", 11), "10a").unwrap();
    moved("a class");
    store.remove_student(CLASS, UserId(1)).unwrap();
    moved("a student removed");

    // Reads, and writes that change nothing, leave it.
    board(&*store, CLASS, "all", 10, 2);
    store.classes(CLASS).unwrap();
    store.settings(CLASS).unwrap();
    store
        .remember_name(Some(CLASS), UserId(2), "Bob", at(23, 10))
        .unwrap();
    seen = current();
    store
        .remember_name(Some(CLASS), UserId(2), "Bob", at(23, 11))
        .unwrap();
    board(&*store, CLASS, "all", 10, 2);
    assert_eq!(current(), seen, "reads and an unchanged name");
}
