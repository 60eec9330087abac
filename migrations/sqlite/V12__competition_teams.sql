-- Team competitions: how a competition's players are put in teams ('' for
-- everyone for themselves, 'class', 'role', 'random'), the teams drawn when
-- it started and who is in each (players who joined later included), so a
-- restart plays on with the same teams. A player is in one team.
ALTER TABLE competitions ADD COLUMN team_mode TEXT NOT NULL DEFAULT '';
CREATE TABLE competition_teams (
    competition_id INTEGER NOT NULL REFERENCES competitions (id),
    team           INTEGER NOT NULL,
    name           TEXT NOT NULL,
    -- The class or role the team stands for; NULL for a random team.
    team_key       INTEGER,
    PRIMARY KEY (competition_id, team)
) WITHOUT ROWID;
CREATE TABLE competition_team_members (
    competition_id INTEGER NOT NULL,
    user_id        INTEGER NOT NULL,
    team           INTEGER NOT NULL,
    -- The order players were put in teams (drawn first, late joiners after).
    position       INTEGER NOT NULL,
    PRIMARY KEY (competition_id, user_id)
) WITHOUT ROWID;
