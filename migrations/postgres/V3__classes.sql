-- Classes: several classes in one server, each with its own channel, daily
-- question, time and leaderboard. Settings a class leaves NULL (or empty)
-- fall back to the server's; lists are comma-separated text.
CREATE TABLE classes (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    guild_id        BIGINT NOT NULL,
    name            BYTEA NOT NULL,
    -- How names are compared (classes::name_key): unique in a server.
    name_key        BYTEA NOT NULL,
    channel_id      BIGINT NOT NULL,
    role_id         BIGINT,
    teacher_role_id BIGINT,
    post_time       TEXT,
    timezone        TEXT,
    post_days       TEXT,
    paused          TEXT NOT NULL DEFAULT '',
    packs           TEXT NOT NULL DEFAULT '',
    tags            TEXT NOT NULL DEFAULT '',
    ping_role_id    BIGINT,
    UNIQUE (guild_id, name_key),
    UNIQUE (guild_id, channel_id)
);
-- A daily question and a daily post belong to a class; 0 is the daily
-- question of a server without classes.
ALTER TABLE instances ADD COLUMN class_id BIGINT NOT NULL DEFAULT 0;
DROP INDEX instances_one_daily;
CREATE UNIQUE INDEX instances_one_daily ON instances (guild_id, class_id, day) WHERE kind = 'daily';
ALTER TABLE daily_posts ADD COLUMN class_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE daily_posts DROP CONSTRAINT daily_posts_pkey;
ALTER TABLE daily_posts ADD PRIMARY KEY (guild_id, class_id, day);
-- Every server that posts a daily question becomes one class, `main`, bound
-- to its daily channel, with nothing of its own set (so it keeps the
-- server's time, zone, days and mention): its daily questions, posts and
-- leaderboards become the class's, and the server's boards stay as they were.
INSERT INTO classes (guild_id, name, name_key, channel_id)
    SELECT guild_id, convert_to('main', 'UTF8'), convert_to('main', 'UTF8'), channel_id
    FROM guild_settings WHERE channel_id IS NOT NULL ORDER BY guild_id;
UPDATE instances i SET class_id = c.id FROM classes c
    WHERE i.kind = 'daily' AND c.guild_id = i.guild_id;
UPDATE daily_posts p SET class_id = c.id FROM classes c WHERE c.guild_id = p.guild_id;
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
