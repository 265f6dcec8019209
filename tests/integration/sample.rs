//! The bundled sample under `input/`: every verdict is the one its generator intended.

#[path = "../../examples/make-sample/plan.rs"]
mod plan;

use std::collections::BTreeSet;
use std::path::Path;

use county_returns::catalogue::Catalogue;
use county_returns::roster::Roster;

use crate::common::{Workdir, copy_files, detail, sheet_names};

fn sample_input(period: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("input")
        .join(period)
}

/// Consolidates one sample period and checks each 明细 row against the plan.
fn check_period(period: &str) -> BTreeSet<String> {
    let catalogue = Catalogue::embedded().expect("catalogue");
    let roster = Roster::default_hainan().expect("roster");
    let w = Workdir::new();
    let out = w.consolidate(&sample_input(period), &[]);
    let rows = detail(&out);
    assert_eq!(
        rows.len(),
        570,
        "{period}: 明细 holds one row per expected (unit, task)"
    );
    let mut seen = BTreeSet::new();
    for row in &rows {
        let unit = &row["单位"];
        let u = roster
            .lookup(unit)
            .unwrap_or_else(|| panic!("{period}: unknown unit {unit} in 明细"));
        let task: u32 = row["序号"].parse().expect("序号 is a number");
        let deadline = catalogue.get(task).expect("task").deadline;
        let case = plan::case(period, u, unit, task, deadline);
        assert_eq!(
            row["判定"],
            case.intended(),
            "{period}: {unit} task {task} ({case:?})"
        );
        seen.insert(row["判定"].clone());
    }
    seen
}

#[test]
fn sample_verdicts_are_intended_in_every_period() {
    let mut seen = BTreeSet::new();
    for period in plan::PERIODS {
        seen.extend(check_period(period));
    }
    for verdict in [
        "按期完成",
        "逾期完成",
        "推进中",
        "逾期未完成",
        "待核实",
        "漏报",
        "未报送",
        "不适用",
    ] {
        assert!(seen.contains(verdict), "the sample shows no {verdict}");
    }
}

#[test]
fn default_run_writes_the_latest_period() {
    // Runs as a new user would: from a folder holding input/, with no flags.
    let w = Workdir::new();
    let input = w.folder("input");
    for period in plan::PERIODS {
        copy_files(&sample_input(period), &input.join(period));
    }
    let output = w.run(&["run"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("未报送 1（五指山市）"),
        "summary names the silent unit: {stdout}"
    );
    let folder = w.path("output/2018-07");
    let out = folder.join("大班额任务进展汇总_2018-07.xlsx");
    let names = sheet_names(&out);
    for sheet in [
        "总览",
        "进展矩阵",
        "本月变化",
        "趋势",
        "逾期事项",
        "缺报事项",
        "催报名单",
        "明细",
        "数据问题",
        "来源文件",
        "任务清单",
    ] {
        assert!(
            names.iter().any(|n| n == sheet),
            "sheet {sheet} missing: {names:?}"
        );
    }
    assert_eq!(detail(&out).len(), 570);
    for side in ["明细_2018-07.csv", "催报名单_2018-07.csv"] {
        let bytes = std::fs::read(folder.join(side)).unwrap_or_else(|e| panic!("{side}: {e}"));
        assert!(
            bytes.starts_with("\u{feff}".as_bytes()),
            "{side} starts with a BOM for Excel"
        );
    }
}
