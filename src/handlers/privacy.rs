//! `/privacy delete-me`: a student erases everything studybot stores about
//! them (answers, scores, streaks, names, review schedule) in every server
//! and in direct messages, after confirming with a button only they can
//! press. And the deletion of a server's data once the bot has been removed
//! from it for the configured grace period. What is stored and why is in
//! `docs/privacy.md`.

use crate::app::App;
use crate::custom_id::CustomId;
use crate::error::Error;
use crate::reply::{ButtonStyle, Reply};
use crate::request::Request;

/// `/privacy delete-me`: asks for confirmation.
pub fn privacy(_app: &App, request: &Request) -> Result<Reply, Error> {
    if request.subcommand() != Some("delete-me") {
        return Err(Error::user("Use `/privacy delete-me`."));
    }
    Ok(Reply::ephemeral_text(
        "This deletes everything studybot has stored about you, in every server and in direct messages: \
         your answers, points, streaks, the name it showed on leaderboards and your review schedule. \
         It cannot be undone. Your teachers' score exports made before now are not affected.",
    )
    .title("Delete your data?")
    .button(
        "Delete my data",
        CustomId::DeleteMyData {
            user: request.user.0,
        }
        .encode(),
        ButtonStyle::Danger,
    ))
}

/// The confirmation button: only the student who asked can press it.
pub fn confirm(app: &App, request: &Request, user: u64) -> Result<Reply, Error> {
    if request.user.0 != user {
        return Err(Error::user(
            "This button belongs to someone else. Use `/privacy delete-me` to delete your own data.",
        ));
    }
    let (removed, guilds) = app.store.delete_user(request.user)?;
    Ok(Reply::ephemeral_text(format!(
        "Done. Deleted {} answer{} and {} competition answer{}, and your places on the leaderboards of {} server{}, \
         and your review schedule. If you use studybot again, it starts afresh.",
        removed.answers,
        if removed.answers == 1 { "" } else { "s" },
        removed.competition_answers,
        if removed.competition_answers == 1 { "" } else { "s" },
        guilds,
        if guilds == 1 { "" } else { "s" },
    ))
    .title("Your data is deleted"))
}

/// Deletes the data of every server the bot left more than the configured
/// grace period before `now`. Returns each server deleted and how many rows
/// went. Run by the scheduler; a server that added the bot back in time was
/// taken off the list when it did.
pub fn purge_departed(
    app: &App,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<(crate::request::GuildId, u64)>, Error> {
    let grace = chrono::Duration::days(i64::from(app.config.privacy.guild_grace_days));
    let mut purged = Vec::new();
    for guild in app.store.guilds_left_before(now - grace)? {
        if !app.owns(guild) {
            continue;
        }
        let rows = app.store.delete_guild(guild)?;
        app.forget_guild(guild);
        tracing::info!(
            guild = guild.0,
            rows,
            "deleted a removed server's data after the grace period"
        );
        purged.push((guild, rows));
    }
    Ok(purged)
}
