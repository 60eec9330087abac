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
    // Creating the daily is the first commit the writer counts (every
    // write is bounded), so the 63rd answer is the 64th commit.
    let q = daily(&store, 10, "2026-11-23", "p/a");
    for user in 1..WAL_CHECK_EVERY as u64 - 1 {
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
            let user = WAL_CHECK_EVERY as u64 - 1;
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
        answers,
        WAL_CHECK_EVERY as i64 - 1,
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
            work: Work::Record(a.clone()),
            outcome,
        })
        .collect();
    let outcomes: Vec<RecordOutcome> = commit_group(&mut store.conn.lock().unwrap(), &group)
        .into_iter()
        .map(|o| o.unwrap().outcome)
        .collect();
    assert_eq!(outcomes[0], RecordOutcome::Recorded);
    assert_eq!(outcomes[1], RecordOutcome::Recorded);
    assert!(matches!(
        outcomes[2],
        RecordOutcome::AlreadyAnswered(PastAnswer { correct: true, .. })
    ));
    assert!(matches!(outcomes[3], RecordOutcome::Duplicate(_)));
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
    let mut old = SqliteStore {
        conn: Mutex::new(conn),
        answer_queue: Mutex::new(Vec::new()),
        names: Mutex::default(),
        write_problem: Mutex::new(None),
        readers: Vec::new(),
        next_reader: std::sync::atomic::AtomicUsize::new(0),
        wal_limit: None,
        commits_unchecked: std::sync::atomic::AtomicU32::new(0),
        checkpoint_asked: std::sync::atomic::AtomicU64::new(NOT_ASKED),
        checkpointer: None,
        generation: Default::default(),
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
    // The store closes its files when dropped, so its connection is taken out.
    let mut conn = std::mem::replace(
        old.conn.get_mut().unwrap(),
        Connection::open_in_memory().unwrap(),
    );
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
        checkpoint_asked: std::sync::atomic::AtomicU64::new(NOT_ASKED),
        checkpointer: None,
        generation: Default::default(),
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
    // A fixed-seed generator of its own (the store must not reach up into
    // the quiz for the one it uses), so the data are the same every run.
    let mut seed = 7u64;
    let mut below = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) % n) as usize
    };
    let mut interaction = 0;
    let mut totals: std::collections::HashMap<u64, (i64, u64)> = Default::default();
    for day in 0..6u32 {
        let q = daily(&store, 10, &format!("2026-10-{:02}", day + 1), "p/a");
        for user in 1..=120u64 {
            if below(3) == 0 {
                continue;
            }
            interaction += 1;
            let mut a = answer(q.id, user, interaction, true);
            a.points = [0, 10, 20][below(3)];
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

/// An answer that fails inside a group commit (here: its question instance
/// does not exist, which the foreign key refuses after its name and tally
/// were written) is rolled back alone, to its savepoint; the answers
/// before and after it in the group commit with all their effects.
#[test]
fn a_failing_answer_in_a_group_commit_rolls_back_alone() {
    let store = SqliteStore::open_in_memory().unwrap();
    let q = daily(&store, 10, "2026-11-23", "p/a");
    let (senders, receivers): (Vec<_>, Vec<_>) =
        (0..3).map(|_| std::sync::mpsc::sync_channel(1)).unzip();
    let named = |mut a: NewAnswer, name: &str| {
        a.display_name = Some(name.into());
        a
    };
    let answers = [
        named(answer(q.id, 1, 100, true), "Ada"),
        named(answer(q.id + 1000, 2, 101, true), "Bea"),
        named(answer(q.id, 3, 102, false), "Cy"),
    ];
    let group: Vec<QueuedAnswer> = answers
        .iter()
        .zip(senders)
        .map(|(a, outcome)| QueuedAnswer {
            work: Work::Record(a.clone()),
            outcome,
        })
        .collect();
    let outcomes = commit_group(&mut store.conn.lock().unwrap(), &group);
    drop(receivers);
    assert_eq!(
        outcomes[0].as_ref().unwrap().outcome,
        RecordOutcome::Recorded
    );
    assert!(
        matches!(&outcomes[1], Err(StoreError::Database(why)) if why.contains("FOREIGN KEY")),
        "{:?}",
        outcomes[1]
    );
    assert_eq!(
        outcomes[2].as_ref().unwrap().outcome,
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
            .map(|s| (s.user.0, s.name.as_str(), s.points))
            .collect::<Vec<_>>(),
        [(1, "Ada", 20), (3, "Cy", 0)]
    );
    assert_eq!(board.caller, None);
    // Nothing of the failed answer is left: no name, no tally, no answer.
    let (names, tallies, rows): (i64, i64, i64) = store
        .with(|c| {
            c.query_row(
                "SELECT (SELECT count(*) FROM members WHERE user_id = 2),
                        (SELECT count(*) FROM instance_tallies WHERE instance_id = ?1),
                        (SELECT count(*) FROM answers WHERE user_id = 2)",
                params![q.id + 1000],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
        })
        .unwrap();
    assert_eq!((names, tallies, rows), (0, 0, 0));
}

/// Every kind of write, not only answers, keeps the WAL near its limit
/// (ten seconds of practice questions once grew it past 200 MB): the
/// writer truncates it once it is past the limit, looking every
/// `WAL_CHECK_EVERY` commits, so it never holds much more than the limit
/// and that many commits.
#[test]
fn every_kind_of_write_keeps_the_wal_bounded() {
    const LIMIT: u64 = 128 * 1024;
    const WRITES: u64 = 2000;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("class.db");
    let store = SqliteStore::open_with_wal_limit(&path, LIMIT).unwrap();
    let wal = dir.path().join("class.db-wal");
    let page = store
        .with(|c| c.query_row("PRAGMA page_size", [], |r| r.get::<_, i64>(0)))
        .unwrap() as u64;
    // A commit here writes a few pages to the WAL (an answer a dozen or
    // more: its row and indexes, totals, histogram, tally, ...), each with
    // its frame header.
    let bound = LIMIT + u64::from(WAL_CHECK_EVERY) * 16 * (page + 24);
    let mut largest = 0;
    let mut kinds = Vec::new();
    let measure = |kind: &'static str, largest: &mut u64| {
        let size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        *largest = (*largest).max(size);
        assert!(
            size <= bound,
            "{kind}: the WAL grew to {size} bytes (bound {bound})"
        );
    };
    for n in 0..WRITES {
        store
            .create_instance(&NewInstance {
                kind: InstanceKind::Practice,
                guild: Some(GuildId(10)),
                owner: Some(UserId(n % 7)),
                day: None,
                class: 0,
                question: format!("p/q{n}"),
                option_order: vec![2, 0, 3, 1],
                created_at: at(9),
            })
            .unwrap();
        measure("practice questions", &mut largest);
    }
    kinds.push("practice questions");
    for n in 0..WRITES {
        store
            .remember_name(Some(GuildId(10)), UserId(n), &format!("Student {n}"), at(9))
            .unwrap();
        measure("names", &mut largest);
    }
    kinds.push("names");
    for n in 0..WRITES {
        let settings = GuildSettings {
            channel: Some(n),
            ..GuildSettings::default()
        };
        store.save_settings(GuildId(10), &settings, at(9)).unwrap();
        measure("settings", &mut largest);
    }
    kinds.push("settings");
    for n in 0..WRITES {
        store
            .add_report(GuildId(10), UserId(n), "p/a", "the date is wrong", at(9))
            .unwrap();
        measure("reports", &mut largest);
    }
    kinds.push("reports");
    for n in 0..WRITES / 3 {
        let competition = store
            .create_competition(&NewCompetition {
                guild: GuildId(10),
                channel: n,
                starter: UserId(1),
                seconds: 20,
                questions: vec![("p/a".into(), vec![0, 1, 2, 3])],
                created_at: at(9),
                team_mode: String::new(),
                teams: Vec::new(),
            })
            .unwrap()
            .unwrap();
        store
            .end_competition(competition.id, CompetitionStatus::Stopped, at(10))
            .unwrap();
        measure("competitions", &mut largest);
    }
    kinds.push("competitions");
    // Answers, through the group-commit writer.
    let q = daily(&store, 10, "2026-11-23", "p/a");
    for n in 0..WRITES {
        store
            .record_answer(&answer(q.id, n, 10_000 + n, n % 2 == 0))
            .unwrap();
        measure("answers", &mut largest);
    }
    kinds.push("answers");
    assert_eq!(kinds.len(), 6);
    // The writes did fill the WAL past its limit (so it was truncated).
    assert!(largest > LIMIT, "largest WAL {largest}");
}

/// A statement whose plan a bound value could steer (`LIMIT ?1`) is
/// prepared once and reused as it is: without `keep_plans` SQLite would
/// parse it again at every run with a new binding.
#[test]
fn bound_limits_do_not_re_prepare_statements() {
    fn re_prepared(conn: &Connection) -> i32 {
        conn.execute_batch("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2), (3);")
            .unwrap();
        for limit in [1, 2, 3, 2] {
            let mut statement = conn
                .prepare_cached("SELECT x FROM t ORDER BY x LIMIT ?1")
                .unwrap();
            let rows: Vec<i64> = statement
                .query_map([limit], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert_eq!(rows.len(), limit as usize);
        }
        let statement = conn
            .prepare_cached("SELECT x FROM t ORDER BY x LIMIT ?1")
            .unwrap();
        statement.get_status(rusqlite::StatementStatus::RePrepare)
    }
    let plain = Connection::open_in_memory().unwrap();
    assert!(
        re_prepared(&plain) > 0,
        "SQLite re-prepares a bound LIMIT by default"
    );
    let kept = Connection::open_in_memory().unwrap();
    super::keep_plans(&kept).unwrap();
    assert_eq!(re_prepared(&kept), 0);
}

/// A group of one answer that fails reports its error and leaves nothing
/// behind: neither the display name nor the tally it wrote before failing.
#[test]
fn a_failing_answer_alone_in_its_group_leaves_nothing() {
    let store = SqliteStore::open_in_memory().unwrap();
    let q = daily(&store, 10, "2026-11-23", "p/a");
    let (sender, receiver) = std::sync::mpsc::sync_channel(1);
    let mut failing = answer(q.id + 1000, 2, 101, true);
    failing.display_name = Some("Bea".into());
    let group = [QueuedAnswer {
        work: Work::Record(failing),
        outcome: sender,
    }];
    let outcomes = commit_group(&mut store.conn.lock().unwrap(), &group);
    drop(receiver);
    assert!(
        matches!(&outcomes[0], Err(StoreError::Database(why)) if why.contains("FOREIGN KEY")),
        "{:?}",
        outcomes[0]
    );
    assert_eq!(store.tally(q.id + 1000).unwrap(), Tally::default());
    let board = store
        .leaderboard(GuildId(10), "all", 10, UserId(2))
        .unwrap();
    assert!(board.top.is_empty(), "{:?}", board.top);
    assert_eq!(board.players, 0);
}

/// A write by another process to the same file (here another store on it,
/// as `studybot ask` against a running bot's database would be) moves this
/// store's generation on within the checkpointer's interval, so replies
/// kept in memory (`crate::memo`) are not served after it. Without the
/// checkpointer's `data_version` look it would stay put until this store
/// wrote something itself.
#[test]
fn another_processs_write_moves_the_generation_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    let bot = SqliteStore::open(&path).unwrap();
    let other = SqliteStore::open(&path).unwrap();
    // Let the bot's checkpointer take its first look, then settle.
    std::thread::sleep(CHECKPOINT_EVERY * 3);
    let before = bot.generation().unwrap();
    std::thread::sleep(CHECKPOINT_EVERY * 3);
    assert_eq!(bot.generation(), Some(before), "nothing was written");
    other
        .save_settings(
            GuildId(7),
            &GuildSettings {
                timezone: Some("Europe/London".into()),
                ..GuildSettings::default()
            },
            chrono::Utc::now(),
        )
        .unwrap();
    let deadline = std::time::Instant::now() + CHECKPOINT_EVERY * 6;
    while bot.generation() == Some(before) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_ne!(bot.generation(), Some(before), "another process's write");
    assert_eq!(
        bot.settings(GuildId(7)).unwrap().timezone.as_deref(),
        Some("Europe/London")
    );
}
