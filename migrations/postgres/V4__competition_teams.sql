-- Team competitions: how a competition's players are put in teams ('' for
-- everyone for themselves, 'class', 'role', 'random'), the teams drawn when
-- it started and who is in each (players who joined later included), so a
-- restart plays on with the same teams. A player is in one team.
ALTER TABLE competitions ADD COLUMN team_mode TEXT NOT NULL DEFAULT '';
CREATE TABLE competition_teams (
    competition_id BIGINT NOT NULL REFERENCES competitions (id),
    team           BIGINT NOT NULL,
    name           BYTEA NOT NULL,
    -- The class or role the team stands for; NULL for a random team.
    team_key       BIGINT,
    PRIMARY KEY (competition_id, team)
);
CREATE TABLE competition_team_members (
    competition_id BIGINT NOT NULL,
    user_id        BIGINT NOT NULL,
    team           BIGINT NOT NULL,
    -- The order players were put in teams (drawn first, late joiners after).
    position       BIGINT NOT NULL,
    PRIMARY KEY (competition_id, user_id)
);
CREATE INDEX competition_team_members_by_user ON competition_team_members (user_id);
