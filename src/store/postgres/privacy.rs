//! [`PrivacyStore`] for [`PostgresStore`]: removing a student, deleting a user everywhere, and guilds the bot left (deleted after their grace period).

use super::*;

impl PrivacyStore for PostgresStore {
    /// Lock order as in `store::shared::answers` (name, streak, totals, histogram, then
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
                // Their place in a team goes too (a running team shrinks by one).
                tx.execute(
                    "DELETE FROM competition_team_members WHERE user_id = $2
                     AND competition_id IN (SELECT id FROM competitions WHERE guild_id = $1)",
                    &[&g, &u],
                )?;
                let answers = shared::answers::forget_answers(tx, Some(guild), user)?;
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
                         WHERE a.user_id = $1
                     UNION SELECT k.guild_id FROM competition_team_members t JOIN competitions k ON k.id = t.competition_id
                         WHERE t.user_id = $1",
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
                let answers = shared::answers::forget_answers(tx, None, user)?;
                tx.execute("DELETE FROM review_cards WHERE user_id = $1", &[&u])?;
                Ok(answers)
            })
        })?;
        Ok((total, guilds.len() as u64))
    }

    fn known_guilds(&self) -> Result<Vec<GuildId>, StoreError> {
        self.run(|s| {
            s.direct()
                .query(
                    "SELECT guild_id FROM guild_settings
                     UNION SELECT guild_id FROM members WHERE guild_id <> 0
                     UNION SELECT guild_id FROM totals
                     UNION SELECT guild_id FROM classes
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
                    "DELETE FROM competition_team_members WHERE competition_id IN (SELECT id FROM competitions WHERE guild_id = $1)",
                    "DELETE FROM competition_teams WHERE competition_id IN (SELECT id FROM competitions WHERE guild_id = $1)",
                    "DELETE FROM competitions WHERE guild_id = $1",
                    "DELETE FROM totals WHERE guild_id = $1",
                    "DELETE FROM period_players WHERE guild_id = $1",
                    "DELETE FROM score_counts WHERE guild_id = $1",
                    "DELETE FROM streaks WHERE guild_id = $1",
                    "DELETE FROM seasons WHERE guild_id = $1",
                    "DELETE FROM class_seasons WHERE guild_id = $1",
                    "DELETE FROM daily_posts WHERE guild_id = $1",
                    "DELETE FROM classes WHERE guild_id = $1",
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
}
