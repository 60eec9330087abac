-- Spaced review (FSRS): one card per student and question, across servers.
CREATE TABLE review_cards (
    user_id        INTEGER NOT NULL,
    question       TEXT NOT NULL,
    due            TEXT NOT NULL,
    stability      REAL NOT NULL,
    difficulty     REAL NOT NULL,
    elapsed_days   INTEGER NOT NULL,
    scheduled_days INTEGER NOT NULL,
    reps           INTEGER NOT NULL,
    lapses         INTEGER NOT NULL,
    state          INTEGER NOT NULL,
    last_review    TEXT NOT NULL,
    PRIMARY KEY (user_id, question)
) WITHOUT ROWID;
CREATE INDEX review_cards_due ON review_cards (user_id, due);
