//! How a list is set on A4 landscape paper: the width of each printed column
//! and the height of each row, decided from what the list holds.
//!
//! A short column (a date, a number, a verdict, a unit's name) is as wide as
//! its widest value, on one line or, for a name, in two lines that leave no
//! character alone (保亭黎族苗/族自治县, never 白沙黎族自治/县; a rare value past
//! ten characters wraps further). The page's width left over goes to the
//! long-text columns, shared so the rows, summed, are as short as they can be
//! (a task's text and the progress beside it wrap to about the same depth),
//! a header line repeated on every page counted too. Every row is then as tall
//! as its deepest cell needs, in the printer that needs most ([`measure`]).
//!
//! The body is 9 points, the least SPEC §5 allows on paper, printed at full
//! size: the columns are chosen to fit the page in LibreOffice, whose column
//! unit is the wider, so nothing is ever shrunk to fit.
//!
//! A table laid out by hand ([`Layout::fixed`]: 总览, 说明, a county's annotated
//! copy) keeps its widths in Chinese characters and its 10-point body.

use std::borrow::Cow;

use super::cells::{Cell, Column, Kind, Width, lines_height, row_height, text_lines};
use super::measure::{self, Extent, Printer, Type};
use super::style;

/// A printed list's body type: 9 points.
pub const LIST_TYPE: Type = Type::regular(9.0);
/// A printed list's header type: 9-point 黑体, bold.
pub const HEADER_TYPE: Type = Type::bold(9.0);

/// The width a list may take on A4 landscape in LibreOffice: 297 mm less the
/// 0.4-inch side margins ([`style::PAGE_MARGINS`]) is 784.3 points; a few are
/// left for the borders.
const PAGE_POINTS: f64 = 780.0;
/// The narrowest a long-text column gets: six Chinese characters.
const SHARE_FLOOR_CHARS: f64 = 6.0;
/// A Latin word or number wider than this many ems is broken rather than
/// given a column wide enough for it (a stray URL must not eat the page).
const WIDEST_WORD_EMS: f64 = 14.0;
/// The rows the widths are chosen on: all of them up to this many, else an
/// even sample of the list, so a national 明细 is laid out in milliseconds.
const SAMPLE_ROWS: usize = 2048;
/// A short column's text wider than this many ems wraps rather than widen
/// the column further.
const FIT_EMS: f64 = 10.0;
/// How many of a short column's widest values are tried in two lines.
const WIDEST_KEPT: usize = 64;
/// The body of a page in points, between the margins (A4's 595.3 less 0.75 and
/// 0.6 inch): what a header line repeated on every page costs is its share of it.
const PAGE_BODY_POINTS: f64 = 498.0;

/// The widths of a table's columns and how its rows are measured.
#[derive(Debug, Clone)]
pub struct Layout<'a> {
    pub columns: &'a [Column],
    /// Each column's width in pixels, for a laid-out list.
    px: Vec<u32>,
    fitted: bool,
}

/// Each column's width, as the table is written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ColumnWidth {
    /// Excel's width units, as `Worksheet::set_column_width` takes them.
    Units(f64),
    /// Pixels, as `Worksheet::set_column_width_pixels` takes them.
    Pixels(u32),
}

/// The text a cell shows, and whether a line may break inside it.
fn shown(cell: &Cell) -> Option<(Cow<'_, str>, bool)> {
    match cell {
        Cell::Text(s) => Some((Cow::Borrowed(s.as_str()), true)),
        Cell::Verdict(v) => Some((Cow::Borrowed(v.label()), true)),
        Cell::Int(n) => Some((Cow::Owned(n.to_string()), false)),
        Cell::Date(d) => Some((Cow::Owned(crate::period::chinese_date(*d)), false)),
        Cell::Percent(p) => Some((Cow::Owned(format!("{:.1}%", p * 100.0)), false)),
        Cell::Heading(_) | Cell::Empty | Cell::Joined => None,
    }
}

/// The fewest pixels that show `text` on one line in every printer.
fn one_line_px(text: &str, ty: Type) -> u32 {
    Printer::ALL
        .iter()
        .map(|p| p.pixels_for(p.line_width(text, ty)))
        .max()
        .unwrap_or(1)
}

/// The fewest pixels that show `text` in at most `lines` lines in every printer.
fn px_for_lines(text: &str, lines: usize, ty: Type) -> u32 {
    let (mut low, mut high) = (1, one_line_px(text, ty));
    let fits = |px| Printer::ALL.iter().all(|p| p.lines(text, px, ty) <= lines);
    // `high` fits; find the first width that does.
    while low < high {
        let mid = (low + high) / 2;
        if fits(mid) {
            high = mid;
        } else {
            low = mid + 1;
        }
    }
    high
}

/// The pixels of a column `chars` Chinese characters wide, as `cjk_width` sets it.
fn chars_px(chars: usize) -> u32 {
    (style::cjk_width(chars) * 7.0).round() as u32 + 5
}

/// What a column needs, gathered over its values.
#[derive(Debug, Clone, Default)]
struct Need {
    /// Its widest value on one line.
    one_line: u32,
    /// The least any value allows: an unbroken date or number, a word.
    least: u32,
    /// Its widest values that may wrap, widest first.
    widest: Vec<(u32, String)>,
}

impl Need {
    /// Counts a value in; `names` keeps the widest for [`Need::two_lines`].
    fn add(&mut self, text: &str, extent: Extent, breakable: bool, names: bool) {
        let (mut one_line, mut word) = (1, 1);
        for (i, p) in Printer::ALL.iter().enumerate() {
            one_line = one_line.max(p.pixels_for(extent.line[i]));
            let cap = WIDEST_WORD_EMS * LIST_TYPE.points;
            word = word.max(p.pixels_for(extent.word[i].min(cap)));
        }
        self.one_line = self.one_line.max(one_line);
        if !breakable {
            self.least = self.least.max(one_line);
            return;
        }
        self.least = self.least.max(word);
        if !names {
            return;
        }
        self.keep_widest(one_line, text);
    }

    /// Keeps `text` among the widest if it is: the [`WIDEST_KEPT`] widest, ties
    /// by text, whatever order the values come in.
    fn keep_widest(&mut self, one_line: u32, text: &str) {
        let full = self.widest.len() >= WIDEST_KEPT;
        if full
            && self
                .widest
                .last()
                .is_some_and(|w| w.0 > one_line || (w.0 == one_line && w.1.as_str() <= text))
        {
            return;
        }
        if self.widest.iter().any(|(_, t)| t == text) {
            return;
        }
        self.widest.push((one_line, text.to_string()));
        self.widest
            .sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        self.widest.truncate(WIDEST_KEPT);
    }

    /// Counts in what `other` gathered over other rows of the same column.
    fn merge(&mut self, other: Need) {
        self.one_line = self.one_line.max(other.one_line);
        self.least = self.least.max(other.least);
        for (one_line, text) in other.widest {
            self.keep_widest(one_line, &text);
        }
    }

    /// The narrowest width from `low` to `high` pixels at which each of its
    /// widest values sets in at most two lines and none leaves one character
    /// alone on a line (保亭黎族苗/族自治县, never 按期完/成); `high` if none.
    fn two_lines(&self, low: u32, high: u32) -> u32 {
        (low..high)
            .find(|px| {
                self.widest.iter().all(|(_, text)| {
                    Printer::ALL.iter().all(|p| {
                        let set = p.set(text, *px, LIST_TYPE);
                        set.lines <= 2 && set.shortest_last >= 2
                    })
                })
            })
            .unwrap_or(high)
    }
}

/// A cell of the sample the widths are chosen on: where it starts, how many
/// columns it spans, and its paragraphs' widths on one line in LibreOffice.
#[derive(Debug, Clone)]
struct SampleCell {
    column: usize,
    span: usize,
    paragraphs: std::ops::Range<usize>,
}

/// The rows the widths are chosen on, each a run of cells.
#[derive(Debug, Default)]
struct Sample {
    rows: Vec<std::ops::Range<usize>>,
    cells: Vec<SampleCell>,
    paragraphs: Vec<f64>,
    /// Every how many rows one is kept.
    stride: usize,
    seen: usize,
}

impl Sample {
    /// A sample kept as rows come, thinned as they grow.
    fn streaming() -> Self {
        Self {
            stride: 1,
            ..Self::default()
        }
    }

    /// The part of a sample of `rows` rows that rows `first..` make: the rows
    /// [`Sample::streaming`] would keep of them, every `stride`-th.
    fn part(rows: usize, first: usize) -> Self {
        // Thinning halves the sample each time it reaches 2 × SAMPLE_ROWS: it
        // ends at the least power of two that keeps fewer.
        let mut stride = 1;
        while rows.div_ceil(stride) >= 2 * SAMPLE_ROWS {
            stride *= 2;
        }
        Self {
            stride,
            seen: first,
            ..Self::default()
        }
    }

    /// Appends the part of the sample the rows after these kept.
    fn append(&mut self, other: Sample) {
        let (cells, paragraphs) = (self.cells.len(), self.paragraphs.len());
        self.paragraphs.extend(other.paragraphs);
        self.cells
            .extend(other.cells.into_iter().map(|cell| SampleCell {
                paragraphs: cell.paragraphs.start + paragraphs..cell.paragraphs.end + paragraphs,
                ..cell
            }));
        self.rows.extend(
            other
                .rows
                .into_iter()
                .map(|r| r.start + cells..r.end + cells),
        );
        self.seen = other.seen;
    }

    /// Whether the next row is one the sample keeps.
    fn keeps(&mut self) -> bool {
        self.seen += 1;
        (self.seen - 1).is_multiple_of(self.stride)
    }

    /// A cell of the row being kept: at `column`, spanning `span` columns,
    /// its paragraphs this wide on one line in LibreOffice.
    fn cell(&mut self, column: usize, span: usize, paragraphs: &[f64]) {
        let first = self.paragraphs.len();
        self.paragraphs.extend_from_slice(paragraphs);
        self.cells.push(SampleCell {
            column,
            span,
            paragraphs: first..self.paragraphs.len(),
        });
    }

    /// Closes the row begun with [`Sample::keeps`].
    fn end_row(&mut self, kept: bool) {
        if !kept {
            return;
        }
        let start = self.rows.last().map_or(0, |r| r.end);
        self.rows.push(start..self.cells.len());
        if self.rows.len() >= 2 * SAMPLE_ROWS {
            self.halve();
        }
    }

    /// Keeps every other row, and from now on every other row met.
    fn halve(&mut self) {
        let mut cells = Vec::new();
        let mut paragraphs = Vec::new();
        let mut rows = Vec::new();
        for range in self.rows.iter().step_by(2) {
            let start = cells.len();
            for cell in &self.cells[range.clone()] {
                let first = paragraphs.len();
                paragraphs.extend_from_slice(&self.paragraphs[cell.paragraphs.clone()]);
                cells.push(SampleCell {
                    paragraphs: first..paragraphs.len(),
                    ..cell.clone()
                });
            }
            rows.push(start..cells.len());
        }
        self.rows = rows;
        self.cells = cells;
        self.paragraphs = paragraphs;
        self.stride *= 2;
    }

    /// The lines a cell of the sample takes at these widths: a paragraph as
    /// many as its width on one line over what a line of the column holds in
    /// whole Chinese characters (exact for Chinese; whole words moving down
    /// make a few more).
    fn cell_lines(&self, cell: &SampleCell, px: &[u32]) -> usize {
        self.lines_in(
            cell,
            line_room(px[cell.column..cell.column + cell.span].iter().sum()),
        )
    }

    /// [`Sample::cell_lines`] with what a line holds worked out already.
    fn lines_in(&self, cell: &SampleCell, room: f64) -> usize {
        self.paragraphs[cell.paragraphs.clone()]
            .iter()
            .map(|w| ((w / room) - 1e-6).ceil().max(1.0) as usize)
            .sum()
    }
}

/// What a line of a `px`-pixel column holds in LibreOffice, in whole Chinese
/// characters' points (see [`Sample::cell_lines`]).
fn line_room(px: u32) -> f64 {
    let full = Printer::LibreOffice.advance('中', LIST_TYPE);
    let room = Printer::LibreOffice.text_points(px);
    ((room / full).floor() * full).max(full)
}

/// The lines the sample's rows take at some widths, summed, each row as many
/// as its deepest cell; each cell's lines kept, so widths that change a column
/// or two are tried by setting only the cells in them again.
struct SampleLines<'s> {
    sample: &'s Sample,
    px: Vec<u32>,
    cells: Vec<usize>,
}

impl<'s> SampleLines<'s> {
    fn new(sample: &'s Sample, px: &[u32]) -> Self {
        let cells = sample
            .cells
            .iter()
            .map(|cell| sample.cell_lines(cell, px))
            .collect();
        Self {
            sample,
            px: px.to_vec(),
            cells,
        }
    }

    /// The lines at widths `px`.
    fn with(&self, px: &[u32]) -> usize {
        let changed: Vec<bool> = px.iter().zip(&self.px).map(|(a, b)| a != b).collect();
        let touched =
            |cell: &SampleCell| changed[cell.column..cell.column + cell.span].contains(&true);
        // What a line of each changed column holds, worked out once.
        let rooms: Vec<f64> = px
            .iter()
            .zip(&changed)
            .map(|(px, changed)| if *changed { line_room(*px) } else { 0.0 })
            .collect();
        self.sample
            .rows
            .iter()
            .map(|range| {
                range
                    .clone()
                    .map(|i| {
                        let cell = &self.sample.cells[i];
                        if !touched(cell) {
                            self.cells[i]
                        } else if cell.span == 1 {
                            self.sample.lines_in(cell, rooms[cell.column])
                        } else {
                            self.sample.cell_lines(cell, px)
                        }
                    })
                    .max()
                    .unwrap_or(1)
                    .max(1)
            })
            .sum()
    }

    /// Moves to widths `px`.
    fn set(&mut self, px: &[u32]) {
        for (i, cell) in self.sample.cells.iter().enumerate() {
            let span = cell.column..cell.column + cell.span;
            if px[span.clone()] != self.px[span] {
                self.cells[i] = self.sample.cell_lines(cell, px);
            }
        }
        self.px = px.to_vec();
    }
}

/// Rows measured at a time by [`Layout::fit_parts`].
const FIT_PART: usize = 2048;

/// Measurements of the texts a column repeats (a unit's name on each of its
/// rows, a task's text on every unit's), looked up rather than made again. A
/// column whose texts seldom repeat (progress, in a sentence of its own on
/// every row) soon stops being remembered.
struct Memo<V> {
    seen: rustc_hash::FxHashMap<Box<str>, V>,
    asked: usize,
    found: usize,
    on: bool,
}

/// Lookups a memo gets before it judges whether it pays.
const MEMO_TRIAL: usize = 512;
/// The most texts a memo keeps for one column.
const MEMO_CAP: usize = 4096;

impl<V> Memo<V> {
    fn new() -> Self {
        Self {
            seen: rustc_hash::FxHashMap::default(),
            asked: 0,
            found: 0,
            on: true,
        }
    }

    /// What was kept for `text`, if anything.
    fn find(&mut self, text: &str) -> Option<&V> {
        if !self.on {
            return None;
        }
        self.asked += 1;
        let found = self.seen.get(text);
        self.found += usize::from(found.is_some());
        found
    }

    /// Keeps `value` for `text`, while the memo pays.
    fn keep(&mut self, text: &str, value: V) {
        if !self.on {
            return;
        }
        // Fewer than one in four found: measuring again costs less than looking.
        if self.asked >= MEMO_TRIAL && self.found * 4 < self.asked {
            self.on = false;
            self.seen = rustc_hash::FxHashMap::default();
            return;
        }
        if self.seen.len() < MEMO_CAP {
            self.seen.insert(text.into(), value);
        }
    }
}

/// What a list's rows need of its columns, gathered a row at a time: each
/// column's [`Need`] and the sample of rows the widths are chosen on.
struct Fit<'a> {
    columns: &'a [Column],
    needs: Vec<Need>,
    /// Which columns hold names, kept for [`Need::two_lines`].
    names: Vec<bool>,
    sample: Sample,
    /// Each column's texts measured: their extent and paragraphs' widths.
    memo: Vec<Memo<(Extent, Box<[f64]>)>>,
    /// Dates measured, before they are written out.
    dates: rustc_hash::FxHashMap<chrono::NaiveDate, Extent>,
    paragraphs: Vec<f64>,
}

impl<'a> Fit<'a> {
    fn new(columns: &'a [Column], sample: Sample) -> Self {
        Self {
            columns,
            needs: vec![Need::default(); columns.len()],
            names: columns
                .iter()
                .map(|c| c.width == Width::Fit && c.kind == Kind::Wrap)
                .collect(),
            sample,
            memo: columns.iter().map(|_| Memo::new()).collect(),
            dates: rustc_hash::FxHashMap::default(),
            paragraphs: Vec::new(),
        }
    }

    /// Counts one row in.
    fn row(&mut self, cells: &[Cell]) {
        if matches!(cells, [Cell::Heading(_)]) {
            return;
        }
        let kept = self.sample.keeps();
        for (c, cell) in cells.iter().enumerate().take(self.columns.len()) {
            // What stays on screen has the width it declares, whatever it holds.
            if matches!(self.columns[c].width, Width::Screen(_)) {
                continue;
            }
            // A date never breaks: only its width counts, the same every time.
            if let Cell::Date(date) = cell {
                let extent = *self.dates.entry(*date).or_insert_with(|| {
                    measure::extent(&crate::period::chinese_date(*date), LIST_TYPE, |_| {})
                });
                if !matches!(cells.get(c + 1), Some(Cell::Joined)) {
                    self.needs[c].add("", extent, false, self.names[c]);
                }
                continue;
            }
            let Some((text, breakable)) = shown(cell) else {
                continue;
            };
            let paragraphs = &mut self.paragraphs;
            paragraphs.clear();
            let extent = match self.memo[c].find(&text) {
                Some((extent, widths)) => {
                    paragraphs.extend_from_slice(widths);
                    *extent
                }
                None => {
                    let extent = measure::extent(&text, LIST_TYPE, |w| paragraphs.push(w));
                    self.memo[c].keep(&text, (extent, paragraphs.as_slice().into()));
                    extent
                }
            };
            let span = 1 + cells[c + 1..]
                .iter()
                .take_while(|n| matches!(n, Cell::Joined))
                .count();
            if span == 1 {
                self.needs[c].add(&text, extent, breakable, self.names[c]);
            }
            if kept && breakable {
                self.sample.cell(c, span, &self.paragraphs);
            }
        }
        self.sample.end_row(kept);
    }

    /// Counts in what `other` gathered over the rows after these.
    fn merge(&mut self, other: Fit) {
        for (need, theirs) in self.needs.iter_mut().zip(other.needs) {
            need.merge(theirs);
        }
        self.sample.append(other.sample);
    }

    fn finish(self) -> Layout<'a> {
        Layout::from_needs(self.columns, &self.needs, &self.sample)
    }
}

/// Row heights of a laid-out list, worked out a row at a time; the lines of
/// a text a column repeats are counted once.
pub struct RowHeights<'l, 'a> {
    layout: &'l Layout<'a>,
    /// Each column's texts set: at how many pixels, in how many lines.
    memo: Vec<Memo<(u32, [usize; 2])>>,
}

impl RowHeights<'_, '_> {
    /// The height a row of `cells` needs, when more than the default
    /// (as [`Layout::row_height`]).
    pub fn of(&mut self, cells: &[Cell]) -> Option<f64> {
        let layout = self.layout;
        if !layout.fitted {
            return row_height(cells, layout.columns);
        }
        let mut lines = [1, 1];
        for (c, cell) in cells.iter().enumerate().take(layout.columns.len()) {
            // Only text breaks into lines (see `shown`).
            if !layout.prints(c) || !matches!(cell, Cell::Text(_) | Cell::Verdict(_)) {
                continue;
            }
            let Some((text, true)) = shown(cell) else {
                continue;
            };
            let px = layout.cell_px(cells, c);
            let set = match self.memo[c].find(&text) {
                Some((at, set)) if *at == px => *set,
                _ => {
                    let set = Printer::ALL.map(|printer| printer.lines(&text, px, LIST_TYPE));
                    self.memo[c].keep(&text, (px, set));
                    set
                }
            };
            for (n, cell_lines) in lines.iter_mut().zip(set) {
                *n = (*n).max(cell_lines);
            }
        }
        Some(measure::row_height(lines, LIST_TYPE))
    }
}

/// The printed width in LibreOffice of the columns `px` that print.
fn page_points(px: &[u32], printed: &[bool]) -> f64 {
    px.iter()
        .zip(printed)
        .filter(|(_, p)| **p)
        .map(|(px, _)| Printer::LibreOffice.column_points(*px))
        .sum()
}

impl<'a> Layout<'a> {
    /// A table whose columns keep the widths they declare, in Chinese characters.
    pub fn fixed(columns: &'a [Column]) -> Self {
        Self {
            columns,
            px: Vec::new(),
            fitted: false,
        }
    }

    /// A list laid out for print from its rows (see the module's doc).
    pub fn fit<R: AsRef<[Cell]>>(columns: &'a [Column], rows: impl IntoIterator<Item = R>) -> Self {
        let mut fit = Fit::new(columns, Sample::streaming());
        for row in rows {
            fit.row(row.as_ref());
        }
        fit.finish()
    }

    /// [`Layout::fit`] for a list of `count` rows, none a heading, that `rows`
    /// makes a stretch at a time: the stretches are measured on every core,
    /// and the layout is the one [`Layout::fit`] gives the whole list.
    pub fn fit_parts<I>(
        columns: &'a [Column],
        count: usize,
        rows: impl Fn(std::ops::Range<usize>) -> I + Sync,
    ) -> Self
    where
        I: Iterator<Item = Vec<Cell>>,
    {
        use rayon::prelude::*;
        // Parts of a fixed size, so the threads available never change the result.
        let parts: Vec<Fit> = (0..count.div_ceil(FIT_PART))
            .into_par_iter()
            .map(|part| {
                let first = part * FIT_PART;
                let mut fit = Fit::new(columns, Sample::part(count, first));
                for row in rows(first..(first + FIT_PART).min(count)) {
                    fit.row(&row);
                }
                fit
            })
            .collect();
        let mut whole = Fit::new(columns, Sample::part(count, 0));
        for part in parts {
            whole.merge(part);
        }
        whole.finish()
    }

    /// The layout of a list whose needs and sample are gathered.
    fn from_needs(columns: &'a [Column], needs: &[Need], sample: &Sample) -> Self {
        let printed: Vec<bool> = columns
            .iter()
            .map(|c| !matches!(c.width, Width::Screen(_)))
            .collect();
        let mut least = vec![0; columns.len()];
        let mut most = vec![0; columns.len()];
        for (c, (column, need)) in columns.iter().zip(needs).enumerate() {
            // The header in at most two lines.
            let title = px_for_lines(column.title, 2, HEADER_TYPE);
            let (low, high) = match column.width {
                Width::Chars(chars) | Width::Screen(chars) => (chars_px(chars), chars_px(chars)),
                Width::Fit => {
                    let cap = Printer::ALL
                        .iter()
                        .map(|p| p.pixels_for(FIT_EMS * p.advance('中', LIST_TYPE)))
                        .max()
                        .unwrap_or(1);
                    let low = title.max(need.least);
                    let one_line = need.one_line.min(cap).max(low);
                    // A name may take two lines; a label, a status, a verdict keeps one.
                    let low = match column.kind {
                        Kind::Wrap => need.two_lines(low, one_line),
                        Kind::Center | Kind::Text | Kind::Date => one_line,
                    };
                    // Wide enough for its header on one line, if that pays.
                    (low, low.max(one_line_px(column.title, HEADER_TYPE)))
                }
                Width::Share => {
                    let floor = Printer::ALL
                        .iter()
                        .map(|p| p.pixels_for(SHARE_FLOOR_CHARS * p.advance('中', LIST_TYPE)))
                        .max()
                        .unwrap_or(1);
                    let low = title.max(need.least).max(floor);
                    (low, low.max(need.one_line))
                }
            };
            least[c] = low;
            most[c] = high;
        }
        let px = share_out(sample, &printed, &least, &most, columns);
        Self {
            columns,
            px,
            fitted: true,
        }
    }

    /// Whether the list was laid out for print, in [`LIST_TYPE`].
    pub fn fitted(&self) -> bool {
        self.fitted
    }

    /// The width column `c` is written with.
    pub fn width(&self, c: usize) -> ColumnWidth {
        match (self.fitted, self.columns[c].width) {
            (true, _) => ColumnWidth::Pixels(self.px[c]),
            (false, Width::Chars(chars) | Width::Screen(chars)) => {
                // 2018年7月31日 takes about six and a half characters' width.
                let chars = match self.columns[c].kind {
                    Kind::Date => chars.max(7),
                    _ => chars,
                };
                ColumnWidth::Units(style::cjk_width(chars))
            }
            (false, Width::Fit | Width::Share) => ColumnWidth::Units(style::cjk_width(8)),
        }
    }

    /// Whether column `c` prints.
    fn prints(&self, c: usize) -> bool {
        !matches!(self.columns[c].width, Width::Screen(_))
    }

    /// The pixels the cell at column `c` has, with the columns it runs on into.
    fn cell_px(&self, cells: &[Cell], c: usize) -> u32 {
        let joined = cells[c + 1..]
            .iter()
            .take_while(|n| matches!(n, Cell::Joined))
            .count();
        self.px[c..=(c + joined).min(self.px.len() - 1)]
            .iter()
            .sum()
    }

    /// The height of the header row.
    pub fn header_height(&self) -> f64 {
        if !self.fitted {
            // As tall as its longest title wraps to, at least two lines' room.
            let lines = self
                .columns
                .iter()
                .map(|c| match c.width {
                    Width::Chars(chars) | Width::Screen(chars) => text_lines(c.title, chars),
                    Width::Fit | Width::Share => 1,
                })
                .max()
                .unwrap_or(1);
            return lines_height(lines).max(24.0);
        }
        let mut lines = [1, 1];
        for (c, column) in self
            .columns
            .iter()
            .enumerate()
            .filter(|(c, _)| self.prints(*c))
        {
            for (n, printer) in lines.iter_mut().zip(Printer::ALL) {
                *n = (*n).max(printer.lines(column.title, self.px[c], HEADER_TYPE));
            }
        }
        // Centred, with air above and below.
        measure::row_height(lines, HEADER_TYPE) + 4.0
    }

    /// The height of a group's heading row.
    pub fn heading_height(&self) -> f64 {
        if self.fitted {
            measure::row_height([1, 1], HEADER_TYPE) + 4.0
        } else {
            20.0
        }
    }

    /// The height a row of `cells` needs, when more than the default.
    pub fn row_height(&self, cells: &[Cell]) -> Option<f64> {
        self.heights().of(cells)
    }

    /// Row heights for the rows of this list, one after another.
    pub fn heights(&self) -> RowHeights<'_, 'a> {
        RowHeights {
            layout: self,
            memo: self.columns.iter().map(|_| Memo::new()).collect(),
        }
    }
}

/// Shares the page's width among the printed columns: each from its least,
/// then a character at a time to the column where it saves the most lines per
/// pixel, looking a few characters ahead; then single swaps while they help;
/// what no column can use goes to the long-text columns, for air.
fn share_out(
    sample: &Sample,
    printed: &[bool],
    least: &[u32],
    most: &[u32],
    columns: &[Column],
) -> Vec<u32> {
    let mut px = least.to_vec();
    if page_points(&px, printed) > PAGE_POINTS {
        // More than a page across at their least: printed at full size over
        // several pages across, never shrunk (SPEC §5).
        return px;
    }
    let step = Printer::LibreOffice.pixels_for(Printer::LibreOffice.advance('中', LIST_TYPE));
    let flexible: Vec<usize> = (0..px.len())
        .filter(|c| printed[*c] && most[*c] > least[*c])
        .collect();
    let fits = |px: &[u32]| page_points(px, printed) <= PAGE_POINTS;
    // The rows' lines, and each page's header lines as their share of a page.
    let line = Printer::LibreOffice.row_points(2, LIST_TYPE)
        - Printer::LibreOffice.row_points(1, LIST_TYPE);
    let mut lines = SampleLines::new(sample, &px);
    let cost = |lines: &SampleLines, px: &[u32]| {
        let header = columns
            .iter()
            .zip(px)
            .zip(printed)
            .filter(|(_, printed)| **printed)
            .map(|((column, px), _)| {
                Printer::ALL
                    .iter()
                    .map(|p| p.lines(column.title, *px, HEADER_TYPE))
                    .max()
                    .unwrap_or(1)
            })
            .max()
            .unwrap_or(1);
        lines.with(px) as f64 * (1.0 + header as f64 * line / PAGE_BODY_POINTS)
    };
    let mut now = cost(&lines, &px);
    loop {
        let mut best: Option<(f64, usize, u32, f64)> = None;
        for &c in &flexible {
            for chars in [1, 2, 4, 8] {
                let wider = (px[c] + chars * step).min(most[c]);
                if wider == px[c] {
                    continue;
                }
                let mut trial = px.clone();
                trial[c] = wider;
                if !fits(&trial) {
                    continue;
                }
                let then = cost(&lines, &trial);
                let gain = (now - then) / f64::from(wider - px[c]);
                if gain > 1e-9 && best.is_none_or(|b| gain > b.0 + 1e-12) {
                    best = Some((gain, c, wider, then));
                }
            }
        }
        let Some((_, c, wider, then)) = best else {
            break;
        };
        px[c] = wider;
        lines.set(&px);
        now = then;
    }
    // Swaps of a character's width between two columns, while one saves lines.
    for _ in 0..64 {
        let mut best: Option<(usize, usize, f64)> = None;
        for &from in &flexible {
            for &to in &flexible {
                if from == to || px[from] < least[from] + step || px[to] + step > most[to] {
                    continue;
                }
                let mut trial = px.clone();
                trial[from] -= step;
                trial[to] += step;
                let then = cost(&lines, &trial);
                if then < best.map_or(now, |b| b.2) - 1e-9 {
                    best = Some((from, to, then));
                }
            }
        }
        let Some((from, to, then)) = best else {
            break;
        };
        px[from] -= step;
        px[to] += step;
        lines.set(&px);
        now = then;
    }
    // The rest, a pixel at a time in turn, to the long-text columns, then the others.
    for share_first in [true, false] {
        let takers: Vec<usize> = flexible
            .iter()
            .copied()
            .filter(|c| matches!(columns[*c].width, Width::Share) == share_first)
            .collect();
        let mut grew = true;
        while grew {
            grew = false;
            for &c in &takers {
                if px[c] >= most[c] {
                    continue;
                }
                px[c] += 1;
                if fits(&px) {
                    grew = true;
                } else {
                    px[c] -= 1;
                }
            }
        }
    }
    px
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::look::cells::{Kind, fit, share};

    fn text(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }

    #[test]
    fn short_columns_fit_their_widest_value_and_long_ones_share_the_rest() {
        let columns = [
            fit("单位", Kind::Wrap),
            fit("完成时限", Kind::Date),
            share("主要任务", Kind::Wrap),
            share("进展情况", Kind::Wrap),
        ];
        let date = chrono::NaiveDate::from_ymd_opt(2018, 12, 31).unwrap_or_default();
        let rows: Vec<Vec<Cell>> = (0..40)
            .map(|i| {
                vec![
                    text(if i == 0 {
                        "保亭黎族苗族自治县"
                    } else {
                        "海口市"
                    }),
                    Cell::Date(date),
                    text(&"各市县要制定消除大班额专项规划".repeat(1 + i % 5)),
                    text(&"已完成".repeat(1 + i % 3)),
                ]
            })
            .collect();
        let layout = Layout::fit(&columns, &rows);
        let px = |c| match layout.width(c) {
            ColumnWidth::Pixels(px) => px,
            ColumnWidth::Units(_) => 0,
        };
        // The date on one line in both printers, and no wider than that.
        for printer in Printer::ALL {
            assert_eq!(printer.lines("2018年12月31日", px(1), LIST_TYPE), 1);
        }
        assert_eq!(px(1), one_line_px("2018年12月31日", LIST_TYPE));
        // The longest unit name in two lines at most.
        for printer in Printer::ALL {
            assert!(printer.lines("保亭黎族苗族自治县", px(0), LIST_TYPE) <= 2);
        }
        // The page is used, not exceeded, and the task text gets more than the progress.
        let total: f64 = (0..4)
            .map(|c| Printer::LibreOffice.column_points(px(c)))
            .sum();
        assert!(
            total <= PAGE_POINTS && total > PAGE_POINTS - 20.0,
            "{total}"
        );
        assert!(px(2) > px(3), "{} {}", px(2), px(3));
        // Every row as tall as its deepest cell.
        for row in &rows {
            let lines = Printer::LibreOffice.lines(
                match &row[2] {
                    Cell::Text(s) => s,
                    _ => "",
                },
                px(2),
                LIST_TYPE,
            );
            let height = layout.row_height(row).unwrap_or(0.0);
            assert!(
                height >= Printer::LibreOffice.row_points(lines, LIST_TYPE),
                "{height} for {lines} lines"
            );
        }
    }

    #[test]
    fn an_empty_column_is_no_wider_than_its_header() {
        let columns = [fit("完成时间", Kind::Date), share("进展情况", Kind::Wrap)];
        let date = chrono::NaiveDate::from_ymd_opt(2018, 12, 31).unwrap_or_default();
        let empty = Layout::fit(&columns, [vec![Cell::Empty, text("推进中")]]);
        let dated = Layout::fit(&columns, [vec![Cell::Date(date), text("推进中")]]);
        let px = |layout: &Layout, c| match layout.width(c) {
            ColumnWidth::Pixels(px) => px,
            ColumnWidth::Units(_) => 0,
        };
        assert!(px(&empty, 0) <= one_line_px("完成时间", HEADER_TYPE));
        assert!(px(&empty, 0) >= px_for_lines("完成时间", 2, HEADER_TYPE));
        assert_eq!(px(&dated, 0), one_line_px("2018年12月31日", LIST_TYPE));
    }

    #[test]
    fn a_joined_cell_gives_its_width_to_the_cell_before_it() {
        let columns = [share("进展情况", Kind::Wrap), fit("完成时间", Kind::Date)];
        let long = "截至7月底，海口市已完成方案初稿并征求各乡镇和学校意见。".repeat(6);
        let joined = vec![text(&long), Cell::Joined];
        let alone = vec![text(&long), Cell::Empty];
        let rows = vec![joined.clone(), alone.clone()];
        let layout = Layout::fit(&columns, &rows);
        assert!(layout.row_height(&joined) < layout.row_height(&alone));
    }

    #[test]
    fn a_list_measured_in_parts_is_laid_out_as_measured_whole() {
        let columns = [
            fit("单位", Kind::Wrap),
            fit("完成时限", Kind::Date),
            share("主要任务", Kind::Wrap),
            share("进展情况", Kind::Wrap),
            crate::look::cells::screen("备注", 10, Kind::Wrap),
        ];
        let date = chrono::NaiveDate::from_ymd_opt(2018, 12, 31).unwrap_or_default();
        // More rows than a part and than the sample keeps, more names than are
        // kept as the widest, names of equal width in every order.
        let count = 3 * FIT_PART + 2 * SAMPLE_ROWS + 77;
        let rows: Vec<Vec<Cell>> = (0..count)
            .map(|i| {
                vec![
                    text(&format!(
                        "{}县{}",
                        "白沙黎族自治".repeat(1 + i % 3),
                        (i * 7919) % 500
                    )),
                    Cell::Date(date + chrono::Days::new((i % 40) as u64)),
                    text(&"各市县要制定消除大班额专项规划".repeat(1 + i % 4)),
                    text(&format!("截至{}月，已完成{}所学校。", i % 12 + 1, i).repeat(1 + i % 6)),
                    text("不打印"),
                ]
            })
            .collect();
        let whole = Layout::fit(&columns, &rows);
        let parts = Layout::fit_parts(&columns, count, |range| rows[range].iter().cloned());
        assert_eq!(whole.px, parts.px);
        // Heights worked out row after row, repeated texts remembered, are each
        // row's own.
        let mut heights = parts.heights();
        for row in rows.iter().step_by(7) {
            assert_eq!(heights.of(row), whole.row_height(row));
        }
    }

    #[test]
    fn a_long_sample_is_thinned_evenly() {
        let mut sample = Sample {
            stride: 1,
            ..Sample::default()
        };
        for i in 0..10 * SAMPLE_ROWS {
            let kept = sample.keeps();
            if kept {
                sample.cell(0, 1, &[(1 + i % 7) as f64 * 9.0]);
            }
            sample.end_row(kept);
        }
        assert!(sample.rows.len() < 2 * SAMPLE_ROWS && sample.rows.len() >= SAMPLE_ROWS);
        assert_eq!(sample.cells.len(), sample.rows.len());
    }
}
