-- Answered and correct counts per question instance, kept up to date with
-- each answer in the same transaction, so the tally shown under a daily
-- question is one row read however many students have answered.
CREATE TABLE instance_tallies (
    instance_id INTEGER PRIMARY KEY,
    answered    INTEGER NOT NULL,
    correct     INTEGER NOT NULL
);
INSERT INTO instance_tallies
    SELECT instance_id, count(*), coalesce(sum(correct), 0) FROM answers GROUP BY instance_id;
