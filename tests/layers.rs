//! Imports point one way: edges (discord/, cli.rs) -> handlers/ -> the core
//! -> store/. Every `crate::` path in src/ (imports and paths written inline,
//! comments left out) is checked against the layer of the file it is in, so
//! a handler that reaches for serenity's adapter, or a core module that calls
//! a handler, fails here with the file and line.

use std::path::{Path, PathBuf};

/// The layer of a top-level module; higher may use lower, never back up.
fn layer(module: &str) -> Option<u8> {
    Some(match module {
        "discord" | "cli" => 4,
        "handlers" => 3,
        "app" | "quiz" | "search" | "dates" | "content" | "review" | "schedule" | "pictures"
        | "import" | "custom_id" | "reply" | "shards" | "logging" | "config" | "markup"
        | "text" | "error" | "classes" | "teams" => 2,
        "store" => 1,
        // Plain values every layer speaks in: ids, the request, the clock, the
        // stored records.
        "request" | "clock" | "model" => 0,
        _ => return None,
    })
}

/// Uses of a higher layer that are known: the SQLite tests draw numbers
/// with the quiz's seeded generator, and the SQLite reader pool is sized by
/// `content::cores()`. Listed, so no new one slips in beside them.
const KNOWN: &[(&str, &str)] = &[("store", "quiz"), ("store", "content")];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`src/handlers/quiz.rs` ->
/// `handlers`); `None` for the crate root and the binary.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).ok()?;
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.trim_end_matches(".rs");
    (name != "lib" && name != "main").then(|| name.to_string())
}

/// The modules a line of code names as `crate::NAME`.
fn crate_paths(line: &str) -> Vec<String> {
    let code = line.split("//").next().unwrap_or("");
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        let names: Vec<&str> = match rest.strip_prefix('{') {
            // `crate::{a::b, c}`: each top-level name in the braces.
            Some(group) => group
                .split('}')
                .next()
                .unwrap_or("")
                .split(',')
                .map(|part| part.trim().split("::").next().unwrap_or(""))
                .collect(),
            None => vec![rest
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()
                .unwrap_or("")],
        };
        found.extend(
            names
                .into_iter()
                .filter(|n| !n.is_empty())
                .map(String::from),
        );
    }
    found
}

#[test]
fn imports_point_down_the_layers() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    let mut wrong = Vec::new();
    let mut checked = 0;
    for file in &files {
        let Some(module) = module_of(&src, file) else {
            continue;
        };
        let here = layer(&module)
            .unwrap_or_else(|| panic!("{}: module `{module}` has no layer here", file.display()));
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            for used in crate_paths(line) {
                checked += 1;
                let Some(there) = layer(&used) else {
                    continue;
                };
                let known = KNOWN.contains(&(module.as_str(), used.as_str()));
                if there > here && !known {
                    wrong.push(format!(
                        "{}:{}: `{module}` (layer {here}) uses `{used}` (layer {there}): {}",
                        file.strip_prefix(&src).unwrap().display(),
                        n + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(checked > 100, "found only {checked} crate:: paths");
    assert!(
        wrong.is_empty(),
        "imports pointing up the layers (discord/cli -> handlers -> core -> store):\n{}",
        wrong.join("\n")
    );
}

/// Lines still writing Discord markup themselves, known and owned
/// elsewhere: the teacher accept path (issue #24).
const KNOWN_MARKUP: &[(&str, &str)] = &[("handlers/teacher.rs", "'s answer \\\"{}\\\"")];

/// Outside the Discord adapter, user, channel, role and time markup is
/// written by `markup::mention` alone, so no handler hand-writes a mention.
#[test]
fn only_markup_mention_writes_discord_mentions() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let name = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if name == "markup.rs" || name.starts_with("discord") {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            let writes_markup = ["<@{", "<@!{", "<@&{", "<#{", "<t:{"]
                .iter()
                .any(|m| code.contains(m));
            let known = KNOWN_MARKUP
                .iter()
                .any(|(f, text)| *f == name && line.contains(text));
            if writes_markup && !known {
                wrong.push(format!("{name}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "Discord markup written outside markup::mention:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_checker_reads_grouped_and_inline_paths_and_skips_comments() {
    assert_eq!(
        crate_paths("use crate::{app::App, handlers::quiz};"),
        ["app", "handlers"]
    );
    assert_eq!(
        crate_paths("let x = crate::dates::When::parse(crate::text::fold(a));"),
        ["dates", "text"]
    );
    assert!(crate_paths("// see crate::handlers::respond").is_empty());
    assert!(layer("handlers").unwrap() > layer("schedule").unwrap());
}
