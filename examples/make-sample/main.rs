//! Writes the bundled sample returns under `input/` from the plan in `plan.rs`.
//!
//! Run from the project folder: `cargo run --example make-sample`. The output is
//! deterministic (fixed dates, fixed pseudo-random choices), so running it again
//! rewrites the same bytes.

mod layouts;
mod plan;

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use county_returns::catalogue::Catalogue;
use county_returns::roster::Roster;
use county_returns::template::{self, DateValue, Fill, RowFill};
use plan::{Case, Layout};

fn main() -> Result<()> {
    let catalogue = Catalogue::embedded()?;
    let roster = Roster::default_hainan()?;
    let expected = roster.expectations(&catalogue);
    for period in plan::PERIODS {
        let dir = Path::new("input").join(period);
        std::fs::create_dir_all(&dir)?;
        let as_of = plan::as_of(period);
        let mut written = 0;
        for (u, unit) in roster.units.iter().enumerate() {
            if plan::is_silent(period, &unit.name) {
                continue;
            }
            let tasks: Vec<u32> = expected[u].iter().map(|(t, _)| *t).collect();
            let (filler, phone) = plan::contact(u);
            let mut fill = Fill {
                fill_date: Some(
                    as_of + chrono::Days::new(plan::days_to_file(period, &unit.name, u)),
                ),
                filler,
                phone,
                rows: BTreeMap::new(),
                omit: Vec::new(),
                extra: Vec::new(),
            };
            for &t in &tasks {
                let task = catalogue.get(t).context("task in catalogue")?;
                let case = plan::case(period, u, &unit.name, t, task.deadline);
                let narrative = plan::narrative(period, u, &unit.name, t, &case);
                let (status, date) = match &case {
                    Case::DoneOnTime(d) | Case::DoneLate(d) => {
                        ("已完成", Some(DateValue::Date(*d)))
                    }
                    Case::DoneUndatedNotDue | Case::DoneUndatedPastDue => ("已完成", None),
                    Case::Ongoing(word) => (*word, None),
                    Case::Overdue => ("推进中", None),
                    Case::NotApplicable => ("不适用", None),
                    Case::Unrecognised(word) => (*word, None),
                    Case::BlankStatus => ("", None),
                    Case::RowMissing => {
                        fill.omit.push(t);
                        continue;
                    }
                    Case::NoReturn => continue,
                };
                let issues = if matches!(case, Case::Overdue) {
                    "建设用地报批进度滞后，资金缺口较大。"
                } else {
                    ""
                };
                fill.rows.insert(
                    t,
                    RowFill {
                        status: status.to_string(),
                        date,
                        narrative,
                        issues: issues.to_string(),
                        next_steps: String::new(),
                        remarks: String::new(),
                    },
                );
            }
            let (year, month) = period.split_once('-').context("period")?;
            let month = month.trim_start_matches('0');
            let stem = format!("{}{year}年{month}月大班额任务进展情况", unit.name);
            match plan::layout(period, &unit.name) {
                Layout::Template => {
                    let bytes = template::build(&catalogue, &unit.name, &tasks, Some(&fill))?;
                    std::fs::write(dir.join(format!("{stem}.xlsx")), bytes)?;
                }
                Layout::TwoRowHeader => {
                    let bytes = layouts::two_row_header(&catalogue, &unit.name, &tasks, &fill)?;
                    std::fs::write(dir.join(format!("{stem}.xlsx")), bytes)?;
                }
                Layout::NameOnly => {
                    let bytes = layouts::name_only(&catalogue, &tasks, &fill)?;
                    std::fs::write(dir.join(format!("{}{month}月报表.xlsx", unit.name)), bytes)?;
                }
                Layout::Xls => {
                    let bytes = template::build(&catalogue, &unit.name, &tasks, Some(&fill))?;
                    save_as_xls(&bytes, &dir, &stem)?;
                }
            }
            if plan::sends_draft(period, &unit.name) {
                // An early draft: sent two days before the final one, every task still 未启动.
                let mut draft = fill.clone();
                draft.fill_date = fill.fill_date.map(|d| d - chrono::Days::new(2));
                for row in draft.rows.values_mut() {
                    row.status = "未启动".to_string();
                    row.date = None;
                }
                let bytes = template::build(&catalogue, &unit.name, &tasks, Some(&draft))?;
                std::fs::write(dir.join(format!("{stem}（初稿）.xlsx")), bytes)?;
            }
            written += 1;
        }
        println!("{period}: wrote {written} returns to {}", dir.display());
    }
    Ok(())
}

/// Has LibreOffice save the return as Excel 97-2003, as many offices still do.
/// LibreOffice stamps the time into the file, so an existing .xls is kept as it is.
fn save_as_xls(xlsx: &[u8], dir: &Path, stem: &str) -> Result<()> {
    let target = dir.join(format!("{stem}.xls"));
    if target.exists() {
        return Ok(());
    }
    let scratch = tempfile::tempdir()?;
    let source = scratch.path().join(format!("{stem}.xlsx"));
    std::fs::write(&source, xlsx)?;
    let status = std::process::Command::new("soffice")
        .args(["--headless", "--convert-to", "xls", "--outdir"])
        .arg(dir)
        .arg(&source)
        .status()
        .context("the .xls sample needs LibreOffice: apt-get install libreoffice-calc-nogui")?;
    anyhow::ensure!(
        status.success() && target.exists(),
        "LibreOffice did not write {}",
        target.display()
    );
    Ok(())
}
