//! Unit tests of the SqliteStore internals (the shared behaviour is in
//! `tests/store_contract.rs`).

use super::*;
use crate::request::InteractionId;
use chrono::TimeZone;

fn at(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, h, 0, 0).unwrap()
}

fn daily(store: &SqliteStore, guild: u64, day: &str, question: &str) -> Instance {
    store
        .create_instance(&NewInstance {
            kind: InstanceKind::Daily,
            guild: Some(GuildId(guild)),
            owner: None,
            day: Some(day.parse().unwrap()),
            class: 0,
            question: question.into(),
            option_order: vec![2, 0, 1],
            created_at: at(7),
        })
        .unwrap()
}

fn answer(instance: i64, user: u64, interaction: u64, correct: bool) -> NewAnswer {
    NewAnswer {
        instance,
        guild: Some(GuildId(10)),
        user: UserId(user),
        interaction: InteractionId(interaction),
        question: "p/q".into(),
        answer: "x".into(),
        correct,
        points: if correct { 20 } else { 0 },
        at: at(9),
        periods: vec!["all".into(), "week:2026-W48".into()],
        streak: None,
        display_name: None,
        review: None,
    }
}

#[test]
fn truncating_the_wal_waits_for_a_checkpoint_in_progress_then_empties_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("class.db");
    let wal = dir.path().join("class.db-wal");
    // Any WAL is over a one-byte limit: the check at the 64th commit truncates.
    let store = SqliteStore::open_with_wal_limit(&path, 1).unwrap();
    let q = daily(&store, 10, "2026-11-23", "p/a");
    for user in 1..WAL_CHECK_EVERY as u64 {
        store
            .record_answer(&answer(q.id, user, user, true))
            .unwrap();
    }
    assert!(std::fs::metadata(&wal).unwrap().len() > 0);
    // The background thread "checkpointing": SQLite would fail a second
    // checkpoint at once, so the writer must wait rather than give up.
    let checkpointing = store.checkpointer.as_ref().unwrap().running.lock().unwrap();
    std::thread::scope(|scope| {
        let (done, finished) = std::sync::mpsc::channel();
        let (store, q) = (&store, &q);
        scope.spawn(move || {
            let user = WAL_CHECK_EVERY as u64;
            let outcome = store.record_answer(&answer(q.id, user, user, true));
            done.send(outcome).unwrap();
        });
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert!(
            finished.try_recv().is_err(),
            "the truncating commit waits for the checkpoint in progress"
        );
        drop(checkpointing);
        let outcome = finished.recv().unwrap();
        assert_eq!(outcome.unwrap(), RecordOutcome::Recorded);
    });
    assert_eq!(std::fs::metadata(&wal).unwrap().len(), 0, "truncated");
    let answers: i64 = store
        .with(|c| c.query_row("SELECT COUNT(*) FROM answers", [], |r| r.get(0)))
        .unwrap();
    assert_eq!(
        answers, WAL_CHECK_EVERY as i64,
        "nothing lost by truncating"
    );
}

#[test]
fn one_daily_per_guild_and_day_even_when_created_twice() {
    let store = SqliteStore::open_in_memory().unwrap();
    let first = daily(&store, 10, "2026-11-23", "p/a");
    let again = daily(&store, 10, "2026-11-23", "p/other");
    assert_eq!(first, again, "the existing instance is returned unchanged");
    assert_eq!(first.option_order, vec![2, 0, 1]);
    let other_guild = daily(&store, 11, "2026-11-23", "p/b");
    assert_ne!(first.id, other_guild.id);
    assert_eq!(
        store.daily_history(GuildId(10)).unwrap(),
        vec!["p/a".to_string()]
    );
}

#[test]
fn answers_count_once_per_student_and_per_interaction() {
    let store = SqliteStore::open_in_memory().unwrap();
    let q = daily(&store, 10, "2026-11-23", "p/a");
    assert_eq!(
        store.record_answer(&answer(q.id, 1, 100, true)).unwrap(),
        RecordOutcome::Recorded
    );
    assert!(matches!(
        store.record_answer(&answer(q.id, 1, 100, true)).unwrap(),
        RecordOutcome::Duplicate(_)
    ));
    assert!(matches!(
        store.record_answer(&answer(q.id, 1, 101, false)).unwrap(),
        RecordOutcome::AlreadyAnswered(PastAnswer {
            correct: true,
            points: 20,
            ..
        })
    ));
    assert_eq!(
        store.record_answer(&answer(q.id, 2, 102, false)).unwrap(),
        RecordOutcome::Recorded
    );
    assert_eq!(
        store.tally(q.id).unwrap(),
        Tally {
            answered: 2,
            correct: 1
        }
    );
    let board = store
        .leaderboard(GuildId(10), "all", 10, UserId(2))
        .unwrap();
    assert_eq!(
        board
            .top
            .iter()
            .map(|s| (s.user.0, s.points))
            .collect::<Vec<_>>(),
        [(1, 20), (2, 0)]
    );
    assert_eq!(board.caller.unwrap().rank, 2);
}

#[test]
fn one_group_commit_keeps_each_answers_own_outcome() {
    let store = SqliteStore::open_in_memory().unwrap();
    let q = daily(&store, 10, "2026-11-23", "p/a");
    let (senders, receivers): (Vec<_>, Vec<_>) =
        (0..4).map(|_| std::sync::mpsc::sync_channel(1)).unzip();
    let answers = [
        answer(q.id, 1, 100, true),
        answer(q.id, 2, 101, false),
        // Student 1 again (another interaction), and interaction 101 redelivered.
        answer(q.id, 1, 102, false),
        answer(q.id, 2, 101, false),
    ];
    let group: Vec<QueuedAnswer> = answers
        .iter()
        .zip(senders)
        .map(|(a, outcome)| QueuedAnswer {
            answer: a.clone(),
            outcome,
        })
        .collect();
    let outcomes = commit_group(&mut store.conn.lock().unwrap(), &group);
    assert_eq!(outcomes[0].as_ref().unwrap(), &RecordOutcome::Recorded);
    assert_eq!(outcomes[1].as_ref().unwrap(), &RecordOutcome::Recorded);
    assert!(matches!(
        outcomes[2].as_ref().unwrap(),
        RecordOutcome::AlreadyAnswered(PastAnswer { correct: true, .. })
    ));
    assert!(matches!(
        outcomes[3].as_ref().unwrap(),
        RecordOutcome::Duplicate(_)
    ));
    drop(receivers);
    assert_eq!(
        store.tally(q.id).unwrap(),
        Tally {
            answered: 2,
            correct: 1
        }
    );
}

#[test]
fn upgrading_a_database_counts_the_tallies_of_existing_answers() {
    // A database as the previous release left it (migrations 1-3), with
    // answers but no kept tallies.
    let mut conn = Connection::open_in_memory().unwrap();
    super::super::migrate::sqlite_to_version(&mut conn, 3).unwrap();
    let old = SqliteStore {
        conn: Mutex::new(conn),
        answer_queue: Mutex::new(Vec::new()),
        names: Mutex::default(),
        write_problem: Mutex::new(None),
        readers: Vec::new(),
        next_reader: std::sync::atomic::AtomicUsize::new(0),
        wal_limit: None,
        commits_unchecked: std::sync::atomic::AtomicU32::new(0),
        checkpointer: None,
    };
    // Written as that release wrote it (instances had no class then).
    let q = old
        .with(|c| {
            c.execute(
                "INSERT INTO instances (kind, guild_id, day, question, option_order, created_at)
                 VALUES ('daily', 10, '2026-11-23', 'p/a', '2,0,1', '2026-11-23T07:00:00Z')",
                [],
            )?;
            Ok(c.last_insert_rowid())
        })
        .unwrap();
    old.with(|c| {
        for (user, correct) in [(1, 1), (2, 0), (3, 1)] {
            c.execute(
                "INSERT INTO answers (instance_id, guild_id, user_id, interaction_id, question, answer, correct, points, answered_at)
                 VALUES (?1, 10, ?2, ?2, 'p/a', 'x', ?3, 0, '2026-11-23T09:00:00Z')",
                params![q, user, correct],
            )?;
        }
        Ok(())
    })
    .unwrap();
    let mut conn = old.conn.into_inner().unwrap();
    migrate(&mut conn).unwrap();
    let store = SqliteStore {
        conn: Mutex::new(conn),
        answer_queue: Mutex::new(Vec::new()),
        names: Mutex::default(),
        write_problem: Mutex::new(None),
        readers: Vec::new(),
        next_reader: std::sync::atomic::AtomicUsize::new(0),
        wal_limit: None,
        commits_unchecked: std::sync::atomic::AtomicU32::new(0),
        checkpointer: None,
    };
    assert_eq!(
        store.tally(q).unwrap(),
        Tally {
            answered: 3,
            correct: 2
        }
    );
    store.record_answer(&answer(q, 4, 400, true)).unwrap();
    assert_eq!(store.tally(q).unwrap().correct, 3);
    assert_eq!(store.tally(q + 1).unwrap(), Tally::default());
}

#[test]
fn caller_outside_the_top_gets_their_rank_and_ties_are_deterministic() {
    let store = SqliteStore::open_in_memory().unwrap();
    store
        .remember_name(Some(GuildId(10)), UserId(7), "Ada", at(8))
        .unwrap();
    for user in 1..=15u64 {
        let q = daily(&store, 10, &format!("2026-11-{:02}", user), "p/a");
        let mut a = answer(q.id, user, 1000 + user, true);
        a.points = if user == 7 { 5 } else { 10 };
        store.record_answer(&a).unwrap();
    }
    let board = store
        .leaderboard(GuildId(10), "all", 10, UserId(7))
        .unwrap();
    // Everyone else ties on 10 points with one answer: user id breaks the tie.
    assert_eq!(
        board.top.iter().map(|s| s.user.0).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6, 8, 9, 10, 11]
    );
    let me = board.caller.unwrap();
    assert_eq!((me.rank, me.name.as_str(), me.points), (15, "Ada", 5));
    assert_eq!(board.players, 15);
    assert!(
        store
            .leaderboard(GuildId(10), "week:2026-W48", 10, UserId(7))
            .unwrap()
            .top
            .len()
            == 10
    );
    assert!(store
        .leaderboard(GuildId(99), "all", 10, UserId(7))
        .unwrap()
        .top
        .is_empty());
}

#[test]
fn data_survives_reopening_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    {
        let store = SqliteStore::open(&path).unwrap();
        let q = daily(&store, 10, "2026-11-23", "p/a");
        store.record_answer(&answer(q.id, 1, 100, true)).unwrap();
        store
            .save_settings(
                GuildId(10),
                &GuildSettings {
                    timezone: Some("Europe/London".into()),
                    post_days: Some(vec![0, 1, 2, 3, 4]),
                    ..Default::default()
                },
                at(8),
            )
            .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(
        store.tally(1).unwrap(),
        Tally {
            answered: 1,
            correct: 1
        }
    );
    assert_eq!(
        store.settings(GuildId(10)).unwrap().post_days,
        Some(vec![0, 1, 2, 3, 4])
    );
    assert_eq!(
        store
            .leaderboard(GuildId(10), "all", 10, UserId(1))
            .unwrap()
            .top[0]
            .points,
        20
    );
}

#[test]
fn seasons_open_and_close() {
    let store = SqliteStore::open_in_memory().unwrap();
    assert!(store.open_season(GuildId(1)).unwrap().is_none());
    let s = store.start_season(GuildId(1), "Autumn", at(8)).unwrap();
    assert_eq!(
        store.open_season(GuildId(1)).unwrap().unwrap().name,
        "Autumn"
    );
    assert!(
        store.start_season(GuildId(1), "Twice", at(9)).is_err(),
        "one open season per guild"
    );
    assert_eq!(
        store.end_season(GuildId(1), at(10)).unwrap().unwrap().id,
        s.id
    );
    assert!(store.open_season(GuildId(1)).unwrap().is_none());
}

#[test]
fn ranks_from_the_score_histogram_match_a_full_sort() {
    let store = SqliteStore::open_in_memory().unwrap();
    let mut rng = crate::quiz::rng(&[7]);
    let mut interaction = 0;
    let mut totals: std::collections::HashMap<u64, (i64, u64)> = Default::default();
    for day in 0..6u32 {
        let q = daily(&store, 10, &format!("2026-10-{:02}", day + 1), "p/a");
        for user in 1..=120u64 {
            if crate::quiz::below(&mut rng, 3) == 0 {
                continue;
            }
            interaction += 1;
            let mut a = answer(q.id, user, interaction, true);
            a.points = [0, 10, 20][crate::quiz::below(&mut rng, 3)];
            store.record_answer(&a).unwrap();
            let t = totals.entry(user).or_default();
            t.0 += a.points;
            t.1 += 1;
        }
    }
    let mut order: Vec<(&u64, &(i64, u64))> = totals.iter().collect();
    order.sort_by(|a, b| {
        b.1 .0
            .cmp(&a.1 .0)
            .then(a.1 .1.cmp(&b.1 .1))
            .then(a.0.cmp(b.0))
    });
    for (rank, (user, (points, _))) in order.iter().enumerate() {
        let board = store
            .leaderboard(GuildId(10), "all", 10, UserId(**user))
            .unwrap();
        let me = board.caller.unwrap();
        assert_eq!(
            (me.rank, me.points),
            (rank as u64 + 1, *points),
            "user {user}"
        );
        assert_eq!(board.players, totals.len() as u64);
    }
}
