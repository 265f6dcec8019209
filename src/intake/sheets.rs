//! Which sheet of a workbook is the return. The data sheet may sit anywhere among
//! others (填表说明, a chart); a hidden sheet counts only when no visible one holds
//! a return. A workbook keeping one sheet per month (`1月`, `2月`, `3月`) gives the
//! period's month: the other month sheets are left without a word; with no sheet
//! for the period, the latest earlier month's is read, and its month is named so
//! that the return is listed as another month's.

use chrono::NaiveDate;

use super::ReportPeriod;
use super::rows::{self, RowContext, SheetRead};
use crate::catalogue::Catalogue;
use crate::period::{MonthName, month_named};
use crate::problem::{Problem, Severity};
use crate::table::cells::cell_text;
use crate::table::grid::Sheet;
use crate::table::header::{self, Header};
use crate::table::workbook::{Format, Limits, OpenError, Workbook};

/// Reads the return a file's bytes hold, as of `as_of`'s month: what a fuzzer or
/// a property test gives any bytes to.
///
/// # Errors
/// An [`OpenError`] when the bytes are no workbook or no sheet holds a return.
pub fn read_return(
    bytes: Vec<u8>,
    catalogue: &Catalogue,
    limits: &Limits,
    file: &str,
    as_of: NaiveDate,
) -> Result<SheetRead, OpenError> {
    read_workbook(bytes, catalogue, *limits, file, ReportPeriod::of(as_of))
}

/// Reads the return a workbook's bytes hold for `period`.
///
/// # Errors
/// An [`OpenError`] when the bytes are no workbook or no sheet holds a return.
pub(super) fn read_workbook(
    bytes: Vec<u8>,
    catalogue: &Catalogue,
    limits: Limits,
    file: &str,
    period: ReportPeriod,
) -> Result<SheetRead, OpenError> {
    let mut workbook = Workbook::open(bytes, limits)?;
    let mut sheets = workbook.worksheet_names();
    // Visible sheets first; a hidden sheet is read only when no visible one holds a return.
    sheets.sort_by_key(|(_, hidden)| *hidden);
    let mut partial: Option<String> = None;
    let mut failure: Option<OpenError> = None;
    let mut best: Option<Candidate> = None;
    let mut usable: Vec<(String, Option<MonthName>)> = Vec::new();
    // A text file of one line: what a mail gateway leaves for an attachment it lost.
    let mut lone_text: Option<String> = None;
    for (order, (name, hidden)) in sheets.into_iter().enumerate() {
        // Once a return is found, further sheets are only looked at when visible.
        if best.is_some() && hidden {
            break;
        }
        let sheet = match workbook.read_sheet(&name, hidden) {
            Ok(sheet) => sheet,
            Err(e) => {
                failure.get_or_insert(e);
                continue;
            }
        };
        if let [row] = sheet.grid.rows.as_slice()
            && let [(_, cell)] = row.cells.as_slice()
        {
            lone_text.get_or_insert_with(|| cell_text(cell));
        }
        let Some(found) = header::find_header(&sheet) else {
            continue;
        };
        if found.is_usable() {
            let month = month_named(&name);
            usable.push((name, month));
            let candidate = Candidate {
                rank: rank(month, order, period),
                sheet,
                header: found,
            };
            if best.as_ref().is_none_or(|b| candidate.rank > b.rank) {
                best = Some(candidate);
            }
        } else if found.is_partial() {
            partial.get_or_insert(name);
        }
    }
    let Some(best) = best else {
        return Err(match (partial, failure) {
            (Some(sheet), _) => OpenError::HeaderIncomplete { sheet },
            (None, Some(e)) => e,
            (None, None) if workbook.format == Format::Html => OpenError::Html,
            (None, None) if workbook.format == Format::Csv => match lone_text {
                Some(text) => OpenError::OneLine(text.chars().take(60).collect()),
                None => OpenError::Text,
            },
            (None, None) => OpenError::NoReturn {
                sheets: workbook.worksheet_names().len(),
            },
        });
    };
    let ctx = RowContext {
        catalogue,
        file,
        as_of: period.as_of,
        dates: workbook.date_system(),
        pending: workbook.pending_formulas(&best.sheet.name),
    };
    let mut read = rows::read_rows(&best.sheet, &best.header, &ctx);
    // One sheet per month: the month of the sheet read counts, the others are left.
    let month_sheets = usable.iter().filter(|(_, m)| m.is_some()).count();
    if month_sheets >= 2 {
        read.sheet_month = month_named(&best.sheet.name);
    }
    // Several returns, not one a month: which one is meant is for the county to say.
    let others: Vec<&str> = usable
        .iter()
        .filter(|(name, month)| *name != best.sheet.name && (month.is_none() || month_sheets < 2))
        .map(|(name, _)| name.as_str())
        .collect();
    if !others.is_empty() {
        read.problems.push(Problem::file(
            Severity::Warning,
            file,
            format!("工作簿中还有其他进展情况表：{}", others.join("、")),
            format!(
                "只读取了“{}”；如应读取其他表，请删去多余的工作表后重新报送",
                read.sheet
            ),
        ));
    }
    Ok(read)
}

/// A sheet holding a return, with how well it fits the period.
struct Candidate {
    rank: (u8, i64),
    sheet: Sheet,
    header: Header,
}

/// How well a return sheet fits the period, higher first: the period's month; a
/// sheet named for no month (the first of them); an earlier month (the latest);
/// a later month (the earliest).
fn rank(month: Option<MonthName>, order: usize, period: ReportPeriod) -> (u8, i64) {
    let order = order as i64;
    let Some((year, month)) = month else {
        return (2, -order);
    };
    if period.is_named_by((year, month)) {
        return (3, -order);
    }
    // A month without a year is the period's year's, or the year before when that
    // would be later than the period (`12月` in a March workbook is December's).
    let (py, pm) = (period.month.year, period.month.month);
    let year = year.unwrap_or(if month <= pm { py } else { py - 1 });
    let months = i64::from(year) * 12 + i64::from(month);
    let now = i64::from(py) * 12 + i64::from(pm);
    if months < now {
        (1, months)
    } else {
        (0, -months)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::Month;

    #[test]
    fn the_sheet_that_fits_the_period() {
        let period = ReportPeriod {
            as_of: NaiveDate::from_ymd_opt(2019, 3, 31).expect("date"),
            month: Month {
                year: 2019,
                month: 3,
            },
        };
        let best = |names: &[&str]| -> String {
            names
                .iter()
                .enumerate()
                .max_by_key(|(i, n)| (rank(month_named(n), *i, period), std::cmp::Reverse(*i)))
                .map(|(_, n)| n.to_string())
                .unwrap_or_default()
        };
        assert_eq!(best(&["1月", "2月", "3月"]), "3月");
        assert_eq!(best(&["3月", "2月", "1月"]), "3月");
        assert_eq!(
            best(&["2019年1月", "2019年2月", "2019年3月进展"]),
            "2019年3月进展"
        );
        assert_eq!(best(&["一月", "二月", "三月"]), "三月");
        assert_eq!(
            best(&["2018年3月", "2019年2月"]),
            "2019年2月",
            "a year written must be the period's"
        );
        assert_eq!(
            best(&["1月", "2月"]),
            "2月",
            "no sheet for the period: the latest earlier"
        );
        assert_eq!(best(&["11月", "12月", "1月"]), "1月");
        assert_eq!(
            best(&["12月", "11月"]),
            "12月",
            "December is the year before's"
        );
        assert_eq!(
            best(&["4月", "5月"]),
            "5月",
            "last year's May, months without a year"
        );
        assert_eq!(
            best(&["2019年5月", "2019年4月"]),
            "2019年4月",
            "later months: the nearest"
        );
        assert_eq!(best(&["进展情况", "2月"]), "进展情况");
    }
}
