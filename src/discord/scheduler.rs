//! Sends each class's daily question when `handlers::daily::plan` says it
//! is due, and reports each outcome back to it.
//!
//! Every `TICK` the core plans the due posts (claiming each in the store
//! first); each is sent with its nonce and `enforce_nonce`, so a retry after
//! a timeout or a crash cannot post twice, then marked as sent. A missing
//! channel or permission is logged and recorded for `/settings show`, and
//! never stops the other guilds' posts.

use super::{blocking, render};
use crate::app::App;
use crate::handlers::daily::{self, PlannedPost};
use poise::serenity_prelude as serenity;
use std::sync::Arc;
use std::time::Duration;

/// The default time between two plans (`RunOptions::schedule_tick`).
pub const TICK: Duration = Duration::from_secs(30);

/// Runs until `stop` turns true or its sender is dropped (the client that
/// spawned it has stopped).
/// How often removed servers are checked for the end of their grace period.
const PURGE_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// The default first wait before retrying a daily post (`RunOptions::retry_base`).
pub const RETRY_BASE: Duration = Duration::from_secs(1);
/// Attempts at one daily post in one tick; after the last, the problem is
/// shown to teachers and the next tick tries again (with the same nonce).
pub const ATTEMPTS: u32 = 4;

pub async fn run(
    http: Arc<serenity::Http>,
    app: Arc<App>,
    tick: Duration,
    retry_base: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut ticker = tokio::time::interval(tick);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // Removed servers' data is checked for deletion at start and then hourly
    // (the grace period is counted in days).
    let mut next_purge = tokio::time::Instant::now();
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    return;
                }
                continue;
            }
        }
        if tokio::time::Instant::now() >= next_purge {
            next_purge += PURGE_EVERY;
            let purged = blocking(&app, |app| {
                crate::handlers::privacy::purge_departed(app, app.clock.now())
            })
            .await;
            match purged {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "could not delete removed servers' data; will retry")
                }
                Err(e) => tracing::error!(error = %e, "deleting removed servers' data panicked"),
            }
        }
        let planned = match blocking(&app, |app| daily::plan(app, app.clock.now())).await {
            Ok(Ok(planned)) => planned,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "could not plan the daily posts; will retry");
                continue;
            }
            Err(e) => {
                tracing::error!(error = %e, "the daily post planner panicked");
                continue;
            }
        };
        for post in planned {
            send(&http, &app, post, retry_base).await;
        }
    }
}

/// The message for a planned post: the rendered reply, its nonce, and
/// mentions limited to the configured role.
pub fn message(post: &PlannedPost) -> serenity::CreateMessage {
    let layout = render::layout(&post.reply);
    let mentions = match post.post.ping_role {
        Some(role) => {
            serenity::CreateAllowedMentions::new().roles(vec![serenity::RoleId::new(role)])
        }
        None => serenity::CreateAllowedMentions::new(),
    };
    render::fill!(
        serenity::CreateMessage::new()
            .nonce(serenity::Nonce::String(post.nonce.clone()))
            .enforce_nonce(true),
        &layout,
        mentions
    )
}

/// Whether a failed request may succeed if sent again: a rate limit, a
/// server error or a network failure; not a missing channel or permission.
fn transient(error: &serenity::Error) -> bool {
    match error {
        serenity::Error::Http(serenity::HttpError::UnsuccessfulRequest(response)) => {
            let status = response.status_code.as_u16();
            status == 429 || status >= 500
        }
        serenity::Error::Http(serenity::HttpError::Request(_)) => true,
        _ => false,
    }
}

/// Sends a planned post, retrying transient failures with doubling waits.
/// Every attempt carries the post's nonce with `enforce_nonce`, so if an
/// attempt reached Discord but its answer was lost, the retry returns the
/// message already created instead of posting a second one.
async fn send(http: &serenity::Http, app: &Arc<App>, post: PlannedPost, retry_base: Duration) {
    let channel = serenity::ChannelId::new(post.post.channel);
    let (guild, class, day) = (post.post.guild, post.post.class, post.post.day);
    let mut wait = retry_base;
    let mut attempt = 1;
    let result = loop {
        match channel.send_message(http, message(&post)).await {
            Err(e) if attempt < ATTEMPTS && transient(&e) => {
                tracing::warn!(guild = guild.0, %day, attempt, error = %e, "daily post failed; retrying");
                tokio::time::sleep(wait).await;
                wait *= 2;
                attempt += 1;
            }
            result => break result,
        }
    };
    let outcome = match result {
        Ok(sent) => {
            tracing::info!(guild = guild.0, %day, message = sent.id.get(), "daily question posted");
            let message = sent.id.get();
            blocking(app, move |app| {
                daily::record_post(app, guild, class, day, message)
            })
            .await
        }
        Err(e) => {
            tracing::warn!(guild = guild.0, %day, error = %e, "daily post failed; will retry");
            let (channel, error) = (channel.get(), e.to_string());
            blocking(app, move |app| {
                daily::record_post_problem(app, guild, day, channel, &error)
            })
            .await
        }
    };
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            tracing::error!(guild = guild.0, error = %e, "could not record the daily post's outcome")
        }
        Err(e) => {
            tracing::error!(guild = guild.0, error = %e, "recording the daily post's outcome panicked")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::Reply;
    use crate::request::GuildId;
    use crate::schedule::DuePost;

    #[test]
    fn daily_posts_carry_their_nonce_and_ping_only_the_role() {
        let post = PlannedPost {
            post: DuePost {
                guild: GuildId(1),
                class: 0,
                channel: 2,
                day: "2026-11-23".parse().unwrap(),
                ping_role: Some(77),
            },
            nonce: "sb0123456789abcdef".into(),
            reply: Reply {
                content: Some("<@&77> today's question is here.".into()),
                ..Reply::new("Q").title("Daily question")
            },
        };
        let json = serde_json::to_value(message(&post)).unwrap();
        assert_eq!(json["nonce"], "sb0123456789abcdef");
        assert_eq!(json["enforce_nonce"], true);
        assert_eq!(json["allowed_mentions"]["roles"], serde_json::json!(["77"]));
        assert_eq!(json["allowed_mentions"]["users"], serde_json::json!([]));
        assert_eq!(json["allowed_mentions"]["parse"], serde_json::json!([]));
        assert_eq!(json["content"], "<@&77> today's question is here.");
        let quiet = PlannedPost {
            post: DuePost {
                ping_role: None,
                ..post.post.clone()
            },
            ..post
        };
        let json = serde_json::to_value(message(&quiet)).unwrap();
        assert_eq!(json["allowed_mentions"]["roles"], serde_json::json!([]));
    }
}
