//! Writes the bundled sample returns under `input/` from the plan in `plan.rs`.
//!
//! Run from the project folder: `cargo run --example make-sample`. The output is
//! deterministic (fixed dates, fixed pseudo-random choices), so running it again
//! rewrites the same bytes.

mod plan;

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use county_returns::catalogue::Catalogue;
use county_returns::roster::Roster;
use county_returns::template::{self, DateValue, Fill, RowFill};
use plan::Case;

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
            if unit.name == plan::SILENT_UNIT {
                continue;
            }
            let tasks: Vec<u32> = expected[u].iter().map(|(t, _)| *t).collect();
            let (filler, phone) = plan::contact(u);
            let mut fill = Fill {
                fill_date: Some(as_of + chrono::Days::new(1 + (u as u64 % 4))),
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
            let bytes = template::build(&catalogue, &unit.name, &tasks, Some(&fill))?;
            let (year, month) = period.split_once('-').context("period")?;
            let name = format!(
                "{}{}年{}月大班额任务进展情况.xlsx",
                unit.name,
                year,
                month.trim_start_matches('0')
            );
            std::fs::write(dir.join(name), bytes)?;
            written += 1;
        }
        println!("{period}: wrote {written} returns to {}", dir.display());
    }
    Ok(())
}
