//! Storage: everything studybot must remember between interactions.
//!
//! [`Store`] is the one narrow interface the handlers use: settings, question
//! instances, answers (recorded exactly once), score totals per period,
//! streaks, seasons and display names. It knows nothing of Discord or of how
//! points are computed (that is `quiz`); it guarantees that an answer and all
//! its effects commit together or not at all. SQLite (`sqlite.rs`) is the
//! embedded default, for one bot process; PostgreSQL (`postgres.rs`) lets
//! several processes share one database, with the same behaviour (the
//! contract suite in `tests/store_contract.rs` runs against both). [`open`]
//! picks the backend from the database URL.

pub mod migrate;
pub mod postgres;
pub mod sqlite;
pub mod sqlite_file;

use crate::request::{GuildId, InteractionId, UserId};
use chrono::{DateTime, NaiveDate, Utc};

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("the database is busy; please try again in a moment")]
    Busy,
    #[error("database error: {0}")]
    Database(String),
    /// The disk is full or the database cannot be written: nothing was saved.
    #[error("the database cannot be written: {0}")]
    Unwritable(String),
    /// The database file is damaged (or not a database): found when a store
    /// opens, so the bot does not start only to fail every write.
    #[error("the database file {path} is damaged ({detail}). Nothing was changed. Stop studybot, then put back your last backup: `cp BACKUP {path}` and delete `{path}-wal` if it exists (backups are made with `studybot backup PATH`). To see the damage: `studybot check --db {path}`")]
    Corrupt { path: String, detail: String },
    #[error("unsupported database URL `{0}`: use sqlite://PATH (or a plain path) or postgres://USER:PASSWORD@HOST/DATABASE")]
    UnsupportedUrl(String),
}

/// Per-guild settings; `None` means "not set, use the default".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GuildSettings {
    pub timezone: Option<String>,
    pub channel: Option<u64>,
    /// Local time of the daily post, "HH:MM".
    pub post_time: Option<String>,
    /// Weekdays the daily question is posted, Monday = 0 .. Sunday = 6;
    /// `None` means every day.
    pub post_days: Option<Vec<u8>>,
    pub ping_role: Option<u64>,
    pub teacher_role: Option<u64>,
    /// Whether only teachers may start a competition (default: everyone).
    pub competitions_teachers_only: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceKind {
    Daily,
    Practice,
}

/// One showing of a question: the daily question of a guild on a day, or a
/// student's practice question. Buttons refer to it by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    pub id: i64,
    pub kind: InstanceKind,
    pub guild: Option<GuildId>,
    /// The student a practice question belongs to.
    pub owner: Option<UserId>,
    /// The guild-local day of a daily question.
    pub day: Option<NaiveDate>,
    /// `pack-id/question-id`.
    pub question: String,
    /// Display position -> option index in the content, for choice questions.
    pub option_order: Vec<usize>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInstance {
    pub kind: InstanceKind,
    pub guild: Option<GuildId>,
    pub owner: Option<UserId>,
    pub day: Option<NaiveDate>,
    pub question: String,
    pub option_order: Vec<usize>,
    pub created_at: DateTime<Utc>,
}

/// How [`Store::accept_answer`] rebuilds a student's streak: from the
/// streak as stored and the student's daily answers in the guild (each its
/// day and whether it is right), oldest day first. The rule is `quiz`'s
/// ([`crate::quiz::rebuild_streak`]); the store only runs it inside its
/// transaction. Shared and `'static` because a backend may run the
/// transaction on a connection thread of its own.
pub type StreakRebuild =
    std::sync::Arc<dyn Fn(&Streak, &[(NaiveDate, bool)]) -> Streak + Send + Sync>;

/// A student's daily streak in a guild.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Streak {
    pub current: u32,
    pub best: u32,
    /// The last day with a correct daily answer.
    pub last_day: Option<NaiveDate>,
}

/// Everything one answer changes, written in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAnswer {
    pub instance: i64,
    pub guild: Option<GuildId>,
    pub user: UserId,
    pub interaction: InteractionId,
    pub question: String,
    pub answer: String,
    pub correct: bool,
    pub points: i64,
    pub at: DateTime<Utc>,
    /// Leaderboard periods this answer counts in ("all", "season:3",
    /// "week:2026-W48"); empty for practice.
    pub periods: Vec<String>,
    /// The streak after this answer, for daily answers.
    pub streak: Option<Streak>,
    /// The student's display name as seen with this answer, remembered for
    /// leaderboards in the same transaction (`None` leaves it as it was).
    pub display_name: Option<String>,
    /// The question's review schedule for the student after this answer,
    /// written with it (`None` leaves it as it was).
    pub review: Option<ReviewCard>,
}

/// A student's spaced-review state for one question (FSRS's card).
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewCard {
    pub question: String,
    pub due: DateTime<Utc>,
    pub stability: f64,
    pub difficulty: f64,
    pub elapsed_days: i64,
    pub scheduled_days: i64,
    pub reps: i32,
    pub lapses: i32,
    /// FSRS's state: 0 new, 1 learning, 2 review, 3 relearning.
    pub state: u8,
    pub last_review: DateTime<Utc>,
}

/// What a stored answer said, for replies to repeated presses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastAnswer {
    pub answer: String,
    pub correct: bool,
    pub points: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordOutcome {
    /// Committed: the student may now be told.
    Recorded,
    /// This student already answered this instance; nothing changed.
    AlreadyAnswered(PastAnswer),
    /// This very interaction was recorded before (a redelivery); nothing changed.
    Duplicate(PastAnswer),
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub answered: u64,
    pub correct: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub rank: u64,
    pub user: UserId,
    pub name: String,
    pub points: i64,
    pub answered: u64,
    pub correct: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leaderboard {
    pub top: Vec<Standing>,
    /// The caller's own standing, when they have one.
    pub caller: Option<Standing>,
    pub players: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Season {
    pub id: i64,
    pub name: String,
    pub started_at: DateTime<Utc>,
    /// `None` while the season runs.
    pub ended_at: Option<DateTime<Utc>>,
}

/// The state of a guild's daily post for a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostClaim {
    /// Nobody has tried to post it: this caller now owns the attempt.
    New,
    /// An earlier attempt may or may not have reached Discord: send again
    /// with the same nonce, which Discord deduplicates.
    Pending { nonce: String },
    /// Posted; nothing to do.
    Sent { message: u64 },
}

/// A new group quiz competition in a channel, its questions chosen up front.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCompetition {
    pub guild: GuildId,
    pub channel: u64,
    pub starter: UserId,
    pub seconds: u32,
    /// Per round: the question key and its option order.
    pub questions: Vec<(String, Vec<usize>)>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompetitionStatus {
    Running,
    Finished,
    Stopped,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Competition {
    pub id: i64,
    pub guild: GuildId,
    pub channel: u64,
    pub starter: UserId,
    pub seconds: u32,
    pub status: CompetitionStatus,
    pub rounds: Vec<Round>,
    pub created_at: DateTime<Utc>,
}

/// One round of a competition (numbered from 1).
#[derive(Debug, Clone, PartialEq)]
pub struct Round {
    pub number: u32,
    pub question: String,
    pub option_order: Vec<usize>,
    /// When it was shown; `None` until then.
    pub opened_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
    pub closed: bool,
    /// The channel message that shows it.
    pub message: Option<u64>,
}

impl Competition {
    /// The round that is open now (shown and not yet closed).
    pub fn open_round(&self) -> Option<&Round> {
        self.rounds
            .iter()
            .find(|r| r.opened_at.is_some() && !r.closed)
    }
    pub fn round(&self, number: u32) -> Option<&Round> {
        self.rounds.iter().find(|r| r.number == number)
    }
}

/// One competition answer, with everything it changes (the guild's
/// leaderboard totals for `periods` included), written in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCompetitionAnswer {
    pub competition: i64,
    pub round: u32,
    pub guild: GuildId,
    pub user: UserId,
    pub interaction: InteractionId,
    pub answer: String,
    pub correct: bool,
    pub points: i64,
    /// Milliseconds from the round's opening.
    pub millis: i64,
    pub at: DateTime<Utc>,
    pub periods: Vec<String>,
    pub display_name: Option<String>,
}

/// A recorded competition answer, with the name last seen for the student.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompetitionAnswer {
    pub round: u32,
    pub user: UserId,
    pub name: String,
    pub correct: bool,
    pub points: i64,
    pub millis: i64,
}

/// A student's result over a whole competition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompetitionStanding {
    pub user: UserId,
    pub name: String,
    pub points: i64,
    pub correct: u64,
    /// Total answer time of the correct answers (the tie-break: faster first).
    pub millis: i64,
}

/// One student's line in a score export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    pub user: UserId,
    /// The display name last seen (empty if never seen).
    pub name: String,
    pub answered: u64,
    pub correct: u64,
    pub points: i64,
    /// The current daily streak.
    pub streak: u32,
}

/// A student's report of a problem with a question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub id: i64,
    pub guild: GuildId,
    pub user: UserId,
    pub question: String,
    pub text: String,
    pub at: DateTime<Utc>,
}

/// What removing a student deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Removed {
    pub answers: u64,
    pub competition_answers: u64,
    pub totals: u64,
}

/// A pack a guild's teacher uploaded, kept as the TOML text they sent so
/// every bot process builds the same pack from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedPack {
    pub pack_id: String,
    pub file_name: String,
    pub text: String,
    /// Events, entries and questions in it (the per-guild cap counts these).
    pub items: u64,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

/// A guild's pack choices: its uploads and the packs whose questions it
/// turned off. `revision` changes with every change to either, so a process
/// can tell whether the server's content it built is still current.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GuildPacks {
    pub revision: i64,
    pub uploads: Vec<UploadedPack>,
    pub turned_off: std::collections::BTreeSet<String>,
}

/// A recorded daily answer, as a teacher sees it when correcting marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoredAnswer {
    pub id: i64,
    pub instance: i64,
    pub guild: GuildId,
    pub user: UserId,
    pub question: String,
    pub answer: String,
    pub correct: bool,
    pub points: i64,
    /// The guild-local day of the daily question it answered.
    pub day: NaiveDate,
    pub at: DateTime<Utc>,
}

/// A student's results on one question (for stats and review).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionResults {
    pub question: String,
    pub answered: u64,
    pub correct: u64,
}

pub trait Store: Send + Sync {
    /// Why writes are failing, while they are (the disk is full, the file
    /// is read-only); `None` once a write succeeds again. Shown to teachers.
    fn write_problem(&self) -> Option<String> {
        None
    }

    fn settings(&self, guild: GuildId) -> Result<GuildSettings, StoreError>;
    fn save_settings(
        &self,
        guild: GuildId,
        settings: &GuildSettings,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Records the name to show for a user in a guild (latest wins).
    fn remember_name(
        &self,
        guild: Option<GuildId>,
        user: UserId,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    fn daily_instance(
        &self,
        guild: GuildId,
        day: NaiveDate,
    ) -> Result<Option<Instance>, StoreError>;
    /// The latest daily instance of a guild before `day`.
    fn previous_daily(
        &self,
        guild: GuildId,
        day: NaiveDate,
    ) -> Result<Option<Instance>, StoreError>;
    /// Questions used as daily questions in a guild, oldest first.
    fn daily_history(&self, guild: GuildId) -> Result<Vec<String>, StoreError>;
    /// Creates an instance; for a daily one that already exists for the guild
    /// and day, returns the existing one unchanged (restarts and races).
    fn create_instance(&self, new: &NewInstance) -> Result<Instance, StoreError>;
    fn instance(&self, id: i64) -> Result<Option<Instance>, StoreError>;

    /// Records an answer and all its effects in one transaction, once per
    /// student and instance and once per interaction.
    fn record_answer(&self, answer: &NewAnswer) -> Result<RecordOutcome, StoreError>;
    fn tally(&self, instance: i64) -> Result<Tally, StoreError>;
    fn streak(&self, guild: GuildId, user: UserId) -> Result<Streak, StoreError>;

    fn open_season(&self, guild: GuildId) -> Result<Option<Season>, StoreError>;
    fn start_season(
        &self,
        guild: GuildId,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<Season, StoreError>;
    fn end_season(&self, guild: GuildId, now: DateTime<Utc>) -> Result<Option<Season>, StoreError>;

    /// Top `limit` of a guild for a period, ties broken by fewer answers
    /// (more accurate) then by user id, with the caller's own standing.
    fn leaderboard(
        &self,
        guild: GuildId,
        period: &str,
        limit: usize,
        caller: UserId,
    ) -> Result<Leaderboard, StoreError>;
    /// Guilds that have a daily post channel and time set.
    fn scheduled_guilds(&self) -> Result<Vec<(GuildId, GuildSettings)>, StoreError>;
    /// Claims the daily post of a guild for a day before sending it, so it is
    /// never sent twice (see [`PostClaim`]). `nonce` is stored on a new claim.
    fn claim_post(
        &self,
        guild: GuildId,
        day: NaiveDate,
        nonce: &str,
        now: DateTime<Utc>,
    ) -> Result<PostClaim, StoreError>;
    /// Records that the daily post was sent as `message`.
    fn mark_posted(
        &self,
        guild: GuildId,
        day: NaiveDate,
        message: u64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Records (or clears, with `None`) a problem with a guild's daily post,
    /// shown to teachers in `/settings show`.
    fn set_post_problem(
        &self,
        guild: GuildId,
        problem: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    fn post_problem(&self, guild: GuildId) -> Result<Option<String>, StoreError>;

    /// Creates a competition; `None` when one is already running in the channel.
    fn create_competition(&self, new: &NewCompetition) -> Result<Option<Competition>, StoreError>;
    fn competition(&self, id: i64) -> Result<Option<Competition>, StoreError>;
    /// Every running competition (to resume them after a restart).
    fn running_competitions(&self) -> Result<Vec<Competition>, StoreError>;
    fn running_competition_in(&self, channel: u64) -> Result<Option<Competition>, StoreError>;
    /// Claims a round's showing, from `opened_at` until `closes_at`: true
    /// for the one caller that opened it, false if it was open already (a
    /// second runner, or a tick repeated after a restart), so a round's
    /// question is posted at most once.
    fn open_round(
        &self,
        competition: i64,
        round: u32,
        opened_at: DateTime<Utc>,
        closes_at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    fn set_round_message(
        &self,
        competition: i64,
        round: u32,
        message: u64,
    ) -> Result<(), StoreError>;
    /// Closes a round; false if it was closed already (by another caller).
    fn close_round(&self, competition: i64, round: u32) -> Result<bool, StoreError>;
    /// Ends a running competition; false if it had ended already.
    fn end_competition(
        &self,
        competition: i64,
        status: CompetitionStatus,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Records a competition answer, once per student and round and once per
    /// interaction, adding its points to the guild's leaderboard totals.
    fn record_competition_answer(
        &self,
        answer: &NewCompetitionAnswer,
    ) -> Result<RecordOutcome, StoreError>;
    /// The answers of a competition (all rounds when `round` is `None`),
    /// fastest first within a round.
    fn competition_answers(
        &self,
        competition: i64,
        round: Option<u32>,
    ) -> Result<Vec<CompetitionAnswer>, StoreError>;
    /// Standings over a competition: most points first, then the faster.
    fn competition_standings(
        &self,
        competition: i64,
    ) -> Result<Vec<CompetitionStanding>, StoreError>;

    /// A student's review card for a question.
    fn review_card(&self, user: UserId, question: &str) -> Result<Option<ReviewCard>, StoreError>;
    /// The student's card due first (among equally due, the most lapsed),
    /// leaving out questions disabled in `guild` (where the student asks).
    fn next_review(
        &self,
        user: UserId,
        guild: Option<GuildId>,
    ) -> Result<Option<ReviewCard>, StoreError> {
        Ok(self.next_reviews(user, guild, 1)?.pop())
    }
    /// The student's first `limit` cards in the order of [`Store::next_review`].
    fn next_reviews(
        &self,
        user: UserId,
        guild: Option<GuildId>,
        limit: usize,
    ) -> Result<Vec<ReviewCard>, StoreError>;
    /// How many of the student's cards are due at `now`.
    fn reviews_due(&self, user: UserId, now: DateTime<Utc>) -> Result<u64, StoreError>;

    /// Stores a student's report of a problem with a question.
    fn add_report(
        &self,
        guild: GuildId,
        user: UserId,
        question: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<Report, StoreError>;
    /// A guild's open reports (of questions not disabled), newest first.
    fn open_reports(&self, guild: GuildId, limit: usize) -> Result<Vec<Report>, StoreError>;
    fn report(&self, id: i64) -> Result<Option<Report>, StoreError>;
    /// Stops a question from being asked in a guild.
    fn disable_question(
        &self,
        guild: GuildId,
        question: &str,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// The questions disabled in a guild.
    fn disabled_questions(
        &self,
        guild: GuildId,
    ) -> Result<std::collections::HashSet<String>, StoreError>;

    /// Every season of a guild, newest first.
    fn seasons(&self, guild: GuildId) -> Result<Vec<Season>, StoreError>;
    /// Every student with a total for `period`, most points first.
    fn export_rows(&self, guild: GuildId, period: &str) -> Result<Vec<ExportRow>, StoreError>;
    /// The class's results per question (daily and practice answers) since
    /// `since` (all time when `None`).
    fn class_results(
        &self,
        guild: GuildId,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<QuestionResults>, StoreError>;
    /// Deletes one student's answers, totals, streak and name in a guild, in
    /// one transaction, keeping every leaderboard and tally consistent.
    fn remove_student(&self, guild: GuildId, user: UserId) -> Result<Removed, StoreError>;

    /// Deletes everything stored about a user in every guild and in direct
    /// messages (answers, scores, streaks, names, review cards), in one
    /// transaction per guild. Returns what went and from how many guilds.
    fn delete_user(&self, user: UserId) -> Result<(Removed, u64), StoreError>;

    /// The revision of a guild's pack choices (0 if it never changed any):
    /// one indexed read, so it can be checked often.
    fn pack_revision(&self, guild: GuildId) -> Result<i64, StoreError>;
    /// A guild's uploaded packs (oldest first) and turned-off packs.
    fn guild_packs(&self, guild: GuildId) -> Result<GuildPacks, StoreError>;
    /// Stores an uploaded pack for one guild, replacing an earlier upload
    /// with the same pack id. Returns whether it replaced one.
    fn save_pack(&self, guild: GuildId, pack: &UploadedPack) -> Result<bool, StoreError>;
    /// Deletes an uploaded pack (and its on/off choice). Returns whether it existed.
    fn remove_pack(&self, guild: GuildId, pack_id: &str) -> Result<bool, StoreError>;
    /// Turns a pack's questions on or off in a guild. Returns whether that
    /// changed anything.
    fn set_pack_active(
        &self,
        guild: GuildId,
        pack_id: &str,
        active: bool,
    ) -> Result<bool, StoreError>;

    /// A student's daily answers marked wrong in a guild, newest first.
    fn wrong_daily_answers(
        &self,
        guild: GuildId,
        user: UserId,
        limit: usize,
    ) -> Result<Vec<ScoredAnswer>, StoreError>;
    /// One daily answer by id.
    fn scored_answer(&self, id: i64) -> Result<Option<ScoredAnswer>, StoreError>;
    /// Marks a wrong answer right, adds `points` to the student's totals for
    /// `periods` (those the answer counted in) and the tally, and rebuilds
    /// the student's streak in that guild from all their daily answers with
    /// `rebuild_streak`, in one transaction (a daily answer landing at the
    /// same moment cannot be lost between reading and writing the streak).
    /// Returns the new streak, or `None`, changing nothing, if the answer
    /// was already right.
    fn accept_answer(
        &self,
        id: i64,
        points: i64,
        periods: &[String],
        rebuild_streak: &StreakRebuild,
    ) -> Result<Option<Streak>, StoreError>;

    /// Every guild with anything stored (settings, names, scores), except
    /// those already marked as left.
    fn known_guilds(&self) -> Result<Vec<GuildId>, StoreError>;
    /// Notes that the bot was removed from a guild (kept: the first time).
    fn guild_left(&self, guild: GuildId, at: DateTime<Utc>) -> Result<(), StoreError>;
    /// Notes that the bot is in a guild again: its data is kept after all.
    /// Returns whether the guild had been marked as left.
    fn guild_returned(&self, guild: GuildId) -> Result<bool, StoreError>;
    /// Guilds the bot left before `cutoff` (their grace period is over).
    fn guilds_left_before(&self, cutoff: DateTime<Utc>) -> Result<Vec<GuildId>, StoreError>;
    /// Deletes everything stored for a guild, in one transaction: settings,
    /// names, questions, answers, scores, seasons, competitions, reports,
    /// packs, and students' review cards of its packs' questions. Returns
    /// how many rows went.
    fn delete_guild(&self, guild: GuildId) -> Result<u64, StoreError>;

    /// Per-question results of a user in a guild (all guilds when `None`).
    fn question_results(
        &self,
        guild: Option<GuildId>,
        user: UserId,
    ) -> Result<Vec<QuestionResults>, StoreError>;
}

/// A database URL fit for logs and messages: a password in it is replaced
/// by `***` (`postgres://studybot:***@db/studybot`).
pub fn redacted_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((credentials, host)) if credentials.contains(':') => {
            let user = credentials.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{host}{tail}")
        }
        _ => url.to_string(),
    }
}

/// Opens the store a database URL names: `sqlite://PATH`, `sqlite::memory:`
/// or a plain path (SQLite), or `postgres://...` / `postgresql://...`
/// (PostgreSQL, libpq's URL form, e.g.
/// `postgres://studybot:secret@127.0.0.1:5432/studybot`).
pub fn open(url: &str) -> Result<std::sync::Arc<dyn Store>, StoreError> {
    if url == "sqlite::memory:" || url == ":memory:" {
        return open_in_memory();
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(std::sync::Arc::new(postgres::PostgresStore::connect(url)?));
    }
    match sqlite_path(url) {
        Some(path) => Ok(std::sync::Arc::new(sqlite::SqliteStore::open(&path)?)),
        None => Err(StoreError::UnsupportedUrl(url.to_string())),
    }
}

/// A store that lives in memory and is gone when the process ends.
pub fn open_in_memory() -> Result<std::sync::Arc<dyn Store>, StoreError> {
    Ok(std::sync::Arc::new(sqlite::SqliteStore::open_in_memory()?))
}

/// The file of an SQLite database URL (`sqlite://PATH` or a plain path);
/// `None` for in-memory, PostgreSQL and unknown URLs.
pub fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    if url == "sqlite::memory:" || url == ":memory:" {
        return None;
    }
    if url.contains("://") && !url.starts_with("sqlite://") {
        return None;
    }
    Some(std::path::PathBuf::from(
        url.strip_prefix("sqlite://").unwrap_or(url),
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_in_database_urls_are_hidden() {
        assert_eq!(
            super::redacted_url("postgres://studybot:s3cret@db.internal:5432/studybot?x=1"),
            "postgres://studybot:***@db.internal:5432/studybot?x=1"
        );
        assert_eq!(
            super::redacted_url("postgres://db/studybot"),
            "postgres://db/studybot"
        );
        assert_eq!(
            super::redacted_url("sqlite://studybot.db"),
            "sqlite://studybot.db"
        );
        assert_eq!(super::redacted_url("class.db"), "class.db");
    }
}
