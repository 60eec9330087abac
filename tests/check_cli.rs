//! `studybot check` through the real binary: the bundled content passes, and
//! a copy broken in several ways reports each error at its exact place.

mod common;
use common::*;

#[test]
fn bundled_content_passes_with_json_summary() {
    let out = studybot(&repo(), &["check", "--json"]);
    assert!(out.status.success(), "check failed:\n{}", stderr(&out));
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
sources = ["seed-001"]

[[entries]]
id = "troika"
kind = "term"
name = "Second troika"
definition = "A duplicate."
explanation = "It repeats an id."
sources = ["seed-002"]

[[entries]]
id = "dangling"
kind = "term"
name = "Dangling reference"
definition = "Points nowhere."
explanation = "Its related entry does not exist."
related = ["no-such-entry"]
sources = ["seed-002"]

[[events]]
id = "misspelt-key"
date = "1937"
title = "An event with a typo in a key"
descripton = "The key above is misspelt."
sources = ["seed-002"]
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
    assert!(stderr(&out).contains("nowhere:1:1: no such file or folder"));
    assert_eq!(stdout(&out), "");
}
