-- Classes: several classes in one server, each with its own channel, daily
-- question, time and leaderboard. Settings a class leaves NULL (or empty)
-- fall back to the server's; lists are comma-separated text.
CREATE TABLE classes (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id        INTEGER NOT NULL,
    name            TEXT NOT NULL,
    -- How names are compared (classes::name_key): unique in a server.
    name_key        TEXT NOT NULL,
    channel_id      INTEGER NOT NULL,
    role_id         INTEGER,
    teacher_role_id INTEGER,
    post_time       TEXT,
    timezone        TEXT,
    post_days       TEXT,
    paused          TEXT NOT NULL DEFAULT '',
    packs           TEXT NOT NULL DEFAULT '',
    tags            TEXT NOT NULL DEFAULT '',
    ping_role_id    INTEGER,
    UNIQUE (guild_id, name_key),
    UNIQUE (guild_id, channel_id)
);
-- A daily question and a daily post belong to a class; 0 is the daily
-- question of a server without classes.
ALTER TABLE instances ADD COLUMN class_id INTEGER NOT NULL DEFAULT 0;
DROP INDEX instances_one_daily;
CREATE UNIQUE INDEX instances_one_daily ON instances (guild_id, class_id, day) WHERE kind = 'daily';
CREATE TABLE daily_posts_by_class (
    guild_id   INTEGER NOT NULL,
    class_id   INTEGER NOT NULL,
    day        TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    message_id INTEGER,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, class_id, day)
) WITHOUT ROWID;
INSERT INTO daily_posts_by_class SELECT guild_id, 0, day, nonce, message_id, updated_at FROM daily_posts;
DROP TABLE daily_posts;
ALTER TABLE daily_posts_by_class RENAME TO daily_posts;
-- Every server that posts a daily question becomes one class, `main`, bound
-- to its daily channel, with nothing of its own set (so it keeps the
-- server's time, zone, days and mention): its daily questions, posts and
-- leaderboards become the class's, and the server's boards stay as they were.
INSERT INTO classes (guild_id, name, name_key, channel_id)
    SELECT guild_id, 'main', 'main', channel_id FROM guild_settings WHERE channel_id IS NOT NULL;
UPDATE instances SET class_id = (SELECT c.id FROM classes c WHERE c.guild_id = instances.guild_id)
    WHERE kind = 'daily' AND guild_id IN (SELECT guild_id FROM classes);
UPDATE daily_posts SET class_id = (SELECT c.id FROM classes c WHERE c.guild_id = daily_posts.guild_id)
    WHERE guild_id IN (SELECT guild_id FROM classes);
INSERT INTO totals (guild_id, period, user_id, points, answered, correct)
    SELECT t.guild_id, 'class:' || c.id || '/' || t.period, t.user_id, t.points, t.answered, t.correct
    FROM totals t JOIN classes c ON c.guild_id = t.guild_id;
INSERT INTO period_players (guild_id, period, players)
    SELECT p.guild_id, 'class:' || c.id || '/' || p.period, p.players
    FROM period_players p JOIN classes c ON c.guild_id = p.guild_id;
INSERT INTO score_counts (guild_id, period, points, users)
    SELECT s.guild_id, 'class:' || c.id || '/' || s.period, s.points, s.users
    FROM score_counts s JOIN classes c ON c.guild_id = s.guild_id;
-- The class now holds the channel.
UPDATE guild_settings SET channel_id = NULL WHERE guild_id IN (SELECT guild_id FROM classes);
