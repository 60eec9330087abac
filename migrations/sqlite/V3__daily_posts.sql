-- One row per guild and day: claimed before the daily post is sent, marked
-- sent with the message id after, so a restart or a timeout never posts twice.
CREATE TABLE daily_posts (
    guild_id   INTEGER NOT NULL,
    day        TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    message_id INTEGER,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, day)
) WITHOUT ROWID;
-- Why the last daily post failed (missing channel or permission), for teachers.
ALTER TABLE guild_settings ADD COLUMN post_problem TEXT;
