//! [`CompetitionStore`] for [`SqliteStore`]: the rules of
//! `store::shared::competitions` on the writer's connection, a change of
//! more than one row in one write transaction.

use super::*;

impl CompetitionStore for SqliteStore {
    fn create_competition(&self, new: &NewCompetition) -> Result<Option<Competition>, StoreError> {
        self.write(|tx| shared::competitions::create_competition(tx, new))
    }

    fn competition(&self, id: i64) -> Result<Option<Competition>, StoreError> {
        self.direct(|tx| shared::competitions::competition(tx, id))
    }

    fn running_competitions(&self) -> Result<Vec<Competition>, StoreError> {
        self.direct(|tx| shared::competitions::running_competitions(tx, None))
    }

    fn running_competition_in(&self, channel: u64) -> Result<Option<Competition>, StoreError> {
        self.direct(|tx| shared::competitions::running_competitions(tx, Some(channel)))
            .map(|mut running| running.pop())
    }

    fn open_round(
        &self,
        competition: i64,
        round: u32,
        opened_at: DateTime<Utc>,
        closes_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.direct(|tx| {
            shared::competitions::open_round(tx, competition, round, opened_at, closes_at)
        })
    }

    fn set_round_message(
        &self,
        competition: i64,
        round: u32,
        message: u64,
    ) -> Result<(), StoreError> {
        self.direct(|tx| shared::competitions::set_round_message(tx, competition, round, message))
    }

    fn close_round(&self, competition: i64, round: u32) -> Result<bool, StoreError> {
        self.direct(|tx| shared::competitions::close_round(tx, competition, round))
    }

    fn end_competition(
        &self,
        competition: i64,
        status: CompetitionStatus,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.direct(|tx| shared::competitions::end_competition(tx, competition, status, now))
    }

    fn record_competition_answer(
        &self,
        answer: &NewCompetitionAnswer,
    ) -> Result<RecordOutcome, StoreError> {
        self.write(|tx| shared::competitions::record_competition_answer(tx, answer))
    }

    fn competition_answers(
        &self,
        competition: i64,
        round: Option<u32>,
    ) -> Result<Vec<CompetitionAnswer>, StoreError> {
        self.direct(|tx| shared::competitions::competition_answers(tx, competition, round))
    }

    fn join_competition_team(
        &self,
        competition: i64,
        team: u32,
        user: UserId,
    ) -> Result<u32, StoreError> {
        self.write(|tx| shared::competitions::join_competition_team(tx, competition, team, user))
    }

    fn competition_standings(
        &self,
        competition: i64,
    ) -> Result<Vec<CompetitionStanding>, StoreError> {
        self.direct(|tx| shared::competitions::competition_standings(tx, competition))
    }
}
