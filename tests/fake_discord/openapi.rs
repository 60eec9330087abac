//! The independent referee: Discord's own OpenAPI description
//! (`../shared/discord-api-spec/openapi.json`). Each captured request is
//! matched to its operation (path template and method), and its JSON body
//! is validated (JSON Schema 2020-12) against that operation's request body
//! schema, with `$ref`s resolved into `components/schemas`. So a payload the
//! fake server accepts but Discord would reject fails the test.
//!
//! Without `../shared` the check is skipped with a notice, except when `CI`
//! is set, where the description is required.

use super::Captured;
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

pub fn spec_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/discord-api-spec/openapi.json")
}

struct Spec {
    paths: serde_json::Map<String, Value>,
    components: Value,
    validators: Mutex<HashMap<(String, String), Arc<jsonschema::Validator>>>,
}

fn spec() -> Option<&'static Spec> {
    static SPEC: OnceLock<Option<Spec>> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = spec_path();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if std::env::var_os("CI").is_some() => panic!(
                "CI is set, so the request bodies must be checked against Discord's API description, \
                 but {} cannot be read: {e}",
                path.display()
            ),
            Err(_) => {
                eprintln!(
                    "notice: {} is absent; request bodies are NOT checked against Discord's API description \
                     (put ../shared beside the repository, as CI does)",
                    path.display()
                );
                return None;
            }
        };
        let mut doc: Value = serde_json::from_str(&text).expect("openapi.json is JSON");
        let paths = doc["paths"].as_object().expect("openapi.json has paths").clone();
        let components = doc["components"].take();
        Some(Spec {
            paths,
            components,
            validators: Mutex::new(HashMap::new()),
        })
    })
    .as_ref()
}

/// The path template of `path` (most literal segments wins, so
/// `messages/@original` beats `messages/{message_id}`).
fn template<'a>(spec: &'a Spec, method: &str, path: &str) -> Option<&'a str> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    spec.paths
        .iter()
        .filter(|(_, ops)| ops.get(method).is_some())
        .filter_map(|(template, _)| {
            let parts: Vec<&str> = template.trim_matches('/').split('/').collect();
            if parts.len() != segments.len() {
                return None;
            }
            let mut literal = 0;
            for (part, segment) in parts.iter().zip(&segments) {
                if part.starts_with('{') && part.ends_with('}') {
                    continue;
                }
                if part != segment {
                    return None;
                }
                literal += 1;
            }
            Some((literal, template.as_str()))
        })
        .max_by_key(|(literal, _)| *literal)
        .map(|(_, template)| template)
}

fn validator(
    spec: &Spec,
    template: &str,
    method: &str,
) -> Result<Arc<jsonschema::Validator>, String> {
    let key = (template.to_string(), method.to_string());
    if let Some(v) = spec.validators.lock().unwrap().get(&key) {
        return Ok(v.clone());
    }
    let schema = spec.paths[template][method]
        .pointer("/requestBody/content/application~1json/schema")
        .ok_or_else(|| {
            format!(
                "{} {template} takes no JSON body in Discord's API description",
                method.to_uppercase()
            )
        })?;
    // The body schema becomes a root document that also holds the
    // components, so its `#/components/schemas/...` references resolve.
    let mut root = schema.clone();
    if !root.is_object() {
        return Err(format!(
            "the body schema of {method} {template} is not an object"
        ));
    }
    root["components"] = spec.components.clone();
    let compiled = Arc::new(
        jsonschema::draft202012::new(&root)
            .map_err(|e| format!("the schema of {method} {template} does not compile: {e}"))?,
    );
    spec.validators
        .lock()
        .unwrap()
        .insert(key, compiled.clone());
    Ok(compiled)
}

/// Validates every captured JSON body; panics listing every violation.
pub fn assert_valid(requests: &[Captured]) {
    let Some(spec) = spec() else { return };
    let mut failures = Vec::new();
    let mut checked = 0;
    for request in requests {
        if request.body.is_null() {
            continue;
        }
        let method = request.method.to_lowercase();
        let label = format!("{} {}", request.method, request.path);
        // A multipart request's `payload_json` is the same JSON body.
        if !request.content_type.starts_with("application/json")
            && !request.content_type.starts_with("multipart/form-data")
        {
            failures.push(format!(
                "{label}: a {} body cannot be checked",
                request.content_type
            ));
            continue;
        }
        let Some(template) = template(spec, &method, &request.path) else {
            failures.push(format!(
                "{label}: no such operation in Discord's API description"
            ));
            continue;
        };
        match validator(spec, template, &method) {
            Err(e) => failures.push(format!("{label}: {e}")),
            Ok(validator) => {
                checked += 1;
                for error in validator.iter_errors(&request.body) {
                    failures.push(format!(
                        "{label} (operation {template}): {error} at `{}` (schema {})",
                        error.instance_path(),
                        error.schema_path()
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "request bodies that Discord would reject:\n{}",
        failures.join("\n")
    );
    assert!(
        checked > 0 || requests.iter().all(|r| r.body.is_null()),
        "no request body was checked"
    );
}
