//! Generated content for benchmarks: deterministic, realistic-looking packs
//! of any size (names built from syllables, so fuzzy search has real work).
#![allow(dead_code)]

use std::fmt::Write as _;

const SYLLABLES: &[&str] = &[
    "ka", "ro", "vi", "sh", "ov", "in", "me", "le", "na", "to", "ya", "go", "da", "ber", "zhe",
    "kir", "tu", "ha", "chev", "sky", "mo", "lo", "tov", "ra", "dek", "buk", "ha", "rin", "pya",
    "ta", "kov", "zi", "no", "vyev",
];

/// A small deterministic generator (no dependency needed for benchmark data).
pub struct Lcg(u64);
impl Lcg {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next_u64() as usize) % items.len()]
    }
}

pub fn word(rng: &mut Lcg, syllables: usize) -> String {
    let mut w = String::new();
    for _ in 0..syllables {
        w.push_str(rng.pick(SYLLABLES));
    }
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => w,
    }
}

/// Names of the entries of [`generated_pack`], in order.
pub fn entry_names(entries: usize) -> Vec<String> {
    let mut rng = Lcg::new(7);
    (0..entries)
        .map(|i| format!("{} {} {i}", word(&mut rng, 2), word(&mut rng, 3)))
        .collect()
}

/// A single-file pack with `entries` glossary entries, as many events, and
/// `questions` questions of all four kinds.
pub fn generated_pack(entries: usize, questions: usize) -> String {
    let mut s = String::from(
        "[pack]\nid = \"generated\"\ntitle = \"Generated\"\ndescription = \"Benchmark pack\"\nspelling = [[\"yezh\", \"ezh\"], [\"shch\", \"sch\"], [\"skiy\", \"skii\", \"sky\"]]\n\n[[sources]]\nid = \"src\"\nkind = \"notes\"\ntitle = \"Generated notes\"\n",
    );
    let names = entry_names(entries.max(1));
    let mut rng = Lcg::new(11);
    for (i, name) in names.iter().enumerate() {
        let surname = name.split(' ').nth(1).unwrap_or("x");
        let _ = write!(
            s,
            "\n[[entries]]\nid = \"entry-{i}\"\nkind = \"person\"\nname = \"{name}\"\naliases = [\"{surname} {i}\", \"number {i}\"]\ndefinition = \"A {} of the {} who {} the {} in {}.\"\nexplanation = \"A longer explanation of entry {i}, with {} and {}.\"\ndates = [{{ date = \"1937-07-30\", text = \"Something happened\" }}]\nrelated = [\"entry-{}\"]\nsources = [\"src\"]\ntags = [\"t{}\"]\n",
            rng.pick(&["leader", "member", "chief", "officer", "writer"]),
            rng.pick(&["party", "army", "police", "congress", "region"]),
            rng.pick(&["replaced", "accused", "arrested", "denounced", "led"]),
            word(&mut rng, 2),
            1920 + rng.next_u64() % 40,
            word(&mut rng, 2),
            word(&mut rng, 3),
            (i + 1) % entries.max(1),
            i % 10
        );
        let year = 1920 + (rng.next_u64() % 40);
        let month = 1 + rng.next_u64() % 12;
        let _ = write!(
            s,
            "\n[[events]]\nid = \"event-{i}\"\ndate = \"{year}-{month:02}\"\ntitle = \"Event {i}\"\ndescription = \"What happened in event {i}.\"\nrelated = [\"entry-{i}\"]\nsources = [\"src\"]\ntags = [\"t{}\"]\n",
            i % 10
        );
    }
    for i in 0..questions {
        let entry = i % entries.max(1);
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

/// p50, p99 and max of per-call latencies, in microseconds.
pub fn percentiles(mut nanos: Vec<u64>) -> (f64, f64, f64) {
    nanos.sort_unstable();
    let at = |q: f64| nanos[((nanos.len() as f64 - 1.0) * q).round() as usize] as f64 / 1000.0;
    (at(0.5), at(0.99), at(1.0))
}
