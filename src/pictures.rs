//! Pictures where students would rather look than read: a timeline chart
//! (periods as bars, events as dots, years on the axis) and a ranking card
//! (a podium for the top three, then the rest of the top ten; for students
//! by points, or for a team competition's teams by mean points), as PNG.
//!
//! Drawn with tiny-skia (a rasteriser: paths, fills, PNG encoding) and the
//! glyph outlines of the bundled DejaVu Sans (`assets/fonts`, Bitstream Vera
//! licence, see `assets/fonts/LICENSE-DejaVu.txt`) read with ab_glyph, so
//! text is filled as vector paths like every other shape. A letter DejaVu
//! lacks (Chinese, Japanese and Korean names) is taken from the bundled Droid
//! Sans Fallback (Apache 2.0, `assets/fonts/LICENSE-DroidSansFallback.txt`)
//! rather than drawn as an empty box. Behind the
//! `pictures` cargo feature (on by default). Knows nothing of Discord, the
//! store or content packs: it draws the plain rows it is given.

use ab_glyph::{Font, FontRef, OutlineCurve};
use chrono::{Datelike, NaiveDate};
use tiny_skia::{Color, FillRule, Paint, PathBuilder, Pixmap, Rect, Stroke, Transform};

static FONT_DATA: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
static FALLBACK_FONT_DATA: &[u8] = include_bytes!("../assets/fonts/DroidSansFallback.ttf");

#[derive(Debug, thiserror::Error)]
pub enum PictureError {
    #[error("the picture could not be drawn: {0}")]
    Draw(String),
}

/// One row of a timeline: a period (`span`) or a dated event.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineItem {
    pub label: String,
    pub first: NaiveDate,
    pub last: NaiveDate,
    /// Drawn as a bar from `first` to `last` rather than a dot.
    pub span: bool,
}

/// One line of a ranking card.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    pub rank: u64,
    pub name: String,
    pub points: i64,
}

/// One team on a team ranking card: its rank, name, the mean of its
/// members' points (as a number for the bars and as shown) and its size.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedTeam {
    pub rank: u64,
    pub name: String,
    pub mean: f64,
    /// The mean as the text shows it ("12.5").
    pub mean_text: String,
    pub members: u64,
}

/// A line of a ranking card as drawn: what the bar measures and its labels.
struct CardRow {
    rank: u64,
    name: String,
    value: f64,
    /// Under the name on the podium.
    podium_label: String,
    /// Beside the bar, below the podium.
    bar_label: String,
}

/// The most rows a timeline draws; the rest are counted in a last line.
pub const MAX_TIMELINE_ROWS: usize = 60;

const WIDTH: u32 = 1200;
const BACKGROUND: (u8, u8, u8) = (250, 248, 243);
const INK: (u8, u8, u8) = (34, 34, 34);
const MUTED: (u8, u8, u8) = (120, 120, 120);
const GRID: (u8, u8, u8) = (222, 218, 208);
const SPAN: (u8, u8, u8) = (176, 58, 46);
const EVENT: (u8, u8, u8) = (31, 97, 141);
const MEDALS: [(u8, u8, u8); 3] = [(212, 175, 55), (170, 170, 170), (176, 112, 60)];

fn paint(rgb: (u8, u8, u8)) -> Paint<'static> {
    let mut paint = Paint::default();
    paint.set_color(Color::from_rgba8(rgb.0, rgb.1, rgb.2, 255));
    paint.anti_alias = true;
    paint
}

/// A pixmap with the fonts, and the few drawing operations the pictures use.
struct Canvas {
    pixmap: Pixmap,
    /// DejaVu Sans first, then the fallback for what it lacks.
    fonts: [FontRef<'static>; 2],
}

impl Canvas {
    fn new(width: u32, height: u32) -> Result<Self, PictureError> {
        let mut pixmap = Pixmap::new(width, height)
            .ok_or_else(|| PictureError::Draw(format!("no {width}x{height} canvas")))?;
        pixmap.fill(Color::from_rgba8(
            BACKGROUND.0,
            BACKGROUND.1,
            BACKGROUND.2,
            255,
        ));
        let font = |data| {
            FontRef::try_from_slice(data)
                .map_err(|e| PictureError::Draw(format!("a bundled font: {e}")))
        };
        Ok(Self {
            pixmap,
            fonts: [font(FONT_DATA)?, font(FALLBACK_FONT_DATA)?],
        })
    }

    /// The font that has `c` (DejaVu's empty box when none has it), its
    /// glyph, and the scale from its units to `size` pixels.
    fn glyph(&self, c: char, size: f32) -> (usize, ab_glyph::GlyphId, f32) {
        let which = self
            .fonts
            .iter()
            .position(|f| f.glyph_id(c).0 != 0)
            .unwrap_or(0);
        let font = &self.fonts[which];
        (
            which,
            font.glyph_id(c),
            size / font.units_per_em().unwrap_or(2048.0),
        )
    }

    /// The width of `text` at `size` pixels.
    fn text_width(&self, text: &str, size: f32) -> f32 {
        let mut width = 0.0;
        let mut previous = None;
        for c in text.chars() {
            let (which, id, scale) = self.glyph(c, size);
            let font = &self.fonts[which];
            if let Some((p_which, p)) = previous {
                if p_which == which {
                    width += font.kern_unscaled(p, id) * scale;
                }
            }
            width += font.h_advance_unscaled(id) * scale;
            previous = Some((which, id));
        }
        width
    }

    /// `text` cut with "…" to fit `max` pixels.
    fn fitted(&self, text: &str, size: f32, max: f32) -> String {
        if self.text_width(text, size) <= max {
            return text.to_string();
        }
        let mut cut: String = text.to_string();
        while !cut.is_empty() && self.text_width(&format!("{cut}…"), size) > max {
            cut.pop();
        }
        format!("{}…", cut.trim_end())
    }

    /// Fills `text` with its baseline at `y`, starting at `x`.
    fn text(&mut self, text: &str, x: f32, y: f32, size: f32, rgb: (u8, u8, u8)) {
        let mut path = PathBuilder::new();
        let mut pen = x;
        let mut previous = None;
        for c in text.chars() {
            let (which, id, scale) = self.glyph(c, size);
            let font = &self.fonts[which];
            if let Some((p_which, p)) = previous {
                if p_which == which {
                    pen += font.kern_unscaled(p, id) * scale;
                }
            }
            if let Some(outline) = font.outline(id) {
                // Font units grow upwards; pixels grow downwards.
                let at = |p: ab_glyph::Point| (pen + p.x * scale, y - p.y * scale);
                let mut end = None;
                for curve in &outline.curves {
                    let (start, last) = match curve {
                        OutlineCurve::Line(a, b) => (*a, *b),
                        OutlineCurve::Quad(a, _, c) => (*a, *c),
                        OutlineCurve::Cubic(a, _, _, d) => (*a, *d),
                    };
                    if end != Some((start.x, start.y)) {
                        if end.is_some() {
                            path.close();
                        }
                        let (sx, sy) = at(start);
                        path.move_to(sx, sy);
                    }
                    match curve {
                        OutlineCurve::Line(_, b) => {
                            let (bx, by) = at(*b);
                            path.line_to(bx, by);
                        }
                        OutlineCurve::Quad(_, b, c) => {
                            let ((bx, by), (cx, cy)) = (at(*b), at(*c));
                            path.quad_to(bx, by, cx, cy);
                        }
                        OutlineCurve::Cubic(_, b, c, d) => {
                            let ((bx, by), (cx, cy), (dx, dy)) = (at(*b), at(*c), at(*d));
                            path.cubic_to(bx, by, cx, cy, dx, dy);
                        }
                    }
                    end = Some((last.x, last.y));
                }
                if end.is_some() {
                    path.close();
                }
            }
            pen += font.h_advance_unscaled(id) * scale;
            previous = Some((which, id));
        }
        if let Some(path) = path.finish() {
            self.pixmap.fill_path(
                &path,
                &paint(rgb),
                FillRule::Winding,
                Transform::identity(),
                None,
            );
        }
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, rgb: (u8, u8, u8)) {
        if let Some(rect) = Rect::from_xywh(x, y, w.max(1.0), h.max(1.0)) {
            self.pixmap
                .fill_rect(rect, &paint(rgb), Transform::identity(), None);
        }
    }

    fn line(&mut self, from: (f32, f32), to: (f32, f32), width: f32, rgb: (u8, u8, u8)) {
        let mut path = PathBuilder::new();
        path.move_to(from.0, from.1);
        path.line_to(to.0, to.1);
        if let Some(path) = path.finish() {
            let stroke = Stroke {
                width,
                ..Stroke::default()
            };
            self.pixmap
                .stroke_path(&path, &paint(rgb), &stroke, Transform::identity(), None);
        }
    }

    fn dot(&mut self, x: f32, y: f32, radius: f32, rgb: (u8, u8, u8)) {
        if let Some(path) = PathBuilder::from_circle(x, y, radius) {
            self.pixmap.fill_path(
                &path,
                &paint(rgb),
                FillRule::Winding,
                Transform::identity(),
                None,
            );
        }
    }

    fn png(self) -> Result<Vec<u8>, PictureError> {
        self.pixmap
            .encode_png()
            .map_err(|e| PictureError::Draw(e.to_string()))
    }
}

/// A timeline chart of `items` (in the order given, one row each), with a
/// year axis spanning them all.
pub fn timeline(title: &str, items: &[TimelineItem]) -> Result<Vec<u8>, PictureError> {
    const TOP: f32 = 96.0;
    const ROW: f32 = 26.0;
    const LEFT: f32 = 40.0;
    const RIGHT: f32 = WIDTH as f32 - 40.0;
    let shown = &items[..items.len().min(MAX_TIMELINE_ROWS)];
    let hidden = items.len() - shown.len();
    let rows = shown.len() + usize::from(hidden > 0);
    let height = (TOP + ROW * rows.max(1) as f32 + 40.0) as u32;
    let mut canvas = Canvas::new(WIDTH, height)?;
    let title = canvas.fitted(title, 28.0, RIGHT - LEFT);
    canvas.text(&title, LEFT, 44.0, 28.0, INK);

    let first = shown.iter().map(|i| i.first).min();
    let last = shown.iter().map(|i| i.last.max(i.first)).max();
    let (Some(first), Some(last)) = (first, last) else {
        canvas.text("Nothing in this period.", LEFT, TOP + 20.0, 18.0, MUTED);
        return canvas.png();
    };
    // Whole years on the axis, at least one.
    let start = NaiveDate::from_ymd_opt(first.year(), 1, 1).unwrap_or(first);
    let end = NaiveDate::from_ymd_opt(last.year() + 1, 1, 1).unwrap_or(last);
    let days = (end - start).num_days().max(1) as f32;
    let x = |d: NaiveDate| LEFT + (RIGHT - LEFT) * (d - start).num_days() as f32 / days;
    let bottom = TOP + ROW * rows as f32;
    let years = end.year() - start.year();
    let step = (years / 12).max(1);
    for year in (start.year()..=end.year()).step_by(step as usize) {
        let Some(day) = NaiveDate::from_ymd_opt(year, 1, 1) else {
            continue;
        };
        let gx = x(day);
        canvas.line((gx, TOP - 12.0), (gx, bottom), 1.0, GRID);
        if year < end.year() || years == 0 {
            canvas.text(&year.to_string(), gx + 4.0, TOP - 18.0, 15.0, MUTED);
        }
    }
    for (n, item) in shown.iter().enumerate() {
        let y = TOP + ROW * n as f32 + ROW / 2.0;
        let (x0, x1) = (
            x(item.first),
            x(item.last.max(item.first) + chrono::Duration::days(1)),
        );
        // The mark: a bar for a period, a dot in the middle of a date's
        // days (a month-precision date sits mid-month); labels go beside it.
        let (x0, x1) = if item.span {
            canvas.rect(x0, y - 6.0, (x1 - x0).max(3.0), 12.0, SPAN);
            (x0, x0 + (x1 - x0).max(3.0))
        } else {
            let centre = (x0 + x1) / 2.0;
            canvas.dot(centre, y, 5.5, EVENT);
            (centre - 5.5, centre + 5.5)
        };
        // The label beside its mark, on whichever side has room.
        let size = 15.0;
        let right_room = RIGHT - (x1 + 10.0);
        let left_room = x0 - 10.0 - LEFT;
        let width = canvas.text_width(&item.label, size);
        let on_right = width <= right_room || (width > left_room && right_room >= left_room);
        let (label, lx) = if on_right {
            let label = canvas.fitted(&item.label, size, right_room.max(60.0));
            (label, x1 + 10.0)
        } else {
            let label = canvas.fitted(&item.label, size, left_room.max(60.0));
            let w = canvas.text_width(&label, size);
            (label, x0 - 10.0 - w)
        };
        canvas.text(&label, lx, y + 5.0, size, INK);
    }
    if hidden > 0 {
        let y = TOP + ROW * shown.len() as f32 + ROW / 2.0 + 5.0;
        canvas.text(&format!("and {hidden} more…"), LEFT, y, 15.0, MUTED);
    }
    canvas.png()
}

/// A ranking card: the top three on a podium, the next up to seven listed.
pub fn ranking(title: &str, rows: &[Ranked]) -> Result<Vec<u8>, PictureError> {
    let rows: Vec<CardRow> = rows
        .iter()
        .map(|r| CardRow {
            rank: r.rank,
            name: r.name.clone(),
            value: r.points as f64,
            podium_label: format!("{} pts", r.points),
            bar_label: r.points.to_string(),
        })
        .collect();
    card(title, &rows)
}

/// A team ranking card (a team competition's podium): as [`ranking`], the
/// teams placed by the mean of their members' points, each labelled with
/// its mean and its number of players.
pub fn team_ranking(title: &str, rows: &[RankedTeam]) -> Result<Vec<u8>, PictureError> {
    let players = |n: u64| format!("{n} player{}", if n == 1 { "" } else { "s" });
    let rows: Vec<CardRow> = rows
        .iter()
        .map(|r| CardRow {
            rank: r.rank,
            name: r.name.clone(),
            value: r.mean,
            podium_label: format!("{} pts each · {}", r.mean_text, players(r.members)),
            bar_label: format!("{} ({})", r.mean_text, players(r.members)),
        })
        .collect();
    card(title, &rows)
}

fn card(title: &str, rows: &[CardRow]) -> Result<Vec<u8>, PictureError> {
    const W: u32 = 900;
    const LEFT: f32 = 40.0;
    let podium = &rows[..rows.len().min(3)];
    let rest = &rows[podium.len()..rows.len().min(10)];
    let height = 420 + 34 * rest.len() as u32;
    let mut canvas = Canvas::new(W, height)?;
    let title = canvas.fitted(title, 28.0, W as f32 - 2.0 * LEFT);
    canvas.text(&title, LEFT, 46.0, 28.0, INK);
    if rows.is_empty() {
        canvas.text("Nobody has scored yet.", LEFT, 120.0, 18.0, MUTED);
        return canvas.png();
    }
    // Second, first, third from the left, as on a podium.
    let base = 380.0;
    let block = 220.0;
    let centre = W as f32 / 2.0;
    for (place, (dx, tall)) in [
        (1usize, (-block, 150.0)),
        (0, (0.0, 200.0)),
        (2, (block, 110.0)),
    ] {
        let Some(r) = podium.get(place) else { continue };
        let left = centre + dx - block / 2.0 + 10.0;
        let width = block - 20.0;
        canvas.rect(left, base - tall, width, tall, MEDALS[place]);
        let rank = r.rank.to_string();
        let size = 44.0;
        let rw = canvas.text_width(&rank, size);
        canvas.text(
            &rank,
            left + (width - rw) / 2.0,
            base - tall + 58.0,
            size,
            (255, 255, 255),
        );
        let name = canvas.fitted(&r.name, 18.0, width);
        let nw = canvas.text_width(&name, 18.0);
        canvas.text(
            &name,
            left + (width - nw) / 2.0,
            base - tall - 34.0,
            18.0,
            INK,
        );
        let points = canvas.fitted(&r.podium_label, 15.0, width);
        let pw = canvas.text_width(&points, 15.0);
        canvas.text(
            &points,
            left + (width - pw) / 2.0,
            base - tall - 12.0,
            15.0,
            MUTED,
        );
    }
    let best = rows.iter().map(|r| r.value).fold(1.0, f64::max) as f32;
    for (n, r) in rest.iter().enumerate() {
        let y = base + 40.0 + 34.0 * n as f32;
        canvas.text(&format!("{}.", r.rank), LEFT, y, 17.0, MUTED);
        let name = canvas.fitted(&r.name, 17.0, 300.0);
        canvas.text(&name, LEFT + 50.0, y, 17.0, INK);
        let bar = 380.0 * (r.value.max(0.0) as f32 / best);
        canvas.rect(LEFT + 370.0, y - 14.0, bar, 16.0, EVENT);
        canvas.text(&r.bar_label, LEFT + 380.0 + bar, y, 15.0, MUTED);
    }
    canvas.png()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_names_are_drawn_from_the_fallback_font_not_as_boxes() {
        let canvas = Canvas::new(10, 10).unwrap();
        for c in ['王', '小', 'ア', '한'] {
            let (which, id, _) = canvas.glyph(c, 20.0);
            assert_eq!(which, 1, "{c} comes from the fallback");
            assert_ne!(id.0, 0, "{c} has a glyph");
            assert!(canvas.fonts[1].outline(id).is_some(), "{c} has an outline");
        }
        for c in ['A', 'Я', 'é', '…'] {
            assert_eq!(canvas.glyph(c, 20.0).0, 0, "{c} stays in DejaVu Sans");
        }
        // DejaVu's empty box is one narrow advance whatever the letter; CJK
        // letters are full-width.
        let boxes = canvas.fonts[0].h_advance_unscaled(canvas.fonts[0].glyph_id('王'));
        let (_, id, scale) = canvas.glyph('王', 20.0);
        let full = canvas.fonts[1].h_advance_unscaled(id) * scale;
        assert!(full > boxes * (20.0 / 2048.0), "{full} vs {boxes}");
    }
}
