//! A fake Discord on 127.0.0.1 for the end-to-end tests: a REST server (the
//! bot reaches it through its `discord.proxy` setting) and a gateway
//! websocket, so the real bot, serenity and poise included, runs against it
//! with no internet.
//!
//! The REST side records every request the bot makes and answers with
//! complete objects (a created message is a whole Message, registered
//! commands come back with ids), because serenity rejects partial ones. The
//! gateway side plays the minimal script: Hello, Identify, READY, heartbeat
//! acks, then whatever interactions a test dispatches. Every dispatched
//! interaction is first parsed with serenity's own types, so a fixture that
//! serenity would silently drop as an "unknown" event fails loudly here.
//!
//! Tests wait for the bot's requests (never for a fixed delay) and finish
//! with [`FakeDiscord::assert_traffic_valid`]: every JSON body the bot sent
//! must validate against Discord's own OpenAPI description, and no request
//! may have hit a route the fake does not know.
#![allow(dead_code)]

pub mod openapi;

use futures_util::{SinkExt, StreamExt};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Request, Response, StatusCode};
use poise::serenity_prelude as serenity;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message as WsMessage;

pub const APPLICATION_ID: u64 = 1_100_000_000_000_000_001;
pub const GUILD: u64 = 1_200_000_000_000_000_001;
pub const CHANNEL: u64 = 1_200_000_000_000_000_002;
pub const OTHER_GUILD: u64 = 1_200_000_000_000_000_101;
pub const OTHER_CHANNEL: u64 = 1_200_000_000_000_000_102;
/// A token in Discord's format (three dot-separated parts); never real.
pub const TOKEN: &str = "MTEwMDAwMDAwMDAwMDAwMDAwMQ.Gfake0.fake-token-for-the-loopback-tests-only";
/// How long a test waits for the bot before failing with what it did see.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// Manage Server, the default permission of teacher commands.
pub const MANAGE_GUILD: u64 = 1 << 5;
/// What a student has: view channel, send messages, use application commands.
pub const STUDENT_PERMISSIONS: u64 = (1 << 10) | (1 << 11) | (1 << 31);

/// A member who sends interactions.
#[derive(Debug, Clone, Copy)]
pub struct Person {
    pub id: u64,
    pub name: &'static str,
    pub permissions: u64,
}

pub const ANNA: Person = Person {
    id: 1_300_000_000_000_000_001,
    name: "anna",
    permissions: STUDENT_PERMISSIONS,
};
pub const BORIS: Person = Person {
    id: 1_300_000_000_000_000_002,
    name: "boris",
    permissions: STUDENT_PERMISSIONS,
};
pub const TEACHER: Person = Person {
    id: 1_300_000_000_000_000_009,
    name: "ms-petrova",
    permissions: STUDENT_PERMISSIONS | MANAGE_GUILD,
};

/// One request the bot made.
#[derive(Debug, Clone)]
pub struct Captured {
    pub method: String,
    /// The path after `/api/v10`, without the query.
    pub path: String,
    pub query: String,
    pub content_type: String,
    /// The JSON body (`Null` when there was none).
    pub body: Value,
    /// Whether the fake knew the route.
    pub known: bool,
    /// What the fake answered (`Null` for 204 No Content).
    pub response: Value,
    /// Files of a multipart request (name, bytes); its `payload_json` is `body`.
    pub files: Vec<(String, Vec<u8>)>,
    pub at: Instant,
}

impl Captured {
    pub fn is(&self, method: &str, path: &str) -> bool {
        self.method == method && self.path == path
    }
}

struct Shared {
    rest: SocketAddr,
    gateway: SocketAddr,
    log: Mutex<Vec<Captured>>,
    logged: watch::Sender<usize>,
    /// The live gateway connection's outbox, once a client has identified.
    connection: Mutex<Option<mpsc::UnboundedSender<String>>>,
    identified: watch::Sender<usize>,
    sequence: AtomicU64,
    ids: AtomicU64,
    /// Messages created by the bot, by id, to build component interactions.
    messages: Mutex<HashMap<u64, Value>>,
    /// Registered command ids by name.
    commands: Mutex<HashMap<String, u64>>,
    /// When each command registration arrived.
    registrations: Mutex<Vec<Instant>>,
    /// Whether requests are kept (the load driver only counts them).
    keep_log: bool,
    /// Interactions whose callback someone awaits (the load driver).
    awaited: Mutex<HashMap<u64, tokio::sync::oneshot::Sender<(Instant, Value)>>>,
    /// Files users attached, served at `/cdn/attachments/...` as Discord's CDN would.
    cdn: Mutex<HashMap<String, Vec<u8>>>,
    /// Answers to give instead of the real one, in order, to requests whose
    /// `METHOD path` starts with the key (injected failures).
    failures: Mutex<Vec<(String, StatusCode, Value)>>,
    /// Messages created with `enforce_nonce`, by nonce: a repeat returns the
    /// same message, as Discord does.
    nonces: Mutex<HashMap<String, Value>>,
}

/// The fake Discord. It stops with the test's runtime.
#[derive(Clone)]
pub struct FakeDiscord {
    shared: Arc<Shared>,
}

impl FakeDiscord {
    pub async fn start() -> Self {
        Self::start_with(true).await
    }

    /// A fake that keeps no log of requests, for long load runs: callbacks
    /// are awaited with [`FakeDiscord::await_callback`] instead.
    pub async fn start_quiet() -> Self {
        Self::start_with(false).await
    }

    async fn start_with(keep_log: bool) -> Self {
        let rest = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let gateway = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let shared = Arc::new(Shared {
            rest: rest.local_addr().unwrap(),
            gateway: gateway.local_addr().unwrap(),
            log: Mutex::new(Vec::new()),
            logged: watch::channel(0).0,
            connection: Mutex::new(None),
            identified: watch::channel(0).0,
            sequence: AtomicU64::new(0),
            ids: AtomicU64::new(1_400_000_000_000_000_000),
            messages: Mutex::new(HashMap::new()),
            commands: Mutex::new(HashMap::new()),
            registrations: Mutex::new(Vec::new()),
            keep_log,
            awaited: Mutex::new(HashMap::new()),
            cdn: Mutex::new(HashMap::new()),
            failures: Mutex::new(Vec::new()),
            nonces: Mutex::new(HashMap::new()),
        });
        tokio::spawn(serve_rest(rest, shared.clone()));
        tokio::spawn(serve_gateway(gateway, shared.clone()));
        Self { shared }
    }

    /// The `discord.proxy` setting that points the bot here.
    pub fn proxy_url(&self) -> String {
        format!("http://{}", self.shared.rest)
    }

    pub fn requests(&self) -> Vec<Captured> {
        self.shared.log.lock().unwrap().clone()
    }

    /// A fresh snowflake.
    pub fn next_id(&self) -> u64 {
        self.shared.ids.fetch_add(1, Ordering::SeqCst)
    }

    /// Waits until the bot has made `count` requests matching `wanted`, and
    /// returns the last of them; fails with the traffic seen so far.
    pub async fn wait_for_nth(
        &self,
        count: usize,
        what: &str,
        wanted: impl Fn(&Captured) -> bool,
    ) -> Captured {
        let mut logged = self.shared.logged.subscribe();
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let matching: Vec<Captured> = self
                .shared
                .log
                .lock()
                .unwrap()
                .iter()
                .filter(|c| wanted(c))
                .cloned()
                .collect();
            if matching.len() >= count {
                return matching[count - 1].clone();
            }
            match tokio::time::timeout_at(deadline, logged.changed()).await {
                Ok(Ok(())) => {}
                _ => panic!(
                    "the bot never made {what} (wanted {count}, saw {}); its requests were:\n{}",
                    matching.len(),
                    self.describe_traffic()
                ),
            }
        }
    }

    pub async fn wait_for(&self, what: &str, wanted: impl Fn(&Captured) -> bool) -> Captured {
        self.wait_for_nth(1, what, wanted).await
    }

    /// How many requests so far match `wanted`.
    pub fn count(&self, wanted: impl Fn(&Captured) -> bool) -> usize {
        self.shared
            .log
            .lock()
            .unwrap()
            .iter()
            .filter(|c| wanted(c))
            .count()
    }

    pub fn describe_traffic(&self) -> String {
        self.shared
            .log
            .lock()
            .unwrap()
            .iter()
            .map(|c| {
                let body = c.body.to_string();
                let body: String = body.chars().take(300).collect();
                format!(
                    "  {} {}{} {}",
                    c.method,
                    c.path,
                    if c.known { "" } else { " (unknown route)" },
                    body
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Waits for the `n`th command registration (one per READY), which poise
    /// sends once it is connected: the signal that the bot is ready.
    pub async fn wait_for_registration(&self, n: usize) -> Captured {
        self.wait_for_nth(n, "a command registration", |c| {
            c.method == "PUT"
                && c.path
                    .starts_with(&format!("/applications/{APPLICATION_ID}/"))
                && c.path.ends_with("/commands")
        })
        .await
    }

    /// Waits for the `n`th command registration, kept in the log or not,
    /// and returns when it arrived.
    pub async fn registered_at(&self, n: usize) -> Instant {
        let mut logged = self.shared.logged.subscribe();
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if let Some(at) = self.shared.registrations.lock().unwrap().get(n - 1) {
                return *at;
            }
            if tokio::time::timeout_at(deadline, logged.changed())
                .await
                .is_err()
            {
                panic!("the bot never registered its commands ({n})");
            }
        }
    }

    /// Sends an interaction over the gateway; returns its id and token.
    pub async fn dispatch(&self, interaction: Value) -> (u64, String) {
        assert_parses(&interaction);
        self.dispatch_unchecked(interaction)
    }

    /// Sends an interaction without parsing it first (the load driver checks
    /// one of each kind with [`assert_parses`], then sends many).
    pub fn dispatch_unchecked(&self, interaction: Value) -> (u64, String) {
        let id = interaction["id"].as_str().unwrap().parse().unwrap();
        let token = interaction["token"].as_str().unwrap().to_string();
        self.send_event("INTERACTION_CREATE", interaction);
        (id, token)
    }

    /// Resolves with the instant the callback of interaction `id` arrives,
    /// and its body. Call before dispatching it.
    pub fn await_callback(&self, id: u64) -> tokio::sync::oneshot::Receiver<(Instant, Value)> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.shared.awaited.lock().unwrap().insert(id, tx);
        rx
    }

    /// Forgets an awaited callback that will not come (a timed-out request).
    pub fn forget_callback(&self, id: u64) {
        self.shared.awaited.lock().unwrap().remove(&id);
    }

    /// How many requests the bot has made (kept or not).
    pub fn request_count(&self) -> usize {
        *self.shared.logged.borrow()
    }

    /// Makes the next requests matching `method path-prefix` fail with
    /// these answers, one each, in order (then they succeed again).
    pub fn fail_next(&self, request: &str, answers: &[(u16, Value)]) {
        let mut failures = self.shared.failures.lock().unwrap();
        for (status, body) in answers {
            failures.push((
                request.to_string(),
                StatusCode::from_u16(*status).unwrap(),
                body.clone(),
            ));
        }
    }

    /// Drops the injected failures not yet used.
    pub fn clear_failures(&self) {
        self.shared.failures.lock().unwrap().clear();
    }

    /// Discord's GUILD_DELETE for a server that removed the bot (not an outage).
    pub fn remove_bot_from(&self, guild: u64) {
        self.send_event("GUILD_DELETE", json!({"id": guild.to_string()}));
    }

    fn send_event(&self, name: &str, data: Value) {
        let s = self.shared.sequence.fetch_add(1, Ordering::SeqCst) + 1;
        let frame = json!({"op": 0, "t": name, "s": s, "d": data}).to_string();
        let connection = self.shared.connection.lock().unwrap().clone();
        connection
            .expect("no bot is connected to the fake gateway")
            .send(frame)
            .expect("the gateway connection closed");
    }

    /// The id poise registered a command under.
    pub fn command_id(&self, name: &str) -> u64 {
        *self
            .shared
            .commands
            .lock()
            .unwrap()
            .get(name)
            .unwrap_or_else(|| panic!("/{name} was never registered"))
    }

    /// A message the bot created, as the fake returned it.
    pub fn message(&self, id: u64) -> Value {
        self.shared.messages.lock().unwrap()[&id].clone()
    }

    /// Waits for the callback of interaction `id` and returns its body.
    pub async fn callback(&self, id: u64) -> Value {
        let prefix = format!("/interactions/{id}/");
        self.wait_for("an interaction callback", move |c| {
            c.method == "POST" && c.path.starts_with(&prefix) && c.path.ends_with("/callback")
        })
        .await
        .body
    }

    /// Sends a slash command and returns the callback body.
    pub async fn command(&self, who: Person, name: &str, options: Value) -> Value {
        let (id, _) = self
            .dispatch(self.command_interaction(who, GUILD, CHANNEL, name, options))
            .await;
        self.callback(id).await
    }

    // --- fixtures: complete objects as Discord sends them ---

    pub fn user(&self, who: Person) -> Value {
        json!({
            "id": who.id.to_string(),
            "username": who.name,
            "discriminator": "0",
            "global_name": who.name,
            "avatar": null,
            "public_flags": 0,
            "flags": 0,
            "banner": null,
            "accent_color": null,
            "avatar_decoration_data": null,
            "collectibles": null,
            "primary_guild": null,
            "clan": null
        })
    }

    pub fn member(&self, who: Person) -> Value {
        json!({
            "user": self.user(who),
            "nick": null,
            "avatar": null,
            "banner": null,
            "roles": [],
            "joined_at": "2026-09-01T08:00:00.000000+00:00",
            "premium_since": null,
            "deaf": false,
            "mute": false,
            "flags": 0,
            "pending": false,
            "permissions": who.permissions.to_string(),
            "communication_disabled_until": null,
            "unusual_dm_activity_until": null
        })
    }

    fn interaction(&self, kind: u8, who: Person, guild: u64, channel: u64, data: Value) -> Value {
        let id = self.next_id();
        json!({
            "id": id.to_string(),
            "application_id": APPLICATION_ID.to_string(),
            "type": kind,
            "data": data,
            "guild": {"id": guild.to_string(), "locale": "en-GB", "features": []},
            "guild_id": guild.to_string(),
            "channel": {
                "id": channel.to_string(),
                "type": 0,
                "name": "history-9b",
                "guild_id": guild.to_string(),
                "permissions": who.permissions.to_string(),
                "parent_id": null,
                "position": 0,
                "flags": 0,
                "nsfw": false,
                "topic": null,
                "last_message_id": null,
                "rate_limit_per_user": 0
            },
            "channel_id": channel.to_string(),
            "member": self.member(who),
            "token": format!("interaction-token-{id}"),
            "version": 1,
            "app_permissions": "2251799813685247",
            "locale": "en-GB",
            "guild_locale": "en-GB",
            "entitlements": [],
            "authorizing_integration_owners": {"0": guild.to_string()},
            "context": 0,
            "attachment_size_limit": 10485760
        })
    }

    /// A slash command; `options` as Discord sends them (`[{name, type, value}]`).
    pub fn command_interaction(
        &self,
        who: Person,
        guild: u64,
        channel: u64,
        name: &str,
        options: Value,
    ) -> Value {
        let data = json!({
            "id": self.command_id(name).to_string(),
            "name": name,
            "type": 1,
            "options": options,
            "guild_id": null
        });
        self.interaction(2, who, guild, channel, data)
    }

    /// A slash command in [`GUILD`] with a file attached to its `file`
    /// option (type 11), inside `subcommand`: the file is served by the
    /// fake's CDN and described in `resolved.attachments`, as Discord does.
    pub fn attachment_interaction(
        &self,
        who: Person,
        name: &str,
        subcommand: &str,
        filename: &str,
        data: &[u8],
    ) -> Value {
        let (guild, option) = (GUILD, "file");
        let id = self.next_id();
        let path = format!("/cdn/attachments/{id}/{filename}");
        self.shared
            .cdn
            .lock()
            .unwrap()
            .insert(path.clone(), data.to_vec());
        let url = format!("http://{}{path}", self.shared.rest);
        let data = json!({
            "id": self.command_id(name).to_string(),
            "name": name,
            "type": 1,
            "options": [{"name": subcommand, "type": 1, "options": [
                {"name": option, "type": 11, "value": id.to_string()}
            ]}],
            "resolved": {"attachments": {id.to_string(): {
                "id": id.to_string(),
                "filename": filename,
                "size": data.len(),
                "url": url,
                "proxy_url": url,
                "content_type": "application/toml",
                "ephemeral": true
            }}},
            "guild_id": null
        });
        self.interaction(2, who, guild, CHANNEL, data)
    }

    /// Typing in an autocompleted option.
    pub fn autocomplete_interaction(
        &self,
        who: Person,
        name: &str,
        option: &str,
        typed: &str,
    ) -> Value {
        let data = json!({
            "id": self.command_id(name).to_string(),
            "name": name,
            "type": 1,
            "options": [{"name": option, "type": 3, "value": typed, "focused": true}]
        });
        self.interaction(4, who, GUILD, CHANNEL, data)
    }

    /// A button press on a message the bot created.
    pub fn button_interaction(&self, who: Person, message: &Value, custom_id: &str) -> Value {
        let channel = message["channel_id"].as_str().unwrap().parse().unwrap();
        let mut interaction = self.interaction(
            3,
            who,
            GUILD,
            channel,
            json!({"custom_id": custom_id, "component_type": 2}),
        );
        interaction["message"] = message.clone();
        interaction
    }

    /// A modal submitted with one text input.
    pub fn modal_interaction(
        &self,
        who: Person,
        message: Option<&Value>,
        custom_id: &str,
        input_id: &str,
        value: &str,
    ) -> Value {
        let mut interaction = self.interaction(
            5,
            who,
            GUILD,
            CHANNEL,
            json!({
                "custom_id": custom_id,
                "components": [{"type": 1, "id": 1, "components": [
                    {"type": 4, "id": 2, "custom_id": input_id, "value": value}
                ]}]
            }),
        );
        if let Some(message) = message {
            interaction["message"] = message.clone();
        }
        interaction
    }

    /// An ephemeral or interaction-response message as the fake stores it,
    /// for presses on buttons of a reply (Discord sends the message along).
    pub fn message_from_reply(&self, channel: u64, data: &Value) -> Value {
        let id = self.next_id();
        let message = message_json(id, channel, data, true);
        self.shared
            .messages
            .lock()
            .unwrap()
            .insert(id, message.clone());
        message
    }

    /// Every JSON body must validate against Discord's OpenAPI description
    /// (when `../shared` is present; required when `CI` is set), and every
    /// request must have hit a route the fake knows.
    pub fn assert_traffic_valid(&self) {
        let requests = self.requests();
        let unknown: Vec<String> = requests
            .iter()
            .filter(|c| !c.known)
            .map(|c| format!("{} {}", c.method, c.path))
            .collect();
        assert!(
            unknown.is_empty(),
            "the bot called routes the fake Discord does not serve: {unknown:?}"
        );
        openapi::assert_valid(&requests);
    }
}

/// The bot's own user, as READY and created messages show it.
/// Fails unless serenity parses `interaction` as an Interaction (it would
/// otherwise drop it silently as an unknown event).
pub fn assert_parses(interaction: &Value) {
    if let Err(e) = serde_json::from_value::<serenity::Interaction>(interaction.clone()) {
        panic!("serenity cannot parse this interaction fixture ({e}):\n{interaction:#}");
    }
}

fn bot_user() -> Value {
    json!({
        "id": APPLICATION_ID.to_string(),
        "username": "studybot",
        "discriminator": "0",
        "global_name": null,
        "avatar": null,
        "bot": true,
        "verified": true,
        "mfa_enabled": false,
        "flags": 0,
        "public_flags": 0
    })
}

/// A complete Message for what the bot sent.
fn message_json(id: u64, channel: u64, sent: &Value, from_interaction: bool) -> Value {
    let mut message = json!({
        "id": id.to_string(),
        "channel_id": channel.to_string(),
        "author": bot_user(),
        "content": sent.get("content").and_then(Value::as_str).unwrap_or(""),
        "timestamp": "2026-11-23T09:00:00.000000+00:00",
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "mention_channels": [],
        "attachments": [],
        "embeds": sent.get("embeds").cloned().unwrap_or(json!([])),
        "reactions": [],
        "pinned": false,
        "type": if from_interaction { 20 } else { 0 },
        "flags": sent.get("flags").cloned().unwrap_or(json!(0)),
        "components": sent.get("components").cloned().unwrap_or(json!([])),
        "sticker_items": [],
        "position": null,
    });
    if let Some(nonce) = sent.get("nonce") {
        message["nonce"] = nonce.clone();
    }
    if from_interaction {
        message["webhook_id"] = json!(APPLICATION_ID.to_string());
        message["application_id"] = json!(APPLICATION_ID.to_string());
    }
    message
}

// --- REST ---

async fn serve_rest(listener: tokio::net::TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        // Small writes go out at once, as Discord's would (no Nagle delay).
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let shared = shared.clone();
                async move { Ok::<_, std::convert::Infallible>(handle_rest(request, &shared).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn handle_rest(
    request: Request<hyper::body::Incoming>,
    shared: &Shared,
) -> Response<Full<Bytes>> {
    let method = request.method().to_string();
    let path = request
        .uri()
        .path()
        .trim_start_matches("/api/v10")
        .to_string();
    // The CDN is not the API: its files are served as they are, unlogged.
    if path.starts_with("/cdn/") {
        let file = shared.cdn.lock().unwrap().get(&path).cloned();
        return match file {
            Some(data) => Response::new(Full::new(Bytes::from(data))),
            None => Response::builder()
                .status(StatusCode::NOT_FOUND)
                .body(Full::new(Bytes::from_static(b"no such file")))
                .unwrap(),
        };
    }
    let query = request.uri().query().unwrap_or("").to_string();
    let content_type = request
        .headers()
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let raw = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let mut files = Vec::new();
    let body = if raw.is_empty() {
        Value::Null
    } else if content_type.starts_with("multipart/form-data") {
        let (payload, parts) = multipart(&content_type, &raw);
        files = parts;
        payload
    } else if content_type.starts_with("application/json") {
        serde_json::from_slice(&raw).unwrap_or_else(|e| json!({"unparsable JSON": e.to_string()}))
    } else {
        json!({"non-JSON body": content_type})
    };
    let injected = {
        let mut failures = shared.failures.lock().unwrap();
        let key = format!("{method} {path}");
        failures
            .iter()
            .position(|(prefix, _, _)| key.starts_with(prefix.as_str()))
            .map(|i| failures.remove(i))
    };
    let answer = match injected {
        Some((_, status, reply)) => Some((status, reply)),
        None => route(shared, &method, &path, &body),
    };
    if method == "POST" && path.starts_with("/interactions/") && path.ends_with("/callback") {
        let id = path.split('/').nth(2).and_then(|id| id.parse::<u64>().ok());
        if let Some(waiter) = id.and_then(|id| shared.awaited.lock().unwrap().remove(&id)) {
            let _ = waiter.send((Instant::now(), body.clone()));
        }
    }
    let (status, reply) = answer.clone().unwrap_or((
        StatusCode::NOT_FOUND,
        json!({"message": "Unknown route in the fake Discord", "code": 0}),
    ));
    if !shared.keep_log {
        shared.logged.send_modify(|n| *n += 1);
    } else {
        let mut log = shared.log.lock().unwrap();
        log.push(Captured {
            method,
            path,
            query,
            content_type,
            body,
            known: answer.is_some(),
            response: reply.clone(),
            files,
            at: Instant::now(),
        });
        shared.logged.send_replace(log.len());
    }
    let mut response = Response::builder().status(status);
    if status == StatusCode::NO_CONTENT {
        return response.body(Full::new(Bytes::new())).unwrap();
    }
    response = response.header(hyper::header::CONTENT_TYPE, "application/json");
    response
        .body(Full::new(Bytes::from(reply.to_string())))
        .unwrap()
}

/// Splits a multipart/form-data body into its `payload_json` (Discord's
/// message body) and its files.
fn multipart(content_type: &str, raw: &[u8]) -> (Value, Vec<(String, Vec<u8>)>) {
    let Some(boundary) = content_type
        .split("boundary=")
        .nth(1)
        .map(|b| b.trim_matches('"').to_string())
    else {
        return (
            json!({"multipart without a boundary": content_type}),
            Vec::new(),
        );
    };
    let delimiter = format!("--{boundary}");
    let mut payload = Value::Null;
    let mut files = Vec::new();
    let mut rest = raw;
    while let Some(start) = find(rest, delimiter.as_bytes()) {
        rest = &rest[start + delimiter.len()..];
        let end = find(rest, delimiter.as_bytes()).unwrap_or(rest.len());
        let part = &rest[..end];
        if let Some(split) = find(part, b"\r\n\r\n") {
            let headers = String::from_utf8_lossy(&part[..split]).to_string();
            let mut data = &part[split + 4..];
            if data.ends_with(b"\r\n") {
                data = &data[..data.len() - 2];
            }
            let disposition = headers
                .lines()
                .find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))
                .unwrap_or("")
                .to_string();
            let field = |key: &str| {
                disposition
                    .split(';')
                    .find_map(|p| p.trim().strip_prefix(&format!("{key}=\"")))
                    .map(|v| v.trim_end_matches('"').to_string())
            };
            match (field("name").as_deref(), field("filename")) {
                (Some("payload_json"), _) => {
                    payload = serde_json::from_slice(data)
                        .unwrap_or_else(|e| json!({"unparsable payload_json": e.to_string()}));
                }
                (_, Some(filename)) => files.push((filename, data.to_vec())),
                _ => {}
            }
        }
    }
    (payload, files)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The answer to a request, or `None` for a route the fake does not serve.
fn route(shared: &Shared, method: &str, path: &str, body: &Value) -> Option<(StatusCode, Value)> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let ok = |v: Value| Some((StatusCode::OK, v));
    let ws = format!("ws://{}", shared.gateway);
    match (method, segments.as_slice()) {
        ("GET", ["gateway"]) => ok(json!({"url": ws})),
        ("GET", ["gateway", "bot"]) => ok(json!({
            "url": ws,
            "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        })),
        ("PUT", ["applications", _, "commands"])
        | ("PUT", ["applications", _, "guilds", _, "commands"]) => {
            let guild = segments.get(3).copied();
            let mut registered = Vec::new();
            for command in body.as_array()? {
                let id = shared.ids.fetch_add(1, Ordering::SeqCst);
                let mut c = command.clone();
                c["id"] = json!(id.to_string());
                c["application_id"] = json!(APPLICATION_ID.to_string());
                c["version"] = json!(id.to_string());
                c["guild_id"] = json!(guild);
                if c.get("type").is_none() {
                    c["type"] = json!(1);
                }
                if c.get("default_member_permissions").is_none() {
                    c["default_member_permissions"] = Value::Null;
                }
                shared
                    .commands
                    .lock()
                    .unwrap()
                    .insert(c["name"].as_str()?.to_string(), id);
                registered.push(c);
            }
            shared.registrations.lock().unwrap().push(Instant::now());
            ok(Value::Array(registered))
        }
        ("POST", ["interactions", _, _, "callback"]) => Some((StatusCode::NO_CONTENT, Value::Null)),
        ("POST", ["webhooks", _, _]) => {
            let id = shared.ids.fetch_add(1, Ordering::SeqCst);
            let message = message_json(id, CHANNEL, body, true);
            shared.messages.lock().unwrap().insert(id, message.clone());
            ok(message)
        }
        ("PATCH", ["webhooks", _, _, "messages", _]) => {
            let id = shared.ids.fetch_add(1, Ordering::SeqCst);
            ok(message_json(id, CHANNEL, body, true))
        }
        ("GET", ["channels", channel]) => {
            let id: u64 = channel.parse().ok()?;
            let guild = if id == OTHER_CHANNEL {
                OTHER_GUILD
            } else {
                GUILD
            };
            ok(json!({
                "id": id.to_string(),
                "type": 0,
                "guild_id": guild.to_string(),
                "name": "history-9b",
                "position": 0,
                "permission_overwrites": [],
                "nsfw": false,
                "topic": null,
                "last_message_id": null,
                "rate_limit_per_user": 0,
                "parent_id": null,
                "flags": 0
            }))
        }
        ("POST", ["channels", channel, "messages"]) => {
            let channel: u64 = channel.parse().ok()?;
            let nonce = body["nonce"]
                .as_str()
                .filter(|_| body["enforce_nonce"] == true);
            if let Some(earlier) = nonce.and_then(|n| shared.nonces.lock().unwrap().get(n).cloned())
            {
                return ok(earlier);
            }
            let id = shared.ids.fetch_add(1, Ordering::SeqCst);
            let mut message = message_json(id, channel, body, false);
            message["guild_id"] = json!(GUILD.to_string());
            shared.messages.lock().unwrap().insert(id, message.clone());
            if let Some(nonce) = nonce {
                shared
                    .nonces
                    .lock()
                    .unwrap()
                    .insert(nonce.to_string(), message.clone());
            }
            ok(message)
        }
        ("PATCH", ["channels", channel, "messages", message]) => {
            let channel: u64 = channel.parse().ok()?;
            let id: u64 = message.parse().ok()?;
            let mut messages = shared.messages.lock().unwrap();
            let mut edited = messages.get(&id)?.clone();
            for key in ["content", "embeds", "components"] {
                if let Some(v) = body.get(key) {
                    edited[key] = v.clone();
                }
            }
            edited["edited_timestamp"] = json!("2026-11-23T09:01:00.000000+00:00");
            edited["channel_id"] = json!(channel.to_string());
            messages.insert(id, edited.clone());
            ok(edited)
        }
        _ => None,
    }
}

// --- gateway ---

async fn serve_gateway(listener: tokio::net::TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        // Small writes go out at once, as Discord's would (no Nagle delay).
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        tokio::spawn(async move {
            if let Ok(socket) = tokio_tungstenite::accept_async(stream).await {
                gateway_session(socket, shared).await;
            }
        });
    }
}

async fn gateway_session(
    socket: tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
    shared: Arc<Shared>,
) {
    let (mut to_bot, mut from_bot) = socket.split();
    let hello = json!({"op": 10, "s": null, "t": null, "d": {"heartbeat_interval": 41250}});
    if to_bot
        .send(WsMessage::Text(hello.to_string()))
        .await
        .is_err()
    {
        return;
    }
    let (outbox, mut pending) = mpsc::unbounded_channel::<String>();
    loop {
        tokio::select! {
            incoming = from_bot.next() => {
                let Some(Ok(frame)) = incoming else { break };
                let WsMessage::Text(text) = frame else {
                    if matches!(frame, WsMessage::Close(_)) { break }
                    continue;
                };
                let Ok(payload) = serde_json::from_str::<Value>(&text) else { continue };
                match payload["op"].as_u64() {
                    // Heartbeat: acknowledge.
                    Some(1) => {
                        let ack = json!({"op": 11, "s": null, "t": null, "d": null});
                        if to_bot.send(WsMessage::Text(ack.to_string())).await.is_err() { break }
                    }
                    // Identify: READY, then this connection carries dispatches.
                    Some(2) => {
                        let n = *shared.identified.borrow() + 1;
                        let s = shared.sequence.fetch_add(1, Ordering::SeqCst) + 1;
                        let ready = json!({"op": 0, "t": "READY", "s": s, "d": {
                            "v": 10,
                            "user": bot_user(),
                            "guilds": [{"id": GUILD.to_string(), "unavailable": true}],
                            "session_id": format!("fake-session-{n}"),
                            "resume_gateway_url": format!("ws://{}", shared.gateway),
                            "shard": [0, 1],
                            "application": {"id": APPLICATION_ID.to_string(), "flags": 0}
                        }});
                        // This connection carries dispatches from now on: set before READY,
                        // so a test woken by the registration READY causes can dispatch at once.
                        *shared.connection.lock().unwrap() = Some(outbox.clone());
                        if to_bot.send(WsMessage::Text(ready.to_string())).await.is_err() { break }
                        shared.identified.send_replace(n);
                    }
                    _ => {}
                }
            }
            frame = pending.recv() => {
                let Some(frame) = frame else { break };
                if to_bot.send(WsMessage::Text(frame)).await.is_err() { break }
            }
        }
    }
}
