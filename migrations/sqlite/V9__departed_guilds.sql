-- Guilds that removed the bot, and when: their data is deleted after the
-- grace period unless the bot is added back first.
CREATE TABLE departed_guilds (
    guild_id INTEGER PRIMARY KEY,
    left_at  TEXT NOT NULL
);
