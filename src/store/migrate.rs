//! The schema's history, for both backends: one runner, migrations as files.
//!
//! The schema is the `.sql` files under `migrations/sqlite` and
//! `migrations/postgres` (`V{n}__{what}.sql`, oldest first; append a file,
//! never edit one that has shipped), embedded in the binary at build time.
//! Both backends run them with [refinery](https://docs.rs/refinery), which
//! records each in `refinery_schema_history` (version, name, when, checksum)
//! and refuses a database whose applied files differ from ours. refinery was
//! chosen over a runner of our own because it is the maintained one that
//! speaks both rusqlite and the synchronous `postgres` client with one
//! history table; what it does not do is here, in [`plan`], once for both:
//!
//! - **Upgrading from the history kept before.** Databases made by earlier
//!   builds recorded their version elsewhere (SQLite: `PRAGMA user_version`,
//!   from rusqlite_migration; PostgreSQL: `studybot_migrations`). The files
//!   are those same scripts, so such a database is marked as having had the
//!   first `n` files (refinery's "fake" target: recorded, not run) and then
//!   gets the rest. The old records are left as they were.
//! - **A database from a newer build** is refused before anything is
//!   written ([`Plan::TooNew`]).
//! - **An up-to-date database is only read** (refinery would first create
//!   its table), so a read-only PostgreSQL standby still opens.
//!
//! Locking differs and stays in the backends: PostgreSQL holds an advisory
//! lock while it migrates (processes starting together migrate once);
//! SQLite, one process's file, retries when a second opener lost the race.
//! This module knows nothing of the tables themselves.

mod sqlite_files {
    refinery::embed_migrations!("migrations/sqlite");
}
mod postgres_files {
    refinery::embed_migrations!("migrations/postgres");
}

/// The table both backends record applied migrations in (refinery's
/// default name, which the runner keeps).
pub(crate) const HISTORY: &str = "refinery_schema_history";

/// Which set of files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// refinery's runner over this dialect's files.
    pub(crate) fn runner(self) -> refinery::Runner {
        let runner = match self {
            Dialect::Sqlite => sqlite_files::migrations::runner(),
            Dialect::Postgres => postgres_files::migrations::runner(),
        };
        // All pending files in one transaction: a failure leaves the
        // database as it was. Applied files that changed or vanished are
        // an error, not something to run past.
        runner
            .set_grouped(true)
            .set_abort_divergent(true)
            .set_abort_missing(true)
    }

    /// The newest schema version this build knows.
    pub(crate) fn latest(self) -> i32 {
        self.runner()
            .get_migrations()
            .iter()
            .map(|m| m.version())
            .max()
            .unwrap_or(0)
    }
}

/// What opening a database must do about its schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plan {
    /// Nothing: the database has had every file (only read, never written).
    UpToDate,
    /// Run the files after `from` (0: a new database).
    Migrate { from: i32 },
    /// An earlier build's database at version `legacy`: record the first
    /// `legacy` files as applied, then run the rest.
    Adopt { legacy: i32 },
    /// Made by a newer build: refuse it.
    TooNew { found: i32, known: i32 },
}

/// The plan for a database whose refinery history says `recorded` (`None`:
/// no history table) and whose earlier tracking says `legacy` (0: none).
pub(crate) fn plan(dialect: Dialect, recorded: Option<i32>, legacy: i32) -> Plan {
    let known = dialect.latest();
    let found = recorded.unwrap_or(legacy);
    match recorded {
        _ if found > known => Plan::TooNew { found, known },
        Some(v) if v == known => Plan::UpToDate,
        Some(from) => Plan::Migrate { from },
        None if legacy > 0 => Plan::Adopt { legacy },
        None => Plan::Migrate { from: 0 },
    }
}

/// Carries out a plan on a connection refinery can drive.
pub(crate) fn carry_out<C: refinery::Migrate>(
    dialect: Dialect,
    plan: Plan,
    conn: &mut C,
) -> Result<(), refinery::Error> {
    match plan {
        Plan::UpToDate | Plan::TooNew { .. } => return Ok(()),
        Plan::Adopt { legacy } => {
            dialect
                .runner()
                .set_target(refinery::Target::FakeVersion(legacy))
                .run(conn)?;
        }
        Plan::Migrate { .. } => {}
    }
    dialect.runner().run(conn)?;
    Ok(())
}

/// Runs only the files up to `version`: for tests that build a database as
/// an earlier build left it.
pub fn sqlite_to_version(conn: &mut rusqlite::Connection, version: i32) -> Result<(), String> {
    Dialect::Sqlite
        .runner()
        .set_target(refinery::Target::Version(version))
        .run(conn)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_is_numbered_in_order_without_gaps() {
        for dialect in [Dialect::Sqlite, Dialect::Postgres] {
            let versions: Vec<i32> = dialect
                .runner()
                .get_migrations()
                .iter()
                .map(|m| m.version())
                .collect();
            let expected: Vec<i32> = (1..=versions.len() as i32).collect();
            let mut sorted = versions.clone();
            sorted.sort();
            assert_eq!(sorted, expected, "{dialect:?}");
        }
        // The histories earlier builds kept had 10 (SQLite) and 2
        // (PostgreSQL) scripts; classes, team competitions and classes' own
        // seasons (issue #25) added one each to each.
        assert_eq!(Dialect::Sqlite.latest(), 13);
        assert_eq!(Dialect::Postgres.latest(), 5);
    }

    #[test]
    fn plans_follow_the_history_found() {
        let d = Dialect::Sqlite;
        assert_eq!(plan(d, None, 0), Plan::Migrate { from: 0 });
        assert_eq!(plan(d, None, 10), Plan::Adopt { legacy: 10 });
        assert_eq!(plan(d, Some(13), 13), Plan::UpToDate);
        assert_eq!(plan(d, Some(10), 10), Plan::Migrate { from: 10 });
        assert_eq!(
            plan(d, Some(14), 0),
            Plan::TooNew {
                found: 14,
                known: 13
            }
        );
        assert_eq!(
            plan(d, None, 15),
            Plan::TooNew {
                found: 15,
                known: 13
            }
        );
    }
}
