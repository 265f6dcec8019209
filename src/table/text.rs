//! Web exports saved with a spreadsheet name: an HTML table or a CSV file called
//! `.xls`, as many online reporting systems produce. When they hold a plain table
//! they are read into the same [`Grid`] a workbook gives; otherwise they are refused.
//!
//! Text may be UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text") or
//! GBK/GB18030 (older Chinese systems); the HTML parser is html5ever via `scraper`,
//! the CSV reader the `csv` crate.

use calamine::Data;
use scraper::{ElementRef, Html, Selector};

use super::format::OpenError;
use super::grid::{Grid, Merge, PendingFormula, Sheet};
use super::package::SheetFormulas;

/// Decodes text bytes: a BOM decides, else UTF-8 when valid, else the HTML's
/// declared charset, else GB18030 (a superset of GBK and GB2312).
pub fn decode(bytes: &[u8]) -> String {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return encoding
            .decode_without_bom_handling(&bytes[bom..])
            .0
            .into_owned();
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return text.to_string();
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]).to_ascii_lowercase();
    let declared = head
        .split("charset=")
        .nth(1)
        .map(|rest| {
            rest.trim_start_matches(['"', '\''])
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .next()
                .unwrap_or("")
        })
        .and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()));
    let encoding = declared.unwrap_or(encoding_rs::GB18030);
    encoding.decode_without_bom_handling(bytes).0.into_owned()
}

/// Reads the largest `<table>` of an HTML page, honouring colspan and rowspan so
/// every cell keeps its column. A spanned cell keeps its value at its top-left and
/// is given back as a merged area, as a workbook's merged cell is.
///
/// # Errors
/// [`OpenError::Html`] when the page holds no table with text.
pub fn read_html(text: &str, max_cells: usize) -> Result<(Grid, Vec<Merge>), OpenError> {
    let document = Html::parse_document(text);
    let (Ok(tables), Ok(rows_sel), Ok(cells_sel)) = (
        Selector::parse("table"),
        Selector::parse("tr"),
        Selector::parse("td, th"),
    ) else {
        return Err(OpenError::Html);
    };
    // A table read: its cells (row, column, value) and its spans.
    type Table = (Vec<(u32, u32, Data)>, Vec<Merge>);
    let mut best: Option<Table> = None;
    for table in document.select(&tables) {
        let mut cells = Vec::new();
        let mut merges = Vec::new();
        // Columns still covered by a rowspan from above: column → rows left.
        let mut covered: Vec<u32> = Vec::new();
        for (row_index, tr) in table
            .select(&rows_sel)
            .filter(|tr| in_table(tr, &table))
            .enumerate()
        {
            let row_index = row_index as u32;
            let mut col = 0u32;
            let next_free = |col: &mut u32, covered: &Vec<u32>| {
                while covered.get(*col as usize).is_some_and(|n| *n > 0) {
                    *col += 1;
                }
            };
            for cell in tr
                .select(&cells_sel)
                .filter(|c| c.parent().and_then(ElementRef::wrap).map(|p| p.id()) == Some(tr.id()))
            {
                next_free(&mut col, &covered);
                let text: String = cell.text().collect::<String>();
                let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                let span = |name: &str| {
                    cell.value()
                        .attr(name)
                        .and_then(|v| v.trim().parse::<u32>().ok())
                        .unwrap_or(1)
                        .clamp(1, 1000)
                };
                let (colspan, rowspan) = (span("colspan"), span("rowspan"));
                if colspan > 1 || rowspan > 1 {
                    merges.push((row_index, col, row_index + rowspan - 1, col + colspan - 1));
                }
                if !text.is_empty() {
                    if cells.len() >= max_cells {
                        return Err(OpenError::TooManyCells {
                            sheet: "网页表格".into(),
                            limit: max_cells,
                        });
                    }
                    cells.push((row_index, col, Data::String(text)));
                }
                if rowspan > 1 {
                    let end = (col + colspan) as usize;
                    if covered.len() < end {
                        covered.resize(end, 0);
                    }
                    for slot in &mut covered[col as usize..end] {
                        *slot = rowspan;
                    }
                }
                col += colspan;
            }
            for slot in &mut covered {
                *slot = slot.saturating_sub(1);
            }
        }
        if best.as_ref().is_none_or(|(b, _)| cells.len() > b.len()) {
            best = Some((cells, merges));
        }
    }
    match best {
        Some((cells, merges)) if !cells.is_empty() => Ok((Grid::from_cells(cells), merges)),
        _ => Err(OpenError::Html),
    }
}

/// An Excel 2003 XML workbook, read.
#[derive(Debug)]
pub struct XmlWorkbook {
    pub sheets: Vec<Sheet>,
    /// `<Date1904/>`: serial numbers count from 1904.
    pub date_1904: bool,
    /// Cells with an `ss:Formula` and no `<Data>`: no result stored.
    pub pending: SheetFormulas,
}

/// Reads Excel 2003 XML (SpreadsheetML): every `Worksheet` a sheet, cells placed by
/// `ss:Index` and widened by `ss:MergeAcross` / `ss:MergeDown`, numbers as numbers
/// and dates as ISO text, as calamine gives an .ods's; a formula's `<Data>` is its
/// result.
///
/// # Errors
/// [`OpenError::Html`] when the XML holds no worksheet with text;
/// [`OpenError::TooManyCells`] past the limit.
pub fn read_spreadsheet_ml(text: &str, max_cells: usize) -> Result<XmlWorkbook, OpenError> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut ml = SpreadsheetMl::new(max_cells);
    loop {
        let event = reader.read_event().map_err(|_| OpenError::Html)?;
        match &event {
            Event::Start(e) => ml.start(e, false),
            Event::Empty(e) => ml.start(e, true),
            Event::Text(t) => ml.push_text(&t.xml10_content()),
            Event::GeneralRef(r) => match r.resolve_char_ref() {
                Ok(Some(c)) => ml.push_text(c.encode_utf8(&mut [0; 4])),
                _ => ml.push_text(quick_xml::escape::resolve_predefined_entity(r).unwrap_or("")),
            },
            Event::CData(t) => ml.push_text(t),
            Event::End(e) => ml.end(e.local_name().as_ref())?,
            Event::Eof => break,
            _ => {}
        }
    }
    ml.finish()
}

/// The state of reading SpreadsheetML, one event at a time.
struct SpreadsheetMl {
    max_cells: usize,
    sheets: Vec<Sheet>,
    date_1904: bool,
    pending: SheetFormulas,
    /// The formula of the cell being read, until its `<Data>` shows it has a result.
    formula: Option<(u32, u32, String)>,
    /// The sheet being read: its cells and merges so far.
    cells: Vec<(u32, u32, Data)>,
    merges: Vec<Merge>,
    /// Where the next cell goes, and whether the sheet has had a row yet.
    row: u32,
    col: u32,
    started_row: bool,
    /// The cell being read: its place, its type, its text so far.
    cell: Option<(u32, u32, String, String)>,
}

impl SpreadsheetMl {
    fn new(max_cells: usize) -> Self {
        Self {
            max_cells,
            sheets: Vec::new(),
            date_1904: false,
            pending: Vec::new(),
            formula: None,
            cells: Vec::new(),
            merges: Vec::new(),
            row: 0,
            col: 0,
            started_row: false,
            cell: None,
        }
    }

    /// An opening (or empty) element: a sheet, a row, a cell or its data.
    fn start(&mut self, e: &quick_xml::events::BytesStart, empty: bool) {
        match e.local_name().as_ref() {
            "Date1904" => self.date_1904 = true,
            "Worksheet" => {
                let name =
                    ml_attr(e, "Name").unwrap_or_else(|| format!("Sheet{}", self.sheets.len() + 1));
                self.pending.push((name.clone(), Vec::new()));
                self.sheets.push(Sheet {
                    name,
                    hidden: false,
                    grid: Grid::default(),
                    merges: Vec::new(),
                });
                (self.row, self.started_row) = (0, false);
            }
            "Row" => {
                // ss:Index is 1-based; without it a row follows the last.
                self.row = match ml_number(e, "Index") {
                    Some(i) => i.saturating_sub(1),
                    None if self.started_row => self.row.saturating_add(1),
                    None => 0,
                };
                self.started_row = true;
                self.col = 0;
            }
            "Cell" => self.start_cell(e, empty),
            "Data" => {
                self.formula = None;
                if let Some((_, _, kind, _)) = self.cell.as_mut() {
                    *kind = ml_attr(e, "Type").unwrap_or_default();
                }
            }
            _ => {}
        }
    }

    /// A `<Cell>`: placed by `ss:Index`, widened by its merge, its formula noted.
    fn start_cell(&mut self, e: &quick_xml::events::BytesStart, empty: bool) {
        let (row, mut col) = (self.row, self.col);
        if let Some(i) = ml_number(e, "Index") {
            col = i.saturating_sub(1);
        }
        let across = ml_number(e, "MergeAcross").unwrap_or(0).min(1000);
        let down = ml_number(e, "MergeDown").unwrap_or(0).min(100_000);
        if across > 0 || down > 0 {
            self.merges.push((row, col, row + down, col + across));
        }
        self.formula = ml_attr(e, "Formula").map(|f| (row, col, f));
        if empty {
            note_pending(&mut self.pending, self.formula.take());
        } else {
            self.cell = Some((row, col, String::new(), String::new()));
        }
        self.col = col.saturating_add(across + 1);
    }

    fn push_text(&mut self, text: &str) {
        if let Some((_, _, _, so_far)) = self.cell.as_mut() {
            so_far.push_str(text);
        }
    }

    /// A closing element: a cell's value is typed and kept, a sheet's grid made.
    fn end(&mut self, name: &str) -> Result<(), OpenError> {
        match name {
            "Cell" => {
                note_pending(&mut self.pending, self.formula.take());
                if let Some((r, c, kind, text)) = self.cell.take() {
                    if self.cells.len() >= self.max_cells {
                        return Err(OpenError::TooManyCells {
                            sheet: self
                                .sheets
                                .last()
                                .map(|s| s.name.clone())
                                .unwrap_or_default(),
                            limit: self.max_cells,
                        });
                    }
                    self.cells.push((r, c, ml_value(&kind, text)));
                }
            }
            "Worksheet" => {
                if let Some(sheet) = self.sheets.last_mut() {
                    sheet.grid = Grid::from_cells(std::mem::take(&mut self.cells));
                    sheet.merges = std::mem::take(&mut self.merges);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(mut self) -> Result<XmlWorkbook, OpenError> {
        self.sheets.retain(|s| !s.grid.rows.is_empty());
        if self.sheets.is_empty() {
            return Err(OpenError::Html);
        }
        Ok(XmlWorkbook {
            sheets: self.sheets,
            date_1904: self.date_1904,
            pending: self.pending,
        })
    }
}

/// A cell's value by its `ss:Type`: numbers as numbers, dates as ISO text.
fn ml_value(kind: &str, text: String) -> Data {
    match kind {
        "Number" => text
            .trim()
            .parse::<f64>()
            .map_or(Data::String(text), Data::Float),
        "DateTime" => Data::DateTimeIso(text.trim().to_string()),
        "Boolean" => Data::Bool(text.trim() == "1"),
        _ => Data::String(text),
    }
}

/// An attribute by its local name (`ss:Name` or `Name`), unescaped.
fn ml_attr(e: &quick_xml::events::BytesStart, local: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        let key = a.key.as_ref();
        (key.rsplit(':').next() == Some(local)).then(|| {
            quick_xml::escape::unescape(&a.value)
                .map_or_else(|_| a.value.to_string(), |v| v.into_owned())
        })
    })
}

fn ml_number(e: &quick_xml::events::BytesStart, local: &str) -> Option<u32> {
    ml_attr(e, local).and_then(|v| v.trim().parse::<u32>().ok())
}

/// Records a formula cell that ended without a `<Data>` result.
fn note_pending(pending: &mut SheetFormulas, formula: Option<(u32, u32, String)>) {
    if let (Some((row, col, formula)), Some((_, cells))) = (formula, pending.last_mut()) {
        cells.push(PendingFormula { row, col, formula });
    }
}

/// Whether a row belongs to this table and not to a table nested in it.
fn in_table(tr: &ElementRef, table: &ElementRef) -> bool {
    tr.ancestors()
        .filter_map(ElementRef::wrap)
        .find(|e| e.value().name() == "table")
        .is_some_and(|t| t.id() == table.id())
}

/// Reads delimited text: tab-separated when `tab_separated` (Excel's "Unicode
/// text"), else comma, tab or semicolon, whichever the first lines use most. A
/// quoted field may hold the delimiter, line breaks and doubled quotes.
///
/// # Errors
/// [`OpenError::Text`] when the text does not parse as a table.
pub fn read_csv(text: &str, max_cells: usize, tab_separated: bool) -> Result<Grid, OpenError> {
    let sample: String = text.lines().take(5).collect::<Vec<_>>().join("\n");
    let delimiter = if tab_separated {
        b'\t'
    } else {
        [b',', b'\t', b';']
            .into_iter()
            .max_by_key(|d| sample.bytes().filter(|b| b == d).count())
            .unwrap_or(b',')
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut cells = Vec::new();
    for (r, record) in reader.records().enumerate() {
        let record = record.map_err(|_| OpenError::Text)?;
        for (c, field) in record.iter().enumerate() {
            let field = field.trim();
            if field.is_empty() {
                continue;
            }
            if cells.len() >= max_cells {
                return Err(OpenError::TooManyCells {
                    sheet: "文本表格".into(),
                    limit: max_cells,
                });
            }
            cells.push((r as u32, c as u32, Data::String(field.to_string())));
        }
    }
    if cells.is_empty() {
        return Err(OpenError::Text);
    }
    Ok(Grid::from_cells(cells))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_spans_keep_columns() {
        let html = "<html><body><table>
            <tr><td colspan=3>标题</td></tr>
            <tr><th rowspan=2>序号</th><th colspan=2>完成情况</th></tr>
            <tr><th>完成状态</th><th>完成时间</th></tr>
            <tr><td>1</td><td>已完成</td><td>2018-06-30</td></tr>
        </table></body></html>";
        let (grid, merges) = read_html(html, 100).expect("table");
        assert_eq!(merges, [(0, 0, 0, 2), (1, 0, 2, 0), (1, 1, 1, 2)]);
        let row = |i: usize| {
            grid.rows[i]
                .cells
                .iter()
                .map(|(c, v)| (*c, v.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            row(2),
            [(1, "完成状态".to_string()), (2, "完成时间".to_string())]
        );
        assert_eq!(row(3)[2], (2, "2018-06-30".to_string()));
    }

    #[test]
    fn spreadsheet_ml_places_cells_by_index_and_merge() {
        let xml = r#"<?xml version="1.0"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
 <Worksheet ss:Name="进展情况">
  <Table>
   <Row><Cell ss:MergeAcross="2"><Data ss:Type="String">标题</Data></Cell></Row>
   <Row ss:Index="3"><Cell><Data ss:Type="String">序号</Data></Cell><Cell ss:Index="3"><Data ss:Type="String">完成状态</Data></Cell></Row>
   <Row><Cell><Data ss:Type="Number">1</Data></Cell><Cell ss:MergeDown="1"><Data ss:Type="String">A&amp;B</Data></Cell><Cell><Data ss:Type="DateTime">2018-07-03T00:00:00.000</Data></Cell></Row>
  </Table>
 </Worksheet>
</Workbook>"#;
        let sheets = read_spreadsheet_ml(xml, 100).expect("sheets").sheets;
        assert_eq!(sheets.len(), 1);
        let sheet = &sheets[0];
        assert_eq!(sheet.name, "进展情况");
        assert_eq!(sheet.merges, [(0, 0, 0, 2), (3, 1, 4, 1)]);
        assert_eq!(
            sheet.grid.value(2, 2),
            Some(&Data::String("完成状态".into()))
        );
        assert_eq!(sheet.grid.value(3, 0), Some(&Data::Float(1.0)));
        assert_eq!(sheet.grid.value(3, 1), Some(&Data::String("A&B".into())));
        assert_eq!(
            sheet.grid.value(3, 2),
            Some(&Data::DateTimeIso("2018-07-03T00:00:00.000".into()))
        );
    }

    #[test]
    fn spreadsheet_ml_formulas_without_a_result_and_the_1904_flag() {
        let xml = r#"<?xml version="1.0"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
 <ExcelWorkbook xmlns="urn:schemas-microsoft-com:office:excel"><Date1904/></ExcelWorkbook>
 <Worksheet ss:Name="进展情况">
  <Table>
   <Row><Cell ss:Formula="=IF(RC[1]&lt;&gt;&quot;&quot;,&quot;已完成&quot;,&quot;推进中&quot;)"><Data ss:Type="String">已完成</Data></Cell><Cell ss:Formula="=DATE(2019,1,10)"/><Cell ss:Formula="=TODAY()"></Cell></Row>
  </Table>
 </Worksheet>
</Workbook>"#;
        let book = read_spreadsheet_ml(xml, 100).expect("workbook");
        assert!(book.date_1904);
        assert_eq!(
            book.sheets[0].grid.value(0, 0),
            Some(&Data::String("已完成".into())),
            "a formula's result is its value"
        );
        let pending: Vec<(u32, u32, &str)> = book.pending[0]
            .1
            .iter()
            .map(|p| (p.row, p.col, p.formula.as_str()))
            .collect();
        assert_eq!(pending, [(0, 1, "=DATE(2019,1,10)"), (0, 2, "=TODAY()")]);
    }

    #[test]
    fn excel_unicode_text_is_tab_separated_with_quoted_fields() {
        let text =
            "序号\t完成状态\t进展情况\r\n1\t已完成\t\"选址\t（城区）\r\n正在办\"\"用地\"\"\"\r\n";
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let grid = read_csv(&decode(&bytes), 100, true).expect("table");
        assert_eq!(
            grid.value(1, 2),
            Some(&Data::String("选址\t（城区）\r\n正在办\"用地\"".into()))
        );
    }

    #[test]
    fn html_without_a_table_is_refused() {
        assert_eq!(
            read_html("<html><body><p>登录超时</p></body></html>", 100),
            Err(OpenError::Html)
        );
    }

    #[test]
    fn csv_delimiters_and_encodings() {
        let gbk = encoding_rs::GBK
            .encode("序号\t完成状态\n1\t已完成\n")
            .0
            .into_owned();
        let grid = read_csv(&decode(&gbk), 100, false).expect("tab separated GBK");
        assert_eq!(grid.rows[1].cells[1].1, Data::String("已完成".into()));
        let utf8_bom = "\u{feff}序号,完成状态\r\n1,推进中\r\n".as_bytes();
        let grid = read_csv(&decode(utf8_bom), 100, false).expect("comma separated");
        assert_eq!(grid.rows[0].cells[0].1, Data::String("序号".into()));
    }
}
