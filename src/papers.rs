//! The month's papers in one zip, as the office downloads them from the board:
//! the consolidated workbook, 催报名单 and 明细 as CSV, and every 督办单. Each
//! file is made by the code that writes it for `run` ([`crate::report`],
//! [`crate::feedback`]): the zip holds `run`'s own bytes, nothing is laid out
//! here. The zip itself is reproducible: its members in one order (the
//! workbook, the two CSVs, then the letters in roster order under `督办单/`),
//! each dated midnight of the letters' 成文日期, their names in UTF-8.

use std::io::{Seek, Write};

use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

use crate::monthly::history;
use crate::period::Month;
use crate::report::{Report, chase};

/// The folder of the zip the letters are in.
pub const LETTERS: &str = "督办单";

/// `大班额_材料_2018-07.zip`: the plan's short name (`plan_short`; else
/// `大班额` for a plan whose name says it, the name the workbook's file
/// already carries), else the period (`2018年7月_材料_2018-07.zip`).
pub fn file_name(short: Option<&str>, plan: &str, month: Month) -> String {
    let short = match short.map(str::trim).filter(|s| !s.is_empty()) {
        Some(short) => short.replace(['/', '\\'], "_"),
        None if plan.contains("大班额") => "大班额".to_string(),
        None => month.chinese(),
    };
    format!("{short}_材料_{month}.zip")
}

/// Writes the papers of `report` into `out` as a zip, `workbook` being the
/// period's workbook as `run` writes it, and gives the members' names in order.
///
/// # Errors
/// When `out` cannot be written, or a letter cannot be packed.
pub fn write<W: Write + Seek>(
    out: W,
    report: &Report,
    workbook: &[u8],
) -> std::io::Result<(W, Vec<String>)> {
    let head = report.letterhead;
    let month = head.month;
    let stored = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .last_modified_time(crate::feedback::zip_time(head.issued))
        .unix_permissions(0o644);
    // The workbook and the letters are zips already: stored as they are.
    let deflated = stored.compression_method(CompressionMethod::Deflated);
    let mut zip = zip::ZipWriter::new(out);
    let mut names = Vec::new();
    let mut start = |zip: &mut zip::ZipWriter<W>, name: String, options| {
        let started = zip.start_file(name.as_str(), options);
        names.push(name);
        started.map_err(std::io::Error::other)
    };
    start(&mut zip, crate::report::workbook_name(month), stored)?;
    zip.write_all(workbook)?;
    start(&mut zip, chase::file_name(month), deflated)?;
    zip.write_all(&chase::csv(&chase::rows(report)))?;
    start(&mut zip, history::csv_name(month), deflated)?;
    crate::report::write_detail_csv(report, &mut zip)?;
    for (name, bytes) in crate::feedback::documents(report)? {
        start(&mut zip, format!("{LETTERS}/{name}"), stored)?;
        zip.write_all(&bytes)?;
    }
    let out = zip.finish().map_err(std::io::Error::other)?;
    Ok((out, names))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_zip_is_named_for_the_plan_or_the_period() {
        let july = Month::parse("2018-07").expect("month");
        let plan = "海南省消除义务教育学校大班额专项规划";
        for (short, plan, name) in [
            (None, plan, "大班额_材料_2018-07.zip"),
            (Some("消除大班额"), plan, "消除大班额_材料_2018-07.zip"),
            (Some("  "), plan, "大班额_材料_2018-07.zip"),
            (
                None,
                "义务教育薄弱环节改善规划",
                "2018年7月_材料_2018-07.zip",
            ),
            (
                Some("薄改/义教"),
                "义务教育薄弱环节改善规划",
                "薄改_义教_材料_2018-07.zip",
            ),
        ] {
            assert_eq!(file_name(short, plan, july), name, "{short:?} {plan}");
        }
    }
}
