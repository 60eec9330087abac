//! `studybot check` through the real binary: the bundled content passes, and
//! a copy broken in several ways reports each error at its exact place.

mod common;
use common::*;

#[test]
fn bundled_content_passes_with_json_summary() {
    let out = studybot(&repo(), &["check", "--json"]);
    assert!(out.status.success(), "check failed:\n{}", stderr(&out));
    // No warning either: in particular no length giveaway in multiple choice.
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    let summary: serde_json::Value =
        serde_json::from_str(stdout(&out).trim()).expect("one JSON object");
    for key in ["packs", "events", "entries", "questions", "sources"] {
        assert!(summary[key].is_u64(), "{key} missing in {summary}");
    }
    assert!(summary["packs"].as_u64().unwrap() >= 1);
    let kinds = &summary["questions_by_kind"];
    let mut total = 0;
    for kind in ["multiple_choice", "true_false", "numeric", "free_text"] {
        total += kinds[kind]
            .as_u64()
            .unwrap_or_else(|| panic!("{kind} missing"));
    }
    assert_eq!(total, summary["questions"].as_u64().unwrap());
}

const BROKEN: &str = r#"# Broken on purpose by the test; read after every other file of the pack.
[[events]]
id = "never-happened"
date = "1937-02-30"
title = "A day that never was"
description = "February 1937 had 28 days."
sources = ["conquest"]

[[entries]]
id = "troika"
kind = "term"
name = "Second troika"
definition = "A duplicate."
explanation = "It repeats an id."
sources = ["conquest"]

[[entries]]
id = "dangling"
kind = "term"
name = "Dangling reference"
definition = "Points nowhere."
explanation = "Its related entry does not exist."
related = ["no-such-entry"]
sources = ["conquest"]

[[events]]
id = "misspelt-key"
date = "1937"
title = "An event with a typo in a key"
descripton = "The key above is misspelt."
sources = ["conquest"]
"#;

#[test]
fn broken_copy_reports_every_error_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_tree(&bundled_content(), &content);
    let pack = content.join("great-purge");
    std::fs::write(pack.join("zz-broken.toml"), BROKEN).unwrap();
    std::fs::write(pack.join("zz-syntax.toml"), "[[questions]\nid = \"q\"\n").unwrap();

    let out = studybot(dir.path(), &["check", "--content", "content"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "", "nothing on stdout when content is broken");
    let errors: Vec<String> = stderr(&out)
        .lines()
        .filter(|l| l.starts_with("content/"))
        .filter(|l| !l.contains(": warning: "))
        .map(String::from)
        .collect();
    let expected = [
        "content/great-purge/zz-broken.toml:4:8: 30 February 1937 does not exist (February 1937 has 28 days)",
        "content/great-purge/zz-broken.toml:10:6: duplicate id `troika`: already used by an entry in content/great-purge/",
        "content/great-purge/zz-broken.toml:23:12: `related` names `no-such-entry`, but this pack has no entry or event with that id",
        "content/great-purge/zz-broken.toml:30:1: unknown field `descripton`, expected one of",
        "content/great-purge/zz-syntax.toml:1:13: unclosed array table, expected `]`",
    ];
    for prefix in expected {
        assert!(
            errors.iter().any(|e| e.starts_with(prefix)),
            "no error starting with\n  {prefix}\nin\n  {}",
            errors.join("\n  ")
        );
    }
    assert_eq!(
        errors.len(),
        expected.len(),
        "unexpected extra errors:\n{}",
        errors.join("\n")
    );
    assert!(stderr(&out).contains("5 errors found"));
}

#[test]
fn check_of_a_missing_folder_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let out = studybot(dir.path(), &["check", "--content", "nowhere", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let looked_for = dir.path().canonicalize().unwrap().join("nowhere");
    assert!(
        stderr(&out).contains(&format!(
            "nowhere: no such file or folder (looked for {}); name your content with --content DIR",
            looked_for.display()
        )),
        "{}",
        stderr(&out)
    );
    // --json: the errors as one document on stdout (issue #20, 6).
    let json: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(json["errors"][0]["path"], "nowhere");
    assert_eq!(json["errors"][0]["line"], 0);
}

/// A pack of one entry with a misconception, a working file kept as
/// provenance and a published source; `extra` is appended as it is.
fn mistakes_pack(extra: &str) -> String {
    format!(
        r#"[pack]
id = "mistakes"
title = "Mistakes"
description = "A pack for the checker's tests."

[[sources]]
id = "class-notes"
kind = "notes"
title = "Class notes of 3B"
internal = true

[[sources]]
id = "reese"
kind = "book"
title = "Roger R. Reese, Stalin's Reluctant Soldiers (1996)"

[[entries]]
id = "army-purge"
kind = "event"
name = "Army purge"
definition = "The purge of the Red Army's officers in 1937-38."
explanation = "It began with the secret trial of Marshal Tukhachevsky."
sources = ["reese"]
provenance = ["class-notes"]

[[entries.misconceptions]]
claim = "35,000 officers were shot."
correction = "About 35,000 officers were discharged; a minority were shot."
sources = ["reese"]
{extra}"#
    )
}

#[test]
fn explain_shows_a_common_mistake_with_its_correction_and_source() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pack.toml"), mistakes_pack("")).unwrap();
    let out = studybot(
        dir.path(),
        &[
            "ask",
            "--content",
            "pack.toml",
            "--json",
            "explain",
            "army purge",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let reply: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(reply["title"], "Army purge");
    let mistakes: Vec<&serde_json::Value> = reply["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["name"] == "Common mistake")
        .collect();
    assert_eq!(mistakes.len(), 1, "{reply}");
    assert_eq!(
        mistakes[0]["value"],
        "**Claim:** 35,000 officers were shot.\n**In fact:** About 35,000 officers were discharged; a minority were shot.\n*Source: Roger R. Reese, Stalin's Reluctant Soldiers (1996)*"
    );
    // The working file is provenance: never shown.
    assert_eq!(
        reply["footer"],
        "Sources: Roger R. Reese, Stalin's Reluctant Soldiers (1996)"
    );
    assert!(!reply.to_string().contains("Class notes"), "{reply}");
}

#[test]
fn misconceptions_and_provenance_are_checked_like_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let extra = r#"
[[entries.misconceptions]]
claim = "Half of all officers were shot."
corection = "A typo in a key."
sources = ["reese"]

[[entries]]
id = "tukhachevsky"
kind = "person"
name = "Mikhail Tukhachevsky"
definition = "Marshal of the Soviet Union, shot in June 1937."
explanation = "He was convicted in a secret trial on 11 June 1937."
sources = ["class-notes"]
provenance = ["lost-notes"]

[[entries.misconceptions]]
claim = "Forged German papers brought him down."
correction = "The case was built on confessions forced under torture."
sources = ["nowhere"]
"#;
    std::fs::write(dir.path().join("pack.toml"), mistakes_pack(extra)).unwrap();
    let out = studybot(dir.path(), &["check", "--content", "pack.toml"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let printed = stderr(&out);
    let errors: Vec<&str> = printed
        .lines()
        .filter(|l| l.starts_with("pack.toml:"))
        .collect();
    assert_eq!(
        errors,
        [
            "pack.toml:33:1: unknown field `corection`, expected one of `claim`, `correction`, `sources`",
            "pack.toml:42:12: `sources` names `class-notes`, an internal source that students never see: move it to `provenance` and cite the published work or document the fact rests on",
            "pack.toml:43:15: `provenance` names `lost-notes`, but this pack has no source with that id",
            "pack.toml:48:12: `sources` names `nowhere`, but this pack has no source with that id",
        ],
        "{printed}"
    );
}

/// Eight multiple-choice questions whose right answer is always the
/// longest option: about two would be by chance.
fn giveaway_questions() -> String {
    (1..=8)
        .map(|i| {
            format!(
                r#"
[[questions]]
id = "q{i}"
kind = "multiple_choice"
difficulty = "easy"
prompt = "Which is right ({i})?"
options = ["No", "Nor", "Not so", "The right answer"]
answer = "The right answer"
explanation = "The longest is right."
sources = ["reese"]
"#
            )
        })
        .collect()
}

#[test]
fn check_warns_when_correct_options_are_the_longest_too_often() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pack.toml"),
        mistakes_pack(&giveaway_questions()),
    )
    .unwrap();
    let out = studybot(dir.path(), &["check", "--content", "pack.toml"]);
    assert!(out.status.success(), "a warning only: {}", stderr(&out));
    let printed = stderr(&out);
    let warnings: Vec<&str> = printed
        .lines()
        .filter(|l| l.contains(": warning: "))
        .collect();
    assert_eq!(warnings.len(), 9, "{printed}");
    assert_eq!(
        warnings[0],
        "pack.toml:2:6: warning: the correct option is the longest in 8 of 8 multiple-choice questions (about 2 by chance), so students can guess by length; rewrite some of: q1, q2, q3, q4, q5, q6, q7, q8"
    );
    // Each question at its `answer` (the first question's is on line 37, each ten lines after).
    assert_eq!(
        warnings[1],
        "pack.toml:37:10: warning: the correct option of `q1` is the longest: a length giveaway"
    );
    assert!(warnings[8].starts_with("pack.toml:107:10: warning: the correct option of `q8`"));

    // Right answers of varied lengths: silent.
    let varied =
        giveaway_questions().replacen("answer = \"The right answer\"", "answer = \"No\"", 6);
    std::fs::write(dir.path().join("pack.toml"), mistakes_pack(&varied)).unwrap();
    let out = studybot(dir.path(), &["check", "--content", "pack.toml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
}

/// Issue #20, 7: a file that does not parse is one error, not one more for
/// every reference into it (the bundled pack's events file broken by one
/// character gave 351 errors).
#[test]
fn a_file_that_does_not_parse_is_one_error() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_tree(&bundled_content(), &content);
    let events = content.join("great-purge/events.toml");
    let text = std::fs::read_to_string(&events).unwrap();
    // Drop the closing quote of the first event's title.
    let at = text.find("title = \"").unwrap();
    let line_end = at + text[at..].find('\n').unwrap();
    let broken = format!("{}{}", &text[..line_end - 1], &text[line_end..]);
    std::fs::write(&events, broken).unwrap();
    let line = text[..at].matches('\n').count() + 1;
    let out = studybot(dir.path(), &["check", "--content", "content", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    let errors = json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{}", stderr(&out));
    assert_eq!(errors[0]["path"], "content/great-purge/events.toml");
    assert_eq!(errors[0]["line"], line);
    assert!(stderr(&out).contains("studybot check: 1 error found"));
}

#[test]
fn student_facing_texts_never_name_working_files() {
    let dir = tempfile::tempdir().unwrap();
    let extra = r#"
[[events]]
id = "army-purge-begins"
date = "1937-05"
title = "The army purge begins"
description = "Tukhachevsky is arrested (class-notes give the wrong month)."
sources = ["reese"]

[[questions]]
id = "q-officers"
kind = "true_false"
difficulty = "easy"
prompt = "All 35,000 officers discharged in 1937-38 were shot."
answer = false
explanation = "About a third were reinstated by 1940, whatever the Revision Notes say."
sources = ["reese"]
provenance = ["class-notes"]
"#;
    std::fs::write(dir.path().join("pack.toml"), mistakes_pack(extra)).unwrap();
    let out = studybot(dir.path(), &["check", "--content", "pack.toml"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let printed = stderr(&out);
    let errors: Vec<&str> = printed
        .lines()
        .filter(|l| l.starts_with("pack.toml:"))
        .collect();
    assert_eq!(
        errors,
        [
            "pack.toml:35:42: `description` names the internal source `class-notes`: students never see our working files; cite a published work or document in `sources` and keep `class-notes` under `provenance`",
            "pack.toml:44:68: `explanation` refers to \"revision notes\": students never see our working files; say who gives the claim (a historian, a document) or make it a misconception with its correction",
        ],
        "{printed}"
    );
    // The internal source's own title may say what it is: it is never shown.
    assert!(!printed.contains("Class notes of 3B"), "{printed}");
}

/// The bundled pack is built into the binary: from a folder with no
/// `content/` (as after `cargo install`), lookups answer and `check` checks
/// the built-in copy, which is the repository's `content/`.
#[test]
fn the_bundled_pack_serves_from_an_empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = studybot(dir.path(), &["ask", "explain", "troika"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("== Troika ==\n*Term* — A three-man NKVD body"),
        "{}",
        stdout(&out)
    );
    // Nothing written where it ran: a lookup needs no database file.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

    let built_in = studybot(dir.path(), &["check", "--json"]);
    assert!(built_in.status.success(), "{}", stderr(&built_in));
    let on_disk = studybot(&repo(), &["check", "--json", "--content", "content"]);
    assert_eq!(stdout(&built_in), stdout(&on_disk));
}

/// A folder pack with the bundled pack's id replaces it; another pack adds.
#[test]
fn a_content_folder_replaces_the_bundled_pack_by_id_and_adds_others() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_tree(&bundled_content(), &content);
    let glossary = content.join("great-purge/glossary-terms.toml");
    let text = std::fs::read_to_string(&glossary).unwrap();
    let edited = text.replacen("A three-man NKVD body", "An edited three-man NKVD body", 1);
    assert_ne!(
        text, edited,
        "the troika definition is in glossary-terms.toml"
    );
    std::fs::write(&glossary, edited).unwrap();
    // ./content is read when no folder is named.
    let out = studybot(dir.path(), &["ask", "explain", "troika"]);
    assert!(
        stdout(&out).contains("*Term* — An edited three-man NKVD body"),
        "{}",
        stdout(&out)
    );

    let extra = tempfile::tempdir().unwrap();
    let pack = quiz_pack_with(extra.path(), &["true_false"]);
    let out = studybot(
        extra.path(),
        &["check", "--json", "--content", pack.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let alone: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(alone["packs"], 1, "check counts the named packs only");
    // The bot serves the named pack beside the bundled one.
    let out = studybot(
        extra.path(),
        &[
            "--content",
            pack.to_str().unwrap(),
            "ask",
            "explain",
            "troika",
        ],
    );
    assert!(stdout(&out).starts_with("== Troika =="), "{}", stdout(&out));
}
