//! `--tasks` and `--roster`: other plans and other units, and clear errors.

use std::path::Path;

use rust_xlsxwriter::Workbook;

use crate::common::{ReturnBuilder, Workdir, detail};

#[test]
fn tasks_prints_the_31_tasks_with_dates() {
    let w = Workdir::new();
    let output = w.run(&["tasks"]);
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| {
            l.split('\t')
                .next()
                .is_some_and(|n| n.parse::<u32>().is_ok())
        })
        .collect();
    assert_eq!(rows.len(), 31);
    assert!(rows[0].ends_with("2017年7月底\t2017-07-31"), "{}", rows[0]);
    assert!(
        rows[4].contains("\t—\t"),
        "task 5 has no cooperating unit: {}",
        rows[4]
    );
    assert!(
        rows[6].contains("省住房城乡建设厅\t"),
        "task 7's typo normalised: {}",
        rows[6]
    );
}

#[test]
fn tasks_from_an_xlsx_table() {
    let w = Workdir::new();
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let rows = [
        ["序号", "主要任务", "牵头单位", "配合单位", "完成时限"],
        [
            "1",
            "制定学位建设计划",
            "各市县政府",
            "省教育厅",
            "2019年6月",
        ],
        ["2", "完成校舍改造", "省教育厅、各市县", "", "2019年底"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            sheet
                .write_string(r as u32 + 1, c as u16, *text)
                .expect("write");
        }
    }
    sheet
        .write_string(0, 0, "2019年学位建设任务分工表")
        .expect("title");
    workbook.save(w.path("plan.xlsx")).expect("save");
    let output = w.run(&["--tasks", "plan.xlsx", "tasks"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("1\t制定学位建设计划\t各市县政府\t省教育厅\t2019年6月\t2019-06-30"),
        "{text}"
    );
    assert!(
        text.contains("2\t完成校舍改造\t省教育厅、各市县\t—\t2019年底\t2019-12-31"),
        "{text}"
    );
    // The plan's name comes from the table's title row, or from --plan-name; it
    // titles the workbook, never a placeholder.
    assert!(text.starts_with("《2019年学位建设》任务清单"), "{text}");
    let input = w.folder("2019-06");
    for (flags, name) in [
        (&[][..], "《2019年学位建设》"),
        (
            &["--plan-name", "学位建设三年行动"][..],
            "《学位建设三年行动》",
        ),
    ] {
        let mut args = vec!["--tasks", "plan.xlsx"];
        args.extend_from_slice(flags);
        args.extend([
            "run",
            "--input",
            input.to_str().expect("utf-8"),
            "--output",
            "out.xlsx",
        ]);
        let output = w.run(&args);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let overview = crate::common::sheet_text(&w.path("out.xlsx"), "总览");
        assert!(overview[0][0].starts_with(name), "{:?}", overview[0]);
    }
}

#[test]
fn a_malformed_table_names_the_line() {
    let w = Workdir::new();
    std::fs::write(
        w.path("plan.txt"),
        "标题\n\n\t1\n\t任务一\n\t各市县政府\n\t\n\t明年\n",
    )
    .expect("write");
    let output = w.run(&["--tasks", "plan.txt", "tasks"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("任务表第 3 行") && stderr.contains("明年"),
        "{stderr}"
    );
}

#[test]
fn a_roster_with_a_department() {
    let w = Workdir::new();
    std::fs::write(
        w.path("roster.csv"),
        "\u{feff}单位,别名,类别\n省教育厅,教育厅,部门\n海口市,海口,市县\n",
    )
    .expect("write");
    let input = w.folder("returns");
    ReturnBuilder::new("海口市")
        .row(1, "已完成", Some("2017-07-01"))
        .write(&input, "海口.xlsx");
    let output = w.run(&[
        "--roster",
        "roster.csv",
        "run",
        "--input",
        "returns",
        "--output",
        "out.xlsx",
        "--as-of",
        "2018-06-30",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rows = detail(&w.path("out.xlsx"));
    let department: Vec<_> = rows.iter().filter(|r| r["单位"] == "省教育厅").collect();
    assert!(
        department
            .iter()
            .any(|r| r["序号"] == "28" && r["角色"] == "牵头"),
        "省教育厅 leads task 28"
    );
    assert!(
        department
            .iter()
            .any(|r| r["序号"] == "1" && r["角色"] == "配合"),
        "省教育厅 cooperates on task 1"
    );
    assert!(department.iter().all(|r| r["判定"] == "未报送"));
    assert_eq!(rows.iter().filter(|r| r["单位"] == "海口市").count(), 30);

    std::fs::write(w.path("bad.csv"), "名称\n海口市\n").expect("write");
    let output = w.run(&["--roster", "bad.csv", "tasks"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("单位名单缺少“单位”列"));
}

#[test]
fn a_long_plan_name_keeps_every_page_header() {
    // Each printed page names the plan in its header; Excel allows 255
    // characters there, and rust_xlsxwriter drops a longer header whole.
    let w = Workdir::new();
    let input = Path::new(env!("CARGO_MANIFEST_DIR")).join("input/2018-07");
    let plan = "消除义务教育学校大班额".repeat(25);
    let output = w.run(&[
        "--plan-name",
        &plan,
        "run",
        "--input",
        input.to_str().expect("utf-8"),
        "--output",
        "out.xlsx",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let file = std::fs::File::open(w.path("out.xlsx")).expect("workbook");
    let mut book = zip::ZipArchive::new(file).expect("zip");
    let sheets: Vec<String> = book
        .file_names()
        .filter_map(Result::ok)
        .filter(|n| n.starts_with("xl/worksheets/sheet"))
        .map(|n| n.to_string())
        .collect();
    assert!(sheets.len() > 10, "{sheets:?}");
    for name in sheets {
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut book.by_name(&name).expect("part"), &mut xml)
            .expect("utf-8");
        let header = xml
            .split_once("<oddHeader>")
            .and_then(|(_, rest)| rest.split_once("</oddHeader>"))
            .map(|(header, _)| header.to_string());
        let Some(header) = header else {
            panic!("{name} lost its page header");
        };
        assert!(
            header.contains("消除义务教育学校大班额"),
            "{name}: {header}"
        );
        assert!(header.contains("海南省教育厅"), "{name}: {header}");
    }
}
