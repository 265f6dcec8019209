//! The monthly cycle around one run: find the earlier periods, take their records
//! from the CSVs earlier runs left (or consolidate their returns again), and work
//! out what changed. SPEC §7.

pub mod changes;
pub mod history;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::check::consolidate;
use crate::intake::{Quiet, Reader, ReportPeriod};
use crate::period::Month;
use crate::problem::{Problem, Severity};
use changes::{Change, ChangeKind};
use history::Period;

/// Everything the monthly sheets need.
#[derive(Debug)]
pub struct Monthly {
    /// Earlier periods, oldest first.
    pub earlier: Vec<Period>,
    pub current: Period,
    pub changes: Vec<Change>,
    /// Problems the comparison found: inputs changed since an earlier CSV, regressions.
    pub notices: Vec<Problem>,
    /// (unit, task) whose progress text is last period's, for a lookup per 明细 row.
    same_as_last: HashMap<String, HashSet<u32>>,
}

impl Monthly {
    /// Whether (unit, task) was flagged 本期进展与上期相同.
    pub fn same_as_last(&self, unit: &str, task: u32) -> bool {
        self.same_as_last
            .get(unit)
            .is_some_and(|tasks| tasks.contains(&task))
    }

    /// Every period, oldest first, the current one last.
    pub fn all_periods(&self) -> impl Iterator<Item = &Period> {
        self.earlier.iter().chain(std::iter::once(&self.current))
    }
}

/// The earlier periods' input folders, oldest first: the `YYYY-MM` siblings of the
/// input folder named before `current`.
pub fn earlier_inputs(input: &Path, current: Month) -> Vec<(Month, PathBuf)> {
    let parent = match input.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        Some(_) => Path::new("."),
        None => return Vec::new(),
    };
    let mut found = Month::folders_in(parent).unwrap_or_default();
    found.retain(|(month, _)| *month < current);
    found
}

/// Records of the earlier periods: from the CSV an earlier run left under
/// `records/<YYYY-MM>/`, else by consolidating that period's returns again.
pub fn load_earlier(
    reader: Reader,
    inputs: &[(Month, PathBuf)],
    records: Option<&Path>,
    due_soon_days: u32,
) -> (Vec<Period>, Vec<Problem>) {
    let mut periods = Vec::new();
    let mut notices = Vec::new();
    for &(month, ref dir) in inputs {
        let csv = records.map(|root| history::csv_path(&root.join(month.to_string()), month));
        if let Some(period) = csv.as_deref().and_then(history::load) {
            if csv.as_deref().is_some_and(|c| {
                history::inputs_changed(c, || {
                    history::folder_fingerprint(dir, reader.limits.max_file_bytes)
                })
            }) {
                notices.push(Problem::file(
                    Severity::Warning,
                    &format!("{month} 期报表文件夹"),
                    format!("{month} 期的报表在上次汇总后有改动"),
                    format!("本月变化按上次汇总的结果对比；如需按改动后的报表对比，请先重新汇总 {month} 期"),
                ));
            }
            periods.push(period);
            continue;
        }
        let Some(as_of) = month.end() else {
            continue;
        };
        let period = ReportPeriod { as_of, month };
        let Ok(mut intake) = reader.scan(dir, period, &Quiet) else {
            continue;
        };
        let result = consolidate(
            reader.catalogue,
            reader.roster,
            &mut intake,
            as_of,
            due_soon_days,
        );
        periods.push(Period::from_consolidation(month, &result, reader.roster));
    }
    (periods, notices)
}

/// Puts the current period beside the earlier ones and works out the changes.
pub fn assemble(earlier: Vec<Period>, current: Period, notices: Vec<Problem>) -> Monthly {
    let changes = changes::compute(&earlier, &current);
    // Earlier progress texts were only needed for 进展与上期相同; at national
    // scale they are tens of megabytes a period.
    let mut earlier = earlier;
    for item in earlier.iter_mut().flat_map(|p| p.items.values_mut()) {
        item.narrative = "".into();
    }
    let mut same_as_last: HashMap<String, HashSet<u32>> = HashMap::new();
    for c in changes.iter().filter(|c| c.kind == ChangeKind::SameAsLast) {
        if let Some(task) = c.task {
            same_as_last.entry(c.unit.clone()).or_default().insert(task);
        }
    }
    let mut monthly = Monthly {
        earlier,
        current,
        changes,
        notices,
        same_as_last,
    };
    monthly.notices.extend(regressions(&monthly));
    monthly
}

/// A task done last period and not now is listed as a problem too.
fn regressions(monthly: &Monthly) -> Vec<Problem> {
    let previous = monthly
        .earlier
        .last()
        .map_or_else(|| "上期".to_string(), |p| p.month.chinese());
    monthly
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Regressed)
        .map(|c| {
            let what = format!(
                "任务 {} 在{previous}已完成，本期为{}",
                c.task.unwrap_or_default(),
                c.current.label()
            );
            Problem::file(Severity::Warning, "", what, "请与该单位核实是否填报有误")
                .unit(&c.unit)
                .task(c.task)
                .ask(format!(
                    "该任务{previous}填报为已完成，本期填报为{}。请核实本期填报是否有误；如有误，请更正后重新报送",
                    c.current.label()
                ))
        })
        .collect()
}
