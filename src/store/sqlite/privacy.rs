//! [`PrivacyStore`] for [`SqliteStore`]: removing a student, deleting a user everywhere, and guilds the bot left (deleted after their grace period).

use super::*;

impl PrivacyStore for SqliteStore {
    fn delete_user(&self, user: UserId) -> Result<(Removed, u64), StoreError> {
        let u = user.0 as i64;
        let guilds: Vec<i64> = self.with(|c| {
            c.prepare_cached(
                "SELECT guild_id FROM answers WHERE user_id = ?1 AND guild_id IS NOT NULL
                 UNION SELECT guild_id FROM totals WHERE user_id = ?1
                 UNION SELECT guild_id FROM members WHERE user_id = ?1 AND guild_id <> 0
                 UNION SELECT k.guild_id FROM competition_answers a JOIN competitions k ON k.id = a.competition_id WHERE a.user_id = ?1
                 UNION SELECT k.guild_id FROM competition_team_members t JOIN competitions k ON k.id = t.competition_id WHERE t.user_id = ?1",
            )?
            .query_map(params![u], |r| r.get(0))?
            .collect()
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
        let direct = self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let answers = shared::answers::forget_answers(&mut Sql(&tx), None, user)?;
            tx.prepare_cached("DELETE FROM members WHERE user_id = ?1")?
                .execute(params![u])?;
            tx.prepare_cached("DELETE FROM review_cards WHERE user_id = ?1")?
                .execute(params![u])?;
            tx.commit()?;
            Ok(answers)
        })?;
        total.answers += direct;
        self.names
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|(_, who), _| *who != user.0);
        Ok((total, guilds.len() as u64))
    }

    fn remove_student(&self, guild: GuildId, user: UserId) -> Result<Removed, StoreError> {
        let (g, u) = (guild.0 as i64, user.0 as i64);
        let removed = self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let answers = shared::answers::forget_answers(&mut Sql(&tx), Some(guild), user)?;
            let competition_answers = tx
                .prepare_cached(
                    "DELETE FROM competition_answers WHERE user_id = ?2
                     AND competition_id IN (SELECT id FROM competitions WHERE guild_id = ?1)",
                )?
                .execute(params![g, u])? as u64;
            // Their place in a team goes too (a running team shrinks by one).
            tx.prepare_cached(
                "DELETE FROM competition_team_members WHERE user_id = ?2
                 AND competition_id IN (SELECT id FROM competitions WHERE guild_id = ?1)",
            )?
            .execute(params![g, u])?;
            // Each leaderboard loses the student: histogram and player count first.
            let totals: Vec<(String, i64)> = tx
                .prepare_cached("SELECT period, points FROM totals WHERE guild_id = ?1 AND user_id = ?2")?
                .query_map(params![g, u], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            for (period, points) in &totals {
                tx.prepare_cached(
                    "UPDATE score_counts SET users = users - 1 WHERE guild_id = ?1 AND period = ?2 AND points = ?3",
                )?
                .execute(params![g, period, points])?;
                tx.prepare_cached(
                    "UPDATE period_players SET players = players - 1 WHERE guild_id = ?1 AND period = ?2",
                )?
                .execute(params![g, period])?;
            }
            tx.prepare_cached("DELETE FROM score_counts WHERE guild_id = ?1 AND users <= 0")?
                .execute(params![g])?;
            tx.prepare_cached("DELETE FROM totals WHERE guild_id = ?1 AND user_id = ?2")?
                .execute(params![g, u])?;
            tx.prepare_cached("DELETE FROM streaks WHERE guild_id = ?1 AND user_id = ?2")?
                .execute(params![g, u])?;
            tx.prepare_cached("DELETE FROM members WHERE guild_id = ?1 AND user_id = ?2")?
                .execute(params![g, u])?;
            tx.commit()?;
            Ok(Removed {
                answers,
                competition_answers,
                totals: totals.len() as u64,
            })
        })?;
        self.names
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&(g, user.0));
        Ok(removed)
    }

    fn known_guilds(&self) -> Result<Vec<GuildId>, StoreError> {
        self.with(|c| {
            c.prepare_cached(
                "SELECT guild_id FROM guild_settings
                 UNION SELECT guild_id FROM members WHERE guild_id <> 0
                 UNION SELECT guild_id FROM totals
                 UNION SELECT guild_id FROM classes
                 EXCEPT SELECT guild_id FROM departed_guilds
                 ORDER BY 1",
            )?
            .query_map([], |r| Ok(GuildId(r.get::<_, i64>(0)? as u64)))?
            .collect()
        })
    }

    fn guild_left(&self, guild: GuildId, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.with(|c| {
            c.prepare_cached(
                "INSERT INTO departed_guilds (guild_id, left_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            )?
            .execute(params![guild.0 as i64, ts(at)])
            .map(|_| ())
        })
    }

    fn guild_returned(&self, guild: GuildId) -> Result<bool, StoreError> {
        self.with(|c| {
            c.prepare_cached("DELETE FROM departed_guilds WHERE guild_id = ?1")?
                .execute(params![guild.0 as i64])
                .map(|n| n > 0)
        })
    }

    fn guilds_left_before(&self, cutoff: DateTime<Utc>) -> Result<Vec<GuildId>, StoreError> {
        self.with(|c| {
            c.prepare_cached(
                "SELECT guild_id FROM departed_guilds WHERE left_at < ?1 ORDER BY guild_id",
            )?
            .query_map(params![ts(cutoff)], |r| {
                Ok(GuildId(r.get::<_, i64>(0)? as u64))
            })?
            .collect()
        })
    }

    fn delete_guild(&self, guild: GuildId) -> Result<u64, StoreError> {
        let g = guild.0 as i64;
        let deleted = self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut rows = 0;
            // Children first: what hangs off instances and competitions.
            for sql in [
                "DELETE FROM instance_tallies WHERE instance_id IN (SELECT id FROM instances WHERE guild_id = ?1)",
                "DELETE FROM answers WHERE guild_id = ?1 OR instance_id IN (SELECT id FROM instances WHERE guild_id = ?1)",
                "DELETE FROM instances WHERE guild_id = ?1",
                "DELETE FROM competition_answers WHERE competition_id IN (SELECT id FROM competitions WHERE guild_id = ?1)",
                "DELETE FROM competition_rounds WHERE competition_id IN (SELECT id FROM competitions WHERE guild_id = ?1)",
                "DELETE FROM competition_team_members WHERE competition_id IN (SELECT id FROM competitions WHERE guild_id = ?1)",
                "DELETE FROM competition_teams WHERE competition_id IN (SELECT id FROM competitions WHERE guild_id = ?1)",
                "DELETE FROM competitions WHERE guild_id = ?1",
                "DELETE FROM totals WHERE guild_id = ?1",
                "DELETE FROM period_players WHERE guild_id = ?1",
                "DELETE FROM score_counts WHERE guild_id = ?1",
                "DELETE FROM streaks WHERE guild_id = ?1",
                "DELETE FROM seasons WHERE guild_id = ?1",
                "DELETE FROM class_seasons WHERE guild_id = ?1",
                "DELETE FROM daily_posts WHERE guild_id = ?1",
                "DELETE FROM classes WHERE guild_id = ?1",
                "DELETE FROM members WHERE guild_id = ?1",
                "DELETE FROM reports WHERE guild_id = ?1",
                "DELETE FROM disabled_questions WHERE guild_id = ?1",
                // Cards of its uploaded packs' questions (review::card_key).
                "DELETE FROM review_cards WHERE question LIKE '%@' || ?1",
                "DELETE FROM uploaded_packs WHERE guild_id = ?1",
                "DELETE FROM packs_turned_off WHERE guild_id = ?1",
                "DELETE FROM pack_revisions WHERE guild_id = ?1",
                "DELETE FROM guild_settings WHERE guild_id = ?1",
                "DELETE FROM departed_guilds WHERE guild_id = ?1",
            ] {
                rows += tx.prepare_cached(sql)?.execute(params![g])? as u64;
            }
            tx.commit()?;
            Ok(rows)
        })?;
        self.names
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|(g2, _), _| *g2 != g);
        Ok(deleted)
    }
}
