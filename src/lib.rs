//! studybot: a Discord study-bot for history classes.
//!
//! Students ask `/explain troika`, look up what happened on a date, answer a
//! daily question and compete on class leaderboards. Everything but the
//! Discord adapter is plain Rust that knows nothing of Discord, so it is
//! tested directly and driven from the command line (`studybot ask`).
//!
//! # Map of the code
//!
//! ```text
//! Discord gateway ──> discord/ (serenity + poise)    studybot ask ──> cli.rs
//!                               └──────────────┬────────────┘
//!                                              ▼
//!                     handlers/  one fn per command or button: Request -> Reply
//!                     │   spec.rs: the command table (names, options, handlers)
//!                     │   respond(): the single error path
//!                     ├── content/   packs: schema, load, validate, diagnostics
//!                     ├── search/    which entry a student means
//!                     ├── dates/     dates with precision (day, month, year, range)
//!                     ├── quiz/      daily pick, points, streaks, answer checking
//!                     ├── review.rs  spaced review (FSRS)
//!                     ├── pictures.rs timeline chart, ranking cards (PNG)
//!                     └── store/     the Store trait: SQLite, PostgreSQL
//!                                              ▼
//!                     reply.rs   transport-neutral Reply (the --json contract)
//! ```
//!
//! - [`app`]: `App`, what every handler gets (config, content snapshot per
//!   server, store, clock, the shards this process owns).
//! - [`request`]: who asks, where, when; the core's id newtypes.
//! - [`custom_id`]: the only place button ids are built and decoded.
//! - [`config`]: defaults -> file -> environment; the token is a `Secret`.
//! - [`clock`]: injected time for schedulers and tests.
//! - [`markup`]: escaping user text and fitting text into limits.
//! - [`memo`]: replies kept in memory while the store has not changed
//!   (the leaderboard's).
//! - [`error`]: thiserror enums; `anyhow` only in `main.rs`.
//! - [`import`]: `studybot import`, Red trivia lists and Quizlet sets to a pack.
//! - [`schedule`]: when each class's daily question is due (pure rules;
//!   `handlers::daily` claims and prepares the posts).
//! - [`classes`]: several classes in one server: names, channels, roles,
//!   membership, settings falling back to the server's, class rankings.
//! - [`teams`]: team competitions: drawing teams, team scores.
//! - [`shards`]: which servers a process owns when several share a database.
//! - [`logging`]: log lines and panic messages with the token redacted.
//! - [`discord`]: the only module that knows serenity and poise.
//!
//! Imports point one way: `discord`/`cli` -> `handlers` -> the core ->
//! `store`, with `request`, `clock` and `model` (plain values) usable by
//! all; `tests/layers.rs` fails on a path pointing back up. The Discord edge
//! runs store work only through `discord::blocking`, and runs a lookup on the
//! async executor only for a server whose content `App` holds in memory.

pub mod app;
pub mod classes;
pub mod cli;
pub mod clock;
pub mod config;
pub mod content;
pub mod custom_id;
pub mod dates;
pub mod discord;
pub mod error;
pub mod handlers;
pub mod import;
pub mod logging;
pub mod markup;
pub mod memo;
pub mod model;
#[cfg(feature = "pictures")]
pub mod pictures;
pub mod quiz;
pub mod reply;
pub mod request;
pub mod review;
pub mod schedule;
pub mod search;
pub mod shards;
pub mod store;
pub mod teams;
pub mod text;

pub use app::{App, Library};
pub use error::Error;
pub use reply::Reply;
pub use request::Request;
