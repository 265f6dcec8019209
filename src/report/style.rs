//! Every font, colour, border and page setting of the workbook, in one place.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Worksheet, XlsxError};

use crate::check::Verdict;

pub const BODY_FONT: &str = "宋体";
pub const HEADING_FONT: &str = "黑体";
pub const BODY_SIZE: f64 = 10.0;
/// The fill of a table's header row.
pub const HEADER_FILL: u32 = 0xD9E1F2;
/// The borders of a table's header cells.
pub const HEADER_BORDER: u32 = 0x8EA9DB;
/// The borders of a table's body cells.
pub const BODY_BORDER: u32 = 0xBFBFBF;
/// Every printed page says which page of how many it is.
pub const PAGE_FOOTER: &str = "&C&\"宋体\"第 &P 页 共 &N 页";
/// Who wrote the notes on an annotated copy, as spreadsheet programs show a note's author.
pub const NOTE_AUTHOR: &str = "汇总工具";

/// A problem cell the county must fix, in an annotated copy of its return.
pub const ERROR_FILL: u32 = 0xF8CBAD;
/// A cell worth a look, in an annotated copy.
pub const WARNING_FILL: u32 = 0xFFE699;
/// The other cells of a row a problem is about, in an annotated copy.
pub const ROW_TINT: u32 = 0xFCE4D6;
/// The catalogue columns of a template, which the county does not fill.
pub const LOCKED_FILL: u32 = 0xF2F2F2;
/// The bars of the completion-rate chart.
pub const CHART_BAR: u32 = 0x4472C4;

/// Page margins in inches: left, right, top, bottom, header, footer.
pub const PAGE_MARGINS: [f64; 6] = [0.4, 0.4, 0.6, 0.6, 0.3, 0.3];
/// A4 in Excel's paper codes.
pub const PAPER_A4: u8 = 9;

pub fn body() -> Format {
    Format::new()
        .set_font_name(BODY_FONT)
        .set_font_size(BODY_SIZE)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin)
        .set_border_color(Color::RGB(BODY_BORDER))
}

/// Body text that wraps, for task texts and progress narratives.
pub fn wrapped() -> Format {
    body().set_text_wrap().set_align(FormatAlign::Top)
}

pub fn centered() -> Format {
    body().set_align(FormatAlign::Center)
}

pub fn date() -> Format {
    centered().set_num_format("yyyy-mm-dd")
}

pub fn percent() -> Format {
    centered().set_num_format("0.0%")
}

pub fn header() -> Format {
    Format::new()
        .set_font_name(HEADING_FONT)
        .set_font_size(BODY_SIZE)
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(Color::RGB(HEADER_FILL))
        .set_border(FormatBorder::Thin)
        .set_border_color(Color::RGB(HEADER_BORDER))
}

pub fn title() -> Format {
    Format::new()
        .set_font_name(HEADING_FONT)
        .set_font_size(16.0)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
}

pub fn subtitle() -> Format {
    Format::new()
        .set_font_name(BODY_FONT)
        .set_font_size(BODY_SIZE)
        .set_align(FormatAlign::VerticalCenter)
}

/// The formats of table cells, made once per sheet rather than once per cell.
pub struct Formats {
    pub body: Format,
    pub wrapped: Format,
    pub centered: Format,
    pub date: Format,
    pub percent: Format,
    pub due_soon: Format,
    verdicts: Vec<(Verdict, Format)>,
}

impl Formats {
    pub fn new() -> Self {
        Self {
            body: body(),
            wrapped: wrapped(),
            centered: centered(),
            date: date(),
            percent: percent(),
            due_soon: centered()
                .set_background_color(Color::RGB(DUE_SOON_FILL))
                .set_font_color(Color::RGB(0x000000)),
            verdicts: Verdict::ALL.iter().map(|v| (*v, verdict(*v))).collect(),
        }
    }

    pub fn verdict(&self, v: Verdict) -> &Format {
        self.verdicts
            .iter()
            .find(|(k, _)| *k == v)
            .map_or(&self.centered, |(_, f)| f)
    }
}

impl Default for Formats {
    fn default() -> Self {
        Self::new()
    }
}

/// Amber: in progress, deadline close.
pub const DUE_SOON_FILL: u32 = 0xFFC000;

/// Fill and font colour of a verdict, as (background, text).
pub fn verdict_colors(verdict: Verdict) -> (u32, u32) {
    match verdict {
        Verdict::OnTime => (0x63BE7B, 0x000000),
        Verdict::Late => (0xC6EFCE, 0x006100),
        Verdict::InProgress => (0xFFEB9C, 0x7F6000),
        Verdict::OverdueUnfinished => (0xF8696B, 0xFFFFFF),
        Verdict::ToVerify => (0xF4B183, 0x000000),
        Verdict::Omitted | Verdict::NotSubmitted => (0xD9D9D9, 0x404040),
        Verdict::NotApplicable => (0xBDD7EE, 0x1F3864),
    }
}

/// A centred cell coloured for its verdict.
pub fn verdict(verdict: Verdict) -> Format {
    paint(centered(), verdict)
}

/// Only a verdict's colours: what a conditional format lays over a cell's own look.
pub fn verdict_highlight(verdict: Verdict) -> Format {
    paint(Format::new(), verdict)
}

fn paint(format: Format, verdict: Verdict) -> Format {
    let (fill, font) = verdict_colors(verdict);
    format
        .set_background_color(Color::RGB(fill))
        .set_font_color(Color::RGB(font))
}

/// A4 landscape, fitted to one page wide, header rows repeated, page X of Y.
///
/// # Errors
/// Only on rust_xlsxwriter's range checks.
pub fn print_setup(sheet: &mut Worksheet, repeat: Option<(u32, u32)>) -> Result<(), XlsxError> {
    sheet
        .set_paper_size(PAPER_A4)
        .set_landscape()
        .set_print_fit_to_pages(1, 0)
        .set_margins(
            PAGE_MARGINS[0],
            PAGE_MARGINS[1],
            PAGE_MARGINS[2],
            PAGE_MARGINS[3],
            PAGE_MARGINS[4],
            PAGE_MARGINS[5],
        )
        .set_print_center_horizontally(true)
        .set_footer(PAGE_FOOTER);
    if let Some((first, last)) = repeat {
        sheet.set_repeat_rows(first, last)?;
    }
    Ok(())
}

/// Column width for `chars` Chinese characters (about two width units each).
pub fn cjk_width(chars: usize) -> f64 {
    chars as f64 * 2.0 + 1.5
}
