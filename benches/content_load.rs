//! Loading and validating content: the bundled packs (target < 5 ms) and a
//! generated pack of 100,000 questions (target < 1 s). Run `cargo bench --bench content_load`.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use std::path::PathBuf;
use std::time::Duration;
use studybot::content::load::load_pack_text;
use studybot::content::load_paths;

#[path = "support/mod.rs"]
mod support;
use support::generated_pack;

fn bench(c: &mut Criterion) {
    let bundled = vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("content")];
    assert!(
        !load_paths(&bundled).has_errors(),
        "bundled content must be valid"
    );
    // The loaded content is dropped outside the timing, as for the big pack
    // below: a reload drops the old content after the new one is in place.
    c.bench_function("load bundled content", |b| {
        b.iter_with_large_drop(|| load_paths(&bundled))
    });

    let big = generated_pack(1_000, 100_000);
    let report = load_pack_text("generated.toml", big.clone());
    assert!(!report.has_errors(), "{:?}", report.diagnostics.first());
    assert_eq!(report.content.summary().questions, 100_000);
    let mut group = c.benchmark_group("generated");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    // The text is cloned outside the timing (as if just read from disk) and
    // the result dropped outside it: only parsing and validating are timed.
    group.bench_function("load 100,000 questions", |b| {
        b.iter_batched(
            || big.clone(),
            |text| load_pack_text("generated.toml", text),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
