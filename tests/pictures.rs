//! The pictures, decoded: a timeline chart and a ranking card are PNGs of
//! the expected size, not blank, with ink where their labels are and the
//! period bars, events and podium blocks in their colours; and they arrive
//! as attachments of `/timeline picture:true` and `/leaderboard picture:true`.
#![cfg(feature = "pictures")]

use chrono::{NaiveDate, TimeZone, Utc};
use std::path::PathBuf;
use studybot::config::Config;
use studybot::handlers;
use studybot::pictures::{self, Ranked, RankedTeam, TimelineItem};
use studybot::request::{GuildId, Request};
use studybot::{App, Library};

const BACKGROUND: [u8; 3] = [250, 248, 243];

struct Image {
    width: u32,
    height: u32,
    rgba: Vec<u8>,
}

impl Image {
    fn decode(png_bytes: &[u8]) -> Image {
        let decoder = png::Decoder::new(png_bytes);
        let mut reader = decoder.read_info().unwrap();
        let mut rgba = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut rgba).unwrap();
        assert_eq!(info.color_type, png::ColorType::Rgba);
        rgba.truncate(info.buffer_size());
        Image {
            width: info.width,
            height: info.height,
            rgba,
        }
    }

    fn pixel(&self, x: u32, y: u32) -> [u8; 3] {
        let i = ((y * self.width + x) * 4) as usize;
        [self.rgba[i], self.rgba[i + 1], self.rgba[i + 2]]
    }

    /// Pixels in the rectangle that are not the background.
    fn inked(&self, x: std::ops::Range<u32>, y: std::ops::Range<u32>) -> usize {
        y.flat_map(|y| x.clone().map(move |x| (x, y)))
            .filter(|&(x, y)| self.pixel(x, y) != BACKGROUND)
            .count()
    }
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn a_timeline_has_its_title_bars_dots_and_labels_where_they_belong() {
    let items = vec![
        TimelineItem {
            label: "The mass operations".into(),
            first: day(1937, 8, 5),
            last: day(1938, 11, 17),
            span: true,
        },
        TimelineItem {
            label: "Kirov is murdered".into(),
            first: day(1934, 12, 1),
            last: day(1934, 12, 1),
            span: false,
        },
    ];
    let image = Image::decode(&pictures::timeline("Timeline: test", &items).unwrap());
    assert_eq!(image.width, 1200);
    assert_eq!(image.height, 96 + 26 * 2 + 40);
    // Not blank, not all ink.
    let inked = image.inked(0..image.width, 0..image.height);
    let all = (image.width * image.height) as usize;
    assert!(inked > all / 200 && inked < all / 2, "{inked} of {all}");
    // The title is drawn at the top left; the corner beyond it is empty.
    assert!(image.inked(40..260, 20..50) > 300, "the title's ink");
    assert_eq!(image.inked(900..1160, 5..30), 0);
    // Axis 1934..1939 over x 40..1160: the span's bar (row 0, y = 109) is
    // the span colour in its middle; the dot (row 1, y = 135) the event colour.
    let x = |d: NaiveDate| {
        let start = day(1934, 1, 1);
        40.0 + 1120.0 * (d - start).num_days() as f32 / (day(1939, 1, 1) - start).num_days() as f32
    };
    assert_eq!(image.pixel(x(day(1938, 3, 1)) as u32, 109), [176, 58, 46]);
    assert_eq!(image.pixel(x(day(1934, 12, 1)) as u32, 135), [31, 97, 141]);
    // The dot's label is written to its right.
    let after_dot = x(day(1934, 12, 2)) as u32 + 12;
    assert!(image.inked(after_dot..after_dot + 120, 125..142) > 100);
}

#[test]
fn a_ranking_card_puts_the_winner_in_the_middle_on_gold() {
    let rows: Vec<Ranked> = (1..=10)
        .map(|n| Ranked {
            rank: n,
            name: format!("Student {n}"),
            points: 200 - 15 * n as i64,
        })
        .collect();
    let image = Image::decode(&pictures::ranking("Leaderboard: all time", &rows).unwrap());
    assert_eq!((image.width, image.height), (900, 420 + 34 * 7));
    // First place: the middle block, gold, from y 180 to 380.
    assert_eq!(image.pixel(450, 370), [212, 175, 55]);
    assert_eq!(image.pixel(230, 370), [170, 170, 170]);
    assert_eq!(image.pixel(670, 370), [176, 112, 60]);
    // Its name above it.
    assert!(image.inked(360..540, 130..152) > 100, "the winner's name");
    // The list below: ranks 4-10 each with a bar.
    assert!(image.inked(40..860, 400..image.height) > 2000);
    assert_eq!(
        pictures::ranking("Nobody", &[])
            .map(|png| Image::decode(&png).height)
            .unwrap(),
        420
    );
}

#[test]
fn a_team_ranking_card_measures_teams_by_their_mean() {
    let team = |rank: u64, name: &str, mean: f64, members: u64| RankedTeam {
        rank,
        name: name.into(),
        mean,
        mean_text: format!("{mean}"),
        members,
    };
    let rows = [
        team(1, "Gryphon", 30.0, 4),
        team(2, "Otter", 25.0, 12),
        team(3, "Heron", 20.0, 1),
        team(4, "Red", 15.0, 3),
        team(5, "Blue", 7.5, 30),
    ];
    let image = Image::decode(&pictures::team_ranking("Team podium", &rows).unwrap());
    assert_eq!((image.width, image.height), (900, 420 + 34 * 2));
    // The best mean stands on the gold block in the middle.
    assert_eq!(image.pixel(450, 370), [212, 175, 55]);
    assert!(image.inked(360..540, 130..152) > 100, "the winner's name");
    // Below the podium, bars as long as the means: 15 reaches half the
    // bar's width (190 of 380 px from x 410), 7.5 a quarter.
    const BAR: [u8; 3] = [31, 97, 141];
    assert_eq!(image.pixel(590, 414), BAR, "Red's bar at 15");
    assert_eq!(image.pixel(490, 448), BAR, "Blue's bar at 7.5");
    assert_ne!(image.pixel(560, 448), BAR, "Blue's bar stops at a quarter");
}

fn app() -> App {
    let content = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("content");
    let (library, _) = Library::load(&[content]).unwrap();
    App::in_memory(Config::default(), library).unwrap()
}

#[test]
fn timeline_and_leaderboard_attach_their_pictures_when_asked() {
    let app = app();
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
    let ask = |name: &str, options: &[(&str, &str)]| {
        let mut request = Request::command(name, options, now);
        request.guild = Some(GuildId(10));
        handlers::respond(&app, &request)
    };
    let plain = ask("timeline", &[("from", "1936"), ("to", "1938")]);
    assert!(plain.attachments.is_empty());
    let with = ask(
        "timeline",
        &[("from", "1936"), ("to", "1938"), ("picture", "true")],
    );
    assert_eq!(with.text, plain.text, "the text reply is always there");
    assert_eq!(with.attachments.len(), 1);
    assert_eq!(with.attachments[0].name, "timeline.png");
    assert_eq!(with.attachments[0].media_type, "image/png");
    let image = Image::decode(&with.attachments[0].data);
    assert_eq!(image.width, 1200);
    assert!(image.height > 500, "one row per event of 1936-38");

    // A leaderboard card once someone has scored.
    let daily = ask("daily", &[]);
    let mut press = Request::command("x", &[], now);
    press.guild = Some(GuildId(10));
    press.action = studybot::request::Action::Press {
        custom_id: daily.buttons[0].custom_id.clone(),
        input: daily.buttons[0].opens_input.then(|| "Yezhov".to_string()),
    };
    handlers::respond(&app, &press);
    let board = ask("leaderboard", &[("picture", "true")]);
    assert_eq!(board.attachments.len(), 1, "{board:?}");
    assert_eq!(board.attachments[0].name, "leaderboard.png");
    assert_eq!(Image::decode(&board.attachments[0].data).width, 900);
    assert!(ask("leaderboard", &[("picture", "false")])
        .attachments
        .is_empty());
}
