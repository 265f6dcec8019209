//! How text sets on paper in the programs that print the workbook, measured
//! before any of them lays it out: how wide a line of it is, how many lines it
//! takes in a column, how tall a row must be to show them all.
//!
//! A spreadsheet row does not grow for wrapped text by itself in every program
//! (LibreOffice keeps a row's stored height), so a row one line short hides its
//! last line on paper, and a row a line too tall wastes a page every few pages.
//! The figures here were measured on LibreOffice 7.4's PDFs (glyph positions and
//! cell borders, through pdfminer) and are checked again by the render test
//! (`tests/integration/render.rs`); Excel's are its documented pixel geometry.
//!
//! The body font is 宋体. Where it is installed (Windows, where Excel and WPS
//! run), its Latin letters are half a Chinese character wide. Where it is not,
//! LibreOffice sets Chinese in a fallback CJK font (Noto Sans CJK, a full em a
//! character, lines 1.448 em apart) and Latin letters and digits in DejaVu Sans,
//! wider than 宋体's. Each width here is the wider of the two, so a date measured
//! to fit one line fits in both, and a line count is never short.

/// DejaVu Sans advances of the printable ASCII characters (space to `~`), in
/// 1/2048 em: LibreOffice's Latin fallback for 宋体, the widest of the fonts
/// the workbook prints in.
const DEJAVU_SANS: [u16; 95] = [
    651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651, 690, 1303,
    1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 690, 690, 1716, 1716, 1716, 1087, 2048,
    1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604, 604, 1343, 1141, 1767, 1532, 1612, 1235,
    1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403, 799, 690, 799, 1716, 1024, 1024,
    1255, 1300, 1126, 1300, 1260, 721, 1300, 1298, 569, 569, 1186, 569, 1995, 1298, 1253, 1300,
    1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075, 1303, 690, 1303, 1716,
];

/// DejaVu Sans Bold's, for the header row (黑体, bold).
const DEJAVU_SANS_BOLD: [u16; 95] = [
    713, 934, 1067, 1716, 1425, 2052, 1786, 627, 936, 936, 1071, 1716, 778, 850, 778, 748, 1425,
    1425, 1425, 1425, 1425, 1425, 1425, 1425, 1425, 1425, 819, 819, 1716, 1716, 1716, 1188, 2048,
    1585, 1561, 1503, 1700, 1399, 1399, 1681, 1714, 762, 762, 1587, 1305, 2038, 1714, 1741, 1501,
    1741, 1577, 1475, 1397, 1663, 1585, 2259, 1579, 1483, 1485, 936, 748, 936, 1716, 1024, 1024,
    1382, 1466, 1214, 1466, 1389, 891, 1466, 1458, 702, 702, 1362, 702, 2134, 1458, 1407, 1466,
    1466, 1010, 1219, 979, 1458, 1335, 1892, 1321, 1335, 1192, 1458, 748, 1458, 1716,
];

/// Lines of Chinese text are this many ems apart in LibreOffice's fallback
/// (Noto Sans CJK: ascent 1.160 + descent 0.288); Latin lines are closer.
const LINE_EMS: f64 = 1.448;
/// The bottom of a cell's first line of Chinese, in ems below the cell's top:
/// the line's ascent less the character's, plus the character.
const FIRST_LINE_EMS: f64 = 1.28;
/// Room under a row's last line, in points, so its text does not sit on the border.
const ROW_AIR: f64 = 1.0;
/// Excel's tallest row, in points.
pub const MAX_ROW_POINTS: f64 = 409.0;

/// Points of a column's width a cell's text may not use in LibreOffice: its
/// left and right text margins (measured: a line 1.91 points narrower than
/// its column wrapped, one 2.01 narrower did not).
const LO_PADDING: f64 = 2.0;
/// Pixels of a column Excel keeps clear of text (its cell padding is 5).
const EXCEL_PADDING_PX: u32 = 6;

/// A program that prints the workbook, and how it sets text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Printer {
    /// LibreOffice without 宋体: Chinese in Noto Sans CJK, Latin in DejaVu Sans;
    /// a column unit is Carlito's digit, 111 twips (5.55 points).
    LibreOffice,
    /// Excel with 宋体: Latin half a character wide; a column unit is 7 pixels
    /// at 96 per inch, printed at 0.75 points a pixel.
    Excel,
}

/// How a text sets in a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    pub lines: usize,
    /// The fewest characters on the last line of a paragraph that wraps
    /// (`usize::MAX` when none wraps): one is a widow, 已完/成.
    pub shortest_last: usize,
}

/// The type a cell is set in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Type {
    pub points: f64,
    pub bold: bool,
}

impl Type {
    pub const fn regular(points: f64) -> Self {
        Self {
            points,
            bold: false,
        }
    }

    pub const fn bold(points: f64) -> Self {
        Self { points, bold: true }
    }
}

/// Characters Excel never starts a line with: it takes the character before
/// them onto the next line too.
fn never_starts_a_line(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | '）'
            | '》'
            | '」'
            | '』'
            | '”'
            | '’'
            | '％'
            | '】'
    )
}

impl Printer {
    pub const ALL: [Printer; 2] = [Printer::LibreOffice, Printer::Excel];

    /// The width of `c` in points.
    pub fn advance(self, c: char, ty: Type) -> f64 {
        let ems = match (self, c) {
            (_, '\r' | '\u{200B}') => 0.0,
            (Printer::Excel, c) if c.is_ascii() => 0.5,
            (Printer::LibreOffice, '\t') => f64::from(DEJAVU_SANS[0]) / 2048.0,
            (Printer::LibreOffice, c) if (' '..='~').contains(&c) => {
                let table = if ty.bold {
                    &DEJAVU_SANS_BOLD
                } else {
                    &DEJAVU_SANS
                };
                f64::from(table[c as usize - 32]) / 2048.0
            }
            _ => 1.0,
        };
        match self {
            // LibreOffice places glyphs in hundredths of a millimetre: a 9-point
            // Chinese character advances 318 of them, 9.014 points.
            Printer::LibreOffice => (ems * ty.points * 2540.0 / 72.0).round() * 72.0 / 2540.0,
            Printer::Excel => ems * ty.points,
        }
    }

    /// The printed width in points of a column of `px` pixels (as
    /// `Worksheet::set_column_width_pixels` stores it).
    pub fn column_points(self, px: u32) -> f64 {
        match self {
            // The file stores px / 7 units in 1/256ths; LibreOffice gives a unit
            // 111 twips and rounds to a twip.
            Printer::LibreOffice => {
                let units = (f64::from(px) * 256.0 / 7.0).floor() / 256.0;
                (units * 111.0).round() / 20.0
            }
            Printer::Excel => f64::from(px) * 0.75,
        }
    }

    /// The points of a `px`-pixel column its text may fill.
    pub fn text_points(self, px: u32) -> f64 {
        match self {
            Printer::LibreOffice => self.column_points(px) - LO_PADDING,
            Printer::Excel => self.column_points(px.saturating_sub(EXCEL_PADDING_PX)),
        }
    }

    /// The fewest pixels a column needs for `points` of text on one line.
    pub fn pixels_for(self, points: f64) -> u32 {
        // A first guess from the unit's width, then up or down to the exact edge.
        let guess = match self {
            Printer::LibreOffice => (points + LO_PADDING) * 7.0 / 5.55,
            Printer::Excel => points / 0.75 + f64::from(EXCEL_PADDING_PX),
        };
        let mut px = guess.ceil().max(1.0) as u32;
        while px > 1 && self.text_points(px - 1) >= points - 1e-9 {
            px -= 1;
        }
        while self.text_points(px) < points - 1e-9 {
            px += 1;
        }
        px
    }

    /// The width in points of `text`'s widest line when nothing wraps it.
    pub fn line_width(self, text: &str, ty: Type) -> f64 {
        self.measure(text, ty).0
    }

    /// The widest run of `text` no line may break inside: a Latin word or a
    /// number (`0898-65236001`, `2018`), else one Chinese character.
    pub fn widest_word(self, text: &str, ty: Type) -> f64 {
        self.measure(text, ty).1
    }

    /// [`Printer::line_width`] and [`Printer::widest_word`] in one pass.
    pub fn measure(self, text: &str, ty: Type) -> (f64, f64) {
        let i = Printer::ALL.iter().position(|p| *p == self).unwrap_or(0);
        let extent = extent(text, ty, |_| {});
        (extent.line[i], extent.word[i])
    }

    /// [`Printer::advance`] in `ty`, with the full-width advance worked out once:
    /// nearly every character of a return is Chinese.
    fn advances(self, ty: Type) -> impl Fn(char) -> f64 + use<> {
        let full = self.advance('中', ty);
        move |c: char| match c {
            c if c.is_ascii() => self.advance(c, ty),
            '\u{200B}' => 0.0,
            _ => full,
        }
    }

    /// How many lines `text` takes in a wrapped cell `px` pixels wide.
    ///
    /// Lines break as LibreOffice breaks them: anywhere between Chinese
    /// characters (Calc keeps no punctuation off a line's start), at spaces,
    /// and between a Chinese character and a Latin word or number, which moves
    /// whole to the next line unless it is longer than a line. Excel also keeps
    /// closing punctuation off a line's start, taking the character before it along.
    pub fn lines(self, text: &str, px: u32, ty: Type) -> usize {
        self.set(text, px, ty).lines
    }

    /// How `text` sets in a wrapped cell `px` pixels wide (see [`Printer::lines`]).
    pub fn set(self, text: &str, px: u32, ty: Type) -> Setting {
        let room = self.text_points(px) + 1e-9;
        let mut setting = Setting {
            lines: 0,
            shortest_last: usize::MAX,
        };
        for paragraph in text.split('\n') {
            let (lines, last) = self.set_paragraph(paragraph, room, ty);
            setting.lines += lines;
            if lines > 1 {
                setting.shortest_last = setting.shortest_last.min(last);
            }
        }
        setting
    }

    /// The lines of one paragraph in `room` points, and the characters on its last.
    fn set_paragraph(self, paragraph: &str, room: f64, ty: Type) -> (usize, usize) {
        let advance = self.advances(ty);
        let space = advance(' ');
        let mut lines = 1;
        // Where the line has reached, in points and characters.
        let mut x = 0.0;
        let mut on_line = 0;
        // The width of the Chinese character before, which Excel may take along.
        let mut last = 0.0;
        let mut chars = paragraph.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            if c == ' ' || c == '\t' {
                // Spaces hang past a line's end; the next word breaks the line.
                x += space;
                last = 0.0;
                continue;
            }
            if c.is_ascii() {
                let mut end = at + 1;
                let mut word = advance(c);
                let mut letters = 1;
                while let Some(&(next_at, next)) = chars.peek() {
                    if !next.is_ascii() || next == ' ' || next == '\t' {
                        break;
                    }
                    word += advance(next);
                    letters += 1;
                    end = next_at + 1;
                    chars.next();
                }
                if x + word <= room {
                    x += word;
                    on_line += letters;
                } else if word <= room {
                    lines += 1;
                    x = word;
                    on_line = letters;
                } else {
                    // Longer than a line: on a line of its own, broken where lines end.
                    if x > 0.0 {
                        lines += 1;
                        x = 0.0;
                        on_line = 0;
                    }
                    for letter in paragraph[at..end].chars() {
                        let w = advance(letter);
                        if x + w > room && x > 0.0 {
                            lines += 1;
                            x = 0.0;
                            on_line = 0;
                        }
                        x += w;
                        on_line += 1;
                    }
                }
                last = 0.0;
                continue;
            }
            let w = advance(c);
            if x + w <= room {
                x += w;
                on_line += 1;
            } else if self == Printer::Excel && never_starts_a_line(c) && last > 0.0 {
                lines += 1;
                x = last + w;
                on_line = 2;
            } else {
                lines += 1;
                x = w;
                on_line = 1;
            }
            last = w;
        }
        (lines, on_line)
    }

    /// The points a row needs to show `lines` lines of `ty` in full.
    pub fn row_points(self, lines: usize, ty: Type) -> f64 {
        let lines = lines.max(1) as f64;
        match self {
            Printer::LibreOffice => {
                ty.points * (FIRST_LINE_EMS + LINE_EMS * (lines - 1.0)) + ROW_AIR
            }
            // 宋体's ascent and descent make an em (SimSun: 220 + 36 of 256
            // units), so its lines are an em apart in whole pixels, 12 at 9
            // points; a row adds its padding (Excel's default row for 11-point
            // 宋体 is 18 pixels, its line 15), one pixel more here.
            Printer::Excel => {
                let line = (ty.points * 96.0 / 72.0).ceil();
                (lines * line + 4.0) * 0.75
            }
        }
    }
}

/// How wide a text is in each printer ([`Printer::ALL`]'s order), measured in
/// one pass: its widest line and its widest unbreakable word.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Extent {
    pub line: [f64; 2],
    pub word: [f64; 2],
}

/// `text`'s [`Extent`] in `ty`; `paragraph` is told each paragraph's width on
/// one line in LibreOffice, in order.
pub fn extent(text: &str, ty: Type, mut paragraph: impl FnMut(f64)) -> Extent {
    let advances = [
        Printer::LibreOffice.advances(ty),
        Printer::Excel.advances(ty),
    ];
    let mut extent = Extent {
        line: [0.0; 2],
        word: [0.0; 2],
    };
    let (mut line, mut word) = ([0.0; 2], [0.0; 2]);
    let full = [
        Printer::LibreOffice.advance('中', ty),
        Printer::Excel.advance('中', ty),
    ];
    for c in text.chars() {
        // Nearly every character of a return: a full advance in both
        // printers, a word of its own (what the general case does with it).
        if !c.is_ascii() && c != '\u{200B}' && c != '\u{3000}' {
            for i in 0..2 {
                line[i] += full[i];
                extent.word[i] = extent.word[i].max(full[i]).max(word[i]);
                word[i] = 0.0;
            }
            continue;
        }
        if c == '\n' {
            paragraph(line[0]);
        }
        // Latin letters and digits make words; anything else stands alone.
        let in_word = c.is_ascii() && !c.is_ascii_whitespace();
        let blank = c.is_ascii_whitespace() || c == '\u{3000}';
        for i in 0..2 {
            if c == '\n' {
                extent.line[i] = extent.line[i].max(line[i]);
                line[i] = 0.0;
            } else {
                let a = advances[i](c);
                line[i] += a;
                if in_word {
                    word[i] += a;
                } else if !blank {
                    extent.word[i] = extent.word[i].max(a);
                }
            }
            if !in_word {
                extent.word[i] = extent.word[i].max(word[i]);
                word[i] = 0.0;
            }
        }
    }
    paragraph(line[0]);
    for i in 0..2 {
        extent.line[i] = extent.line[i].max(line[i]);
        extent.word[i] = extent.word[i].max(word[i]);
    }
    extent
}

/// The height in points a row is given for cells that take `lines[p]` lines
/// in each printer `Printer::ALL[p]`: enough for all of them in both, in whole
/// pixels (0.75 points: Excel keeps heights so, and LibreOffice draws a row at
/// its height rounded down to a pixel, 50 points as 49.5), at most Excel's
/// tallest row.
pub fn row_height(lines: [usize; 2], ty: Type) -> f64 {
    let points = Printer::ALL
        .iter()
        .zip(lines)
        .map(|(printer, n)| printer.row_points(n, ty))
        .fold(0.0, f64::max);
    ((points / 0.75).ceil() * 0.75).min(MAX_ROW_POINTS)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NINE: Type = Type::regular(9.0);

    /// Pixels of a column whose text room in LibreOffice is just `points`.
    fn lo_px(points: f64) -> u32 {
        Printer::LibreOffice.pixels_for(points)
    }

    #[test]
    fn libreoffice_columns_are_as_wide_as_measured_on_its_pdfs() {
        // Border to border in the PDF, in points.
        for (px, printed) in [(60, 47.54), (94, 74.53), (151, 119.68), (154, 122.08)] {
            let points = Printer::LibreOffice.column_points(px);
            assert!((points - printed).abs() < 0.1, "{px} px: {points} pt");
        }
    }

    #[test]
    fn chinese_lines_break_where_libreoffice_breaks_them() {
        // Measured at 9 points: the most characters a line held in a column of
        // so many pixels, each width the first to hold one more.
        let text = "一二三四五六七八九十".repeat(3);
        for (px, per_line) in [
            (70, 5),
            (71, 6),
            (104, 8),
            (105, 9),
            (138, 11),
            (139, 12),
            (150, 12),
            (151, 13),
        ] {
            assert_eq!(
                Printer::LibreOffice.lines(&text, px, NINE),
                30usize.div_ceil(per_line),
                "{px} px"
            );
        }
    }

    #[test]
    fn words_and_numbers_move_whole_to_the_next_line() {
        let printer = Printer::LibreOffice;
        // 94 pixels hold 8 characters: 一二三四五六 and 2018 do not share a line.
        assert_eq!(printer.lines("一二三四五六2018年7月", 94, NINE), 2);
        assert_eq!(printer.lines("abc defghijk lmnopqrs tuvwxyz", 94, NINE), 3);
        assert_eq!(printer.lines("0898-65236001 张三", 94, NINE), 2);
        // Longer than a line: broken where the line ends.
        assert_eq!(printer.lines("abcdefghijklmnopqrstuvwxyz0123", 94, NINE), 3);
        // Calc lets a comma start a line.
        assert_eq!(printer.lines("一二三四五六七八，九十", 94, NINE), 2);
    }

    #[test]
    fn excel_keeps_closing_punctuation_off_a_line_start() {
        // 8 characters a line in Excel at 102 pixels: the comma takes 八 along.
        let px = 12 * 8 + EXCEL_PADDING_PX;
        assert_eq!(Printer::Excel.lines("一二三四五六七八九", px, NINE), 2);
        assert_eq!(Printer::Excel.lines("一二三四五六七八，", px, NINE), 2);
        assert_eq!(
            Printer::Excel.lines("一二三四五六七八，一二三四五六七", px, NINE),
            3
        );
    }

    #[test]
    fn a_widow_is_seen() {
        // 94 pixels hold 8 characters.
        let set = Printer::LibreOffice.set("一二三四五六七八九", 94, NINE);
        assert_eq!((set.lines, set.shortest_last), (2, 1));
        let set = Printer::LibreOffice.set("一二三四五六七八", 94, NINE);
        assert_eq!((set.lines, set.shortest_last), (1, usize::MAX));
    }

    #[test]
    fn lines_are_counted_per_paragraph() {
        assert_eq!(Printer::LibreOffice.lines("", 100, NINE), 1);
        assert_eq!(
            Printer::LibreOffice.lines("第一行\n第二行\n\n", 100, NINE),
            4
        );
    }

    #[test]
    fn a_date_fits_the_pixels_measured_for_it() {
        let date = "2018年12月31日";
        for printer in Printer::ALL {
            let px = printer.pixels_for(printer.line_width(date, NINE));
            assert_eq!(printer.lines(date, px, NINE), 1, "{printer:?}");
            assert_eq!(printer.lines(date, px - 1, NINE), 2, "{printer:?}");
        }
        // DejaVu's digits are wider than 宋体's half character.
        assert!(lo_px(Printer::LibreOffice.line_width(date, NINE)) > 90);
    }

    #[test]
    fn rows_are_as_tall_as_measured_on_libreoffices_pdfs() {
        // Five lines of 9-point Chinese showed in full from 63.7 drawn points;
        // four from 51.0.
        let five = row_height([5, 5], NINE);
        assert!((63.7..65.5).contains(&five), "{five}");
        let four = row_height([4, 4], NINE);
        assert!((51.0..52.6).contains(&four), "{four}");
        // A line a line: 13 points apart.
        let step = row_height([20, 20], NINE) - row_height([19, 19], NINE);
        assert!((12.75..13.6).contains(&step), "{step}");
        assert_eq!(row_height([100, 100], NINE), MAX_ROW_POINTS);
    }
}
