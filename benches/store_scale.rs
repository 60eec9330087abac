//! Answers per second with several writer processes on one database (issue
//! #13): 1, 2 and 4 processes of `examples/answer_writer.rs` record daily
//! answers one at a time, on SQLite (one shared database file) and on
//! PostgreSQL (a fresh schema per run, when `STUDYBOT_TEST_POSTGRES_URL` is
//! set; otherwise PostgreSQL is reported as skipped).
//!
//! For each backend, each guild layout (`own`: a guild per writer; `shared`:
//! every writer answers the same guild's daily questions) and each number of
//! writers, the bench starts the processes, waits until each has opened the
//! store and created its questions, releases them together (a file appears),
//! and times from the release to the last process's exit. It reports the
//! total answers per second (all answers / that wall time) and each writer's
//! own rate, per-answer latency and "busy" retries, as the median of 3 runs,
//! each on a fresh database. The wall time includes the processes' exit,
//! which closes the store (for SQLite, the last connection to close
//! checkpoints the WAL and deletes it, which takes 0.1-0.3 s after a few
//! thousand answers), so the rate to the last answer recorded (all answers
//! / the time from the release until the last writer has printed its
//! report, which it does before closing the store) is shown beside it, and
//! the scaling against 1 writer is given for both. After every run it
//! counts the answers in the database (rows, distinct interaction ids, per
//! writer, the tallies and the all-time totals) and fails if any differs
//! from what was sent.
//!
//! Run (the writer is built first; the bench does not build it):
//!
//! ```sh
//! env=$(.ci/postgres.sh start) && eval "$env"   # optional: PostgreSQL too
//! cargo build --release --example answer_writer && cargo bench --bench store_scale
//! ```
//!
//! Settings (environment): `SCALE_ANSWERS` answers per writer (default
//! 2000 on SQLite, 500 on PostgreSQL, where an answer takes about 2.5 ms
//! of round trips: a run takes a few seconds either way), `SCALE_RUNS` runs
//! per configuration (default 3), `SCALE_WRITERS` (default `1,2,4`),
//! `SCALE_LAYOUTS` (default `own,shared`), `SCALE_BACKENDS` (default
//! `sqlite,postgres`),
//! `SCALE_PG_SETTINGS` server settings for the writers' PostgreSQL sessions
//! (e.g. `synchronous_commit=off`, to see what the fsync costs),
//! `ANSWER_WRITER` the writer binary (default: `examples/answer_writer`
//! beside the bench's build).

use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One database for one run, removed when dropped.
struct Database {
    url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File { _dir: tempfile::TempDir },
    Schema { server: String, schema: String },
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Cleanup::Schema { server, schema } = &self.cleanup {
            let dropped = studybot::store::postgres::connect_client(server)
                .map_err(|e| e.to_string())
                .and_then(|mut c| {
                    c.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
                        .map_err(|e| e.to_string())
                });
            if let Err(e) = dropped {
                eprintln!("could not drop the schema {schema}: {e}");
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// A fresh, migrated database: a new file, or a new schema on the server.
fn fresh_database(backend: Backend, server: Option<&str>, pg_settings: &[String]) -> Database {
    let db = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("a temporary folder");
            let url = format!("sqlite://{}", dir.path().join("scale.db").display());
            Database {
                url,
                cleanup: Cleanup::File { _dir: dir },
            }
        }
        Backend::Postgres => {
            let server = server.expect("a PostgreSQL URL").to_string();
            static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            let schema = format!(
                "studybot_scale_{}_{}",
                std::process::id(),
                NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            );
            studybot::store::postgres::connect_client(&server)
                .map_err(|e| e.to_string())
                .and_then(|mut c| {
                    c.batch_execute(&format!("CREATE SCHEMA {schema}"))
                        .map_err(|e| e.to_string())
                })
                .unwrap_or_else(|e| panic!("cannot create the schema {schema}: {e}"));
            let separator = if server.contains('?') { '&' } else { '?' };
            let mut url = format!("{server}{separator}options=-c%20search_path%3D{schema}");
            for setting in pg_settings {
                url.push_str(&format!("%20-c%20{}", setting.replace('=', "%3D")));
            }
            Database {
                url,
                cleanup: Cleanup::Schema { server, schema },
            }
        }
    };
    // Migrate once here, so the writers do not all start by migrating.
    drop(studybot::store::open(&db.url).unwrap_or_else(|e| panic!("cannot open {}: {e}", db.url)));
    db
}

/// Counts of what the database holds after a run.
fn count(backend: Backend, db: &Database) -> Vec<(String, i64)> {
    let queries = [
        ("answer rows", "SELECT count(*) FROM answers"),
        (
            "distinct interaction ids",
            "SELECT count(DISTINCT interaction_id) FROM answers",
        ),
        (
            "sum of question tallies",
            "SELECT CAST(coalesce(sum(answered), 0) AS BIGINT) FROM instance_tallies",
        ),
        (
            "sum of all-time totals",
            "SELECT CAST(coalesce(sum(answered), 0) AS BIGINT) FROM totals WHERE period = 'all'",
        ),
    ];
    let per_writer =
        "SELECT interaction_id / 1000000000 - 1, count(*) FROM answers GROUP BY 1 ORDER BY 1";
    let mut out = Vec::new();
    match backend {
        Backend::Sqlite => {
            let path = db.url.strip_prefix("sqlite://").unwrap();
            let c = rusqlite::Connection::open(path).expect("open the SQLite file");
            for (name, sql) in queries {
                out.push((
                    name.to_string(),
                    c.query_row(sql, [], |r| r.get(0)).expect(sql),
                ));
            }
            let mut s = c.prepare(per_writer).unwrap();
            let rows = s
                .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
                .unwrap();
            for row in rows {
                let (w, n) = row.unwrap();
                out.push((format!("answers of writer {w}"), n));
            }
        }
        Backend::Postgres => {
            let mut c =
                studybot::store::postgres::connect_client(&db.url).expect("connect to PostgreSQL");
            for (name, sql) in queries {
                out.push((name.to_string(), c.query_one(sql, &[]).expect(sql).get(0)));
            }
            for row in c.query(per_writer, &[]).expect(per_writer) {
                out.push((
                    format!("answers of writer {}", row.get::<_, i64>(0)),
                    row.get(1),
                ));
            }
        }
    }
    out
}

/// What one writer process printed.
struct WriterReport {
    per_second: f64,
    p99_us: f64,
    max_us: f64,
    busy_retries: u64,
}

struct Run {
    total_per_second: f64,
    /// All answers / the time from the release to the last writer's
    /// report (its last answer recorded, before it closes the store).
    done_per_second: f64,
    wall: f64,
    writers: Vec<WriterReport>,
}

/// Starts `writers` processes on `db`, releases them together, waits, and
/// checks the database holds exactly what they sent.
fn run_once(
    binary: &Path,
    backend: Backend,
    db: &Database,
    layout: &str,
    writers: usize,
    answers: u64,
) -> Run {
    let barrier_dir = tempfile::tempdir().expect("a temporary folder");
    let barrier = barrier_dir.path().join("go");
    let mut children: Vec<Child> = (0..writers)
        .map(|w| {
            Command::new(binary)
                .arg(&db.url)
                .arg(w.to_string())
                .arg(answers.to_string())
                .arg(&barrier)
                .arg(layout)
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()))
        })
        .collect();
    let kill_all = |children: &mut Vec<Child>, why: String| -> ! {
        for child in children.iter_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("{why}");
    };

    // Every writer has opened the store and created its questions.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let ready = (0..writers)
            .filter(|w| Path::new(&format!("{}.ready-{w}", barrier.display())).exists())
            .count();
        if ready == writers {
            break;
        }
        for (w, child) in children.iter_mut().enumerate() {
            if let Ok(Some(status)) = child.try_wait() {
                let why = format!("writer {w} exited before the start ({status})");
                kill_all(&mut children, why);
            }
        }
        if Instant::now() > deadline {
            kill_all(
                &mut children,
                "the writers were not ready within 2 minutes".into(),
            );
        }
        std::thread::sleep(Duration::from_millis(1));
    }

    // Each writer prints its line as soon as its last answer is recorded,
    // before closing the store; the time that line arrives is kept.
    let lines: Vec<_> = children
        .iter_mut()
        .map(|child| {
            let stdout = child.stdout.take().expect("the writer's stdout");
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stdout);
                let mut line = String::new();
                let _ = reader.read_line(&mut line);
                let done = Instant::now();
                let _ = reader.read_to_string(&mut line);
                (done, line)
            })
        })
        .collect();

    std::fs::write(&barrier, b"").expect("create the start file");
    let released = Instant::now();
    let deadline = released + Duration::from_secs(600);
    let mut exited: Vec<Option<Instant>> = vec![None; writers];
    while exited.iter().any(Option::is_none) {
        for (w, child) in children.iter_mut().enumerate() {
            if exited[w].is_none() {
                if let Ok(Some(_)) = child.try_wait() {
                    exited[w] = Some(Instant::now());
                }
            }
        }
        if Instant::now() > deadline {
            kill_all(&mut children, "the writers ran for over 10 minutes".into());
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let last = exited.iter().flatten().max().unwrap();
    let wall = last.duration_since(released).as_secs_f64();

    let mut reports = Vec::new();
    let mut last_done = released;
    for (w, (mut child, line)) in children.into_iter().zip(lines).enumerate() {
        let status = child.wait().expect("the writer's exit status");
        let (done, stdout) = line.join().expect("the reader thread");
        last_done = last_done.max(done);
        assert!(
            status.success(),
            "{} writer {w} of {writers} ({layout}) failed ({}); it printed: {stdout}",
            backend.name(),
            status
        );
        let json: Value = serde_json::from_str(stdout.trim())
            .unwrap_or_else(|e| panic!("writer {w} printed {stdout:?}: {e}"));
        let number = |key: &str| {
            json[key]
                .as_f64()
                .unwrap_or_else(|| panic!("no {key} in {json}"))
        };
        assert_eq!(number("recorded") as u64, answers, "writer {w}: {json}");
        reports.push(WriterReport {
            per_second: number("per_second"),
            p99_us: number("p99_us"),
            max_us: number("max_us"),
            busy_retries: number("busy_retries") as u64,
        });
    }

    // No answer lost, none counted twice.
    let sent = writers as i64 * answers as i64;
    let counts = count(backend, db);
    let mut wrong = Vec::new();
    for (name, n) in &counts {
        let expected = if name.starts_with("answers of writer") {
            answers as i64
        } else {
            sent
        };
        if *n != expected {
            wrong.push(format!("{name}: {n}, expected {expected}"));
        }
    }
    let writers_seen = counts
        .iter()
        .filter(|(name, _)| name.starts_with("answers of writer"))
        .count();
    if writers_seen != writers {
        wrong.push(format!(
            "answers from {writers_seen} writers, expected {writers}"
        ));
    }
    assert!(
        wrong.is_empty(),
        "{} with {writers} writers ({layout}): the database does not hold what was sent \
         ({sent} answers): {}",
        backend.name(),
        wrong.join("; ")
    );

    Run {
        total_per_second: sent as f64 / wall,
        done_per_second: sent as f64 / last_done.duration_since(released).as_secs_f64(),
        wall,
        writers: reports,
    }
}

fn writer_binary() -> PathBuf {
    let path = std::env::var_os("ANSWER_WRITER")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_BIN_EXE_studybot"))
                .parent()
                .unwrap()
                .join("examples/answer_writer")
        });
    if !path.is_file() {
        eprintln!(
            "{} is missing: build it first with `cargo build --release --example answer_writer` \
             (with the same CARGO_TARGET_DIR as the bench), or name it in ANSWER_WRITER",
            path.display()
        );
        std::process::exit(2);
    }
    path
}

fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => v
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v} is not understood")),
        _ => default,
    }
}

fn list(name: &str, default: &str) -> Vec<String> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_string())
        .split(',')
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty())
        .collect()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let binary = writer_binary();
    let answers_set: u64 = setting("SCALE_ANSWERS", 0);
    let runs: usize = setting("SCALE_RUNS", 3).max(1);
    let writer_counts: Vec<usize> = list("SCALE_WRITERS", "1,2,4")
        .iter()
        .map(|w| w.parse().expect("SCALE_WRITERS: numbers, e.g. 1,2,4"))
        .collect();
    let layouts = list("SCALE_LAYOUTS", "own,shared");
    let pg_settings = list("SCALE_PG_SETTINGS", "");
    let server = std::env::var("STUDYBOT_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty());
    let mut backends = Vec::new();
    for name in list("SCALE_BACKENDS", "sqlite,postgres") {
        match name.as_str() {
            "sqlite" => backends.push(Backend::Sqlite),
            "postgres" | "postgresql" => backends.push(Backend::Postgres),
            other => panic!("SCALE_BACKENDS: unknown backend {other}"),
        }
    }

    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "writer: {}\n{runs} runs per configuration, {cores} cores",
        binary.display()
    );
    if let Some(server) = &server {
        if backends.contains(&Backend::Postgres) {
            let mut c = studybot::store::postgres::connect_client(server)
                .expect("connect to STUDYBOT_TEST_POSTGRES_URL");
            let show = |c: &mut ::postgres::Client, what: &str| -> String {
                c.query_one(&format!("SHOW {what}"), &[])
                    .map(|r| r.get(0))
                    .unwrap_or_else(|e| e.to_string())
            };
            println!(
                "PostgreSQL {} (server: synchronous_commit={}, fsync={}, commit_delay={}; \
                 the writers' sessions also set: {})",
                show(&mut c, "server_version"),
                show(&mut c, "synchronous_commit"),
                show(&mut c, "fsync"),
                show(&mut c, "commit_delay"),
                if pg_settings.is_empty() {
                    "nothing".to_string()
                } else {
                    pg_settings.join(", ")
                }
            );
        }
    }

    let mut rows = Vec::new();
    for &backend in &backends {
        if backend == Backend::Postgres && server.is_none() {
            println!("PostgreSQL: skipped (STUDYBOT_TEST_POSTGRES_URL not set)");
            rows.push(format!(
                "| {} | skipped: STUDYBOT_TEST_POSTGRES_URL not set | | | | | | | | | |",
                backend.name()
            ));
            continue;
        }
        let answers = match (answers_set, backend) {
            (0, Backend::Sqlite) => 2000,
            (0, Backend::Postgres) => 500,
            (n, _) => n,
        };
        for layout in &layouts {
            let mut single = None;
            for &writers in &writer_counts {
                let mut results = Vec::new();
                for run in 1..=runs {
                    let db = fresh_database(backend, server.as_deref(), &pg_settings);
                    let r = run_once(&binary, backend, &db, layout, writers, answers);
                    println!(
                        "{} {layout} guild(s), {writers} writer(s), run {run}: {:.0} answers/s \
                         ({} in {:.2} s; {:.0}/s to the last answer); per writer: {}; \
                         busy retries {}",
                        backend.name(),
                        r.total_per_second,
                        writers as u64 * answers,
                        r.wall,
                        r.done_per_second,
                        r.writers
                            .iter()
                            .map(|w| format!(
                                "{:.0}/s p99 {:.2} ms max {:.1} ms",
                                w.per_second,
                                w.p99_us / 1000.0,
                                w.max_us / 1000.0
                            ))
                            .collect::<Vec<_>>()
                            .join(", "),
                        r.writers.iter().map(|w| w.busy_retries).sum::<u64>()
                    );
                    results.push(r);
                }
                let mut order: Vec<usize> = (0..results.len()).collect();
                order.sort_by(|&a, &b| {
                    results[a]
                        .total_per_second
                        .total_cmp(&results[b].total_per_second)
                });
                let mid = &results[order[order.len() / 2]];
                let total = mid.total_per_second;
                let done = median(results.iter().map(|r| r.done_per_second).collect());
                if writers == 1 {
                    single = Some((total, done));
                }
                let scaling = single.map_or("—".to_string(), |(t, d)| {
                    format!("{:.2}x / {:.2}x", total / t, done / d)
                });
                let all_runs = order
                    .iter()
                    .map(|&i| format!("{:.0}", results[i].total_per_second))
                    .collect::<Vec<_>>()
                    .join(", ");
                let per_writer = mid
                    .writers
                    .iter()
                    .map(|w| format!("{:.0}", w.per_second))
                    .collect::<Vec<_>>()
                    .join(" / ");
                let p99 = median(
                    results
                        .iter()
                        .map(|r| r.writers.iter().map(|w| w.p99_us).fold(0.0, f64::max))
                        .collect(),
                ) / 1000.0;
                let max = results
                    .iter()
                    .flat_map(|r| r.writers.iter().map(|w| w.max_us))
                    .fold(0.0, f64::max)
                    / 1000.0;
                let busy: u64 = results
                    .iter()
                    .flat_map(|r| r.writers.iter().map(|w| w.busy_retries))
                    .sum();
                rows.push(format!(
                    "| {} | {layout} | {writers} | {} | **{total:.0}** | {all_runs} | {done:.0} | \
                     {scaling} | {per_writer} | {p99:.1} / {max:.0} | {busy} |",
                    backend.name(),
                    writers as u64 * answers,
                ));
            }
        }
    }

    println!(
        "\n| backend | guilds | writer processes | answers per run | answers/s, release to last exit (median of {runs}) | each run (sorted) | answers/s, release to last answer (median) | vs 1 writer (to exit / to last answer) | per writer, answers/s (median run) | per-answer p99 / max ms | busy retries (all runs) |"
    );
    println!("|---|---|---:|---:|---:|---|---:|---:|---|---:|---:|");
    for row in rows {
        println!("{row}");
    }
    println!(
        "\nAfter every run the database held exactly what was sent: answer rows, distinct \
         interaction ids, answers per writer, question tallies and all-time totals."
    );
}
