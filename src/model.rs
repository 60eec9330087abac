//! The records studybot keeps, as plain data: settings, question instances,
//! answers, streaks, seasons, review cards, competitions, packs, reports.
//!
//! Both the core (`quiz`, `review`, `schedule`) and the store use these
//! types, so they live here, below both: the core computes with them
//! without depending on `store`, and the store persists them without
//! knowing the rules that made them. Nothing here does I/O.

use crate::request::{GuildId, InteractionId, UserId};
use chrono::{DateTime, NaiveDate, Utc};

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

/// What a server's class may set; `None` (or empty) means "use the
/// server's" (the rules are `classes`').
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClassSettings {
    /// Local time of the class's daily post, "HH:MM".
    pub post_time: Option<String>,
    /// An IANA time zone name.
    pub timezone: Option<String>,
    /// Weekdays the class's question is posted, Monday = 0 .. Sunday = 6.
    pub post_days: Option<Vec<u8>>,
    /// Days with no post (holidays, exam weeks); they do not break streaks.
    pub paused: std::collections::BTreeSet<NaiveDate>,
    /// Packs the class's daily question is drawn from (all the server's when empty).
    pub packs: Vec<String>,
    /// Tags the class's daily question must have one of (any when empty).
    pub tags: Vec<String>,
    /// The role the class's daily post mentions.
    pub ping_role: Option<u64>,
}

/// A class of a server: its own channel, daily question and leaderboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Class {
    /// 0 for a class not stored yet.
    pub id: i64,
    pub guild: GuildId,
    /// As the teacher wrote it (trimmed); unique in the server by
    /// `classes::name_key`, which the store keeps beside it.
    pub name: String,
    /// Where its daily question is posted and its students answer.
    pub channel: u64,
    /// Members of this role belong to the class.
    pub role: Option<u64>,
    /// Members of this role teach this class (besides the server's teachers).
    pub teacher_role: Option<u64>,
    pub settings: ClassSettings,
}

/// The name a migrated server's class gets: the class bound to the daily
/// channel the server had before classes existed (teachers rename it).
pub const FIRST_CLASS_NAME: &str = "main";

/// The leaderboard period of a class: the server's `period` counted for
/// the class alone ("class:7/all", "class:7/week:2026-W48").
pub fn class_period(class: i64, period: &str) -> String {
    format!("class:{class}/{period}")
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
    /// The class a daily question is for; 0 for the daily question of a
    /// server without classes (and for practice questions).
    pub class: i64,
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
    /// See [`Instance::class`].
    pub class: i64,
    pub question: String,
    pub option_order: Vec<usize>,
    pub created_at: DateTime<Utc>,
}

/// How the store's `accept_answer` rebuilds a student's streak: from the
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
    /// How players are put in teams: empty for everyone for themselves,
    /// else `class`, `role` or `random` (`teams::TeamMode` reads it).
    pub team_mode: String,
    /// The teams drawn at the start (none for everyone for themselves).
    pub teams: Vec<CompetitionTeam>,
}

/// One team of a team competition as stored: drawn when the competition
/// started, with the players who joined later, in the order they were put
/// in it. Kept so that a restart plays on with the same teams.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompetitionTeam {
    /// Numbered from 1 in the order the teams are listed.
    pub number: u32,
    pub name: String,
    /// The class or role the team stands for; `None` for a random team.
    pub key: Option<i64>,
    pub members: Vec<UserId>,
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
    /// As [`NewCompetition::team_mode`].
    pub team_mode: String,
    /// Its teams and their members now (late joiners included).
    pub teams: Vec<CompetitionTeam>,
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

/// The core's rules for one answer (`quiz::Rules`), which the store applies
/// inside the answer's transaction to what it reads there: so the streak,
/// the season and the review card an answer builds on are the ones it
/// writes over, and a concurrent write (a teacher accepting an earlier
/// answer) cannot land in between and be lost.
pub trait AnswerRules: Send + Sync {
    /// The daily streak after this answer, from the one stored.
    fn streak(&self, stored: &Streak) -> Streak;
    /// The streak bonus a right answer earns with the streak after it.
    fn bonus(&self, after: &Streak) -> i64;
    /// The class the answer also counts for, whose own running season the
    /// store reads in the answer's transaction (see `periods`).
    fn class(&self) -> Option<i64>;
    /// The leaderboard periods a daily answer counts in, given the guild's
    /// open season and the class's own (`None` without a class).
    fn periods(&self, season: Option<&Season>, class_season: Option<&Season>) -> Vec<String>;
    /// The review card after this answer, from the one stored under `key`.
    fn review(&self, stored: Option<&ReviewCard>, key: &str) -> ReviewCard;
}

/// One answer as the handler decided it (who, which instance, the graded
/// result, when), for the store to carry out in one transaction with
/// `rules` (see the answer store's `answer`).
#[derive(Clone)]
pub struct AnswerPlan {
    pub instance: i64,
    pub kind: InstanceKind,
    /// Where it was given (a practice question in a server has one too).
    pub guild: Option<GuildId>,
    pub user: UserId,
    pub interaction: InteractionId,
    pub question: String,
    pub answer: String,
    pub correct: bool,
    /// The points for being right, before any streak bonus (0 when wrong).
    pub points: i64,
    pub at: DateTime<Utc>,
    pub display_name: Option<String>,
    /// The key of the student's review card for the question.
    pub card: String,
    pub rules: std::sync::Arc<dyn AnswerRules>,
}

/// What carrying out an [`AnswerPlan`] came to: everything its reply needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answered {
    pub outcome: RecordOutcome,
    /// What a recorded answer added to the leaderboard, bonus included.
    pub points: i64,
    pub bonus: i64,
    /// The streak after a recorded daily answer.
    pub streak: Option<Streak>,
    /// The instance's tally, this answer included.
    pub tally: Tally,
}
