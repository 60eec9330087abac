//! The PostgreSQL backend of [`Store`], for several bot processes sharing one
//! database.
//!
//! It owns the PostgreSQL schema, its migrations, the connections and the SQL
//! that gives every [`Store`] method the same observable behaviour as
//! `SqliteStore` (the reference: same orderings, same outcomes, same
//! exactly-once guarantees). Like the rest of `store` it knows nothing of
//! Discord and nothing of how points are computed: callers say what an answer
//! is worth and which leaderboard periods it counts in.
//!
//! **Migrations.** The `.sql` files under `migrations/postgres`, run by the
//! runner both backends share (`migrate.rs`, refinery), while this backend
//! holds an advisory lock, so processes starting together migrate once and
//! the others then find nothing to do. An up-to-date database is only read
//! (a read-only standby still opens); one migrated by a newer build is
//! refused rather than written to.
//!
//! **Exactly once across processes.** The database, not the process, decides:
//! answers are unique per interaction and per (instance, student), competition
//! answers per interaction and per (competition, round, student); an answer is
//! inserted with `ON CONFLICT DO NOTHING` and only an insert that happened goes
//! on to change totals, the score histogram (`score_counts`), the player counts
//! (`period_players`) and the tally (`instance_tallies`), all in that one
//! transaction. Counters are changed by `UPDATE ... SET n = n + 1` or upserts,
//! which lock the row they change, so two processes scoring the same student at
//! once queue behind each other and neither update is lost. The daily instance
//! (a partial unique index on guild and day), the claim of a daily post (a
//! primary key on guild and day), the running competition of a channel and the
//! open season of a guild are likewise unique in the schema, so of two
//! processes racing only one wins and the other reads the winner's row.
//! Transactions run at READ COMMITTED: each statement sees what committed
//! before it, which is what makes "insert, else read who won" work. Shared
//! counter rows are locked in one order (periods sorted, lower score first,
//! the tally last) so that concurrent answers do not deadlock; a transaction
//! that is still chosen as a deadlock victim, or fails to serialise, is
//! retried whole, and a lock that cannot be had within `LOCK_TIMEOUT`
//! reports [`StoreError::Busy`] (the student is asked to try again, and the
//! retry is safe because of the uniqueness above).
//!
//! **Threads.** [`Store`] is synchronous, and the bot calls it both from
//! `spawn_blocking` threads and directly on tokio worker threads. The
//! synchronous `postgres` client runs a small runtime of its own and panics
//! when used on a thread that is already inside a tokio runtime, so no caller
//! thread ever touches a connection: the store keeps `CONNECTIONS` threads
//! of its own, each owning one connection, which take jobs (closures) from one
//! queue and send the result back. A caller blocks on that reply the way it
//! would block on SQLite's connection mutex. A broken connection is reopened
//! before the thread's next job; a job that panics is answered with an error
//! and its connection reopened.
//!
//! **Errors.** Lost deadlocks, serialisation failures, lock timeouts and a
//! server out of connection slots are [`StoreError::Busy`]; a full disk, a
//! read-only server and an unreachable one are [`StoreError::Unwritable`]
//! (remembered for [`Store::write_problem`] until a write succeeds, as in
//! SQLite); anything else is [`StoreError::Database`] with the server's words.
//!
//! **Types.** Timestamps are `TIMESTAMPTZ`, stored truncated to the
//! microsecond as SQLite's RFC 3339 text is, so comparisons and orderings
//! agree; text that is sorted (question keys, periods) uses the "C" collation,
//! as SQLite compares bytes; text that people type is `BYTEA`, since `TEXT`
//! cannot hold U+0000 and SQLite keeps it.

use super::*;
use chrono::SubsecRound;
// `::postgres`: the driver crate, not this module (which shares its name).
use ::postgres as pg;
use pg::error::SqlState;
use pg::types::ToSql;
use pg::{Client, GenericClient, IsolationLevel, NoTls, Row, Statement, Transaction};
use std::collections::{BTreeMap, HashMap};
use std::sync::{mpsc, Arc, Mutex, PoisonError};
use tokio_postgres_rustls::MakeRustlsConnect;

/// The advisory lock key that serialises migrations ("Studybot" in ASCII).
const MIGRATION_LOCK: i64 = 0x5374_7564_7962_6f74;
/// How long opening a store waits for another process's migration.
const MIGRATION_LOCK_TIMEOUT: &str = "120s";

/// How many connections (and threads) a store keeps: enough for the handlers'
/// blocking threads to overlap their round trips, few enough that several
/// processes stay far below the server's `max_connections` (100 by default).
const CONNECTIONS: usize = 4;

/// How long a statement waits for another transaction's row lock before the
/// store reports "busy": well inside Discord's 3-second window, as SQLite's
/// busy timeout is.
const LOCK_TIMEOUT: &str = "2s";

/// How long opening a connection may take when the URL does not say.
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// How many times a transaction that lost a deadlock or failed to serialise
/// is run in all before the caller is told the database is busy.
const ATTEMPTS: usize = 3;

/// What can go wrong below the [`Store`] interface; each maps to a
/// [`StoreError`].
#[derive(Debug, thiserror::Error)]
enum PgError {
    #[error(transparent)]
    Db(#[from] pg::Error),
    #[error("invalid PostgreSQL URL")]
    Url(#[source] pg::Error),
    #[error("cannot connect to PostgreSQL")]
    Connect(#[source] pg::Error),
    #[error("cannot connect to PostgreSQL: the server's TLS certificate was not accepted (if a private authority signed it, name that authority's certificate with `sslrootcert=PATH` in the URL; `sslmode=disable` turns TLS off)")]
    Certificate(#[source] pg::Error),
    #[error(
        "cannot read the CA certificates in {path} (`sslrootcert` in the PostgreSQL URL): {why}"
    )]
    RootCert { path: String, why: String },
    #[error("cannot start a PostgreSQL connection thread")]
    Thread(#[source] std::io::Error),
    #[error("the PostgreSQL connection threads have stopped")]
    Stopped,
    #[error("the database was migrated by a newer studybot (schema version {found}, this build knows {known})")]
    SchemaTooNew { found: i32, known: i32 },
    #[error("the schema migration failed")]
    Migration(#[source] refinery::Error),
    /// The same write lost races over and over (rows it conflicted with kept
    /// being deleted): the caller may simply try again.
    #[error("the write kept conflicting with concurrent changes")]
    Contended,
}

/// Errors a retry soon may get past: lost deadlocks and serialisation
/// failures (retried here first), locks not granted in time, no free
/// connection slot on the server.
const BUSY: [SqlState; 4] = [
    SqlState::T_R_DEADLOCK_DETECTED,
    SqlState::T_R_SERIALIZATION_FAILURE,
    SqlState::LOCK_NOT_AVAILABLE,
    SqlState::TOO_MANY_CONNECTIONS,
];

/// Errors that mean nothing can be written now: a full disk, an I/O
/// failure, a read-only server (a standby), a server shutting down or
/// starting up. SQLite's full disk and read-only file map to the same.
const UNWRITABLE: [SqlState; 6] = [
    SqlState::DISK_FULL,
    SqlState::IO_ERROR,
    SqlState::READ_ONLY_SQL_TRANSACTION,
    SqlState::ADMIN_SHUTDOWN,
    SqlState::CRASH_SHUTDOWN,
    SqlState::CANNOT_CONNECT_NOW,
];

impl PgError {
    /// Whether running the whole transaction again may succeed.
    fn retry_whole(&self) -> bool {
        matches!(self, PgError::Db(e) if e.code().is_some_and(|c| *c == SqlState::T_R_DEADLOCK_DETECTED || *c == SqlState::T_R_SERIALIZATION_FAILURE))
    }

    /// The error with its causes, "outer: inner: ...": the driver says only
    /// "db error", and the server's own words are that error's cause.
    fn describe(&self) -> String {
        let mut text = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(inner) = cause {
            text.push_str(": ");
            text.push_str(&inner.to_string());
            cause = inner.source();
        }
        text
    }
}

impl From<PgError> for StoreError {
    fn from(e: PgError) -> Self {
        match &e {
            PgError::Contended => StoreError::Busy,
            PgError::Db(db) if db.code().is_some_and(|c| BUSY.contains(c)) => StoreError::Busy,
            // The server is unreachable: nothing can be saved (as SQLite's
            // file that cannot be opened).
            PgError::Connect(_) | PgError::Certificate(_) => StoreError::Unwritable(e.describe()),
            PgError::Db(db)
                if db.is_closed() || db.code().is_some_and(|c| UNWRITABLE.contains(c)) =>
            {
                StoreError::Unwritable(e.describe())
            }
            _ => StoreError::Database(e.describe()),
        }
    }
}

/// The parameters of one statement.
type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// A connection, or a transaction on it, with the connection's prepared
/// statements (each SQL text is parsed by the server once per connection)
/// and its count of rows written.
struct Sql<'a, C> {
    client: &'a mut C,
    statements: &'a mut HashMap<&'static str, Statement>,
    changed: &'a mut u64,
}

impl<C: GenericClient> Sql<'_, C> {
    fn prepared(&mut self, sql: &'static str) -> Result<Statement, pg::Error> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(sql)?;
        self.statements.insert(sql, statement.clone());
        Ok(statement)
    }

    fn query(&mut self, sql: &'static str, params: Params) -> Result<Vec<Row>, pg::Error> {
        let statement = self.prepared(sql)?;
        self.client.query(&statement, params)
    }

    fn query_opt(&mut self, sql: &'static str, params: Params) -> Result<Option<Row>, pg::Error> {
        let statement = self.prepared(sql)?;
        self.client.query_opt(&statement, params)
    }

    fn query_one(&mut self, sql: &'static str, params: Params) -> Result<Row, pg::Error> {
        let statement = self.prepared(sql)?;
        self.client.query_one(&statement, params)
    }

    /// Runs a statement that writes; returns how many rows it changed.
    fn execute(&mut self, sql: &'static str, params: Params) -> Result<u64, pg::Error> {
        let statement = self.prepared(sql)?;
        let changed = self.client.execute(&statement, params)?;
        *self.changed += changed;
        Ok(changed)
    }

    /// Runs an `INSERT`, `UPDATE` or `DELETE ... RETURNING`: the rows it
    /// changed.
    fn returning(&mut self, sql: &'static str, params: Params) -> Result<Vec<Row>, pg::Error> {
        let rows = self.query(sql, params)?;
        *self.changed += rows.len() as u64;
        Ok(rows)
    }

    /// [`Sql::returning`] for a statement that changes one row or none.
    fn returning_opt(
        &mut self,
        sql: &'static str,
        params: Params,
    ) -> Result<Option<Row>, pg::Error> {
        let row = self.query_opt(sql, params)?;
        *self.changed += u64::from(row.is_some());
        Ok(row)
    }

    /// [`Sql::returning`] for a statement that changes exactly one row.
    fn returning_one(&mut self, sql: &'static str, params: Params) -> Result<Row, pg::Error> {
        let row = self.query_one(sql, params)?;
        *self.changed += 1;
        Ok(row)
    }
}

/// A transaction with the connection's prepared statements.
type Tx<'a, 't> = Sql<'a, Transaction<'t>>;

/// One open connection, its prepared statements, and how many rows the
/// current job has written (see [`Store::write_problem`]).
struct Session {
    client: Client,
    statements: HashMap<&'static str, Statement>,
    changed: u64,
}

impl Session {
    fn open(config: &pg::Config, tls: &Tls) -> Result<Self, pg::Error> {
        let mut client = tls.connect(config)?;
        // READ COMMITTED whatever the server's default: "insert, or read the
        // row that won" relies on each statement seeing the latest commits.
        client.batch_execute(&format!(
            "SET lock_timeout = '{LOCK_TIMEOUT}';
             SET default_transaction_isolation = 'read committed'"
        ))?;
        Ok(Self {
            client,
            statements: HashMap::new(),
            changed: 0,
        })
    }

    /// Statements run one by one, each atomic by itself.
    fn direct(&mut self) -> Sql<'_, Client> {
        Sql {
            client: &mut self.client,
            statements: &mut self.statements,
            changed: &mut self.changed,
        }
    }

    /// One read-write transaction, committed when `f` succeeds.
    fn write<T>(
        &mut self,
        f: impl FnOnce(&mut Tx<'_, '_>) -> Result<T, PgError>,
    ) -> Result<T, PgError> {
        let mut tx = self.client.transaction()?;
        let out = f(&mut Sql {
            client: &mut tx,
            statements: &mut self.statements,
            changed: &mut self.changed,
        })?;
        tx.commit()?;
        Ok(out)
    }

    /// Several reads from one snapshot, so they agree with each other.
    fn snapshot<T>(
        &mut self,
        f: impl FnOnce(&mut Tx<'_, '_>) -> Result<T, PgError>,
    ) -> Result<T, PgError> {
        let mut tx = self
            .client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?;
        let out = f(&mut Sql {
            client: &mut tx,
            statements: &mut self.statements,
            changed: &mut self.changed,
        })?;
        tx.commit()?;
        Ok(out)
    }
}

/// How connections are encrypted (see [`PostgresStore::connect`]).
#[derive(Clone)]
enum Tls {
    /// `sslmode=disable`.
    Off,
    /// The server's certificate must chain to one of the roots and name the
    /// host. With `sslmode=prefer` (the default) a server that offers no TLS
    /// at all is still reached unencrypted, as libpq does.
    Verified(MakeRustlsConnect),
}

impl Tls {
    fn connect(&self, config: &pg::Config) -> Result<Client, pg::Error> {
        match self {
            Tls::Off => config.connect(NoTls),
            Tls::Verified(tls) => config.connect(tls.clone()),
        }
    }
}

/// The client's settings and TLS for a `postgres://` URL. `sslrootcert=PATH`
/// (libpq's name for it; the driver refuses options it does not know) is
/// taken out of the URL: the PEM certificates in that file are trusted
/// besides Mozilla's list of public authorities.
fn settings(url: &str) -> Result<(pg::Config, Tls), PgError> {
    let (url, root_file) = take_query_param(url, "sslrootcert");
    let config: pg::Config = url.parse().map_err(PgError::Url)?;
    if config.get_ssl_mode() == pg::config::SslMode::Disable {
        return Ok((config, Tls::Off));
    }
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = root_file {
        use rustls::pki_types::{pem::PemObject, CertificateDer};
        let unreadable = |why: String| PgError::RootCert {
            path: path.clone(),
            why,
        };
        let certificates = CertificateDer::pem_file_iter(&path)
            .and_then(|certificates| certificates.collect::<Result<Vec<_>, _>>())
            .map_err(|e| unreadable(e.to_string()))?;
        if certificates.is_empty() {
            return Err(unreadable("no PEM certificate in it".into()));
        }
        for certificate in certificates {
            roots
                .add(certificate)
                .map_err(|e| unreadable(e.to_string()))?;
        }
    }
    // ring explicitly, not the process default: that is ambiguous (and
    // panics) as soon as any crate in the build enables a second provider.
    let tls = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("ring supports the default TLS versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok((config, Tls::Verified(MakeRustlsConnect::new(tls))))
}

/// `url` without the query parameter `name`, and that parameter's value
/// (percent-decoded), if it was there.
fn take_query_param(url: &str, name: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_string(), None);
    };
    let mut value = None;
    let mut kept = Vec::new();
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some((key, v)) if key == name => {
                value = Some(
                    percent_encoding::percent_decode_str(v)
                        .decode_utf8_lossy()
                        .into_owned(),
                )
            }
            _ => kept.push(pair),
        }
    }
    let url = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (url, value)
}

/// Why a connection could not be opened, with advice when it was the
/// server's certificate.
fn connect_error(e: pg::Error) -> PgError {
    // rustls's words ("invalid peer certificate: UnknownIssuer"), under the
    // driver's and tokio-rustls's wrappers.
    let mut certificate = false;
    let mut cause: Option<&dyn std::error::Error> = Some(&e);
    while let Some(c) = cause {
        certificate |= c.to_string().contains("invalid peer certificate");
        cause = c.source();
    }
    if certificate {
        PgError::Certificate(e)
    } else {
        PgError::Connect(e)
    }
}

/// One connection with the store's URL rules and TLS, outside any store:
/// for tools and tests that run their own SQL (creating a schema, say).
/// Not on a tokio runtime thread (see the module's notes on threads).
pub fn connect_client(url: &str) -> Result<Client, StoreError> {
    let (config, tls) = settings(url)?;
    tls.connect(&config).map_err(|e| connect_error(e).into())
}

/// A connection thread's connection, reopened when it breaks.
struct Connection {
    config: pg::Config,
    tls: Tls,
    session: Option<Session>,
}

/// A job's result, and whether it wrote any row.
type Outcome<T> = (Result<T, StoreError>, bool);

impl Connection {
    fn open(config: pg::Config, tls: Tls) -> Result<Self, PgError> {
        let session = Session::open(&config, &tls).map_err(connect_error)?;
        Ok(Self {
            config,
            tls,
            session: Some(session),
        })
    }

    fn session(&mut self) -> Result<&mut Session, PgError> {
        if self.session.as_ref().is_none_or(|s| s.client.is_closed()) {
            self.session = None;
            self.session = Some(Session::open(&self.config, &self.tls).map_err(connect_error)?);
        }
        let session = self.session.as_mut().expect("the session was just opened");
        session.changed = 0;
        Ok(session)
    }

    /// Runs a job, again if it lost a deadlock or failed to serialise (each
    /// attempt is a whole transaction that rolled back).
    fn run<T>(&mut self, job: &mut impl FnMut(&mut Session) -> Result<T, PgError>) -> Outcome<T> {
        let mut attempt = 1;
        loop {
            match self.session().and_then(&mut *job) {
                Err(e) if e.retry_whole() && attempt < ATTEMPTS => attempt += 1,
                Err(e) => return (Err(e.into()), false),
                Ok(out) => {
                    let wrote = self.session.as_ref().is_some_and(|s| s.changed > 0);
                    return (Ok(out), wrote);
                }
            }
        }
    }
}

/// Work for a connection thread.
type Job = Box<dyn FnOnce(&mut Connection) + Send>;

/// Takes jobs from the queue until the store is dropped.
fn serve(mut connection: Connection, queue: &Mutex<mpsc::Receiver<Job>>) {
    loop {
        let next = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(job) = next else { return };
        // A panicking job must not take a connection thread with it; the
        // caller sees its reply channel close. The session may be mid-way
        // through something, so it is reopened.
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut connection))).is_err()
        {
            tracing::error!("a PostgreSQL store job panicked; reopening its connection");
            connection.session = None;
        }
    }
}

pub struct PostgresStore {
    /// The job queue; `None` only while dropping, which stops the threads.
    jobs: Option<mpsc::Sender<Job>>,
    threads: Vec<std::thread::JoinHandle<()>>,
    /// Why writes are failing, while they are (see [`Store::write_problem`]).
    write_problem: Mutex<Option<String>>,
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        drop(self.jobs.take());
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

impl PostgresStore {
    /// Connects to the database a `postgres://` or `postgresql://` URL names
    /// (libpq's URL form; `?options=-c%20search_path%3DNAME` picks a schema)
    /// and brings its schema up to date.
    ///
    /// Connections use TLS whenever the server offers it, and then the
    /// server's certificate must be signed by a public authority or by one
    /// named with `?sslrootcert=PATH`, and must name the host: a server
    /// whose certificate is not accepted is refused, not used unencrypted.
    /// `sslmode=require` also refuses a server without TLS; `sslmode=disable`
    /// never uses it (a server on the same host, say).
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        let (mut config, tls) = settings(url)?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        let (opened, opening) = mpsc::channel();
        let mut store = Self {
            jobs: Some(jobs),
            threads: Vec::with_capacity(CONNECTIONS),
            write_problem: Mutex::new(None),
        };
        for n in 0..CONNECTIONS {
            let (config, tls, queue, opened) =
                (config.clone(), tls.clone(), queue.clone(), opened.clone());
            let thread = std::thread::Builder::new()
                .name(format!("postgres-{n}"))
                .spawn(move || match Connection::open(config, tls) {
                    Ok(connection) => {
                        let _ = opened.send(Ok(()));
                        serve(connection, &queue);
                    }
                    Err(e) => {
                        let _ = opened.send(Err(e));
                    }
                })
                .map_err(PgError::Thread)?;
            store.threads.push(thread);
        }
        drop(opened);
        for _ in 0..CONNECTIONS {
            opening.recv().map_err(|_| PgError::Stopped)??;
        }
        store.run(migrate)?;
        Ok(store)
    }

    /// Runs `job` on one of the connection threads and waits for its result.
    /// Safe from any thread, a tokio worker included.
    fn run<T: Send + 'static>(
        &self,
        mut job: impl FnMut(&mut Session) -> Result<T, PgError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (reply, outcome) = mpsc::sync_channel(1);
        let work: Job = Box::new(move |connection: &mut Connection| {
            let _ = reply.send(connection.run(&mut job));
        });
        self.jobs
            .as_ref()
            .ok_or(PgError::Stopped)?
            .send(work)
            .map_err(|_| PgError::Stopped)?;
        let (result, wrote) = outcome.recv().map_err(|_| PgError::Stopped)?;
        // As SQLite's store does: a write that failed for want of space or
        // of a writable server is remembered, one that changed rows clears it.
        let mut problem = self
            .write_problem
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match &result {
            Err(StoreError::Unwritable(why)) => *problem = Some(why.clone()),
            Ok(_) if wrote => *problem = None,
            _ => {}
        }
        result
    }
}

/// The version refinery's history records (`None`: no history table) and
/// the one earlier builds kept in `studybot_migrations` (0: none).
fn schema_versions(client: &mut Client) -> Result<(Option<i32>, i32), pg::Error> {
    use super::migrate::HISTORY;
    // to_regclass looks along the search path, as unqualified names do.
    let row = client.query_one(
        "SELECT to_regclass($1) IS NOT NULL, to_regclass('studybot_migrations') IS NOT NULL",
        &[&HISTORY],
    )?;
    let (has_history, has_legacy): (bool, bool) = (row.try_get(0)?, row.try_get(1)?);
    let recorded = if has_history {
        let sql = format!("SELECT coalesce(max(version), 0) FROM {HISTORY}");
        Some(client.query_one(&sql, &[])?.try_get(0)?)
    } else {
        None
    };
    let legacy = if has_legacy {
        client
            .query_one(
                "SELECT coalesce(max(version), 0) FROM studybot_migrations",
                &[],
            )?
            .try_get(0)?
    } else {
        0
    };
    Ok((recorded, legacy))
}

/// What [`migrate`] must do now, or why it must not.
fn migration_plan(client: &mut Client) -> Result<super::migrate::Plan, PgError> {
    use super::migrate::{plan, Dialect, Plan};
    let (recorded, legacy) = schema_versions(client)?;
    match plan(Dialect::Postgres, recorded, legacy) {
        Plan::TooNew { found, known } => Err(PgError::SchemaTooNew { found, known }),
        next => Ok(next),
    }
}

/// Brings the schema up to date (see `migrate.rs`) while holding an
/// advisory lock, so processes starting together migrate once. An
/// up-to-date database is only read, so a read-only server (a standby)
/// still opens.
fn migrate(session: &mut Session) -> Result<(), PgError> {
    use super::migrate::{carry_out, Dialect, Plan};
    let client = &mut session.client;
    if migration_plan(client)? == Plan::UpToDate {
        return Ok(());
    }
    // Waiting for another process's migration is the normal case when
    // several start together, and it may take longer than the 2 s a
    // student's request waits for a lock: this wait is longer.
    client.batch_execute(&format!("SET lock_timeout = '{MIGRATION_LOCK_TIMEOUT}'"))?;
    let locked = client.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK]);
    client.batch_execute(&format!("SET lock_timeout = '{LOCK_TIMEOUT}'"))?;
    locked?;
    // Again, now that no other process is migrating.
    let migrated = migration_plan(client)
        .and_then(|next| carry_out(Dialect::Postgres, next, client).map_err(PgError::Migration));
    let unlocked = client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK]);
    migrated?;
    unlocked?;
    Ok(())
}

/// A time as SQLite's text keeps it: whole microseconds (truncated).
fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

/// Text typed by people, as its BYTEA column holds it (see the schema).
fn typed(text: &str) -> &[u8] {
    text.as_bytes()
}

/// Typed text back from its BYTEA column (only valid UTF-8 is ever written).
fn typed_text(r: &Row, column: usize) -> Result<String, pg::Error> {
    Ok(String::from_utf8_lossy(r.try_get::<_, &[u8]>(column)?).into_owned())
}

/// A LIMIT: SQLite reads a limit past i64's range (wrapped negative) as
/// "no limit", which PostgreSQL refuses, so the largest one is used instead.
fn sql_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

fn guild_key(guild: Option<GuildId>) -> i64 {
    guild.map_or(0, |g| g.0 as i64)
}

fn order_array(order: &[usize]) -> Vec<i64> {
    order.iter().map(|&i| i as i64).collect()
}

fn order_from(array: Vec<i64>) -> Vec<usize> {
    array.into_iter().map(|i| i as usize).collect()
}

fn status_text(status: CompetitionStatus) -> &'static str {
    match status {
        CompetitionStatus::Running => "running",
        CompetitionStatus::Finished => "finished",
        CompetitionStatus::Stopped => "stopped",
    }
}

/// Upserts a member's display name (unchanged names are not rewritten).
const REMEMBER_NAME: &str =
    "INSERT INTO members (guild_id, user_id, display_name, updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (guild_id, user_id) DO UPDATE SET display_name = EXCLUDED.display_name, updated_at = EXCLUDED.updated_at
     WHERE members.display_name <> EXCLUDED.display_name";

macro_rules! instance_columns {
    () => {
        "id, kind, guild_id, owner_id, day, question, option_order, created_at"
    };
}

const DAILY_INSTANCE: &str = concat!(
    "SELECT ",
    instance_columns!(),
    " FROM instances WHERE kind = 'daily' AND guild_id = $1 AND day = $2"
);

fn instance_row(r: &Row) -> Result<Instance, pg::Error> {
    Ok(Instance {
        id: r.try_get(0)?,
        kind: if r.try_get::<_, &str>(1)? == "daily" {
            InstanceKind::Daily
        } else {
            InstanceKind::Practice
        },
        guild: r.try_get::<_, Option<i64>>(2)?.map(|g| GuildId(g as u64)),
        owner: r.try_get::<_, Option<i64>>(3)?.map(|u| UserId(u as u64)),
        day: r.try_get(4)?,
        question: r.try_get(5)?,
        option_order: order_from(r.try_get(6)?),
        created_at: r.try_get(7)?,
    })
}

fn past_answer(r: &Row) -> Result<PastAnswer, pg::Error> {
    Ok(PastAnswer {
        answer: typed_text(r, 0)?,
        correct: r.try_get(1)?,
        points: r.try_get(2)?,
    })
}

const SETTINGS_OF_GUILD: &str = "SELECT timezone, channel_id, post_time, post_days, ping_role_id, teacher_role_id, competitions_teachers_only
     FROM guild_settings WHERE guild_id = $1";

/// Settings from their columns, starting at `at` (in the order of
/// [`SETTINGS_OF_GUILD`]).
fn settings_row(r: &Row, at: usize) -> Result<GuildSettings, pg::Error> {
    Ok(GuildSettings {
        timezone: r.try_get(at)?,
        channel: r.try_get::<_, Option<i64>>(at + 1)?.map(|v| v as u64),
        post_time: r.try_get(at + 2)?,
        post_days: r
            .try_get::<_, Option<Vec<i16>>>(at + 3)?
            .map(|days| days.into_iter().map(|d| d as u8).collect()),
        ping_role: r.try_get::<_, Option<i64>>(at + 4)?.map(|v| v as u64),
        teacher_role: r.try_get::<_, Option<i64>>(at + 5)?.map(|v| v as u64),
        competitions_teachers_only: r.try_get(at + 6)?,
    })
}

fn season_row(r: &Row) -> Result<Season, pg::Error> {
    Ok(Season {
        id: r.try_get(0)?,
        name: typed_text(r, 1)?,
        started_at: r.try_get(2)?,
        ended_at: r.try_get(3)?,
    })
}

const CARD_OF_QUESTION: &str = "SELECT question, due, stability, difficulty, elapsed_days, scheduled_days, reps, lapses, state, last_review
     FROM review_cards WHERE user_id = $1 AND question = $2";

fn card_row(r: &Row) -> Result<ReviewCard, pg::Error> {
    Ok(ReviewCard {
        question: r.try_get(0)?,
        due: r.try_get(1)?,
        stability: r.try_get(2)?,
        difficulty: r.try_get(3)?,
        elapsed_days: r.try_get(4)?,
        scheduled_days: r.try_get(5)?,
        reps: r.try_get(6)?,
        lapses: r.try_get(7)?,
        state: r.try_get::<_, i16>(8)? as u8,
        last_review: r.try_get(9)?,
    })
}

fn report_row(r: &Row) -> Result<Report, pg::Error> {
    Ok(Report {
        id: r.try_get(0)?,
        guild: GuildId(r.try_get::<_, i64>(1)? as u64),
        user: UserId(r.try_get::<_, i64>(2)? as u64),
        question: r.try_get(3)?,
        text: typed_text(r, 4)?,
        at: r.try_get(5)?,
    })
}

fn question_results_row(r: &Row) -> Result<QuestionResults, pg::Error> {
    Ok(QuestionResults {
        question: r.try_get(0)?,
        answered: r.try_get::<_, i64>(1)? as u64,
        correct: r.try_get::<_, i64>(2)? as u64,
    })
}

/// A daily answer with its question's day (see [`scored_answer_row`]).
macro_rules! scored_answer {
    () => {
        "SELECT a.id, a.instance_id, a.guild_id, a.user_id, a.question, a.answer, a.correct, a.points, i.day, a.answered_at
         FROM answers a JOIN instances i ON i.id = a.instance_id AND i.kind = 'daily'"
    };
}

fn scored_answer_row(r: &Row) -> Result<ScoredAnswer, pg::Error> {
    Ok(ScoredAnswer {
        id: r.try_get(0)?,
        instance: r.try_get(1)?,
        guild: GuildId(r.try_get::<_, i64>(2)? as u64),
        user: UserId(r.try_get::<_, i64>(3)? as u64),
        question: r.try_get(4)?,
        answer: typed_text(r, 5)?,
        correct: r.try_get(6)?,
        points: r.try_get(7)?,
        day: r.try_get(8)?,
        at: r.try_get(9)?,
    })
}

/// The answer a conflicting insert ran into: this interaction's own earlier
/// answer ([`RecordOutcome::Duplicate`]) first, else the student's earlier
/// answer to the same question. `None` when the conflicting row has been
/// deleted since (a student removed meanwhile): the insert may be tried again.
fn earlier_answer(
    tx: &mut Tx<'_, '_>,
    by_interaction: &'static str,
    by_student: &'static str,
    interaction: i64,
    student: Params,
) -> Result<Option<RecordOutcome>, pg::Error> {
    if let Some(row) = tx.query_opt(by_interaction, &[&interaction])? {
        return Ok(Some(RecordOutcome::Duplicate(past_answer(&row)?)));
    }
    match tx.query_opt(by_student, student)? {
        Some(row) => Ok(Some(RecordOutcome::AlreadyAnswered(past_answer(&row)?))),
        None => Ok(None),
    }
}

/// How many times an answer's insert is tried when the answers it conflicted
/// with keep disappearing before they can be read.
const INSERT_TRIES: usize = 3;

/// Records one answer inside a transaction (see [`Store::record_answer`]).
///
/// Lock order, shared by every writer of these rows: the member's name, the
/// answer, the review card and streak, then per period (sorted) the total,
/// the player count and the score histogram (lower score first), and the
/// instance's tally last.
/// A streak from its row (`current, best, last_day`); the default for none.
fn streak_row(row: Option<&Row>) -> Result<Streak, pg::Error> {
    Ok(match row {
        Some(r) => Streak {
            current: r.try_get::<_, i64>(0)? as u32,
            best: r.try_get::<_, i64>(1)? as u32,
            last_day: r.try_get(2)?,
        },
        None => Streak::default(),
    })
}

/// Stores a student's streak in a guild.
fn save_streak(tx: &mut Tx<'_, '_>, guild: i64, user: i64, s: &Streak) -> Result<(), pg::Error> {
    tx.execute(
        "INSERT INTO streaks (guild_id, user_id, current, best, last_day) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (guild_id, user_id) DO UPDATE SET current = EXCLUDED.current, best = EXCLUDED.best,
             last_day = EXCLUDED.last_day",
        &[&guild, &user, &i64::from(s.current), &i64::from(s.best), &s.last_day],
    )?;
    Ok(())
}

fn record_in(tx: &mut Tx<'_, '_>, a: &NewAnswer) -> Result<RecordOutcome, PgError> {
    let user = a.user.0 as i64;
    let at = micros(a.at);
    if let Some(name) = &a.display_name {
        tx.execute(
            REMEMBER_NAME,
            &[&guild_key(a.guild), &user, &typed(name), &at],
        )?;
    }
    let interaction = a.interaction.0 as i64;
    let mut tries = 0;
    loop {
        let inserted = tx.execute(
            "INSERT INTO answers (instance_id, guild_id, user_id, interaction_id, question, answer, correct, points, answered_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
            &[
                &a.instance,
                &a.guild.map(|g| g.0 as i64),
                &user,
                &interaction,
                &a.question,
                &typed(&a.answer),
                &a.correct,
                &a.points,
                &at,
            ],
        )?;
        if inserted == 1 {
            break;
        }
        if let Some(outcome) = earlier_answer(
            tx,
            "SELECT answer, correct, points FROM answers WHERE interaction_id = $1",
            "SELECT answer, correct, points FROM answers WHERE instance_id = $1 AND user_id = $2",
            interaction,
            &[&a.instance, &user],
        )? {
            return Ok(outcome);
        }
        tries += 1;
        if tries == INSERT_TRIES {
            return Err(PgError::Contended);
        }
    }
    if let Some(card) = &a.review {
        tx.execute(
            "INSERT INTO review_cards (user_id, question, due, stability, difficulty, elapsed_days, scheduled_days, reps, lapses, state, last_review)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (user_id, question) DO UPDATE SET due = EXCLUDED.due, stability = EXCLUDED.stability,
                 difficulty = EXCLUDED.difficulty, elapsed_days = EXCLUDED.elapsed_days,
                 scheduled_days = EXCLUDED.scheduled_days, reps = EXCLUDED.reps, lapses = EXCLUDED.lapses,
                 state = EXCLUDED.state, last_review = EXCLUDED.last_review",
            &[
                &user,
                &card.question,
                &micros(card.due),
                &card.stability,
                &card.difficulty,
                &card.elapsed_days,
                &card.scheduled_days,
                &card.reps,
                &card.lapses,
                &i16::from(card.state),
                &micros(card.last_review),
            ],
        )?;
    }
    if let Some(guild) = a.guild {
        if let Some(s) = &a.streak {
            save_streak(tx, guild.0 as i64, user, s)?;
        }
        add_to_totals(tx, guild, a.user, &a.periods, a.points, a.correct)?;
    }
    tx.execute(
        "INSERT INTO instance_tallies (instance_id, answered, correct) VALUES ($1, 1, $2)
         ON CONFLICT (instance_id) DO UPDATE SET answered = instance_tallies.answered + 1,
             correct = instance_tallies.correct + EXCLUDED.correct",
        &[&a.instance, &i64::from(a.correct)],
    )?;
    Ok(RecordOutcome::Recorded)
}

/// The periods in the order their rows are locked (see [`record_in`]).
fn lock_order(periods: &[String]) -> Vec<&String> {
    let mut sorted: Vec<&String> = periods.iter().collect();
    sorted.sort();
    sorted
}

/// Adds one answer's points to a student's totals for each period, keeping
/// the score histogram and player counts in step.
fn add_to_totals(
    tx: &mut Tx<'_, '_>,
    guild: GuildId,
    user: UserId,
    periods: &[String],
    points: i64,
    correct: bool,
) -> Result<(), PgError> {
    let (g, u, correct) = (guild.0 as i64, user.0 as i64, i64::from(correct));
    for period in lock_order(periods) {
        // Update the student's row (locking it), else create it; if another
        // transaction created it meanwhile, the insert does nothing and the
        // update is tried again, now finding that row.
        let mut tries = 0;
        loop {
            let updated = tx.returning_opt(
                "UPDATE totals SET points = points + $4, answered = answered + 1, correct = correct + $5
                 WHERE guild_id = $1 AND period = $2 AND user_id = $3 RETURNING points",
                &[&g, period, &u, &points, &correct],
            )?;
            if let Some(row) = updated {
                let now: i64 = row.try_get(0)?;
                if points != 0 {
                    move_score(tx, g, period, Some(now - points), now)?;
                }
                break;
            }
            let inserted = tx.execute(
                "INSERT INTO totals (guild_id, period, user_id, points, answered, correct) VALUES ($1, $2, $3, $4, 1, $5)
                 ON CONFLICT DO NOTHING",
                &[&g, period, &u, &points, &correct],
            )?;
            if inserted == 1 {
                tx.execute(
                    "INSERT INTO period_players (guild_id, period, players) VALUES ($1, $2, 1)
                     ON CONFLICT (guild_id, period) DO UPDATE SET players = period_players.players + 1",
                    &[&g, period],
                )?;
                move_score(tx, g, period, None, points)?;
                break;
            }
            tries += 1;
            if tries == INSERT_TRIES {
                return Err(PgError::Contended);
            }
        }
    }
    Ok(())
}

/// Moves one student from one points value to another in `score_counts`,
/// locking the lower value's row first (see [`record_in`]).
fn move_score(
    tx: &mut Tx<'_, '_>,
    guild: i64,
    period: &str,
    from: Option<i64>,
    to: i64,
) -> Result<(), pg::Error> {
    let leave = |tx: &mut Tx<'_, '_>, from: i64| {
        tx.execute(
            "UPDATE score_counts SET users = users - 1 WHERE guild_id = $1 AND period = $2 AND points = $3",
            &[&guild, &period, &from],
        )
    };
    let join = |tx: &mut Tx<'_, '_>| {
        tx.execute(
            "INSERT INTO score_counts (guild_id, period, points, users) VALUES ($1, $2, $3, 1)
             ON CONFLICT (guild_id, period, points) DO UPDATE SET users = score_counts.users + 1",
            &[&guild, &period, &to],
        )
    };
    match from {
        Some(from) if from < to => {
            leave(tx, from)?;
            join(tx)?;
        }
        Some(from) => {
            join(tx)?;
            leave(tx, from)?;
        }
        None => {
            join(tx)?;
        }
    }
    Ok(())
}

/// Deletes a student's answers in a guild (in DMs when `None`) and takes them
/// off the tallies of their questions. Returns how many went.
fn forget_answers(
    tx: &mut Tx<'_, '_>,
    guild: Option<GuildId>,
    user: UserId,
) -> Result<u64, pg::Error> {
    let u = user.0 as i64;
    // What the DELETE removed is exactly what comes off the tallies, even if
    // other answers commit meanwhile.
    let deleted = match guild {
        Some(g) => tx.returning(
            "DELETE FROM answers WHERE guild_id = $1 AND user_id = $2 RETURNING instance_id, correct",
            &[&(g.0 as i64), &u],
        )?,
        None => tx.returning(
            "DELETE FROM answers WHERE guild_id IS NULL AND user_id = $1 RETURNING instance_id, correct",
            &[&u],
        )?,
    };
    let mut per_instance: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for row in &deleted {
        let counts = per_instance.entry(row.try_get(0)?).or_default();
        counts.0 += 1;
        counts.1 += i64::from(row.try_get::<_, bool>(1)?);
    }
    for (instance, (answered, correct)) in per_instance {
        tx.execute(
            "UPDATE instance_tallies SET answered = answered - $2, correct = correct - $3 WHERE instance_id = $1",
            &[&instance, &answered, &correct],
        )?;
    }
    Ok(deleted.len() as u64)
}

/// Counts a change to a guild's packs. Upserting the guild's revision row
/// first also queues concurrent changes to the same guild's packs.
fn bump_pack_revision(tx: &mut Tx<'_, '_>, guild: i64) -> Result<(), pg::Error> {
    tx.execute(
        "INSERT INTO pack_revisions (guild_id, revision) VALUES ($1, 1)
         ON CONFLICT (guild_id) DO UPDATE SET revision = pack_revisions.revision + 1",
        &[&guild],
    )
    .map(|_| ())
}

/// A competition with its rounds.
fn load_competition<C: GenericClient>(
    sql: &mut Sql<'_, C>,
    id: i64,
) -> Result<Option<Competition>, pg::Error> {
    let Some(head) = sql.query_opt(
        "SELECT id, guild_id, channel_id, starter_id, seconds, status, created_at FROM competitions WHERE id = $1",
        &[&id],
    )?
    else {
        return Ok(None);
    };
    let rounds = sql
        .query(
            "SELECT round, question, option_order, opened_at, closes_at, closed, message_id
             FROM competition_rounds WHERE competition_id = $1 ORDER BY round",
            &[&id],
        )?
        .iter()
        .map(|r| {
            Ok(Round {
                number: r.try_get::<_, i64>(0)? as u32,
                question: r.try_get(1)?,
                option_order: order_from(r.try_get(2)?),
                opened_at: r.try_get(3)?,
                closes_at: r.try_get(4)?,
                closed: r.try_get(5)?,
                message: r.try_get::<_, Option<i64>>(6)?.map(|m| m as u64),
            })
        })
        .collect::<Result<Vec<_>, pg::Error>>()?;
    Ok(Some(Competition {
        id: head.try_get(0)?,
        guild: GuildId(head.try_get::<_, i64>(1)? as u64),
        channel: head.try_get::<_, i64>(2)? as u64,
        starter: UserId(head.try_get::<_, i64>(3)? as u64),
        seconds: head.try_get::<_, i64>(4)? as u32,
        status: match head.try_get::<_, &str>(5)? {
            "running" => CompetitionStatus::Running,
            "finished" => CompetitionStatus::Finished,
            _ => CompetitionStatus::Stopped,
        },
        rounds,
        created_at: head.try_get(6)?,
    }))
}

fn load_competitions<C: GenericClient>(
    sql: &mut Sql<'_, C>,
    ids: &[Row],
) -> Result<Vec<Competition>, pg::Error> {
    let mut all = Vec::with_capacity(ids.len());
    for row in ids {
        all.extend(load_competition(sql, row.try_get(0)?)?);
    }
    Ok(all)
}

impl Store for PostgresStore {
    fn write_problem(&self) -> Option<String> {
        self.write_problem
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn settings(&self, guild: GuildId) -> Result<GuildSettings, StoreError> {
        self.run(move |s| {
            let row = s
                .direct()
                .query_opt(SETTINGS_OF_GUILD, &[&(guild.0 as i64)])?;
            Ok(match row {
                Some(r) => settings_row(&r, 0)?,
                None => GuildSettings::default(),
            })
        })
    }

    fn save_settings(
        &self,
        guild: GuildId,
        settings: &GuildSettings,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let s = settings.clone();
        self.run(move |session| {
            let days: Option<Vec<i16>> = s
                .post_days
                .as_ref()
                .map(|d| d.iter().map(|&day| i16::from(day)).collect());
            session.direct().execute(
                "INSERT INTO guild_settings (guild_id, timezone, channel_id, post_time, post_days, ping_role_id, teacher_role_id, updated_at, competitions_teachers_only)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (guild_id) DO UPDATE SET timezone = EXCLUDED.timezone, channel_id = EXCLUDED.channel_id,
                     post_time = EXCLUDED.post_time, post_days = EXCLUDED.post_days, ping_role_id = EXCLUDED.ping_role_id,
                     teacher_role_id = EXCLUDED.teacher_role_id, updated_at = EXCLUDED.updated_at,
                     competitions_teachers_only = EXCLUDED.competitions_teachers_only",
                &[
                    &(guild.0 as i64),
                    &s.timezone,
                    &s.channel.map(|v| v as i64),
                    &s.post_time,
                    &days,
                    &s.ping_role.map(|v| v as i64),
                    &s.teacher_role.map(|v| v as i64),
                    &micros(now),
                    &s.competitions_teachers_only,
                ],
            )?;
            Ok(())
        })
    }

    /// Always asks the database (which skips unchanged names): a cache in one
    /// process could not see names another process wrote.
    fn remember_name(
        &self,
        guild: Option<GuildId>,
        user: UserId,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let name = name.to_string();
        self.run(move |s| {
            s.direct().execute(
                REMEMBER_NAME,
                &[
                    &guild_key(guild),
                    &(user.0 as i64),
                    &typed(&name),
                    &micros(now),
                ],
            )?;
            Ok(())
        })
    }

    fn daily_instance(
        &self,
        guild: GuildId,
        day: NaiveDate,
    ) -> Result<Option<Instance>, StoreError> {
        self.run(move |s| {
            s.direct()
                .query_opt(DAILY_INSTANCE, &[&(guild.0 as i64), &day])?
                .map(|r| instance_row(&r))
                .transpose()
                .map_err(PgError::from)
        })
    }

    fn previous_daily(
        &self,
        guild: GuildId,
        day: NaiveDate,
    ) -> Result<Option<Instance>, StoreError> {
        self.run(move |s| {
            s.direct()
                .query_opt(
                    concat!(
                        "SELECT ",
                        instance_columns!(),
                        " FROM instances WHERE kind = 'daily' AND guild_id = $1 AND day < $2 ORDER BY day DESC LIMIT 1"
                    ),
                    &[&(guild.0 as i64), &day],
                )?
                .map(|r| instance_row(&r))
                .transpose()
                .map_err(PgError::from)
        })
    }

    fn daily_history(&self, guild: GuildId) -> Result<Vec<String>, StoreError> {
        self.run(move |s| {
            s.direct()
                .query(
                    "SELECT question FROM instances WHERE kind = 'daily' AND guild_id = $1 ORDER BY day",
                    &[&(guild.0 as i64)],
                )?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Result<_, _>>()
                .map_err(PgError::from)
        })
    }

    fn create_instance(&self, new: &NewInstance) -> Result<Instance, StoreError> {
        let new = new.clone();
        self.run(move |s| {
            s.write(|tx| {
                let daily = match (new.kind, new.guild, new.day) {
                    (InstanceKind::Daily, Some(guild), Some(day)) => Some((guild.0 as i64, day)),
                    _ => None,
                };
                // Reading first keeps ids free of the gaps a conflicting
                // insert would leave (identity values are not given back).
                if let Some((guild, day)) = daily {
                    if let Some(existing) = tx.query_opt(DAILY_INSTANCE, &[&guild, &day])? {
                        return Ok(instance_row(&existing)?);
                    }
                }
                let kind = match new.kind {
                    InstanceKind::Daily => "daily",
                    InstanceKind::Practice => "practice",
                };
                let inserted = tx.returning_opt(
                    concat!(
                        "INSERT INTO instances (kind, guild_id, owner_id, day, question, option_order, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING ",
                        instance_columns!()
                    ),
                    &[
                        &kind,
                        &new.guild.map(|g| g.0 as i64),
                        &new.owner.map(|u| u.0 as i64),
                        &new.day,
                        &new.question,
                        &order_array(&new.option_order),
                        &micros(new.created_at),
                    ],
                )?;
                let row = match inserted {
                    Some(row) => row,
                    // Only a daily instance can conflict: another process
                    // created the guild's daily meanwhile.
                    None => tx.query_one(
                        DAILY_INSTANCE,
                        &[&new.guild.map(|g| g.0 as i64), &new.day],
                    )?,
                };
                Ok(instance_row(&row)?)
            })
        })
    }

    fn instance(&self, id: i64) -> Result<Option<Instance>, StoreError> {
        self.run(move |s| {
            s.direct()
                .query_opt(
                    concat!(
                        "SELECT ",
                        instance_columns!(),
                        " FROM instances WHERE id = $1"
                    ),
                    &[&id],
                )?
                .map(|r| instance_row(&r))
                .transpose()
                .map_err(PgError::from)
        })
    }

    /// One transaction per answer: unlike SQLite, PostgreSQL lets answers to
    /// different rows commit side by side, so there is no commit queue.
    fn record_answer(&self, answer: &NewAnswer) -> Result<RecordOutcome, StoreError> {
        let answer = answer.clone();
        self.run(move |s| s.write(|tx| record_in(tx, &answer)))
    }

    fn tally(&self, instance: i64) -> Result<Tally, StoreError> {
        self.run(move |s| {
            let row = s.direct().query_opt(
                "SELECT answered, correct FROM instance_tallies WHERE instance_id = $1",
                &[&instance],
            )?;
            Ok(match row {
                Some(r) => Tally {
                    answered: r.try_get::<_, i64>(0)? as u64,
                    correct: r.try_get::<_, i64>(1)? as u64,
                },
                None => Tally::default(),
            })
        })
    }

    fn streak(&self, guild: GuildId, user: UserId) -> Result<Streak, StoreError> {
        self.run(move |s| {
            let row = s.direct().query_opt(
                "SELECT current, best, last_day FROM streaks WHERE guild_id = $1 AND user_id = $2",
                &[&(guild.0 as i64), &(user.0 as i64)],
            )?;
            Ok(streak_row(row.as_ref())?)
        })
    }

    fn open_season(&self, guild: GuildId) -> Result<Option<Season>, StoreError> {
        self.run(move |s| {
            s.direct()
                .query_opt(
                    "SELECT id, name, started_at, ended_at FROM seasons WHERE guild_id = $1 AND ended_at IS NULL",
                    &[&(guild.0 as i64)],
                )?
                .map(|r| season_row(&r))
                .transpose()
                .map_err(PgError::from)
        })
    }

    fn start_season(
        &self,
        guild: GuildId,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<Season, StoreError> {
        let name = name.to_string();
        self.run(move |s| {
            let id: i64 = s
                .direct()
                .returning_one(
                    "INSERT INTO seasons (guild_id, name, started_at) VALUES ($1, $2, $3) RETURNING id",
                    &[&(guild.0 as i64), &typed(&name), &micros(now)],
                )?
                .try_get(0)?;
            Ok(Season {
                id,
                name: name.clone(),
                started_at: now,
                ended_at: None,
            })
        })
    }

    fn end_season(&self, guild: GuildId, now: DateTime<Utc>) -> Result<Option<Season>, StoreError> {
        self.run(move |s| {
            let ended = s.direct().returning_opt(
                "UPDATE seasons SET ended_at = $2 WHERE guild_id = $1 AND ended_at IS NULL
                 RETURNING id, name, started_at",
                &[&(guild.0 as i64), &micros(now)],
            )?;
            ended
                .map(|r| {
                    Ok(Season {
                        id: r.try_get(0)?,
                        name: typed_text(&r, 1)?,
                        started_at: r.try_get(2)?,
                        ended_at: Some(now),
                    })
                })
                .transpose()
        })
    }

    fn leaderboard(
        &self,
        guild: GuildId,
        period: &str,
        limit: usize,
        caller: UserId,
    ) -> Result<Leaderboard, StoreError> {
        let period = period.to_string();
        self.run(move |s| {
            s.snapshot(|tx| {
                let (g, me) = (guild.0 as i64, caller.0 as i64);
                let standing = |r: &Row, rank: u64| -> Result<Standing, pg::Error> {
                    Ok(Standing {
                        rank,
                        user: UserId(r.try_get::<_, i64>(0)? as u64),
                        name: match r.try_get::<_, Option<&[u8]>>(4)? {
                            Some(name) => String::from_utf8_lossy(name).into_owned(),
                            None => "(unknown student)".to_string(),
                        },
                        points: r.try_get(1)?,
                        answered: r.try_get::<_, i64>(2)? as u64,
                        correct: r.try_get::<_, i64>(3)? as u64,
                    })
                };
                let top = tx
                    .query(
                        "SELECT t.user_id, t.points, t.answered, t.correct, m.display_name FROM totals t
                         LEFT JOIN members m ON m.guild_id = t.guild_id AND m.user_id = t.user_id
                         WHERE t.guild_id = $1 AND t.period = $2
                         ORDER BY t.points DESC, t.answered, t.user_id LIMIT $3",
                        &[&g, &period, &sql_limit(limit)],
                    )?
                    .iter()
                    .enumerate()
                    .map(|(i, r)| standing(r, i as u64 + 1))
                    .collect::<Result<Vec<_>, _>>()?;
                let players: i64 = tx
                    .query_opt(
                        "SELECT players FROM period_players WHERE guild_id = $1 AND period = $2",
                        &[&g, &period],
                    )?
                    .map(|r| r.try_get(0))
                    .transpose()?
                    .unwrap_or(0);
                let caller_standing = match top.iter().find(|s| s.user == caller) {
                    Some(s) => Some(s.clone()),
                    None => match tx.query_opt(
                        "SELECT t.user_id, t.points, t.answered, t.correct, m.display_name FROM totals t
                         LEFT JOIN members m ON m.guild_id = t.guild_id AND m.user_id = t.user_id
                         WHERE t.guild_id = $1 AND t.period = $2 AND t.user_id = $3",
                        &[&g, &period, &me],
                    )? {
                        None => None,
                        Some(row) => {
                            let mut mine = standing(&row, 0)?;
                            // Rank: everyone on more points, plus those tied on
                            // points who rank earlier (fewer answers, then lower id).
                            let higher: i64 = tx
                                .query_one(
                                    "SELECT coalesce(sum(users), 0)::BIGINT FROM score_counts
                                     WHERE guild_id = $1 AND period = $2 AND points > $3",
                                    &[&g, &period, &mine.points],
                                )?
                                .try_get(0)?;
                            let tied_before: i64 = tx
                                .query_one(
                                    "SELECT count(*) FROM totals WHERE guild_id = $1 AND period = $2 AND points = $3
                                     AND (answered < $4 OR (answered = $4 AND user_id < $5))",
                                    &[&g, &period, &mine.points, &(mine.answered as i64), &me],
                                )?
                                .try_get(0)?;
                            mine.rank = (higher + tied_before) as u64 + 1;
                            Some(mine)
                        }
                    },
                };
                Ok(Leaderboard {
                    top,
                    caller: caller_standing,
                    players: players as u64,
                })
            })
        })
    }

    fn scheduled_guilds(&self) -> Result<Vec<(GuildId, GuildSettings)>, StoreError> {
        self.run(|s| {
            s.direct()
                .query(
                    "SELECT guild_id, timezone, channel_id, post_time, post_days, ping_role_id, teacher_role_id, competitions_teachers_only
                     FROM guild_settings WHERE channel_id IS NOT NULL AND post_time IS NOT NULL ORDER BY guild_id",
                    &[],
                )?
                .iter()
                .map(|r| Ok((GuildId(r.try_get::<_, i64>(0)? as u64), settings_row(r, 1)?)))
                .collect()
        })
    }

    fn claim_post(
        &self,
        guild: GuildId,
        day: NaiveDate,
        nonce: &str,
        now: DateTime<Utc>,
    ) -> Result<PostClaim, StoreError> {
        let nonce = nonce.to_string();
        self.run(move |s| {
            s.write(|tx| {
                let g = guild.0 as i64;
                let claimed = tx.execute(
                    "INSERT INTO daily_posts (guild_id, day, nonce, updated_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT DO NOTHING",
                    &[&g, &day, &nonce, &micros(now)],
                )?;
                if claimed == 1 {
                    return Ok(PostClaim::New);
                }
                let row = tx.query_one(
                    "SELECT nonce, message_id FROM daily_posts WHERE guild_id = $1 AND day = $2",
                    &[&g, &day],
                )?;
                Ok(match row.try_get::<_, Option<i64>>(1)? {
                    Some(message) => PostClaim::Sent {
                        message: message as u64,
                    },
                    None => PostClaim::Pending {
                        nonce: row.try_get(0)?,
                    },
                })
            })
        })
    }

    fn mark_posted(
        &self,
        guild: GuildId,
        day: NaiveDate,
        message: u64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.run(move |s| {
            s.direct().execute(
                "UPDATE daily_posts SET message_id = $3, updated_at = $4 WHERE guild_id = $1 AND day = $2",
                &[&(guild.0 as i64), &day, &(message as i64), &micros(now)],
            )?;
            Ok(())
        })
    }

    fn set_post_problem(
        &self,
        guild: GuildId,
        problem: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let problem = problem.map(str::to_string);
        self.run(move |s| {
            s.direct().execute(
                "INSERT INTO guild_settings (guild_id, post_problem, updated_at) VALUES ($1, $2, $3)
                 ON CONFLICT (guild_id) DO UPDATE SET post_problem = EXCLUDED.post_problem, updated_at = EXCLUDED.updated_at",
                &[&(guild.0 as i64), &problem, &micros(now)],
            )?;
            Ok(())
        })
    }

    fn post_problem(&self, guild: GuildId) -> Result<Option<String>, StoreError> {
        self.run(move |s| {
            Ok(s.direct()
                .query_opt(
                    "SELECT post_problem FROM guild_settings WHERE guild_id = $1",
                    &[&(guild.0 as i64)],
                )?
                .map(|r| r.try_get::<_, Option<String>>(0))
                .transpose()?
                .flatten())
        })
    }

    fn create_competition(&self, new: &NewCompetition) -> Result<Option<Competition>, StoreError> {
        let new = new.clone();
        self.run(move |s| {
            s.write(|tx| {
                let channel = new.channel as i64;
                // Reading first keeps ids free of the gaps a conflicting
                // insert would leave.
                if tx
                    .query_opt(
                        "SELECT 1 FROM competitions WHERE channel_id = $1 AND status = 'running'",
                        &[&channel],
                    )?
                    .is_some()
                {
                    return Ok(None);
                }
                let Some(row) = tx.returning_opt(
                    "INSERT INTO competitions (guild_id, channel_id, starter_id, seconds, status, created_at)
                     VALUES ($1, $2, $3, $4, 'running', $5) ON CONFLICT DO NOTHING RETURNING id",
                    &[
                        &(new.guild.0 as i64),
                        &channel,
                        &(new.starter.0 as i64),
                        &i64::from(new.seconds),
                        &micros(new.created_at),
                    ],
                )?
                else {
                    return Ok(None);
                };
                let id: i64 = row.try_get(0)?;
                for (number, (question, order)) in new.questions.iter().enumerate() {
                    tx.execute(
                        "INSERT INTO competition_rounds (competition_id, round, question, option_order) VALUES ($1, $2, $3, $4)",
                        &[&id, &(number as i64 + 1), question, &order_array(order)],
                    )?;
                }
                Ok(load_competition(tx, id)?)
            })
        })
    }

    fn competition(&self, id: i64) -> Result<Option<Competition>, StoreError> {
        self.run(move |s| s.snapshot(|tx| Ok(load_competition(tx, id)?)))
    }

    fn running_competitions(&self) -> Result<Vec<Competition>, StoreError> {
        self.run(|s| {
            s.snapshot(|tx| {
                let ids = tx.query(
                    "SELECT id FROM competitions WHERE status = 'running' ORDER BY id",
                    &[],
                )?;
                Ok(load_competitions(tx, &ids)?)
            })
        })
    }

    fn running_competition_in(&self, channel: u64) -> Result<Option<Competition>, StoreError> {
        self.run(move |s| {
            s.snapshot(|tx| {
                let ids = tx.query(
                    "SELECT id FROM competitions WHERE status = 'running' AND channel_id = $1",
                    &[&(channel as i64)],
                )?;
                Ok(load_competitions(tx, &ids)?.pop())
            })
        })
    }

    fn open_round(
        &self,
        competition: i64,
        round: u32,
        opened_at: DateTime<Utc>,
        closes_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.run(move |s| {
            let changed = s.direct().execute(
                "UPDATE competition_rounds SET opened_at = $3, closes_at = $4
                 WHERE competition_id = $1 AND round = $2 AND opened_at IS NULL",
                &[
                    &competition,
                    &i64::from(round),
                    &micros(opened_at),
                    &micros(closes_at),
                ],
            )?;
            Ok(changed == 1)
        })
    }

    fn set_round_message(
        &self,
        competition: i64,
        round: u32,
        message: u64,
    ) -> Result<(), StoreError> {
        self.run(move |s| {
            s.direct().execute(
                "UPDATE competition_rounds SET message_id = $3 WHERE competition_id = $1 AND round = $2",
                &[&competition, &i64::from(round), &(message as i64)],
            )?;
            Ok(())
        })
    }

    fn close_round(&self, competition: i64, round: u32) -> Result<bool, StoreError> {
        self.run(move |s| {
            let changed = s.direct().execute(
                "UPDATE competition_rounds SET closed = TRUE WHERE competition_id = $1 AND round = $2 AND NOT closed",
                &[&competition, &i64::from(round)],
            )?;
            Ok(changed == 1)
        })
    }

    fn end_competition(
        &self,
        competition: i64,
        status: CompetitionStatus,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.run(move |s| {
            let changed = s.direct().execute(
                "UPDATE competitions SET status = $2, ended_at = $3 WHERE id = $1 AND status = 'running'",
                &[&competition, &status_text(status), &micros(now)],
            )?;
            Ok(changed == 1)
        })
    }

    fn record_competition_answer(
        &self,
        answer: &NewCompetitionAnswer,
    ) -> Result<RecordOutcome, StoreError> {
        let a = answer.clone();
        self.run(move |s| {
            s.write(|tx| {
                let (user, round, interaction) =
                    (a.user.0 as i64, i64::from(a.round), a.interaction.0 as i64);
                let at = micros(a.at);
                let mut tries = 0;
                loop {
                    let inserted = tx.execute(
                        "INSERT INTO competition_answers (competition_id, round, user_id, interaction_id, answer, correct, points, millis, answered_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
                        &[
                            &a.competition,
                            &round,
                            &user,
                            &interaction,
                            &typed(&a.answer),
                            &a.correct,
                            &a.points,
                            &a.millis,
                            &at,
                        ],
                    )?;
                    if inserted == 1 {
                        break;
                    }
                    if let Some(outcome) = earlier_answer(
                        tx,
                        "SELECT answer, correct, points FROM competition_answers WHERE interaction_id = $1",
                        "SELECT answer, correct, points FROM competition_answers
                         WHERE competition_id = $1 AND round = $2 AND user_id = $3",
                        interaction,
                        &[&a.competition, &round, &user],
                    )? {
                        return Ok(outcome);
                    }
                    tries += 1;
                    if tries == INSERT_TRIES {
                        return Err(PgError::Contended);
                    }
                }
                if let Some(name) = &a.display_name {
                    tx.execute(
                        REMEMBER_NAME,
                        &[&(a.guild.0 as i64), &user, &typed(name), &at],
                    )?;
                }
                add_to_totals(tx, a.guild, a.user, &a.periods, a.points, a.correct)?;
                Ok(RecordOutcome::Recorded)
            })
        })
    }

    fn competition_answers(
        &self,
        competition: i64,
        round: Option<u32>,
    ) -> Result<Vec<CompetitionAnswer>, StoreError> {
        self.run(move |s| {
            s.direct()
                .query(
                    "SELECT a.round, a.user_id, coalesce(m.display_name, ''::BYTEA), a.correct, a.points, a.millis
                     FROM competition_answers a
                     JOIN competitions k ON k.id = a.competition_id
                     LEFT JOIN members m ON m.guild_id = k.guild_id AND m.user_id = a.user_id
                     WHERE a.competition_id = $1 AND ($2::BIGINT IS NULL OR a.round = $2)
                     ORDER BY a.round, a.millis, a.user_id",
                    &[&competition, &round.map(i64::from)],
                )?
                .iter()
                .map(|r| {
                    Ok(CompetitionAnswer {
                        round: r.try_get::<_, i64>(0)? as u32,
                        user: UserId(r.try_get::<_, i64>(1)? as u64),
                        name: typed_text(r, 2)?,
                        correct: r.try_get(3)?,
                        points: r.try_get(4)?,
                        millis: r.try_get(5)?,
                    })
                })
                .collect()
        })
    }

    fn competition_standings(
        &self,
        competition: i64,
    ) -> Result<Vec<CompetitionStanding>, StoreError> {
        self.run(move |s| {
            s.direct()
                .query(
                    "SELECT a.user_id, coalesce(m.display_name, ''::BYTEA), sum(a.points)::BIGINT AS total_points,
                            count(*) FILTER (WHERE a.correct),
                            sum(CASE WHEN a.correct THEN a.millis ELSE 0 END)::BIGINT AS answer_time
                     FROM competition_answers a
                     JOIN competitions k ON k.id = a.competition_id
                     LEFT JOIN members m ON m.guild_id = k.guild_id AND m.user_id = a.user_id
                     WHERE a.competition_id = $1
                     GROUP BY a.user_id, m.display_name
                     ORDER BY total_points DESC, answer_time, a.user_id",
                    &[&competition],
                )?
                .iter()
                .map(|r| {
                    Ok(CompetitionStanding {
                        user: UserId(r.try_get::<_, i64>(0)? as u64),
                        name: typed_text(r, 1)?,
                        points: r.try_get(2)?,
                        correct: r.try_get::<_, i64>(3)? as u64,
                        millis: r.try_get(4)?,
                    })
                })
                .collect()
        })
    }

    fn review_card(&self, user: UserId, question: &str) -> Result<Option<ReviewCard>, StoreError> {
        let question = question.to_string();
        self.run(move |s| {
            s.direct()
                .query_opt(CARD_OF_QUESTION, &[&(user.0 as i64), &question])?
                .map(|r| card_row(&r))
                .transpose()
                .map_err(PgError::from)
        })
    }

    fn next_reviews(
        &self,
        user: UserId,
        guild: Option<GuildId>,
        limit: usize,
    ) -> Result<Vec<ReviewCard>, StoreError> {
        self.run(move |s| {
            s.direct()
                .query(
                    "SELECT question, due, stability, difficulty, elapsed_days, scheduled_days, reps, lapses, state, last_review
                     FROM review_cards r WHERE user_id = $1
                     AND NOT EXISTS (SELECT 1 FROM disabled_questions d WHERE d.guild_id = $2 AND d.question = r.question)
                     ORDER BY due, lapses DESC, question LIMIT $3",
                    &[&(user.0 as i64), &guild_key(guild), &sql_limit(limit)],
                )?
                .iter()
                .map(card_row)
                .collect::<Result<_, _>>()
                .map_err(PgError::from)
        })
    }

    fn reviews_due(&self, user: UserId, now: DateTime<Utc>) -> Result<u64, StoreError> {
        self.run(move |s| {
            let due: i64 = s
                .direct()
                .query_one(
                    "SELECT count(*) FROM review_cards WHERE user_id = $1 AND due <= $2",
                    &[&(user.0 as i64), &micros(now)],
                )?
                .try_get(0)?;
            Ok(due as u64)
        })
    }

    fn add_report(
        &self,
        guild: GuildId,
        user: UserId,
        question: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<Report, StoreError> {
        let (question, text) = (question.to_string(), text.to_string());
        self.run(move |s| {
            let id: i64 = s
                .direct()
                .returning_one(
                    "INSERT INTO reports (guild_id, user_id, question, text, reported_at) VALUES ($1, $2, $3, $4, $5)
                     RETURNING id",
                    &[
                        &(guild.0 as i64),
                        &(user.0 as i64),
                        &question,
                        &typed(&text),
                        &micros(now),
                    ],
                )?
                .try_get(0)?;
            Ok(Report {
                id,
                guild,
                user,
                question: question.clone(),
                text: text.clone(),
                at: now,
            })
        })
    }

    fn open_reports(&self, guild: GuildId, limit: usize) -> Result<Vec<Report>, StoreError> {
        self.run(move |s| {
            s.direct()
                .query(
                    "SELECT id, guild_id, user_id, question, text, reported_at FROM reports r
                     WHERE guild_id = $1 AND NOT EXISTS
                         (SELECT 1 FROM disabled_questions d WHERE d.guild_id = r.guild_id AND d.question = r.question)
                     ORDER BY id DESC LIMIT $2",
                    &[&(guild.0 as i64), &sql_limit(limit)],
                )?
                .iter()
                .map(report_row)
                .collect::<Result<_, _>>()
                .map_err(PgError::from)
        })
    }

    fn report(&self, id: i64) -> Result<Option<Report>, StoreError> {
        self.run(move |s| {
            s.direct()
                .query_opt(
                    "SELECT id, guild_id, user_id, question, text, reported_at FROM reports WHERE id = $1",
                    &[&id],
                )?
                .map(|r| report_row(&r))
                .transpose()
                .map_err(PgError::from)
        })
    }

    fn disable_question(
        &self,
        guild: GuildId,
        question: &str,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let question = question.to_string();
        self.run(move |s| {
            s.direct().execute(
                "INSERT INTO disabled_questions (guild_id, question, disabled_by, disabled_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT DO NOTHING",
                &[&(guild.0 as i64), &question, &(by.0 as i64), &micros(now)],
            )?;
            Ok(())
        })
    }

    fn disabled_questions(
        &self,
        guild: GuildId,
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        self.run(move |s| {
            s.direct()
                .query(
                    "SELECT question FROM disabled_questions WHERE guild_id = $1",
                    &[&(guild.0 as i64)],
                )?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Result<_, _>>()
                .map_err(PgError::from)
        })
    }

    fn seasons(&self, guild: GuildId) -> Result<Vec<Season>, StoreError> {
        self.run(move |s| {
            s.direct()
                .query(
                    "SELECT id, name, started_at, ended_at FROM seasons WHERE guild_id = $1 ORDER BY id DESC",
                    &[&(guild.0 as i64)],
                )?
                .iter()
                .map(season_row)
                .collect::<Result<_, _>>()
                .map_err(PgError::from)
        })
    }

    fn export_rows(&self, guild: GuildId, period: &str) -> Result<Vec<ExportRow>, StoreError> {
        let period = period.to_string();
        self.run(move |s| {
            s.direct()
                .query(
                    "SELECT t.user_id, coalesce(m.display_name, ''::BYTEA), t.answered, t.correct, t.points, coalesce(s.current, 0)
                     FROM totals t
                     LEFT JOIN members m ON m.guild_id = t.guild_id AND m.user_id = t.user_id
                     LEFT JOIN streaks s ON s.guild_id = t.guild_id AND s.user_id = t.user_id
                     WHERE t.guild_id = $1 AND t.period = $2
                     ORDER BY t.points DESC, t.answered, t.user_id",
                    &[&(guild.0 as i64), &period],
                )?
                .iter()
                .map(|r| {
                    Ok(ExportRow {
                        user: UserId(r.try_get::<_, i64>(0)? as u64),
                        name: typed_text(r, 1)?,
                        answered: r.try_get::<_, i64>(2)? as u64,
                        correct: r.try_get::<_, i64>(3)? as u64,
                        points: r.try_get(4)?,
                        streak: r.try_get::<_, i64>(5)? as u32,
                    })
                })
                .collect()
        })
    }

    fn class_results(
        &self,
        guild: GuildId,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<QuestionResults>, StoreError> {
        self.run(move |s| {
            s.direct()
                .query(
                    "SELECT question, count(*), count(*) FILTER (WHERE correct) FROM answers
                     WHERE guild_id = $1 AND ($2::TIMESTAMPTZ IS NULL OR answered_at >= $2)
                     GROUP BY question ORDER BY question",
                    &[&(guild.0 as i64), &since.map(micros)],
                )?
                .iter()
                .map(question_results_row)
                .collect::<Result<_, _>>()
                .map_err(PgError::from)
        })
    }

    /// Lock order as in `record_in` (name, streak, totals, histogram, then
    /// tallies), so removing a student while they answer cannot deadlock.
    fn remove_student(&self, guild: GuildId, user: UserId) -> Result<Removed, StoreError> {
        self.run(move |s| {
            s.write(|tx| {
                let (g, u) = (guild.0 as i64, user.0 as i64);
                tx.execute(
                    "DELETE FROM members WHERE guild_id = $1 AND user_id = $2",
                    &[&g, &u],
                )?;
                tx.execute(
                    "DELETE FROM streaks WHERE guild_id = $1 AND user_id = $2",
                    &[&g, &u],
                )?;
                // Each leaderboard loses the student: the rows are deleted
                // (and so locked) first, then histogram and player count.
                let mut totals: Vec<(String, i64)> = tx
                    .returning(
                        "DELETE FROM totals WHERE guild_id = $1 AND user_id = $2 RETURNING period, points",
                        &[&g, &u],
                    )?
                    .iter()
                    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                    .collect::<Result<_, pg::Error>>()?;
                totals.sort();
                for (period, points) in &totals {
                    tx.execute(
                        "UPDATE period_players SET players = players - 1 WHERE guild_id = $1 AND period = $2",
                        &[&g, period],
                    )?;
                    tx.execute(
                        "UPDATE score_counts SET users = users - 1 WHERE guild_id = $1 AND period = $2 AND points = $3",
                        &[&g, period, points],
                    )?;
                }
                tx.execute(
                    "DELETE FROM score_counts WHERE guild_id = $1 AND users <= 0",
                    &[&g],
                )?;
                let competition_answers = tx.execute(
                    "DELETE FROM competition_answers WHERE user_id = $2
                     AND competition_id IN (SELECT id FROM competitions WHERE guild_id = $1)",
                    &[&g, &u],
                )?;
                let answers = forget_answers(tx, Some(guild), user)?;
                Ok(Removed {
                    answers,
                    competition_answers,
                    totals: totals.len() as u64,
                })
            })
        })
    }

    fn delete_user(&self, user: UserId) -> Result<(Removed, u64), StoreError> {
        let u = user.0 as i64;
        let guilds: Vec<i64> = self.run(move |s| {
            s.direct()
                .query(
                    "SELECT guild_id FROM answers WHERE user_id = $1 AND guild_id IS NOT NULL
                     UNION SELECT guild_id FROM totals WHERE user_id = $1
                     UNION SELECT guild_id FROM members WHERE user_id = $1 AND guild_id <> 0
                     UNION SELECT k.guild_id FROM competition_answers a JOIN competitions k ON k.id = a.competition_id
                         WHERE a.user_id = $1",
                    &[&u],
                )?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Result<_, _>>()
                .map_err(PgError::from)
        })?;
        let mut total = Removed::default();
        for guild in &guilds {
            let removed = self.remove_student(GuildId(*guild as u64), user)?;
            total.answers += removed.answers;
            total.competition_answers += removed.competition_answers;
            total.totals += removed.totals;
        }
        // Direct messages: practice answers without a guild, the name seen
        // there, and the review schedule (which spans every guild).
        total.answers += self.run(move |s| {
            s.write(|tx| {
                tx.execute("DELETE FROM members WHERE user_id = $1", &[&u])?;
                let answers = forget_answers(tx, None, user)?;
                tx.execute("DELETE FROM review_cards WHERE user_id = $1", &[&u])?;
                Ok(answers)
            })
        })?;
        Ok((total, guilds.len() as u64))
    }

    fn pack_revision(&self, guild: GuildId) -> Result<i64, StoreError> {
        self.run(move |s| {
            Ok(s.direct()
                .query_opt(
                    "SELECT revision FROM pack_revisions WHERE guild_id = $1",
                    &[&(guild.0 as i64)],
                )?
                .map(|r| r.try_get(0))
                .transpose()?
                .unwrap_or(0))
        })
    }

    fn guild_packs(&self, guild: GuildId) -> Result<GuildPacks, StoreError> {
        self.run(move |s| {
            // One snapshot, so the revision matches what is read with it.
            s.snapshot(|tx| {
                let g = guild.0 as i64;
                let revision = tx
                    .query_opt(
                        "SELECT revision FROM pack_revisions WHERE guild_id = $1",
                        &[&g],
                    )?
                    .map(|r| r.try_get(0))
                    .transpose()?
                    .unwrap_or(0);
                let uploads = tx
                    .query(
                        "SELECT pack_id, file_name, text, items, uploaded_by, uploaded_at
                         FROM uploaded_packs WHERE guild_id = $1 ORDER BY id",
                        &[&g],
                    )?
                    .iter()
                    .map(|r| {
                        Ok(UploadedPack {
                            pack_id: r.try_get(0)?,
                            file_name: typed_text(r, 1)?,
                            text: r.try_get(2)?,
                            items: r.try_get::<_, i64>(3)? as u64,
                            by: UserId(r.try_get::<_, i64>(4)? as u64),
                            at: r.try_get(5)?,
                        })
                    })
                    .collect::<Result<_, pg::Error>>()?;
                let turned_off = tx
                    .query(
                        "SELECT pack_id FROM packs_turned_off WHERE guild_id = $1",
                        &[&g],
                    )?
                    .iter()
                    .map(|r| r.try_get(0))
                    .collect::<Result<_, _>>()?;
                Ok(GuildPacks {
                    revision,
                    uploads,
                    turned_off,
                })
            })
        })
    }

    fn save_pack(&self, guild: GuildId, pack: &UploadedPack) -> Result<bool, StoreError> {
        let pack = pack.clone();
        self.run(move |s| {
            s.write(|tx| {
                let g = guild.0 as i64;
                // Bumped first: the revision row's lock queues two processes
                // saving the same pack, so the delete and insert below never
                // race each other.
                bump_pack_revision(tx, g)?;
                // Delete and insert rather than update: a replaced pack moves
                // to the end of the upload order, as in SQLite.
                let replaced = tx.execute(
                    "DELETE FROM uploaded_packs WHERE guild_id = $1 AND pack_id = $2",
                    &[&g, &pack.pack_id],
                )? > 0;
                tx.execute(
                    "INSERT INTO uploaded_packs (guild_id, pack_id, file_name, text, items, uploaded_by, uploaded_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    &[
                        &g,
                        &pack.pack_id,
                        &typed(&pack.file_name),
                        &pack.text,
                        &(pack.items as i64),
                        &(pack.by.0 as i64),
                        &micros(pack.at),
                    ],
                )?;
                Ok(replaced)
            })
        })
    }

    fn remove_pack(&self, guild: GuildId, pack_id: &str) -> Result<bool, StoreError> {
        let pack_id = pack_id.to_string();
        self.run(move |s| {
            s.write(|tx| {
                let g = guild.0 as i64;
                let removed = tx.execute(
                    "DELETE FROM uploaded_packs WHERE guild_id = $1 AND pack_id = $2",
                    &[&g, &pack_id],
                )? > 0;
                if removed {
                    tx.execute(
                        "DELETE FROM packs_turned_off WHERE guild_id = $1 AND pack_id = $2",
                        &[&g, &pack_id],
                    )?;
                    bump_pack_revision(tx, g)?;
                }
                Ok(removed)
            })
        })
    }

    fn set_pack_active(
        &self,
        guild: GuildId,
        pack_id: &str,
        active: bool,
    ) -> Result<bool, StoreError> {
        let pack_id = pack_id.to_string();
        self.run(move |s| {
            s.write(|tx| {
                let g = guild.0 as i64;
                let changed = if active {
                    tx.execute(
                        "DELETE FROM packs_turned_off WHERE guild_id = $1 AND pack_id = $2",
                        &[&g, &pack_id],
                    )?
                } else {
                    tx.execute(
                        "INSERT INTO packs_turned_off (guild_id, pack_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                        &[&g, &pack_id],
                    )?
                } > 0;
                if changed {
                    bump_pack_revision(tx, g)?;
                }
                Ok(changed)
            })
        })
    }

    fn wrong_daily_answers(
        &self,
        guild: GuildId,
        user: UserId,
        limit: usize,
    ) -> Result<Vec<ScoredAnswer>, StoreError> {
        self.run(move |s| {
            s.direct()
                .query(
                    concat!(
                        scored_answer!(),
                        " WHERE a.guild_id = $1 AND a.user_id = $2 AND NOT a.correct ORDER BY a.id DESC LIMIT $3"
                    ),
                    &[&(guild.0 as i64), &(user.0 as i64), &sql_limit(limit)],
                )?
                .iter()
                .map(scored_answer_row)
                .collect::<Result<_, _>>()
                .map_err(PgError::from)
        })
    }

    fn scored_answer(&self, id: i64) -> Result<Option<ScoredAnswer>, StoreError> {
        self.run(move |s| {
            s.direct()
                .query_opt(concat!(scored_answer!(), " WHERE a.id = $1"), &[&id])?
                .map(|r| scored_answer_row(&r))
                .transpose()
                .map_err(PgError::from)
        })
    }

    fn accept_answer(
        &self,
        id: i64,
        points: i64,
        periods: &[String],
        rebuild_streak: &StreakRebuild,
    ) -> Result<Option<Streak>, StoreError> {
        let periods = periods.to_vec();
        let rebuild_streak = rebuild_streak.clone();
        self.run(move |s| {
            s.write(|tx| {
                // The row lock makes a second, concurrent accept wait and then
                // find the answer already correct.
                let Some(row) = tx.returning_opt(
                    "UPDATE answers SET correct = TRUE, points = points + $2
                     WHERE id = $1 AND NOT correct AND guild_id IS NOT NULL
                     RETURNING instance_id, guild_id, user_id",
                    &[&id, &points],
                )?
                else {
                    return Ok(None);
                };
                let (instance, g, u): (i64, i64, i64) =
                    (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
                for period in lock_order(&periods) {
                    // Only the periods the wrong answer was counted in have a row.
                    let Some(total) = tx.returning_opt(
                        "UPDATE totals SET points = points + $4, correct = correct + 1
                         WHERE guild_id = $1 AND period = $2 AND user_id = $3 RETURNING points",
                        &[&g, period, &u, &points],
                    )?
                    else {
                        continue;
                    };
                    let now: i64 = total.try_get(0)?;
                    if points != 0 {
                        move_score(tx, g, period, Some(now - points), now)?;
                    }
                }
                tx.execute(
                    "DELETE FROM score_counts WHERE guild_id = $1 AND users <= 0",
                    &[&g],
                )?;
                tx.execute(
                    "UPDATE instance_tallies SET correct = correct + 1 WHERE instance_id = $1",
                    &[&instance],
                )?;
                // The row lock makes a second accept for this student (of
                // another answer) wait, then read the answers this one
                // committed, so neither rebuild misses the other's.
                let stored = streak_row(
                    tx.query_opt(
                        "SELECT current, best, last_day FROM streaks WHERE guild_id = $1 AND user_id = $2 FOR UPDATE",
                        &[&g, &u],
                    )?
                    .as_ref(),
                )?;
                let daily = tx
                    .query(
                        "SELECT i.day, a.correct FROM answers a
                         JOIN instances i ON i.id = a.instance_id AND i.kind = 'daily'
                         WHERE a.guild_id = $1 AND a.user_id = $2 AND i.day IS NOT NULL ORDER BY i.day",
                        &[&g, &u],
                    )?
                    .iter()
                    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                    .collect::<Result<Vec<(NaiveDate, bool)>, pg::Error>>()?;
                let streak = rebuild_streak(&stored, &daily);
                save_streak(tx, g, u, &streak)?;
                Ok(Some(streak))
            })
        })
    }

    fn known_guilds(&self) -> Result<Vec<GuildId>, StoreError> {
        self.run(|s| {
            s.direct()
                .query(
                    "SELECT guild_id FROM guild_settings
                     UNION SELECT guild_id FROM members WHERE guild_id <> 0
                     UNION SELECT guild_id FROM totals
                     EXCEPT SELECT guild_id FROM departed_guilds
                     ORDER BY 1",
                    &[],
                )?
                .iter()
                .map(|r| Ok(GuildId(r.try_get::<_, i64>(0)? as u64)))
                .collect()
        })
    }

    fn guild_left(&self, guild: GuildId, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.run(move |s| {
            s.direct().execute(
                "INSERT INTO departed_guilds (guild_id, left_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&(guild.0 as i64), &micros(at)],
            )?;
            Ok(())
        })
    }

    fn guild_returned(&self, guild: GuildId) -> Result<bool, StoreError> {
        self.run(move |s| {
            let deleted = s.direct().execute(
                "DELETE FROM departed_guilds WHERE guild_id = $1",
                &[&(guild.0 as i64)],
            )?;
            Ok(deleted > 0)
        })
    }

    fn guilds_left_before(&self, cutoff: DateTime<Utc>) -> Result<Vec<GuildId>, StoreError> {
        self.run(move |s| {
            s.direct()
                .query(
                    "SELECT guild_id FROM departed_guilds WHERE left_at < $1 ORDER BY guild_id",
                    &[&micros(cutoff)],
                )?
                .iter()
                .map(|r| Ok(GuildId(r.try_get::<_, i64>(0)? as u64)))
                .collect()
        })
    }

    fn delete_guild(&self, guild: GuildId) -> Result<u64, StoreError> {
        self.run(move |s| {
            s.write(|tx| {
                let g = guild.0 as i64;
                let mut rows = 0;
                // Children first: what hangs off instances and competitions.
                for sql in [
                    "DELETE FROM instance_tallies WHERE instance_id IN (SELECT id FROM instances WHERE guild_id = $1)",
                    "DELETE FROM answers WHERE guild_id = $1 OR instance_id IN (SELECT id FROM instances WHERE guild_id = $1)",
                    "DELETE FROM instances WHERE guild_id = $1",
                    "DELETE FROM competition_answers WHERE competition_id IN (SELECT id FROM competitions WHERE guild_id = $1)",
                    "DELETE FROM competition_rounds WHERE competition_id IN (SELECT id FROM competitions WHERE guild_id = $1)",
                    "DELETE FROM competitions WHERE guild_id = $1",
                    "DELETE FROM totals WHERE guild_id = $1",
                    "DELETE FROM period_players WHERE guild_id = $1",
                    "DELETE FROM score_counts WHERE guild_id = $1",
                    "DELETE FROM streaks WHERE guild_id = $1",
                    "DELETE FROM seasons WHERE guild_id = $1",
                    "DELETE FROM daily_posts WHERE guild_id = $1",
                    "DELETE FROM members WHERE guild_id = $1",
                    "DELETE FROM reports WHERE guild_id = $1",
                    "DELETE FROM disabled_questions WHERE guild_id = $1",
                    // Cards of its uploaded packs' questions (review::card_key).
                    "DELETE FROM review_cards WHERE question LIKE '%@' || ($1::bigint)::text",
                    "DELETE FROM uploaded_packs WHERE guild_id = $1",
                    "DELETE FROM packs_turned_off WHERE guild_id = $1",
                    "DELETE FROM pack_revisions WHERE guild_id = $1",
                    "DELETE FROM guild_settings WHERE guild_id = $1",
                    "DELETE FROM departed_guilds WHERE guild_id = $1",
                ] {
                    rows += tx.execute(sql, &[&g])?;
                }
                Ok(rows)
            })
        })
    }

    fn question_results(
        &self,
        guild: Option<GuildId>,
        user: UserId,
    ) -> Result<Vec<QuestionResults>, StoreError> {
        self.run(move |s| {
            s.direct()
                .query(
                    "SELECT question, count(*), count(*) FILTER (WHERE correct) FROM answers
                     WHERE user_id = $1 AND ($2::BIGINT IS NULL OR guild_id = $2)
                     GROUP BY question ORDER BY question",
                    &[&(user.0 as i64), &guild.map(|g| g.0 as i64)],
                )?
                .iter()
                .map(question_results_row)
                .collect::<Result<_, _>>()
                .map_err(PgError::from)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslrootcert_is_taken_out_of_the_url_and_decoded() {
        let (url, root) = take_query_param(
            "postgres://u:p@db:5432/x?sslmode=require&sslrootcert=%2Fetc%2Fmy%20ca.pem&options=-c%20a%3Db",
            "sslrootcert",
        );
        assert_eq!(
            url,
            "postgres://u:p@db:5432/x?sslmode=require&options=-c%20a%3Db"
        );
        assert_eq!(root.as_deref(), Some("/etc/my ca.pem"));
        let (url, root) = take_query_param("postgres://db/x?sslrootcert=ca.pem", "sslrootcert");
        assert_eq!(
            (url.as_str(), root.as_deref()),
            ("postgres://db/x", Some("ca.pem"))
        );
        let (url, root) = take_query_param("postgres://db/x?sslmode=disable", "sslrootcert");
        assert_eq!(
            (url.as_str(), root),
            ("postgres://db/x?sslmode=disable", None)
        );
        let (_, root) = take_query_param("postgres://db/x?sslrootcert=100%25%zz%41", "sslrootcert");
        assert_eq!(
            root.as_deref(),
            Some("100%%zzA"),
            "invalid escapes kept as they are"
        );
        let (_, root) = take_query_param("postgres://db/x?sslrootcert=100%", "sslrootcert");
        assert_eq!(root.as_deref(), Some("100%"));
    }

    #[test]
    fn tls_is_off_only_when_the_url_says_so_and_a_bad_root_file_is_named() {
        assert!(matches!(
            settings("postgres://db/x?sslmode=disable"),
            Ok((_, Tls::Off))
        ));
        assert!(matches!(
            settings("postgres://db/x"),
            Ok((_, Tls::Verified(_)))
        ));
        assert!(matches!(
            settings("postgres://db/x?sslmode=require"),
            Ok((_, Tls::Verified(_)))
        ));
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let Err(e) = settings(&format!(
            "postgres://db/x?sslrootcert={}",
            missing.display()
        )) else {
            panic!("a missing root file is an error");
        };
        let text = e.to_string();
        assert!(
            text.starts_with(&format!(
                "cannot read the CA certificates in {}",
                missing.display()
            )),
            "{text}"
        );
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let Err(e) = settings(&format!("postgres://db/x?sslrootcert={}", empty.display())) else {
            panic!("a file with no certificate is an error");
        };
        assert!(e.to_string().ends_with("no PEM certificate in it"), "{e}");
        assert!(matches!(
            settings("postgres://db/x?nonsense=1"),
            Err(PgError::Url(_))
        ));
    }
}
