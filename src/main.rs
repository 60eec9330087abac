//! The `studybot` binary: parses the command line, builds an [`App`] and
//! hands over to the library. No logic of its own lives here.

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use studybot::config::{Config, TOKEN_ENV};
use studybot::content::{load_bundled, load_paths};
use studybot::request::{ChannelId, GuildId, InteractionId, Request, UserId};
use studybot::{cli, handlers, App, Library};

#[derive(Parser)]
#[command(
    name = "studybot",
    version,
    about = "A Discord study-bot for history classes"
)]
struct Cli {
    /// Config file (default: ./studybot.toml if present, else built-in defaults).
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    /// A folder of packs or a single pack file; repeatable; replaces the config's list.
    #[arg(long = "content", global = true, value_name = "DIR")]
    content: Vec<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate content packs and print a summary (errors as path:line:col).
    Check {
        /// Print the summary as one JSON object (on errors:
        /// `{"errors":[{"path","line","col","message"}...]}`, exit 1).
        #[arg(long)]
        json: bool,
        /// Also check this SQLite database file for damage (SQLite's
        /// integrity_check), e.g. before restoring or after a crash.
        #[arg(long, value_name = "PATH")]
        db: Option<PathBuf>,
    },
    /// Run one command through the same handler Discord uses and print the reply.
    Ask(AskArgs),
    /// Start the Discord bot (token from DISCORD_TOKEN or the config).
    Run {
        /// Register commands to this guild only (instant, for testing).
        #[arg(long, value_name = "ID")]
        dev_guild: Option<u64>,
        /// Run only these shards, e.g. `0-3` (needs --total-shards): several
        /// processes on one PostgreSQL database split the servers.
        #[arg(long, value_name = "A-B", requires = "total_shards")]
        shards: Option<String>,
        /// How many shards all processes run together.
        #[arg(long, value_name = "N", requires = "shards")]
        total_shards: Option<u32>,
    },
    /// Write a consistent copy of the SQLite database, also while the bot runs.
    Backup {
        /// Where to write the copy (refused if it exists, unless --force).
        path: PathBuf,
        /// Database path or URL (default: the config's database).
        #[arg(long, value_name = "PATH|URL")]
        db: Option<String>,
        /// Replace the file at PATH if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Turn a Red trivia list, an Anki deck, a Kahoot spreadsheet or a Quizlet export into a pack.
    Import {
        /// The input's format: auto (from content and extension), red-trivia, quizlet, anki or kahoot.
        #[arg(long = "from", value_name = "FORMAT", default_value = "auto")]
        from: studybot::import::Format,
        /// The file to import.
        file: PathBuf,
        /// The folder to write the pack into, as <pack-id>.toml.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The pack id (default: from the file name).
        #[arg(long, value_name = "ID")]
        id: Option<String>,
        /// The pack title (default: the file name).
        #[arg(long, value_name = "TITLE")]
        title: Option<String>,
        /// Quizlet: between term and definition: tab (default), `,` (CSV), `;`, ...
        #[arg(long, value_name = "SEP")]
        separator: Option<String>,
        /// Replace the pack file if it exists.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Args)]
struct AskArgs {
    /// Database path or URL (default: the config's database).
    #[arg(long, value_name = "PATH|URL")]
    db: Option<String>,
    /// Guild (server) id; without it the command runs as in a direct message.
    #[arg(long, value_name = "ID")]
    guild: Option<u64>,
    #[arg(long, value_name = "ID")]
    channel: Option<u64>,
    #[arg(long, value_name = "ID", default_value_t = 1)]
    user: u64,
    /// The user's display name (shown on leaderboards; none by default).
    #[arg(long, value_name = "NAME", default_value = "")]
    name: String,
    /// Grant the teacher permission.
    #[arg(long)]
    teacher: bool,
    /// A role the asker holds (repeatable), e.g. the guild's teacher role.
    #[arg(long = "role", value_name = "ROLE_ID")]
    roles: Vec<u64>,
    /// Fix the clock (RFC 3339, e.g. 1937-07-30T09:00:00Z).
    #[arg(long, value_name = "RFC3339")]
    now: Option<String>,
    /// The interaction id (default: a fresh one).
    #[arg(long, value_name = "ID")]
    interaction: Option<u64>,
    /// A file passed as the command's attachment option.
    #[arg(long, value_name = "FILE")]
    attach: Vec<PathBuf>,
    /// Write the reply's attachments to this folder.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print the reply as JSON.
    #[arg(long)]
    json: bool,
    /// <command> [SUBCOMMAND]... [name=value | words]...  or  press <CUSTOM_ID> [TEXT]
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
    words: Vec<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if !matches!(cli.command, Command::Run { .. }) {
        quiet_on_closed_stdout();
    }
    let config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("studybot: {e}");
            return ExitCode::from(2);
        }
    };
    let redactor = init_logging(&config);
    let folders = if cli.content.is_empty() {
        config.content.folders_to_read()
    } else {
        cli.content.clone()
    };
    let result = match cli.command {
        Command::Check { json, db } => check(&folders, json, db.as_deref()),
        Command::Ask(args) => ask(config, &folders, args),
        Command::Run {
            dev_guild,
            shards,
            total_shards,
        } => {
            let shards = match (shards, total_shards) {
                (Some(range), Some(total)) => {
                    match studybot::shards::ShardSet::parse(&range, total) {
                        Ok(set) => Some(set),
                        Err(e) => {
                            eprintln!("studybot run: {e}");
                            return ExitCode::from(2);
                        }
                    }
                }
                _ => None,
            };
            run(config, &folders, dev_guild, shards)
        }
        Command::Backup { path, db, force } => backup(&config, db.as_deref(), &path, force),
        Command::Import {
            from,
            file,
            out,
            id,
            title,
            separator,
            force,
        } => import(studybot::import::ImportOptions {
            format: from,
            input: file,
            out_dir: out,
            pack_id: id,
            title,
            separator,
            overwrite: force,
            progress: true,
        }),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("studybot: {}", redactor.redact(&format!("{e:#}")));
            ExitCode::FAILURE
        }
    }
}

/// `studybot ask ... | head -1`: when the reader of our output goes away,
/// end quietly as Unix tools do (SIGPIPE, exit status 141) instead of
/// panicking in `println!` with a backtrace. Not for `run`, where a closed
/// socket must stay an error the bot handles rather than end the process.
fn quiet_on_closed_stdout() {
    #[cfg(unix)]
    // SAFETY: restores the default disposition of one signal before any
    // thread is started; no handler of ours is replaced.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Logs to stderr through a redactor that knows the token (from the
/// environment or the config), which also guards panic messages.
fn init_logging(config: &Config) -> studybot::logging::Redactor {
    use tracing_subscriber::util::SubscriberInitExt;
    let redactor = studybot::logging::Redactor::new(
        config
            .token(std::env::var(studybot::config::TOKEN_ENV).ok())
            .map(|t| t.expose().trim().to_string()),
    );
    redactor.install_panic_hook(std::io::stderr);
    // `target=level` lists such as `studybot=debug,warn` (tracing's Targets
    // filter: no regular expressions, so a smaller binary than EnvFilter).
    let wanted = std::env::var("RUST_LOG").unwrap_or_else(|_| config.log.level.clone());
    let filter = wanted
        .parse::<tracing_subscriber::filter::Targets>()
        .unwrap_or_else(|e| {
            eprintln!("studybot: ignoring the log filter {wanted:?} ({e}); logging at info");
            tracing_subscriber::filter::Targets::new().with_default(tracing::Level::INFO)
        });
    let style = studybot::logging::LogStyle::for_stderr(
        config.log.format,
        std::io::IsTerminal::is_terminal(&std::io::stderr()),
        std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
    );
    studybot::logging::subscriber(filter, &redactor, std::io::stderr, style).init();
    redactor
}

fn check(
    folders: &[PathBuf],
    json: bool,
    db: Option<&std::path::Path>,
) -> anyhow::Result<ExitCode> {
    // Files on disk as named; with none named (and no ./content), the
    // packs built into this binary.
    let report = if folders.is_empty() {
        load_bundled()
    } else {
        load_paths(folders)
    };
    let mut warnings: Vec<String> = report.warnings().map(|w| w.to_string()).collect();
    // A single-file pack is what a teacher uploads: say now if /pack upload
    // would refuse it, rather than after `check` said it was fine.
    for path in folders.iter().filter(|p| p.is_file()) {
        if let Some(why) = std::fs::metadata(path)
            .ok()
            .and_then(|m| handlers::packs::upload_size_problem(m.len()))
        {
            warnings.push(format!("{}: warning: {why}", path.display()));
        }
    }
    for warning in &warnings {
        eprintln!("{warning}");
    }
    let mut errors: Vec<serde_json::Value> = report
        .errors()
        .map(|e| {
            eprintln!("{e}");
            serde_json::json!({"path": e.path, "line": e.line, "col": e.column, "message": e.message})
        })
        .collect();
    if let Some(db) = db {
        match studybot::store::sqlite_file::check_file(db) {
            Ok(()) => eprintln!(
                "{}: the database is sound (integrity_check: ok)",
                db.display()
            ),
            Err(e) => {
                eprintln!("{}: {e}", db.display());
                errors.push(serde_json::json!({"path": db.display().to_string(), "line": 0, "col": 0, "message": e.to_string()}));
            }
        }
    }
    if !errors.is_empty() {
        let count = errors.len();
        if json {
            println!("{}", serde_json::json!({ "errors": errors }));
        }
        eprintln!(
            "studybot check: {count} error{} found",
            if count == 1 { "" } else { "s" }
        );
        return Ok(ExitCode::FAILURE);
    }
    let summary = report.content.summary();
    if json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        let kinds: Vec<String> = summary
            .questions_by_kind
            .iter()
            .map(|(k, v)| format!("{v} {}", k.replace('_', " ")))
            .collect();
        println!(
            "ok: {} pack(s), {} events, {} entries, {} questions ({}), {} sources",
            summary.packs,
            summary.events,
            summary.entries,
            summary.questions,
            kinds.join(", "),
            summary.sources
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Which database a command opens.
enum Database<'a> {
    /// The config's, or the one given with --db.
    Configured(Option<&'a str>),
    /// None on disk: a lookup run where no database file exists yet reads
    /// default settings from memory rather than create `./studybot.db`.
    InMemory,
}

/// Loads the content and opens the database side by side: the database
/// opens on a thread of its own (SQLite's open, the migrations, a reader per
/// core) while this one parses, checks and indexes the content, so the App
/// is ready after the longer of the two, not their sum (docs/performance.md).
fn load_app(config: Config, folders: &[PathBuf], db: Database) -> anyhow::Result<App> {
    let started = std::time::Instant::now();
    let url = match db {
        Database::Configured(db) => Some(db.unwrap_or(&config.database.url).to_string()),
        Database::InMemory => None,
    };
    let opening = std::thread::Builder::new()
        .name("studybot-db".into())
        .spawn(move || {
            let started = std::time::Instant::now();
            let store = match url {
                Some(url) => studybot::store::open(&url).with_context(|| {
                    format!(
                        "cannot open the database {}",
                        studybot::store::redacted_url(&url)
                    )
                }),
                None => studybot::store::open_in_memory().map_err(anyhow::Error::from),
            };
            (store, started.elapsed())
        })?;
    let loaded = studybot::content::load_with_bundled(folders)
        .into_result()
        .context("content did not load");
    let checked = started.elapsed();
    let library = loaded.map(|(content, warnings)| (Library::new(content), warnings));
    let indexed = started.elapsed();
    // Joined before a content error is returned, so that the store (if it
    // opened) is closed, not abandoned mid-open.
    let (store, opened) = opening
        .join()
        .map_err(|_| anyhow::anyhow!("opening the database panicked"))?;
    let (library, warnings) = library?;
    let store = store?;
    for warning in warnings {
        tracing::warn!("{warning}");
    }
    // What start-up spends before the bot can answer (docs/performance.md).
    tracing::info!(
        target: "studybot::startup",
        content_ms = indexed.as_secs_f64() * 1e3,
        index_ms = (indexed - checked).as_secs_f64() * 1e3,
        database_ms = opened.as_secs_f64() * 1e3,
        ready_ms = started.elapsed().as_secs_f64() * 1e3,
        process_cpu_ms = process_cpu_ms(),
        "content loaded and database opened, side by side"
    );
    Ok(App::new(config, library, store)?)
}

/// The CPU time this process has used so far, on all its threads: unlike
/// the wall-clock times, it hardly moves with the machine's load, so
/// start-ups on a busy machine can still be compared.
fn process_cpu_ms() -> f64 {
    #[cfg(unix)]
    {
        let mut now = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime writes only the timespec it is given.
        if unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut now) } == 0 {
            return now.tv_sec as f64 * 1e3 + now.tv_nsec as f64 / 1e6;
        }
    }
    f64::NAN
}

/// Reads a file given with --attach as an upload would arrive: a regular
/// file only, and never more than the upload limit plus one byte (so the
/// handler can still say it is too large), whatever its size.
fn read_attachment(path: &std::path::Path) -> anyhow::Result<studybot::request::Upload> {
    use std::io::Read;
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    anyhow::ensure!(
        meta.is_file(),
        "--attach {} is not a regular file",
        path.display()
    );
    let limit = handlers::packs::MAX_UPLOAD_BYTES as u64 + 1;
    let mut data = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit).read_to_end(&mut data))
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(studybot::request::Upload {
        name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        data,
    })
}

fn fresh_interaction_id() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    nanos ^ (u64::from(std::process::id()) << 40)
}

fn ask(config: Config, folders: &[PathBuf], args: AskArgs) -> anyhow::Result<ExitCode> {
    // `tick`: what the bot's competition runners would do at --now (close
    // the rounds that are due, open the next ones), for scripts and tests.
    let tick = args.words.len() == 1 && args.words[0] == "tick";
    let action = match cli::parse_ask(&args.words) {
        Ok(action) => action,
        Err(_) if tick => studybot::request::Action::Press {
            custom_id: String::new(),
            input: None,
        },
        Err(e) => {
            eprintln!("studybot ask: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let now = match &args.now {
        Some(text) => match chrono::DateTime::parse_from_rfc3339(text) {
            // Deadlines and days are stored as RFC 3339 text, which has
            // four-digit years: a clock near year 9999 would put a round's
            // deadline past what can be written back.
            Ok(t) if !(1..=9998).contains(&chrono::Datelike::year(&t)) => {
                eprintln!("studybot ask: --now `{text}` is outside the years 1 to 9998 that studybot records");
                return Ok(ExitCode::from(2));
            }
            Ok(t) => t.with_timezone(&chrono::Utc),
            Err(e) => {
                eprintln!("studybot ask: --now `{text}` is not an RFC 3339 time ({e}); example: 1937-07-30T09:00:00Z");
                return Ok(ExitCode::from(2));
            }
        },
        None => chrono::Utc::now(),
    };
    let attachment = match args.attach.first() {
        Some(path) => Some(read_attachment(path)?),
        None => None,
    };
    let request = Request {
        action,
        guild: args.guild.map(GuildId),
        channel: args.channel.map(ChannelId),
        user: UserId(args.user),
        display_name: args.name,
        teacher: args.teacher,
        roles: args.roles.clone(),
        interaction: InteractionId(args.interaction.unwrap_or_else(fresh_interaction_id)),
        now,
        attachment,
    };
    let url = args.db.as_deref().unwrap_or(&config.database.url);
    let database = if !tick
        && handlers::is_lookup(&request)
        && studybot::store::sqlite_path(url).is_some_and(|path| !path.exists())
    {
        Database::InMemory
    } else {
        Database::Configured(args.db.as_deref())
    };
    let app = load_app(config, folders, database)?;
    if tick {
        let steps =
            handlers::competition::advance_all(&app, now).map_err(|e| anyhow::anyhow!("{e}"))?;
        let replies: Vec<&studybot::Reply> = steps
            .iter()
            .flat_map(|step| &step.posts)
            .map(|post| &post.reply)
            .collect();
        if args.json {
            // One document, so `tick --json | jq` works however many posts.
            println!("{}", serde_json::to_string_pretty(&replies)?);
        } else {
            for reply in replies {
                println!("{}", cli::render(reply, false));
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let reply = handlers::respond(&app, &request);
    if let Some(out) = &args.out {
        std::fs::create_dir_all(out)?;
        for attachment in &reply.attachments {
            std::fs::write(out.join(&attachment.name), &attachment.data)?;
        }
    }
    println!("{}", cli::render(&reply, args.json));
    Ok(ExitCode::SUCCESS)
}

fn run(
    config: Config,
    folders: &[PathBuf],
    dev_guild: Option<u64>,
    shards: Option<studybot::shards::ShardSet>,
) -> anyhow::Result<ExitCode> {
    let Some(token) = config.token(std::env::var(TOKEN_ENV).ok()) else {
        eprintln!(
            "studybot run: no Discord bot token. Set the {TOKEN_ENV} environment variable \
             (recommended: {TOKEN_ENV}=... studybot run) or `token` under [discord] in the config file."
        );
        return Ok(ExitCode::from(2));
    };
    let options = studybot::discord::RunOptions {
        dev_guild,
        proxy: config.discord.proxy.clone(),
        content: folders.to_vec(),
        ..Default::default()
    };
    // The content and the database load on a thread of their own while the
    // gateway connects (start-up is the longer of the two, not their sum).
    let (built, loading) = tokio::sync::oneshot::channel();
    let folders = folders.to_vec();
    std::thread::Builder::new()
        .name("studybot-load".into())
        .spawn(move || {
            let app = load_app(config, &folders, Database::Configured(None)).map(|mut app| {
                if let Some(shards) = shards {
                    app = app.with_shards(shards);
                }
                std::sync::Arc::new(app)
            });
            let _ = built.send(app.map_err(|e| format!("{e:#}")));
            // After the App is handed over: trimming walks every arena and
            // is not needed for the commands to be registered.
            release_freed_memory();
        })?;
    let loading = async move {
        loading
            .await
            .unwrap_or_else(|_| Err("loading stopped".to_string()))
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match runtime.block_on(studybot::discord::run(loading, shards, &token, options)) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e @ studybot::discord::DiscordError::InvalidToken) => {
            eprintln!("studybot run: {e}");
            Ok(ExitCode::from(2))
        }
        Err(e) => Err(e.into()),
    }
}

/// Loading the content parses files on several threads; glibc keeps what
/// they freed in per-thread arenas. Handing it back to the system before the
/// bot settles lowers its resident memory by a few MiB on a small machine.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own heap under its locks.
    unsafe {
        libc::malloc_trim(0);
    }
}

fn backup(
    config: &Config,
    db: Option<&str>,
    to: &std::path::Path,
    force: bool,
) -> anyhow::Result<ExitCode> {
    let url = db.unwrap_or(&config.database.url);
    let Some(path) = studybot::store::sqlite_path(url) else {
        eprintln!(
            "studybot backup: only SQLite databases are backed up here; for PostgreSQL use pg_dump"
        );
        return Ok(ExitCode::from(2));
    };
    match studybot::store::sqlite_file::backup(&path, to, force) {
        Ok(done) => {
            println!(
                "backed up {} to {} ({} bytes, integrity_check: ok)",
                path.display(),
                done.target.display(),
                done.bytes
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("studybot backup: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn import(options: studybot::import::ImportOptions) -> anyhow::Result<ExitCode> {
    use studybot::import::{import_file, ImportError};
    match import_file(&options) {
        Ok(imported) => {
            for note in &imported.notes {
                eprintln!("{note}");
            }
            println!(
                "wrote {}: {} entries, {} questions (pack `{}`)",
                imported.path.display(),
                imported.entries,
                imported.questions,
                imported.pack_id
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(ImportError::Invalid { path, problems }) => {
            for problem in &problems {
                eprintln!("{}", problem.at(&path));
            }
            let count = problems.len();
            eprintln!(
                "studybot import: {count} problem{} in {path}; nothing written",
                if count == 1 { "" } else { "s" }
            );
            Ok(ExitCode::FAILURE)
        }
        Err(e @ ImportError::Usage(_)) => {
            eprintln!("studybot import: {e}");
            Ok(ExitCode::from(2))
        }
        Err(e) => Err(e.into()),
    }
}
