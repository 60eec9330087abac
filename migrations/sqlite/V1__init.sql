CREATE TABLE guild_settings (
    guild_id        INTEGER PRIMARY KEY,
    timezone        TEXT,
    channel_id      INTEGER,
    post_time       TEXT,
    post_days       TEXT,
    ping_role_id    INTEGER,
    teacher_role_id INTEGER,
    updated_at      TEXT NOT NULL
);
-- Display names as last seen, per guild (0 = direct messages).
CREATE TABLE members (
    guild_id     INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    display_name TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
) WITHOUT ROWID;
CREATE TABLE instances (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL CHECK (kind IN ('daily', 'practice')),
    guild_id     INTEGER,
    owner_id     INTEGER,
    day          TEXT,
    question     TEXT NOT NULL,
    option_order TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX instances_one_daily ON instances (guild_id, day) WHERE kind = 'daily';
CREATE TABLE answers (
    id             INTEGER PRIMARY KEY,
    instance_id    INTEGER NOT NULL REFERENCES instances (id),
    guild_id       INTEGER,
    user_id        INTEGER NOT NULL,
    interaction_id INTEGER NOT NULL UNIQUE,
    question       TEXT NOT NULL,
    answer         TEXT NOT NULL,
    correct        INTEGER NOT NULL,
    points         INTEGER NOT NULL,
    answered_at    TEXT NOT NULL,
    UNIQUE (instance_id, user_id)
);
CREATE INDEX answers_by_user ON answers (user_id, guild_id);
-- Running totals per leaderboard period ('all', 'season:ID', 'week:YYYY-Www'),
-- so a leaderboard is an index scan, never a sum over answers.
CREATE TABLE totals (
    guild_id INTEGER NOT NULL,
    period   TEXT NOT NULL,
    user_id  INTEGER NOT NULL,
    points   INTEGER NOT NULL,
    answered INTEGER NOT NULL,
    correct  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, period, user_id)
) WITHOUT ROWID;
CREATE INDEX totals_rank ON totals (guild_id, period, points DESC, answered, user_id);
CREATE TABLE streaks (
    guild_id INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    current  INTEGER NOT NULL,
    best     INTEGER NOT NULL,
    last_day TEXT,
    PRIMARY KEY (guild_id, user_id)
) WITHOUT ROWID;
CREATE TABLE seasons (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id   INTEGER NOT NULL,
    name       TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at   TEXT
);
CREATE UNIQUE INDEX seasons_one_open ON seasons (guild_id) WHERE ended_at IS NULL;
