-- Packs teachers uploaded, per guild, as the TOML text they sent; the packs
-- whose questions a guild turned off; and a revision per guild that every
-- change bumps, so each bot process can tell its copy is stale.
CREATE TABLE uploaded_packs (
    guild_id    INTEGER NOT NULL,
    pack_id     TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    text        TEXT NOT NULL,
    items       INTEGER NOT NULL,
    uploaded_by INTEGER NOT NULL,
    uploaded_at TEXT NOT NULL,
    UNIQUE (guild_id, pack_id)
);
CREATE TABLE packs_turned_off (
    guild_id INTEGER NOT NULL,
    pack_id  TEXT NOT NULL,
    PRIMARY KEY (guild_id, pack_id)
) WITHOUT ROWID;
CREATE TABLE pack_revisions (
    guild_id INTEGER PRIMARY KEY,
    revision INTEGER NOT NULL
);
