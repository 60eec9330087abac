-- Students' reports of problems with questions, and the questions teachers
-- have disabled in their server.
CREATE TABLE reports (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    question    TEXT NOT NULL,
    text        TEXT NOT NULL,
    reported_at TEXT NOT NULL
);
CREATE INDEX reports_by_guild ON reports (guild_id, id);
CREATE TABLE disabled_questions (
    guild_id    INTEGER NOT NULL,
    question    TEXT NOT NULL,
    disabled_by INTEGER NOT NULL,
    disabled_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, question)
) WITHOUT ROWID;
