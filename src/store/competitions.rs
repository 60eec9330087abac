//! Group quiz competitions: rounds, their answers and standings.
//!
//! One part of the [`Store`](super::Store) interface, written once for
//! both backends in `shared/competitions.rs` (`sqlite/competitions.rs` and
//! `postgres/competitions.rs` only choose the connection). Like the rest of
//! `store` it knows nothing of Discord or of how points are computed.

use super::*;

pub trait CompetitionStore: Send + Sync {
    /// Creates a competition with its rounds and, for a team competition,
    /// its teams, in one transaction; `None` when one is already running in
    /// the channel.
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

    /// Puts a player who was not in a team when they were drawn into team
    /// `team` of a team competition, unless they are in one already (a
    /// second press, or a second process): returns the team they are in.
    fn join_competition_team(
        &self,
        competition: i64,
        team: u32,
        user: UserId,
    ) -> Result<u32, StoreError>;

    /// Standings over a competition: most points first, then the faster.
    fn competition_standings(
        &self,
        competition: i64,
    ) -> Result<Vec<CompetitionStanding>, StoreError>;
}
