//! Loading and validating content: the bundled packs (target < 5 ms) and a
//! generated pack of 100,000 questions (target < 1 s). Run `cargo bench --bench content_load`.

use criterion::{criterion_group, criterion_main, Criterion};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;
use studybot::content::load::load_pack_text;
use studybot::content::load_paths;

/// A single-file pack with `questions` questions of all four kinds, plus a
/// glossary and events for them to reference.
pub fn generated_pack(questions: usize) -> String {
    let mut s = String::from(
        "[pack]\nid = \"generated\"\ntitle = \"Generated\"\ndescription = \"Benchmark pack\"\nspelling = [[\"yezh\", \"ezh\"], [\"shch\", \"sch\"]]\n\n[[sources]]\nid = \"src\"\nkind = \"notes\"\ntitle = \"Generated notes\"\n",
    );
    let entries = (questions / 100).max(1);
    for i in 0..entries {
        let _ = write!(
            s,
            "\n[[entries]]\nid = \"entry-{i}\"\nkind = \"term\"\nname = \"Entry number {i}\"\naliases = [\"alias {i}\", \"e{i}\"]\ndefinition = \"Definition of entry {i}.\"\nexplanation = \"A longer explanation of entry {i}, in a few words.\"\ndates = [{{ date = \"1937-07-30\", text = \"Something happened\" }}]\nrelated = [\"entry-{}\"]\nsources = [\"src\"]\ntags = [\"t{}\"]\n",
            (i + 1) % entries,
            i % 10
        );
        let _ = write!(
            s,
            "\n[[events]]\nid = \"event-{i}\"\ndate = \"{}-{:02}\"\ntitle = \"Event {i}\"\ndescription = \"What happened in event {i}.\"\nrelated = [\"entry-{i}\"]\nsources = [\"src\"]\n",
            1930 + (i % 20),
            1 + (i % 12)
        );
    }
    for i in 0..questions {
        let entry = i % entries;
        let common = format!(
            "id = \"q-{i}\"\ndifficulty = \"medium\"\nprompt = \"Question number {i} about entry {entry}?\"\nexplanation = \"Because of reasons {i}.\"\nrelated = [\"entry-{entry}\"]\nsources = [\"src\"]\ntags = [\"t{}\"]\n",
            i % 10
        );
        let body = match i % 4 {
            0 => "kind = \"multiple_choice\"\noptions = [\"Alpha\", \"Beta\", \"Gamma\", \"Delta\"]\nanswer = \"Gamma\"\n".to_string(),
            1 => "kind = \"true_false\"\nanswer = true\n".to_string(),
            2 => format!("kind = \"numeric\"\nanswer = {i}\ntolerance = 5\nunit = \"people\"\n"),
            _ => format!("kind = \"free_text\"\nanswers = [\"answer {i}\", \"reply {i}\"]\nanswer_entry = \"entry-{entry}\"\n"),
        };
        let _ = write!(s, "\n[[questions]]\n{common}{body}");
    }
    s
}

fn bench(c: &mut Criterion) {
    let bundled = vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("content")];
    assert!(
        !load_paths(&bundled).has_errors(),
        "bundled content must be valid"
    );
    c.bench_function("load bundled content", |b| b.iter(|| load_paths(&bundled)));

    let big = generated_pack(100_000);
    let report = load_pack_text("generated.toml", big.clone());
    assert!(!report.has_errors(), "{:?}", report.diagnostics.first());
    assert_eq!(report.content.summary().questions, 100_000);
    let mut group = c.benchmark_group("generated");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("load 100,000 questions", |b| {
        b.iter(|| load_pack_text("generated.toml", big.clone()))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
