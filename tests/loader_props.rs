//! Property tests: whatever bytes a content file holds, the loader returns
//! diagnostics (each with a real line and column) and never panics.

use proptest::prelude::*;
use studybot::content::load::load_pack_text;

const VALID: &str = r#"[pack]
id = "demo"
title = "Demo"
description = "A small pack"
spelling = [["yezh", "ezh"]]

[[sources]]
id = "s1"
kind = "notes"
title = "Notes"

[[events]]
id = "e1"
date = "1936-08-19/1936-08-24"
title = "First trial"
description = "Zinoviev and Kamenev are tried."
related = ["troika"]
sources = ["s1"]

[[entries]]
id = "troika"
kind = "term"
name = "Troika"
aliases = ["troyka"]
definition = "A three-person commission."
explanation = "It sentenced people without trial."
dates = [{ date = "1937-07-30", text = "Set up" }]
sources = ["s1"]

[[entries.figures]]
label = "Deaths"
values = [{ value = "1", given_by = "A" }, { value = "2", given_by = "B" }]

[[questions]]
id = "q1"
kind = "multiple_choice"
difficulty = "easy"
prompt = "Pick"
options = ["a", "b"]
answer = "a"
explanation = "Because."
sources = ["s1"]
"#;

#[test]
fn the_reference_pack_is_valid() {
    let report = load_pack_text("demo.toml", VALID.to_string());
    assert!(!report.has_errors(), "{:?}", report.diagnostics);
    assert_eq!(report.content.summary().entries, 1);
}

fn check_sane(text: &str) {
    let report = load_pack_text("m.toml", text.to_string());
    let lines = text.lines().count() + 1;
    for d in &report.diagnostics {
        assert!(
            d.line >= 1 && d.line <= lines,
            "line {} of {lines}: {d}",
            d.line
        );
        assert!(d.column >= 1, "{d}");
        assert!(d.to_string().starts_with("m.toml:"));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn mutated_packs_never_panic(
        edits in prop::collection::vec((0usize..2000, 0u8..4, any::<char>()), 1..8)
    ) {
        let mut chars: Vec<char> = VALID.chars().collect();
        for (at, op, c) in edits {
            let at = at % (chars.len() + 1);
            match op {
                0 => chars.insert(at, c),
                1 if at < chars.len() => { chars.remove(at); }
                2 if at < chars.len() => chars[at] = c,
                _ => {
                    // Duplicate a line: duplicate keys and tables.
                    let text: String = chars.iter().collect();
                    let line = text.lines().nth(at % text.lines().count()).unwrap_or("").to_string();
                    chars.extend(format!("\n{line}\n").chars());
                }
            }
        }
        let text: String = chars.into_iter().collect();
        check_sane(&text);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        check_sane(&text);
    }

    #[test]
    fn deep_nesting_never_panics(depth in 1usize..300) {
        let text = format!("x = {}1{}", "[".repeat(depth), "]".repeat(depth));
        check_sane(&text);
        let text = format!("[pack]\nid = {}", "{ a = ".repeat(depth));
        check_sane(&text);
    }
}

#[test]
fn an_entry_too_long_for_one_message_is_reported_at_its_id() {
    let mut text = VALID.to_string();
    text.push_str("\n[[entries]]\nid = \"huge\"\nkind = \"term\"\nname = \"Huge\"\ndefinition = \"Too much.\"\n");
    text.push_str(&format!(
        "explanation = \"{}\"\nsources = [\"s1\"]\n",
        "word ".repeat(590).trim_end()
    ));
    for i in 0..6 {
        text.push_str(&format!(
            "[[entries.figures]]\nlabel = \"Figure {i}\"\nvalue = \"{}\"\n",
            "x".repeat(900)
        ));
    }
    let report = load_pack_text("big.toml", text.clone());
    let errors: Vec<String> = report.errors().map(|d| d.to_string()).collect();
    let line = text[..text.find("id = \"huge\"").unwrap()]
        .matches('\n')
        .count()
        + 1;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with(&format!(
            "big.toml:{line}:6: entry `huge` would not fit one Discord message ("
        )),
        "{errors:?}"
    );
}
