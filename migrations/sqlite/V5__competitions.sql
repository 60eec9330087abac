-- Group quiz competitions: one running per channel; rounds chosen up front
-- and opened one by one; each answer once per student and round. Points
-- also go to the guild's totals, in the same transaction.
CREATE TABLE competitions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id   INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    starter_id INTEGER NOT NULL,
    seconds    INTEGER NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('running', 'finished', 'stopped')),
    created_at TEXT NOT NULL,
    ended_at   TEXT
);
CREATE UNIQUE INDEX competitions_one_per_channel ON competitions (channel_id) WHERE status = 'running';
CREATE TABLE competition_rounds (
    competition_id INTEGER NOT NULL REFERENCES competitions (id),
    round          INTEGER NOT NULL,
    question       TEXT NOT NULL,
    option_order   TEXT NOT NULL,
    opened_at      TEXT,
    closes_at      TEXT,
    closed         INTEGER NOT NULL DEFAULT 0,
    message_id     INTEGER,
    PRIMARY KEY (competition_id, round)
) WITHOUT ROWID;
CREATE TABLE competition_answers (
    competition_id INTEGER NOT NULL,
    round          INTEGER NOT NULL,
    user_id        INTEGER NOT NULL,
    interaction_id INTEGER NOT NULL UNIQUE,
    answer         TEXT NOT NULL,
    correct        INTEGER NOT NULL,
    points         INTEGER NOT NULL,
    millis         INTEGER NOT NULL,
    answered_at    TEXT NOT NULL,
    PRIMARY KEY (competition_id, round, user_id)
);
ALTER TABLE guild_settings ADD COLUMN competitions_teachers_only INTEGER NOT NULL DEFAULT 0;
