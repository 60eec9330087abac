//! Buttons and modal submits, routed by custom id to the core handlers.
//!
//! A button whose custom id asks for typed text (`qa1:`) is answered with a
//! modal, as the first response to its interaction (a modal can never follow
//! a deferral); the modal's own custom id is `m1:<button id>`, so its submit
//! is routed back to the same handler with the typed text. Everything goes
//! through `crate::handlers::respond`, the one error path. Nothing here waits
//! on a collector, so a press on a message posted before a restart works.

use super::{asker, render, respond_in_time, Error};
use crate::app::App;
use crate::custom_id::CustomId;
use crate::handlers::Prepared;
use crate::request::Action;
use poise::serenity_prelude as serenity;
use std::sync::Arc;

/// Prefix of a modal's custom id; the rest is the button's custom id.
const MODAL_PREFIX: &str = "m1:";
/// The text input's custom id inside the modal.
const INPUT_ID: &str = "answer";
/// Discord limits modal titles and input labels to 45 characters.
const MODAL_TITLE: &str = "Your answer";

/// The modal a typed-answer (or report) button opens.
pub fn answer_modal(button_custom_id: &str, button: &CustomId) -> serenity::CreateModal {
    let report = matches!(button, CustomId::ReportProblem { .. });
    let (title, label, style, max) = if report {
        (
            "Report a problem",
            "What is wrong with this question?",
            serenity::InputTextStyle::Paragraph,
            500,
        )
    } else {
        (
            MODAL_TITLE,
            "Answer (the question is in the message)",
            serenity::InputTextStyle::Short,
            200,
        )
    };
    serenity::CreateModal::new(format!("{MODAL_PREFIX}{button_custom_id}"), title).components(vec![
        serenity::CreateActionRow::InputText(
            serenity::CreateInputText::new(style, label, INPUT_ID)
                .max_length(max)
                .required(true),
        ),
    ])
}

/// The button custom id and typed text of a modal submit.
pub fn modal_answer(
    modal_custom_id: &str,
    inputs: &[(String, String)],
) -> Option<(String, String)> {
    let button = modal_custom_id.strip_prefix(MODAL_PREFIX)?;
    let text = inputs
        .iter()
        .find(|(id, _)| id == INPUT_ID)
        .map(|(_, v)| v.clone())?;
    Some((button.to_string(), text))
}

pub async fn on_event(
    ctx: &serenity::Context,
    event: &serenity::FullEvent,
    app: &Arc<App>,
) -> Result<(), Error> {
    let serenity::FullEvent::InteractionCreate { interaction } = event else {
        return Ok(());
    };
    match interaction {
        serenity::Interaction::Component(press) => on_press(ctx, press, app).await,
        serenity::Interaction::Modal(submit) => on_modal(ctx, submit, app).await,
        _ => Ok(()),
    }
}

async fn on_press(
    ctx: &serenity::Context,
    press: &serenity::ComponentInteraction,
    app: &Arc<App>,
) -> Result<(), Error> {
    let who = asker(
        app,
        press.guild_id,
        press.channel_id,
        &press.user,
        press.member.as_ref(),
        press.id,
    );
    // The button's id is decoded here, once, for everything below.
    let prepared = Prepared::new(who.request(Action::Press {
        custom_id: press.data.custom_id.clone(),
        input: None,
    }));
    if let Some(button) = prepared.button().filter(|b| b.opens_input()) {
        let modal = answer_modal(&press.data.custom_id, button);
        press
            .create_response(ctx, serenity::CreateInteractionResponse::Modal(modal))
            .await?;
        return Ok(());
    }
    // Answers and lookups from buttons are private to the presser.
    let (reply, deferred) = respond_in_time(app, prepared, || async {
        Ok(press.defer_ephemeral(ctx).await?)
    })
    .await?;
    let layout = render::layout(&reply);
    if deferred {
        press.create_followup(ctx, layout.to_followup()).await?;
    } else {
        press
            .create_response(
                ctx,
                serenity::CreateInteractionResponse::Message(layout.to_interaction_message()),
            )
            .await?;
    }
    apply_edits(ctx, &reply, press.channel_id, press.message.id).await;
    Ok(())
}

async fn on_modal(
    ctx: &serenity::Context,
    submit: &serenity::ModalInteraction,
    app: &Arc<App>,
) -> Result<(), Error> {
    let inputs: Vec<(String, String)> = submit
        .data
        .components
        .iter()
        .flat_map(|row| row.components.iter())
        .filter_map(|c| match c {
            serenity::ActionRowComponent::InputText(t) => {
                Some((t.custom_id.clone(), t.value.clone().unwrap_or_default()))
            }
            _ => None,
        })
        .collect();
    let Some((custom_id, text)) = modal_answer(&submit.data.custom_id, &inputs) else {
        tracing::warn!(custom_id = %submit.data.custom_id, "modal submit with an unknown custom id");
        return Ok(());
    };
    let who = asker(
        app,
        submit.guild_id,
        submit.channel_id,
        &submit.user,
        submit.member.as_ref(),
        submit.id,
    );
    let prepared = Prepared::new(who.request(Action::Press {
        custom_id,
        input: Some(text),
    }));
    let (reply, deferred) = respond_in_time(app, prepared, || async {
        Ok(submit.defer_ephemeral(ctx).await?)
    })
    .await?;
    let layout = render::layout(&reply);
    if deferred {
        submit.create_followup(ctx, layout.to_followup()).await?;
    } else {
        submit
            .create_response(
                ctx,
                serenity::CreateInteractionResponse::Message(layout.to_interaction_message()),
            )
            .await?;
    }
    if let Some(original) = &submit.message {
        apply_edits(ctx, &reply, submit.channel_id, original.id).await;
    }
    Ok(())
}

/// Queues a reply's edits (a daily question's tally) of the message the
/// button was on. Edits are coalesced (see `edits`); a failure is logged: the
/// student's answer is already recorded and acknowledged, and the next edit
/// brings the tally up to date.
async fn apply_edits(
    ctx: &serenity::Context,
    reply: &crate::Reply,
    channel: serenity::ChannelId,
    message: serenity::MessageId,
) {
    if reply.edits.is_empty() {
        return;
    }
    let edits = ctx.data.read().await.get::<EditsKey>().cloned();
    let Some(edits) = edits else {
        tracing::error!("the client has no edit coalescer; the tally is not updated");
        return;
    };
    let coalescer = edits.coalescer(&ctx.http);
    for edit in &reply.edits {
        coalescer.submit((channel, message), render::layout(&edit.reply));
    }
}

type EditCoalescer =
    super::edits::Coalescer<(serenity::ChannelId, serenity::MessageId), render::Layout>;

/// One client's edit coalescer, kept in the client's data so that two
/// clients in one process (a restart in the end-to-end tests) never share
/// one. It is created with the first edit, because it needs the client's
/// HTTP handle, and poise's event handler is a plain function that cannot
/// capture one.
pub struct Edits {
    window: std::time::Duration,
    coalescer: std::sync::OnceLock<Arc<EditCoalescer>>,
}

pub struct EditsKey;

impl serenity::prelude::TypeMapKey for EditsKey {
    type Value = Arc<Edits>;
}

impl Edits {
    pub fn new(window: std::time::Duration) -> Arc<Self> {
        Arc::new(Self {
            window,
            coalescer: std::sync::OnceLock::new(),
        })
    }

    fn coalescer(&self, http: &Arc<serenity::Http>) -> Arc<EditCoalescer> {
        self.coalescer
            .get_or_init(|| {
                let http = http.clone();
                super::edits::Coalescer::new(
                    self.window,
                    Box::new(move |(channel, message): (serenity::ChannelId, serenity::MessageId), layout: render::Layout| {
                        let http = http.clone();
                        Box::pin(async move {
                            if let Err(e) = channel.edit_message(&http, message, layout.to_edit()).await {
                                tracing::warn!(error = %e, message = message.get(), "could not update the tally message");
                            }
                        })
                    }),
                )
            })
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_answer_buttons_open_a_modal_that_routes_back() {
        let opens_input = |id: &str| CustomId::decode(id).unwrap().opens_input();
        assert!(opens_input("qa1:42"));
        assert!(!opens_input("q1:42:1"));
        assert!(!opens_input("ex1:great-purge/nkvd"));
        let modal = answer_modal("qa1:42", &CustomId::decode("qa1:42").unwrap());
        let modal = serde_json::to_value(modal).unwrap();
        assert_eq!(modal["custom_id"], "m1:qa1:42", "{modal}");
        assert!(modal["title"].as_str().unwrap().chars().count() <= 45);
        let input = &modal["components"][0]["components"][0];
        assert!(input["label"].as_str().unwrap().chars().count() <= 45);
        assert_eq!(input["custom_id"], INPUT_ID);
        assert_eq!(
            modal_answer("m1:qa1:42", &[(INPUT_ID.to_string(), "1934".to_string())]),
            Some(("qa1:42".to_string(), "1934".to_string()))
        );
        assert_eq!(
            modal_answer("zz:qa1:42", &[(INPUT_ID.to_string(), "x".to_string())]),
            None
        );
    }
}
