//! Every font, colour, border and page setting of the spreadsheets the tool
//! writes, in one place.

use rust_xlsxwriter::{
    Chart, ChartAxis, ChartFont, Color, Format, FormatAlign, FormatBorder, Worksheet, XlsxError,
};

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
/// The frame round a problem cell of an annotated copy (solid for an error,
/// dashed for a warning): black, so it prints in black and white.
pub const MARK_FRAME: u32 = 0x000000;
/// The catalogue columns of a template, which the county does not fill.
pub const LOCKED_FILL: u32 = 0xF2F2F2;
/// The bars of the completion-rate chart.
pub const CHART_BAR: u32 = 0x4472C4;

/// Page margins in inches: left, right, top, bottom, header, footer.
pub const PAGE_MARGINS: [f64; 6] = [0.4, 0.4, 0.75, 0.6, 0.3, 0.3];
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
    centered().set_num_format(DATE_FORMAT)
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
    /// A group's heading row inside a list.
    pub heading: Format,
    verdicts: Vec<(Verdict, Format)>,
}

impl Formats {
    pub fn new() -> Self {
        Self::sized(BODY_SIZE)
    }

    /// The formats in `points` type: [`BODY_SIZE`], or 9 points (the least that
    /// prints legibly) where a dense sheet needs it.
    pub fn sized(points: f64) -> Self {
        let size = |f: Format| f.set_font_size(points);
        Self {
            body: size(body()),
            wrapped: size(wrapped()),
            centered: size(centered()),
            date: size(date()),
            percent: size(percent()),
            due_soon: size(centered())
                .set_background_color(Color::RGB(DUE_SOON_FILL))
                .set_font_color(Color::RGB(0x000000)),
            heading: size(body())
                .set_bold()
                .set_font_name(HEADING_FONT)
                .set_background_color(Color::RGB(0xF2F2F2)),
            verdicts: Verdict::ALL
                .iter()
                .map(|v| (*v, size(verdict(*v)).set_text_wrap()))
                .collect(),
        }
    }

    /// A printed list's formats in `points` type: every cell top-aligned, so the
    /// cells of a row start on one line whatever they hold, and wrapped, so no
    /// text runs past its column or under its neighbour.
    pub fn list(points: f64) -> Self {
        let top = |f: &Format| f.clone().set_align(FormatAlign::Top).set_text_wrap();
        let sized = Self::sized(points);
        Self {
            body: top(&sized.body),
            wrapped: top(&sized.wrapped),
            centered: top(&sized.centered),
            date: top(&sized.date),
            percent: top(&sized.percent),
            due_soon: top(&sized.due_soon),
            heading: sized.heading.clone().set_text_wrap(),
            verdicts: sized.verdicts.iter().map(|(v, f)| (*v, top(f))).collect(),
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

/// Gold: in progress, deadline close.
pub const DUE_SOON_FILL: u32 = 0xFFD966;

/// Fill and font colour of a verdict, as (background, text). Chosen to print as
/// clearly different greys in black and white, the four main verdicts above all
/// (luminance 0–255, 0.299 R + 0.587 G + 0.114 B): 推进中 pale yellow 242, 按期完成
/// green 189, 未报送 grey 127 and 逾期未完成 dark red 57, white text on the last two.
/// The cell always carries the verdict's name besides.
pub fn verdict_colors(verdict: Verdict) -> (u32, u32) {
    match verdict {
        Verdict::OnTime => (0xA9D08E, 0x000000),
        Verdict::Late => (0xE2EFDA, 0x375623),
        Verdict::InProgress => (0xFFF2CC, 0x7F6000),
        Verdict::OverdueUnfinished => (0xC00000, 0xFFFFFF),
        Verdict::ToVerify => (0xF8CBAD, 0x000000),
        Verdict::Omitted => (0xBFBFBF, 0x000000),
        Verdict::NotSubmitted => (0x7F7F7F, 0xFFFFFF),
        Verdict::NotApplicable => (0xDDEBF7, 0x1F3864),
    }
}

/// How light a colour prints in black and white, 0–255.
pub fn luminance(rgb: u32) -> f64 {
    let (r, g, b) = ((rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF);
    0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b)
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
    let format = format
        .set_background_color(Color::RGB(fill))
        .set_font_color(Color::RGB(font));
    // Overdue stands out in any print.
    if verdict == Verdict::OverdueUnfinished {
        format.set_bold()
    } else {
        format
    }
}

/// What a printed page says at its top: what it is, and as of when, from whom.
#[derive(Debug, Clone)]
pub struct Page {
    /// `《规划》逾期事项 · 2018年7月`.
    pub title: String,
    /// `2018年7月31日`.
    pub as_of: String,
    /// `海南省教育厅`.
    pub office: String,
}

impl Page {
    /// The line under a sheet's title: `统计截止：2018年7月31日　　制表：海南省教育厅`.
    pub fn line(&self) -> String {
        format!("统计截止：{}　　制表：{}", self.as_of, self.office)
    }
}

/// One part of a page header (`L`, `C` or `R`) in 9-point body type. The text
/// is cut to 60 characters, so three parts stay within Excel's 255 (over it
/// rust_xlsxwriter drops the header with an English warning), and `&`, Excel's
/// code character there, is doubled.
fn header_part(code: &str, text: &str) -> String {
    let text: String = text.chars().take(60).collect();
    // The size before the font: after it, a text starting with digits
    // (2018年7月) would be read as part of the size.
    format!("&{code}&9&\"{BODY_FONT}\"{}", text.replace('&', "&&"))
}

/// A4 landscape, one page across, header rows repeated; every page headed with
/// its title, as-of date and office, and footed 第 X 页 共 Y 页.
///
/// Only for tables whose columns were chosen to fit the page across
/// ([`PAGE_UNITS`]): fitting then takes off at most the few per cent by which
/// one office suite measures a column wider than another, never the 10 % that
/// would bring the 10-point body under the 9 points paper must keep (SPEC §5).
/// A sheet whose width grows with its data prints with [`print_wide`].
///
/// # Errors
/// Only on rust_xlsxwriter's range checks.
pub fn print_setup(
    sheet: &mut Worksheet,
    repeat: Option<(u32, u32)>,
    page: &Page,
) -> Result<(), XlsxError> {
    print_fit_width(sheet, repeat)?;
    head_pages(sheet, page);
    Ok(())
}

/// A4 landscape at full size, header rows repeated, headed and footed as
/// [`print_setup`]: for lists laid out to fit the page across at full size
/// ([`super::layout`]), so their 9-point body prints at 9 points.
///
/// # Errors
/// Only on rust_xlsxwriter's range checks.
pub fn print_headed(
    sheet: &mut Worksheet,
    repeat: (u32, u32),
    page: &Page,
) -> Result<(), XlsxError> {
    print_pages(sheet, Some(repeat))?;
    head_pages(sheet, page);
    Ok(())
}

/// A4 landscape at full size, however many pages across the sheet takes, with
/// its header rows and key columns repeated on every page; headed and footed as
/// [`print_setup`]. For 进展矩阵 and 趋势, as wide as the roster and the periods.
///
/// # Errors
/// Only on rust_xlsxwriter's range checks.
pub fn print_wide(
    sheet: &mut Worksheet,
    repeat_rows: (u32, u32),
    repeat_columns: (u16, u16),
    page: &Page,
) -> Result<(), XlsxError> {
    print_pages(sheet, Some(repeat_rows))?;
    sheet.set_repeat_columns(repeat_columns.0, repeat_columns.1)?;
    head_pages(sheet, page);
    Ok(())
}

fn head_pages(sheet: &mut Worksheet, page: &Page) {
    sheet.set_header(format!(
        "{}{}",
        header_part("L", &page.title),
        header_part("R", &format!("统计截止 {}　{}", page.as_of, page.office))
    ));
}

/// How a chart of completion rates lays out its axes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateChart {
    /// Units as bars, ranked top down: rust_xlsxwriter's bar chart holds the
    /// categories on y (reversed, so rank 1 is on top) and the rates on x.
    Bars,
    /// Periods along x, rates on y.
    Line,
}

/// A chart of completion rates on a sheet of its own, as 完成率图 and 趋势图
/// print: a 14-point heading `name（截至…）`, no legend, rates from 0 to 100 %,
/// axis labels in body type of `axis_points`; placed at A1 and set up for print.
///
/// # Errors
/// Only on rust_xlsxwriter's own checks.
pub fn chart_page(
    sheet: &mut Worksheet,
    chart: &mut Chart,
    kind: RateChart,
    name: &str,
    page: &Page,
    axis_points: u8,
) -> Result<(), XlsxError> {
    let mut title_font = ChartFont::new();
    title_font.set_name(HEADING_FONT).set_size(14);
    chart
        .title()
        .set_name(&format!("{name}（截至{}）", page.as_of))
        .set_font(&title_font);
    chart.legend().set_hidden();
    let mut font = ChartFont::new();
    font.set_name(BODY_FONT).set_size(axis_points);
    let rates = |axis: &mut ChartAxis| {
        axis.set_min(0)
            .set_max(1)
            .set_num_format("0%")
            .set_font(&font);
    };
    match kind {
        RateChart::Bars => {
            chart.y_axis().set_reverse().set_font(&font);
            rates(chart.x_axis());
        }
        RateChart::Line => {
            chart.x_axis().set_font(&font);
            rates(chart.y_axis());
        }
    }
    sheet.insert_chart(0, 0, chart)?;
    print_pages(sheet, None)?;
    head_pages(sheet, page);
    Ok(())
}

/// A4 landscape at full size, header rows repeated, 第 X 页 共 Y 页; the page
/// header is the caller's. A sheet wider than a page prints over several pages
/// across rather than shrunk below the 9 points its body text must keep on
/// paper (SPEC §5): an annotated copy keeps the county's own widths.
///
/// # Errors
/// Only on rust_xlsxwriter's range checks.
pub fn print_pages(sheet: &mut Worksheet, repeat: Option<(u32, u32)>) -> Result<(), XlsxError> {
    page_layout(sheet);
    sheet.set_print_scale(100);
    if let Some((first, last)) = repeat {
        sheet.set_repeat_rows(first, last)?;
    }
    Ok(())
}

/// A4 landscape fitted to one page wide, header rows repeated, 第 X 页 共 Y 页:
/// for tables whose columns fit the page ([`PAGE_UNITS`]), and the blank
/// return, whose eleven columns a county prints one page across at about 90 %.
///
/// # Errors
/// Only on rust_xlsxwriter's range checks.
pub fn print_fit_width(sheet: &mut Worksheet, repeat: Option<(u32, u32)>) -> Result<(), XlsxError> {
    page_layout(sheet);
    sheet.set_print_fit_to_pages(1, 0);
    if let Some((first, last)) = repeat {
        sheet.set_repeat_rows(first, last)?;
    }
    Ok(())
}

/// A4 landscape, the margins, centred, 第 X 页 共 Y 页.
fn page_layout(sheet: &mut Worksheet) {
    sheet
        .set_paper_size(PAPER_A4)
        .set_landscape()
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
}

/// The printable width of an A4 landscape page inside [`PAGE_MARGINS`], in the
/// pixels (at 96 per inch) that Excel lays columns out in: 297 mm less 0.8 inch.
pub const PAGE_WIDTH_PX: f64 = (297.0 / 25.4 - 0.8) * 96.0;

/// How many column-width units a table may take to print one A4 landscape page
/// across at full size in both Excel and LibreOffice. Excel gives a unit 7
/// pixels (5.25 points); LibreOffice gives it the width of Carlito's `0`, about
/// 5.6 points, so 784 printable points hold 140 units there; a few are left
/// for the cell padding LibreOffice adds.
pub const PAGE_UNITS: f64 = 132.0;

pub use crate::period::chinese_date;

/// The number format of a date cell written the office's way, still a date to sort by.
pub const DATE_FORMAT: &str = "yyyy\"年\"m\"月\"d\"日\"";

/// Column width for `chars` Chinese characters (about two width units each).
pub fn cjk_width(chars: usize) -> f64 {
    chars as f64 * 2.0 + 1.5
}

/// Points per line of wrapped body text on a form a county prints. Above
/// [`table`](super::table)'s 13.5: LibreOffice, lacking 宋体, sets Chinese in a
/// fallback font with taller lines, and a row one line short hides the last line.
pub const FORM_LINE_HEIGHT: f64 = 15.0;

/// A label of a form line (填报单位：), set against the blank after it and on
/// its line.
pub fn form_label() -> Format {
    subtitle()
        .set_align(FormatAlign::Right)
        .set_align(FormatAlign::Bottom)
}

/// A form line's value the tool fills in itself (the unit): bold, on its line.
pub fn form_given() -> Format {
    subtitle().set_bold().set_align(FormatAlign::Bottom)
}

/// The blank after a form label: underlined, open to typing under protection,
/// and shrunk rather than cut when a long phone number fills it.
pub fn form_blank() -> Format {
    subtitle()
        .set_align(FormatAlign::Bottom)
        .set_unlocked()
        .set_shrink()
        .set_border_bottom(FormatBorder::Thin)
}

/// The size of running text on a page of instructions: a little above the
/// tables', since it is read, not scanned.
pub const NOTE_SIZE: f64 = 11.0;

/// Running text of a page of instructions.
pub fn note() -> Format {
    subtitle()
        .set_font_size(NOTE_SIZE)
        .set_text_wrap()
        .set_align(FormatAlign::Top)
}

/// A4 portrait, the whole sheet on one page, page X of Y: a page of instructions.
pub fn print_one_page(sheet: &mut Worksheet) {
    sheet
        .set_paper_size(PAPER_A4)
        .set_portrait()
        .set_print_fit_to_pages(1, 1)
        .set_margins(0.7, 0.7, 0.8, 0.8, 0.3, 0.3)
        .set_print_center_horizontally(true)
        .set_footer(PAGE_FOOTER);
}

/// A page header: who issues the document on the left, what it is in the
/// middle, the period on the right.
pub fn page_header(sheet: &mut Worksheet, left: &str, center: &str, right: &str) {
    sheet.set_header(format!(
        "{}{}{}",
        header_part("L", left),
        header_part("C", center),
        header_part("R", right)
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_main_verdicts_print_as_different_greys() {
        let main = [
            Verdict::InProgress,
            Verdict::OnTime,
            Verdict::NotSubmitted,
            Verdict::OverdueUnfinished,
        ];
        let greys: Vec<f64> = main
            .iter()
            .map(|v| luminance(verdict_colors(*v).0))
            .collect();
        for pair in greys.windows(2) {
            assert!(pair[0] - pair[1] >= 45.0, "{greys:?}");
        }
    }
}
