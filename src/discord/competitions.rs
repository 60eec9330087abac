//! Runs competitions in their channels: one task per running competition
//! calls the core's `competition::advance` when a round is due and sends
//! what it returns as ordinary channel messages (an interaction token
//! expires after 15 minutes, so rounds cannot be follow-ups).
//!
//! The task holds no state of its own: everything is in the store, so a
//! restarted bot resumes each running competition from READY, and a task
//! that stops halfway loses nothing. Time comes from the app's clock; the
//! task sleeps until the next deadline, or at most one tick when the clock
//! is a test's fixed clock.

use super::blocking;
use super::render;
use crate::app::App;
use crate::handlers::competition::{self, Post};
use poise::serenity_prelude as serenity;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The competition tasks of one client.
pub struct Runners {
    tick: Duration,
    running: Mutex<HashSet<i64>>,
    /// Turns true when the client stops; every task ends with it.
    stop: tokio::sync::watch::Receiver<bool>,
}

pub struct RunnersKey;

impl serenity::prelude::TypeMapKey for RunnersKey {
    type Value = Arc<Runners>;
}

impl Runners {
    pub fn new(tick: Duration, stop: tokio::sync::watch::Receiver<bool>) -> Arc<Self> {
        Arc::new(Self {
            tick,
            running: Mutex::new(HashSet::new()),
            stop,
        })
    }
}

async fn runners(ctx: &serenity::Context) -> Option<Arc<Runners>> {
    ctx.data.read().await.get::<RunnersKey>().cloned()
}

/// Starts the task of the competition running in `channel`, if there is one.
pub async fn run_in_channel(ctx: &serenity::Context, app: &Arc<App>, channel: serenity::ChannelId) {
    let channel = channel.get();
    match blocking(app, move |app| competition::running_in(app, channel)).await {
        Ok(Ok(Some(id))) => start(ctx, app, id).await,
        Ok(Ok(None)) => {}
        Ok(Err(e)) => tracing::error!(error = %e, "could not look up the channel's competition"),
        Err(e) => tracing::error!(error = %e, "competition lookup panicked"),
    }
}

/// Resumes every running competition (after a restart).
pub async fn resume_all(ctx: &serenity::Context, app: &Arc<App>) {
    match blocking(app, competition::running_here).await {
        Ok(Ok(all)) => {
            for id in all {
                tracing::info!(competition = id, "resuming a competition");
                start(ctx, app, id).await;
            }
        }
        Ok(Err(e)) => tracing::error!(error = %e, "could not list running competitions"),
        Err(e) => tracing::error!(error = %e, "listing competitions panicked"),
    }
}

/// Starts a competition's task unless this client already runs one for it.
pub async fn start(ctx: &serenity::Context, app: &Arc<App>, id: i64) {
    let Some(runners) = runners(ctx).await else {
        tracing::error!("the client has no competition runners");
        return;
    };
    if !runners
        .running
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(id)
    {
        return;
    }
    let (http, app) = (ctx.http.clone(), app.clone());
    tokio::spawn(async move {
        run(&http, &app, id, &runners).await;
        runners
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id);
    });
}

async fn run(http: &serenity::Http, app: &Arc<App>, id: i64, runners: &Runners) {
    let mut stop = runners.stop.clone();
    loop {
        let step = blocking(app, move |app| {
            competition::advance(app, id, app.clock.now())
        })
        .await;
        let next = match step {
            Ok(Ok(step)) => {
                for post in step.posts {
                    send(http, app, id, post).await;
                }
                match step.next {
                    Some(next) => next,
                    None => return,
                }
            }
            Ok(Err(e)) => {
                tracing::warn!(competition = id, error = %e, "could not advance a competition; will retry");
                app.clock.now() + chrono::Duration::from_std(runners.tick).unwrap_or_default()
            }
            Err(e) => {
                tracing::error!(competition = id, error = %e, "advancing a competition panicked");
                return;
            }
        };
        let wait = (next - app.clock.now())
            .to_std()
            .unwrap_or_default()
            .clamp(Duration::from_millis(10), runners.tick);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    return;
                }
            }
        }
    }
}

async fn send(http: &serenity::Http, app: &Arc<App>, id: i64, post: Post) {
    let channel = serenity::ChannelId::new(post.channel);
    let layout = render::layout(&post.reply);
    if let Some(message) = post.edit {
        if let Err(e) = channel
            .edit_message(http, serenity::MessageId::new(message), layout.to_edit())
            .await
        {
            tracing::warn!(competition = id, error = %e, "could not close a round's buttons");
        }
        return;
    }
    let message = render::fill!(
        serenity::CreateMessage::new(),
        &layout,
        serenity::CreateAllowedMentions::new()
    );
    let sent = if layout.files.is_empty() {
        channel.send_message(http, message).await
    } else {
        // With a picture (the podium): the body is built here so each
        // attachment's id is the string Discord's API describes.
        match serde_json::to_value(&message) {
            Ok(mut body) => {
                body["attachments"] = layout.attachment_list().into();
                http.send_message(channel, layout.create_attachments(), &body)
                    .await
            }
            Err(e) => Err(serenity::Error::Json(e)),
        }
    };
    match sent {
        Ok(sent) => {
            if let Some(round) = post.shows_round {
                let message = sent.id.get();
                let saved = blocking(app, move |app| {
                    competition::record_round_message(app, id, round, message)
                })
                .await;
                if !matches!(saved, Ok(Ok(()))) {
                    tracing::warn!(
                        competition = id,
                        round,
                        "could not store a round's message id"
                    );
                }
            }
        }
        Err(e) => tracing::warn!(
            competition = id,
            channel = post.channel,
            error = %e,
            "could not post to a competition's channel (missing permission?)"
        ),
    }
}
