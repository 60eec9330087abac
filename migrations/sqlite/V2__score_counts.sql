-- How many students have a total in each period, and how many sit on each
-- points value: a leaderboard's player count and a caller's rank then cost a
-- few index lookups instead of a count over every student.
CREATE TABLE period_players (
    guild_id INTEGER NOT NULL,
    period   TEXT NOT NULL,
    players  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, period)
) WITHOUT ROWID;
INSERT INTO period_players SELECT guild_id, period, count(*) FROM totals GROUP BY guild_id, period;
CREATE TABLE score_counts (
    guild_id INTEGER NOT NULL,
    period   TEXT NOT NULL,
    points   INTEGER NOT NULL,
    users    INTEGER NOT NULL,
    PRIMARY KEY (guild_id, period, points)
) WITHOUT ROWID;
INSERT INTO score_counts SELECT guild_id, period, points, count(*) FROM totals GROUP BY guild_id, period, points;
