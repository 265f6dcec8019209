//! A problem found in the returns: where it is, what is wrong, what the tool did.
//!
//! Data problems are values, never errors: intake and the check push them to a
//! list that becomes the 数据问题 sheet, and the run goes on.

/// How much a problem matters to the county that sent the return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The return cannot be counted as written: the county must fix it.
    Error,
    /// Counted, but worth a look.
    Warning,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "提示",
        }
    }
}

/// One row of 数据问题.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub severity: Severity,
    /// The file's name as it sits in the input folder.
    pub file: String,
    /// The sheet, when the problem is inside one.
    pub sheet: Option<String>,
    /// Where in the sheet, when the problem is inside one.
    pub location: Option<Location>,
    /// The unit, when known.
    pub unit: Option<String>,
    /// The task number, when the problem concerns one task.
    pub task: Option<u32>,
    /// What is wrong, in Chinese.
    pub what: String,
    /// What the tool did about it, in Chinese: for the office.
    pub action: String,
    /// The column's name in the return when the problem is about one cell
    /// (`完成时间`), so a place is said in words: `第17行 完成时间栏`.
    pub column: Option<String>,
    /// What the unit that sent the return is asked to do, in words for it, when
    /// `action` (written for the office) will not do for a 督办单.
    pub ask: Option<String>,
}

impl Problem {
    /// A problem with a whole file.
    pub fn file(
        severity: Severity,
        file: &str,
        what: impl Into<String>,
        action: impl Into<String>,
    ) -> Self {
        Self {
            severity,
            file: file.to_string(),
            sheet: None,
            location: None,
            unit: None,
            task: None,
            what: what.into(),
            action: action.into(),
            column: None,
            ask: None,
        }
    }

    /// Names the column of the cell the problem is about (`完成时间`).
    pub fn in_column(mut self, name: &str) -> Self {
        self.column = Some(name.to_string());
        self
    }

    /// What the unit that sent the return is asked to do, in words for it.
    pub fn ask(mut self, ask: impl Into<String>) -> Self {
        self.ask = Some(ask.into());
        self
    }

    /// Where, in words as printed: `第17行 完成时间栏`, `第17行 第7列` when the
    /// column has no name, `第17行`, or empty for a whole file.
    pub fn place_in_words(&self) -> String {
        match (self.location, &self.column) {
            (Some(Location { row, col: Some(_) }), Some(name)) => {
                format!("{} {name}栏", row_ref(row))
            }
            (
                Some(Location {
                    row,
                    col: Some(col),
                }),
                None,
            ) => {
                format!("{} 第{}列", row_ref(row), u64::from(col) + 1)
            }
            (Some(Location { row, col: None }), _) => row_ref(row),
            (None, _) => String::new(),
        }
    }

    /// The sheet and the place in words, `“进展情况”表 第17行 完成时间栏`; empty
    /// for a whole file.
    pub fn where_in_words(&self) -> String {
        let place = self.place_in_words();
        match self.sheet.as_deref().filter(|s| !s.is_empty()) {
            Some(sheet) if place.is_empty() => format!("“{sheet}”表"),
            Some(sheet) => format!("“{sheet}”表 {place}"),
            None => place,
        }
    }

    /// Places the problem in a sheet: a cell when `col` is given, else a whole row (0-based).
    pub fn at(mut self, sheet: &str, row: u32, col: Option<u32>) -> Self {
        self.sheet = Some(sheet.to_string());
        self.location = Some(Location { row, col });
        self
    }

    /// Where, as the user finds it: `F7`, `第7行`, or empty for a whole file.
    pub fn place(&self) -> String {
        match self.location {
            Some(Location {
                row,
                col: Some(col),
            }) => cell_ref(row, col),
            Some(Location { row, col: None }) => row_ref(row),
            None => String::new(),
        }
    }

    /// The sheet and the place in it, `进展情况 F7`; empty for a whole file.
    pub fn sheet_and_place(&self) -> String {
        let place = self.place();
        match (
            self.sheet.as_deref().filter(|s| !s.is_empty()),
            place.is_empty(),
        ) {
            (Some(sheet), false) => format!("{sheet} {place}"),
            (Some(sheet), true) => sheet.to_string(),
            (None, _) => place,
        }
    }

    pub fn unit(mut self, unit: &str) -> Self {
        self.unit = Some(unit.to_string());
        self
    }

    /// Names the unit when it is known.
    pub fn unit_if(self, unit: Option<&str>) -> Self {
        match unit {
            Some(unit) => self.unit(unit),
            None => self,
        }
    }

    pub fn task(mut self, task: Option<u32>) -> Self {
        self.task = task;
        self
    }
}

/// A cell or a whole row of a sheet, 0-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub row: u32,
    pub col: Option<u32>,
}

/// An A1 reference from 0-based row and column (`cell_ref(6, 5)` is `F7`).
pub fn cell_ref(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = u64::from(col) + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &(u64::from(row) + 1).to_string()
}

/// A whole-row reference from a 0-based row (`第7行`).
pub fn row_ref(row: u32) -> String {
    format!("第{}行", u64::from(row) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_and_place_say_where_as_far_as_known() {
        let whole = Problem::file(Severity::Warning, "a.xlsx", "x", "y");
        assert_eq!(whole.sheet_and_place(), "");
        let cell = whole.clone().at("进展情况", 6, Some(5));
        assert_eq!(cell.sheet_and_place(), "进展情况 F7");
        let row = whole.clone().at("进展情况", 6, None);
        assert_eq!(row.sheet_and_place(), "进展情况 第7行");
        let mut sheet_only = whole;
        sheet_only.sheet = Some("Sheet2".into());
        assert_eq!(sheet_only.sheet_and_place(), "Sheet2");
    }

    #[test]
    fn places_are_said_in_words_for_paper() {
        let whole = Problem::file(Severity::Warning, "a.xlsx", "x", "y");
        assert_eq!(whole.where_in_words(), "");
        let named = whole
            .clone()
            .at("进展情况", 16, Some(6))
            .in_column("完成时间");
        assert_eq!(named.place_in_words(), "第17行 完成时间栏");
        assert_eq!(named.where_in_words(), "“进展情况”表 第17行 完成时间栏");
        let unnamed = whole.clone().at("进展情况", 16, Some(6));
        assert_eq!(unnamed.place_in_words(), "第17行 第7列");
        let row = whole.at("Sheet1", 6, None);
        assert_eq!(row.where_in_words(), "“Sheet1”表 第7行");
    }

    #[test]
    fn a1_references() {
        assert_eq!(cell_ref(0, 0), "A1");
        assert_eq!(cell_ref(6, 5), "F7");
        assert_eq!(cell_ref(0, 25), "Z1");
        assert_eq!(cell_ref(0, 26), "AA1");
        assert_eq!(cell_ref(1_048_575, 16_383), "XFD1048576");
        assert_eq!(row_ref(6), "第7行");
        // Positions from corrupt files can be anything; references never overflow.
        assert_eq!(cell_ref(u32::MAX, u32::MAX), "MWLQKWV4294967296");
        assert_eq!(row_ref(u32::MAX), "第4294967296行");
    }
}
