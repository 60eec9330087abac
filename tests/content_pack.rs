//! The bundled "great-purge" pack: the minimum counts the pack promises,
//! answers consistent with each question's kind, a source on every item, and
//! the three showcase explanations.

use chrono::Utc;
use std::path::PathBuf;
use studybot::config::Config;
use studybot::content::{Answer, Content, QuestionKind};
use studybot::handlers;
use studybot::request::Request;
use studybot::{App, Library};

fn bundled() -> Content {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("content");
    let (library, _) = Library::load(&[dir]).expect("bundled content loads");
    library.content
}

#[test]
fn great_purge_pack_meets_its_minimum_counts() {
    let content = bundled();
    let pack = content.pack("great-purge").expect("the great-purge pack");
    assert!(pack.events.len() >= 80, "{} events", pack.events.len());
    assert!(pack.entries.len() >= 60, "{} entries", pack.entries.len());
    assert!(
        pack.questions.len() >= 250,
        "{} questions",
        pack.questions.len()
    );
    for kind in QuestionKind::ALL {
        let n = pack.questions.iter().filter(|q| q.kind() == kind).count();
        assert!(n >= 40, "{} {kind:?} questions", n);
    }
    for difficulty in ["easy", "medium", "hard"] {
        let n = pack
            .questions
            .iter()
            .filter(|q| format!("{:?}", q.difficulty).to_lowercase() == difficulty)
            .count();
        assert!(n >= 25, "{n} {difficulty} questions");
    }
}

#[test]
fn every_item_names_a_source_and_answers_fit_their_kind() {
    let content = bundled();
    for pack in &content.packs {
        for e in &pack.events {
            assert!(!e.sources.is_empty(), "event {}", e.id);
        }
        for e in &pack.entries {
            assert!(!e.sources.is_empty(), "entry {}", e.id);
            for f in &e.figures {
                if f.is_disputed() {
                    assert!(
                        f.values.iter().all(|v| v.given_by.is_some()),
                        "{}: {}",
                        e.id,
                        f.label
                    );
                }
            }
        }
        for q in &pack.questions {
            assert!(!q.sources.is_empty(), "question {}", q.id);
            assert!(!q.explanation.is_empty(), "question {}", q.id);
            match &q.answer {
                Answer::MultipleChoice { options, correct } => {
                    assert!((2..=5).contains(&options.len()), "{}", q.id);
                    assert!(*correct < options.len(), "{}", q.id);
                }
                Answer::TrueFalse(_) => {}
                Answer::Numeric {
                    value, tolerance, ..
                } => {
                    assert!(value.is_finite() && *tolerance >= 0.0, "{}", q.id);
                    assert!(
                        *tolerance < value.abs().max(1.0),
                        "{}: tolerance swallows the answer",
                        q.id
                    );
                }
                Answer::FreeText { answers, .. } => {
                    assert!(answers.iter().all(|a| !a.trim().is_empty()), "{}", q.id);
                    assert!(!answers.is_empty(), "{}", q.id);
                }
            }
        }
        // True/false questions should not all have the same answer.
        let trues = pack
            .questions
            .iter()
            .filter(|q| matches!(q.answer, Answer::TrueFalse(true)))
            .count();
        let falses = pack
            .questions
            .iter()
            .filter(|q| matches!(q.answer, Answer::TrueFalse(false)))
            .count();
        assert!(
            trues * 3 >= falses && falses * 3 >= trues,
            "{trues} true vs {falses} false"
        );
    }
}

#[test]
fn showcase_terms_are_explained_with_sources() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("content");
    let (library, _) = Library::load(&[dir]).unwrap();
    let app = App::in_memory(Config::default(), library).unwrap();
    for (term, must_mention) in [
        ("troika", ["NKVD", "00447"]),
        ("Yezhovshchina", ["Yezhov", "1937"]),
        ("Order 00447", ["30 July 1937", "troika"]),
    ] {
        let reply = handlers::respond(
            &app,
            &Request::command("explain", &[("term", term)], Utc::now()),
        );
        assert!(!reply.ephemeral, "{term}: {}", reply.text);
        let everything = format!("{} {:?}", reply.text, reply.fields);
        for word in must_mention {
            assert!(
                everything.contains(word),
                "{term} reply does not mention {word}: {everything}"
            );
        }
        let footer = reply.footer.unwrap_or_default();
        assert!(
            footer.starts_with("Sources: ") && footer.len() > 12,
            "{term}: {footer}"
        );
    }
}

/// What students type, against the bundled pack: typos, transliterations,
/// order numbers, partial phrases, nicknames and a description.
#[test]
fn explain_finds_entries_in_the_bundled_pack() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("content");
    let (library, _) = Library::load(&[dir]).unwrap();
    let app = App::in_memory(Config::default(), library).unwrap();
    let table = [
        ("Ezhov", "Nikolai Yezhov"),
        ("bloody dwarf", "Nikolai Yezhov"),
        ("yezhovschina", "Yezhovshchina"),
        ("Ezhovshchina", "Yezhovshchina"),
        ("troyka", "Troika"),
        ("troikas", "Troika"),
        ("447", "NKVD Order No. 00447"),
        ("Order No. 00447", "NKVD Order No. 00447"),
        ("kulak operation", "NKVD Order No. 00447"),
        ("Tukhachevskii", "Mikhail Tukhachevsky"),
        ("Lubianka", "Lubyanka"),
        ("Beriya", "Lavrentiy Beria"),
        ("Iagoda", "Genrikh Yagoda"),
        ("Vyshinskii", "Andrei Vyshinsky"),
        ("Zinovyev", "Grigory Zinoviev"),
        ("art 58", "Article 58"),
        (
            "trial of the 21",
            "Trial of the Twenty-One (third Moscow trial)",
        ),
        (
            "Bukharin trial",
            "Trial of the Twenty-One (third Moscow trial)",
        ),
    ];
    for (query, expected) in table {
        let reply = handlers::respond(
            &app,
            &Request::command("explain", &[("term", query)], Utc::now()),
        );
        assert_eq!(
            reply.title.as_deref(),
            Some(expected),
            "{query}: {}",
            reply.text
        );
    }
    let unknown = handlers::respond(
        &app,
        &Request::command("explain", &[("term", "qwzx")], Utc::now()),
    );
    assert_eq!(unknown.title.as_deref(), Some("Nothing found"));
}

/// Every misconception of the bundled pack is shown by `/explain` under
/// "Common mistake", with its correction and the titles of its sources, and
/// no disputed figure offers a misconception's claim as one of its values.
#[test]
fn bundled_misconceptions_are_shown_as_common_mistakes() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("content");
    let (library, _) = Library::load(&[dir]).unwrap();
    let app = App::in_memory(Config::default(), library).unwrap();
    let content = bundled();
    let pack = content.pack("great-purge").unwrap();
    let mut shown = 0;
    for entry in pack.entries.iter().filter(|e| !e.misconceptions.is_empty()) {
        let reply = handlers::explain::open(&app, None, &pack.id, &entry.id).unwrap();
        assert_eq!(reply.title.as_deref(), Some(entry.name.as_str()));
        let fields: Vec<&str> = reply
            .fields
            .iter()
            .filter(|f| f.name == "Common mistake")
            .map(|f| f.value.as_str())
            .collect();
        assert_eq!(fields.len(), entry.misconceptions.len(), "{}", entry.id);
        for (field, mistake) in fields.iter().zip(&entry.misconceptions) {
            assert!(field.contains(&mistake.claim), "{field}");
            assert!(field.contains(&mistake.correction), "{field}");
            for id in &mistake.sources {
                let title = &pack.source(id).unwrap().title;
                assert!(field.contains(title.as_str()), "{field} lacks {title}");
            }
        }
        for figure in entry.figures.iter().filter(|f| f.is_disputed()) {
            for value in &figure.values {
                for mistake in &entry.misconceptions {
                    assert_ne!(value.value, mistake.claim, "{}", entry.id);
                }
            }
        }
        shown += 1;
    }
    assert!(shown >= 1, "the bundled pack has no misconception");
}
