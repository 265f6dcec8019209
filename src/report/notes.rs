//! 说明: what the workbook's words mean and where its figures come from, so a
//! printed copy can be read without asking: each verdict, the completion rate, the
//! as-of date, the sources in words (`各市县报送的2018年7月进展情况表 18 份`).
//! Nothing internal reaches paper: no folder path, no program name.

use rust_xlsxwriter::{Worksheet, XlsxError};

use super::Report;
use crate::check::Verdict;
use crate::intake::FileStatus;
use crate::look::layout::Layout;
use crate::look::style::chinese_date;
use crate::look::table::{Cell, Kind, col, write_titled};
use crate::roster::UnitKind;

/// What each verdict means, after SPEC §4.
fn meaning(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::OnTime => {
            "报表填“已完成”，完成时间不晚于完成时限；未填完成时间而统计截止日尚未过完成时限的，也计为按期完成"
        }
        Verdict::Late => "报表填“已完成”，但完成时间晚于完成时限",
        Verdict::InProgress => "报表填“推进中”或“未启动”，统计截止日尚未过完成时限",
        Verdict::OverdueUnfinished => "报表填“推进中”或“未启动”，统计截止日已过完成时限：需督办",
        Verdict::ToVerify => {
            "完成状态无法识别，或填“已完成”但已过完成时限却未填完成时间：需与单位核实"
        }
        Verdict::Omitted => "报送了报表，但缺少该任务的行，或该行未填完成状态",
        Verdict::NotSubmitted => "该单位本期没有可读取的报表",
        Verdict::NotApplicable => "报表填“不适用”：不计入完成率",
    }
}

/// 说明: the verdicts, the rate, the sources.
pub fn write(sheet: &mut Worksheet, report: &Report) -> Result<(), XlsxError> {
    sheet.set_name("说明")?;
    let columns = [col("项目", 8, Kind::Text), col("说明", 50, Kind::Wrap)];
    let line = |what: &str, text: String| vec![Cell::from(what), Cell::Text(text)];
    let mut rows = vec![vec![Cell::Heading("一、本表的来源".to_string())]];
    rows.push(line("规划", format!("《{}》", report.letterhead.plan)));
    rows.push(line("期别", report.letterhead.month.chinese()));
    rows.push(line("统计截止日期", chinese_date(report.result.as_of)));
    rows.push(line("报表", sources(report)));
    rows.push(line("制表单位", report.letterhead.office.clone()));
    rows.push(vec![Cell::Heading("二、判定的含义".to_string())]);
    rows.extend(
        Verdict::ALL
            .into_iter()
            .map(|v| vec![Cell::Verdict(v), Cell::from(meaning(v))]),
    );
    rows.push(vec![Cell::Heading("三、统计口径".to_string())]);
    rows.push(line(
        "完成率",
        "（按期完成 + 逾期完成）÷（应报事项 − 不适用），按单位和全省分别计算".to_string(),
    ));
    rows.push(line(
        "临期",
        format!(
            "尚未完成、距完成时限不足 {} 天的任务（进展矩阵中标为“临期”）",
            report.result.due_soon_days
        ),
    ));
    if let Some(due) = report.due {
        rows.push(line(
            "迟报",
            format!("填报日期晚于报送截止日 {} 的报表", chinese_date(due)),
        ));
    }
    rows.push(line(
        "应报事项",
        "各单位作为牵头单位或配合单位承担的任务；“各市县政府”“各市县”指名单中的每个市县"
            .to_string(),
    ));
    rows.push(line(
        "数据问题",
        "报表中读不懂、前后矛盾或需要核实之处，逐条列在“数据问题”工作表，并写明已如何处理"
            .to_string(),
    ));
    write_titled(sheet, &report.page("说明"), &Layout::fixed(&columns), rows)?;
    Ok(())
}

/// Where the figures come from, in words: `各市县报送的2018年7月进展情况表 18 份`,
/// then what became of the files that were not counted.
fn sources(report: &Report) -> String {
    let files = &report.intake.files;
    let count = |pred: fn(&FileStatus) -> bool| files.iter().filter(|f| pred(&f.status)).count();
    let read = count(|s| matches!(s, FileStatus::Read));
    let who = if report.roster.units.iter().all(|u| u.kind == UnitKind::City) {
        "各市县"
    } else {
        "各单位"
    };
    let mut text = format!(
        "{who}报送的{}进展情况表 {read} 份",
        report.letterhead.month.chinese()
    );
    let mut others = Vec::new();
    for (n, what) in [
        (
            count(|s| matches!(s, FileStatus::Superseded { .. })),
            "被同单位更晚的报表取代",
        ),
        (
            count(|s| matches!(s, FileStatus::Unreadable(_))),
            "无法读取",
        ),
        (
            count(|s| matches!(s, FileStatus::Skipped(_))),
            "不是电子表格，未读取",
        ),
    ] {
        if n > 0 {
            others.push(format!("{n} 份{what}"));
        }
    }
    if !others.is_empty() {
        text.push_str(&format!("；另有{}", others.join("，")));
    }
    text.push_str("（每份的处理结果见“来源文件”工作表）");
    text
}
