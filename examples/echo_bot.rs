//! The floor every serenity bot pays: a minimal serenity + poise bot with one
//! `/echo text` command, built the way studybot is (the same crate versions
//! and release profile, the GUILDS intent, autosharding, owners not fetched,
//! and the same proxy setting with serenity's rate limiter off). The load
//! driver (`benches/e2e_load.rs`) runs it beside studybot, so studybot's
//! figures can be read against what any serenity bot costs.
//!
//! Run: `DISCORD_TOKEN=... [DISCORD_PROXY=http://127.0.0.1:PORT] cargo run --release --example echo_bot`

use poise::serenity_prelude as serenity;

type Error = Box<dyn std::error::Error + Send + Sync>;
type Context<'a> = poise::Context<'a, (), Error>;

/// Repeat the text
#[poise::command(slash_command)]
async fn echo(
    ctx: Context<'_>,
    #[description = "What to repeat"]
    #[max_length = 200]
    text: String,
) -> Result<(), Error> {
    ctx.send(
        poise::CreateReply::default()
            .content(text)
            .allowed_mentions(serenity::CreateAllowedMentions::new()),
    )
    .await?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let token = std::env::var("DISCORD_TOKEN").map_err(|_| "set DISCORD_TOKEN")?;
    let proxy = std::env::var("DISCORD_PROXY").ok();
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: vec![echo()],
            ..Default::default()
        })
        .initialize_owners(false)
        .setup(|ctx, _ready, framework| {
            Box::pin(async move {
                poise::builtins::register_globally(ctx, &framework.options().commands).await?;
                Ok(())
            })
        })
        .build();
    let intents = serenity::GatewayIntents::GUILDS;
    let builder = match proxy {
        Some(proxy) => serenity::ClientBuilder::new_with_http(
            serenity::HttpBuilder::new(&token)
                .proxy(proxy)
                .ratelimiter_disabled(true)
                .build(),
            intents,
        ),
        None => serenity::ClientBuilder::new(&token, intents),
    };
    let mut client = builder.framework(framework).await?;
    client.start_autosharded().await?;
    Ok(())
}
