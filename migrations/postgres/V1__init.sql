CREATE TABLE guild_settings (
    guild_id                   BIGINT PRIMARY KEY,
    timezone                   TEXT,
    channel_id                 BIGINT,
    post_time                  TEXT,
    -- Weekdays, Monday = 0; NULL means every day.
    post_days                  SMALLINT[],
    ping_role_id               BIGINT,
    teacher_role_id            BIGINT,
    competitions_teachers_only BOOLEAN NOT NULL DEFAULT FALSE,
    -- Why the last daily post failed (missing channel or permission), for teachers.
    post_problem               TEXT,
    updated_at                 TIMESTAMPTZ NOT NULL
);
-- Text that people type (display names, answers, report texts, season and
-- file names) is BYTEA holding its UTF-8: TEXT cannot hold U+0000, which
-- SQLite keeps and a student can type.
--
-- Display names as last seen, per guild (0 = direct messages).
CREATE TABLE members (
    guild_id     BIGINT NOT NULL,
    user_id      BIGINT NOT NULL,
    display_name BYTEA NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);
CREATE INDEX members_by_user ON members (user_id);
CREATE TABLE instances (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('daily', 'practice')),
    guild_id     BIGINT,
    owner_id     BIGINT,
    day          DATE,
    question     TEXT COLLATE "C" NOT NULL,
    option_order BIGINT[] NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX instances_one_daily ON instances (guild_id, day) WHERE kind = 'daily';
CREATE TABLE answers (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    instance_id    BIGINT NOT NULL REFERENCES instances (id),
    guild_id       BIGINT,
    user_id        BIGINT NOT NULL,
    interaction_id BIGINT NOT NULL UNIQUE,
    question       TEXT COLLATE "C" NOT NULL,
    answer         BYTEA NOT NULL,
    correct        BOOLEAN NOT NULL,
    points         BIGINT NOT NULL,
    answered_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (instance_id, user_id)
);
CREATE INDEX answers_by_user ON answers (user_id, guild_id);
CREATE INDEX answers_by_guild ON answers (guild_id, answered_at);
-- Answered and correct counts per question instance, kept with each answer,
-- so the tally under a daily question is one row read.
CREATE TABLE instance_tallies (
    instance_id BIGINT PRIMARY KEY,
    answered    BIGINT NOT NULL,
    correct     BIGINT NOT NULL
);
-- Running totals per leaderboard period ('all', 'season:ID', 'week:YYYY-Www'),
-- so a leaderboard is an index scan, never a sum over answers.
CREATE TABLE totals (
    guild_id BIGINT NOT NULL,
    period   TEXT COLLATE "C" NOT NULL,
    user_id  BIGINT NOT NULL,
    points   BIGINT NOT NULL,
    answered BIGINT NOT NULL,
    correct  BIGINT NOT NULL,
    PRIMARY KEY (guild_id, period, user_id)
);
CREATE INDEX totals_rank ON totals (guild_id, period, points DESC, answered, user_id);
CREATE INDEX totals_by_user ON totals (user_id);
-- How many students have a total in each period, and how many sit on each
-- points value: a player count and a caller's rank cost a few index lookups.
CREATE TABLE period_players (
    guild_id BIGINT NOT NULL,
    period   TEXT COLLATE "C" NOT NULL,
    players  BIGINT NOT NULL,
    PRIMARY KEY (guild_id, period)
);
CREATE TABLE score_counts (
    guild_id BIGINT NOT NULL,
    period   TEXT COLLATE "C" NOT NULL,
    points   BIGINT NOT NULL,
    users    BIGINT NOT NULL,
    PRIMARY KEY (guild_id, period, points)
);
CREATE TABLE streaks (
    guild_id BIGINT NOT NULL,
    user_id  BIGINT NOT NULL,
    current  BIGINT NOT NULL,
    best     BIGINT NOT NULL,
    last_day DATE,
    PRIMARY KEY (guild_id, user_id)
);
CREATE TABLE seasons (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    guild_id   BIGINT NOT NULL,
    name       BYTEA NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    ended_at   TIMESTAMPTZ
);
CREATE UNIQUE INDEX seasons_one_open ON seasons (guild_id) WHERE ended_at IS NULL;
-- One row per guild and day: claimed before the daily post is sent, marked
-- sent with the message id after, so no process posts it twice.
CREATE TABLE daily_posts (
    guild_id   BIGINT NOT NULL,
    day        DATE NOT NULL,
    nonce      TEXT NOT NULL,
    message_id BIGINT,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (guild_id, day)
);
-- Group quiz competitions: one running per channel; rounds chosen up front.
CREATE TABLE competitions (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    guild_id   BIGINT NOT NULL,
    channel_id BIGINT NOT NULL,
    starter_id BIGINT NOT NULL,
    seconds    BIGINT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('running', 'finished', 'stopped')),
    created_at TIMESTAMPTZ NOT NULL,
    ended_at   TIMESTAMPTZ
);
CREATE UNIQUE INDEX competitions_one_per_channel ON competitions (channel_id) WHERE status = 'running';
CREATE INDEX competitions_by_guild ON competitions (guild_id);
CREATE TABLE competition_rounds (
    competition_id BIGINT NOT NULL REFERENCES competitions (id),
    round          BIGINT NOT NULL,
    question       TEXT COLLATE "C" NOT NULL,
    option_order   BIGINT[] NOT NULL,
    opened_at      TIMESTAMPTZ,
    closes_at      TIMESTAMPTZ,
    closed         BOOLEAN NOT NULL DEFAULT FALSE,
    message_id     BIGINT,
    PRIMARY KEY (competition_id, round)
);
CREATE TABLE competition_answers (
    competition_id BIGINT NOT NULL,
    round          BIGINT NOT NULL,
    user_id        BIGINT NOT NULL,
    interaction_id BIGINT NOT NULL UNIQUE,
    answer         BYTEA NOT NULL,
    correct        BOOLEAN NOT NULL,
    points         BIGINT NOT NULL,
    millis         BIGINT NOT NULL,
    answered_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (competition_id, round, user_id)
);
CREATE INDEX competition_answers_by_user ON competition_answers (user_id);
-- Spaced review (FSRS): one card per student and question, across servers.
CREATE TABLE review_cards (
    user_id        BIGINT NOT NULL,
    question       TEXT COLLATE "C" NOT NULL,
    due            TIMESTAMPTZ NOT NULL,
    stability      DOUBLE PRECISION NOT NULL,
    difficulty     DOUBLE PRECISION NOT NULL,
    elapsed_days   BIGINT NOT NULL,
    scheduled_days BIGINT NOT NULL,
    reps           INTEGER NOT NULL,
    lapses         INTEGER NOT NULL,
    state          SMALLINT NOT NULL,
    last_review    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, question)
);
CREATE INDEX review_cards_due ON review_cards (user_id, due);
-- Students' reports of problems with questions, and the questions teachers
-- have disabled in their server.
CREATE TABLE reports (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    guild_id    BIGINT NOT NULL,
    user_id     BIGINT NOT NULL,
    question    TEXT COLLATE "C" NOT NULL,
    text        BYTEA NOT NULL,
    reported_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX reports_by_guild ON reports (guild_id, id);
CREATE TABLE disabled_questions (
    guild_id    BIGINT NOT NULL,
    question    TEXT COLLATE "C" NOT NULL,
    disabled_by BIGINT NOT NULL,
    disabled_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (guild_id, question)
);
-- Packs teachers uploaded (the TOML text they sent; `id` keeps the upload
-- order), the packs a guild turned off, and a revision per guild that every
-- change bumps, so each bot process can tell its copy is stale.
CREATE TABLE uploaded_packs (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    guild_id    BIGINT NOT NULL,
    pack_id     TEXT NOT NULL,
    file_name   BYTEA NOT NULL,
    text        TEXT NOT NULL,
    items       BIGINT NOT NULL,
    uploaded_by BIGINT NOT NULL,
    uploaded_at TIMESTAMPTZ NOT NULL,
    UNIQUE (guild_id, pack_id)
);
CREATE TABLE packs_turned_off (
    guild_id BIGINT NOT NULL,
    pack_id  TEXT NOT NULL,
    PRIMARY KEY (guild_id, pack_id)
);
CREATE TABLE pack_revisions (
    guild_id BIGINT PRIMARY KEY,
    revision BIGINT NOT NULL
);
-- Guilds that removed the bot, and when: their data is deleted after the
-- grace period unless the bot is added back first.
CREATE TABLE departed_guilds (
    guild_id BIGINT PRIMARY KEY,
    left_at  TIMESTAMPTZ NOT NULL
);
