//! Imports point one way: edges (discord/, cli.rs) -> handlers/ -> the core
//! -> store/. Every `crate::` path in src/ (imports and paths written inline,
//! comments left out) is checked against the layer of the file it is in, so
//! a handler that reaches for serenity's adapter, or a core module that calls
//! a handler, fails here with the file and line. Modules may use others of
//! their own layer, but never in a cycle (`no_module_uses_itself_through_others`).

use std::path::{Path, PathBuf};

/// The layer of a top-level module; higher may use lower, never back up.
fn layer(module: &str) -> Option<u8> {
    Some(match module {
        "discord" | "cli" => 4,
        "handlers" => 3,
        "app" | "quiz" | "search" | "dates" | "content" | "review" | "schedule" | "pictures"
        | "import" | "custom_id" | "reply" | "shards" | "logging" | "config" | "markup"
        | "text" | "error" | "classes" | "teams" | "memo" => 2,
        "store" => 1,
        // Plain values every layer speaks in: ids, the request, the clock, the
        // stored records.
        "request" | "clock" | "model" => 0,
        _ => return None,
    })
}

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
                if there > here {
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
            if writes_markup {
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

/// Which top-level modules each module names (`crate::NAME`), itself left out.
fn module_uses() -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut uses: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    for file in &files {
        let Some(module) = module_of(&src, file) else {
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        let used = text.lines().flat_map(crate_paths).filter(|u| *u != module);
        uses.entry(module.clone()).or_default().extend(used);
    }
    uses
}

/// A path of uses that leads from a module back to itself, if there is one.
fn find_cycle(
    uses: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
) -> Option<Vec<String>> {
    fn walk(
        uses: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
        module: &str,
        path: &mut Vec<String>,
        done: &mut std::collections::BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|m| m == module) {
            let mut cycle = path[start..].to_vec();
            cycle.push(module.to_string());
            return Some(cycle);
        }
        if done.contains(module) {
            return None;
        }
        path.push(module.to_string());
        for next in uses.get(module).into_iter().flatten() {
            if let Some(cycle) = walk(uses, next, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(module.to_string());
        None
    }
    let mut done = Default::default();
    uses.keys()
        .find_map(|m| walk(uses, m, &mut Vec::new(), &mut done))
}

/// The layers allow modules of one layer to use each other; a cycle among
/// them (or through layers, which the test above would also catch) means
/// neither can be understood or tested without the other.
#[test]
fn no_module_uses_itself_through_others() {
    let uses = module_uses();
    assert!(uses.len() > 20, "found only {} modules", uses.len());
    if let Some(cycle) = find_cycle(&uses) {
        panic!("modules use each other in a cycle: {}", cycle.join(" -> "));
    }
}

#[test]
fn the_cycle_finder_finds_a_cycle_and_only_a_cycle() {
    let graph = |edges: &[(&str, &str)]| {
        let mut uses: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
            Default::default();
        for (from, to) in edges {
            uses.entry(from.to_string())
                .or_default()
                .insert(to.to_string());
        }
        uses
    };
    assert_eq!(
        find_cycle(&graph(&[("a", "b"), ("b", "c"), ("c", "a")])),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    assert_eq!(
        find_cycle(&graph(&[("a", "b"), ("a", "c"), ("b", "c")])),
        None
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
