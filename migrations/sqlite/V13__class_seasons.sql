-- A class's own seasons (`/season start class:10A`). A class without a
-- running season of its own follows the server's (`seasons`, untouched).
-- Their boards are the class's periods `class:CLASS/class-season:ID`, kept
-- in `totals` like every other board. At most one open season per class.
CREATE TABLE class_seasons (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id   INTEGER NOT NULL,
    class_id   INTEGER NOT NULL,
    name       TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at   TEXT
);
CREATE UNIQUE INDEX class_seasons_one_open ON class_seasons (guild_id, class_id) WHERE ended_at IS NULL;
