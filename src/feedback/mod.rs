//! 督办单: the letter the province sends each unit that has something to follow
//! up, as a Word document an office edits, prints, stamps and files (SPEC §6).
//!
//! [`letter`] decides what a unit is told, in plain official Chinese: its late
//! or missing return, and one numbered item per task that needs its action, the
//! task's full text and what to do, merged when a task has several findings.
//! [`docx`] lays a [`Letter`] out in the habits of GB/T 9704 and packs it so the
//! same inputs and the same 成文日期 give the same bytes. A unit with nothing to
//! follow up gets no letter.

mod docx;

pub use docx::zip_time;

use std::collections::BTreeMap;
use std::path::Path;

use crate::check::{Entry, UnitRef, Verdict};
use crate::intake::values::Status;
use crate::period::chinese_date;
use crate::problem::Problem;
use crate::report::Report;
use crate::roster::UnitKind;
use crate::save::Staged;

/// What one 督办单 says, top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub struct Letter {
    /// The title's lines (标题), each short enough for one line of 2号 type.
    pub title: Vec<String>,
    /// The 主送 organ, without its colon: `三亚市教育局`.
    pub addressee: String,
    /// The opening paragraph: what was received, or not, and when.
    pub opening: String,
    /// One paragraph per item, numbered when laid out.
    pub items: Vec<String>,
    /// What to do by when.
    pub closing: String,
    /// `联系人：张三，联系电话：0898-65236001`, when `--contact` gives one.
    pub contact: Option<String>,
    /// The issuing office (发文机关署名).
    pub office: String,
    /// The 成文日期, `2018年8月10日`.
    pub date: String,
}

/// Stages `dir/督办单_<unit>_<period>.docx` for every unit with something to
/// follow up, to be put in place with the run's other outputs.
///
/// # Errors
/// When the folder or a file cannot be written.
pub fn stage_all(report: &Report, dir: &Path) -> std::io::Result<Vec<Staged>> {
    documents(report)?
        .iter()
        .map(|(name, bytes)| Staged::bytes(&dir.join(name), bytes))
        .collect()
}

/// Every 督办单 as the `.docx` file `run --feedback` writes, in roster order:
/// (file name, bytes). The server's papers hold these very files.
///
/// # Errors
/// Only when a document cannot be packed (a bug).
pub fn documents(report: &Report) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let letters = letters(report);
    // One document per unit, each on its own: they are made on both cores.
    use rayon::prelude::*;
    letters
        .par_iter()
        .map(|(unit, letter)| {
            let bytes = docx::render(letter, report.letterhead.issued)?;
            Ok((file_name(unit, report.letterhead.month), bytes))
        })
        .collect()
}

/// `督办单_三亚市_2018-07.docx`.
pub fn file_name(unit: &str, month: crate::period::Month) -> String {
    format!("督办单_{unit}_{month}.docx")
}

/// Every unit's letter, in roster order, for the units that have something to
/// follow up: (unit name, letter).
pub fn letters(report: &Report) -> Vec<(String, Letter)> {
    // Entries and problems grouped by unit once, not scanned again for every unit.
    let units = &report.roster.units;
    let mut entries: Vec<Vec<&Entry>> = vec![Vec::new(); units.len()];
    for e in report.result.entries.iter().filter(|e| e.counts()) {
        if let UnitRef::Known(u) = e.unit {
            entries[u].push(e);
        }
    }
    let mut problems: Vec<Vec<&Problem>> = vec![Vec::new(); units.len()];
    for p in &report.result.problems {
        if let Some(u) = p.unit.as_deref().and_then(|n| report.roster.lookup(n)) {
            problems[u].push(p);
        }
    }
    (0..units.len())
        .filter(|&u| !report.result.expected[u].is_empty())
        .filter_map(|u| {
            letter(report, u, &entries[u], &problems[u]).map(|l| (units[u].name.clone(), l))
        })
        .collect()
}

/// One unit's letter, or none when it has nothing to follow up.
fn letter(report: &Report, u: usize, entries: &[&Entry], problems: &[&Problem]) -> Option<Letter> {
    let head = report.letterhead;
    let unit = &report.roster.units[u];
    let period = head.month.chinese();
    let plan = &head.plan;
    let as_of = chinese_date(report.result.as_of);
    let issued = chinese_date(head.issued);
    let reply_by = chinese_date(head.reply_by);
    let silent = !entries.is_empty() && entries.iter().all(|e| e.verdict == Verdict::NotSubmitted);
    let filed = report.result.meta[u].as_ref().and_then(|m| m.fill_date);
    let late = report.is_late(filed);
    let items = items(report, entries, problems);
    if !silent && !late && items.is_empty() {
        return None;
    }
    let whose = match unit.kind {
        UnitKind::City => "各市县",
        UnitKind::Department => "各有关单位",
    };
    let form = format!("{period}《{plan}》任务进展情况表");
    let opening = if silent {
        match report.due {
            Some(due) if head.issued > due => format!(
                "按照要求，{whose}应于{}前报送{form}。截至{issued}，尚未收到你单位的情况表。",
                chinese_date(due)
            ),
            Some(due) => format!(
                "按照要求，{whose}应于{}前报送{form}。目前尚未收到你单位的情况表。",
                chinese_date(due)
            ),
            None => format!("截至{issued}，尚未收到你单位报送的{form}。"),
        }
    } else {
        let mut text = format!("你单位报送的{form}已收悉。");
        if let (true, Some(filed), Some(due)) = (late, filed, report.due) {
            text.push_str(&format!(
                "该表填报日期为{}，晚于规定的报送时限{}，属迟报，请今后按时报送。",
                chinese_date(filed),
                chinese_date(due)
            ));
        }
        if items.is_empty() {
            text.push_str("经汇总核对（统计截止日期为");
            text.push_str(&as_of);
            text.push_str("），未发现其他需要办理的事项。");
        } else {
            text.push_str("经汇总核对（统计截止日期为");
            text.push_str(&as_of);
            text.push_str("），以下事项需要你单位办理：");
        }
        text
    };
    let closing = if silent {
        format!("请于{reply_by}前按模板填报并报送情况表。")
    } else if items.is_empty() {
        "请继续按期推进各项任务，按时报送下期情况表。".to_string()
    } else {
        format!("请于{reply_by}前将办理情况书面报送{}。", head.office)
    };
    Some(Letter {
        title: title_lines(plan, &period),
        addressee: unit.addressee(),
        opening,
        items,
        closing,
        contact: head.contact.as_deref().map(contact_line),
        office: head.office.clone(),
        date: issued,
    })
}

/// The title, `《规划》` and `2018年7月任务进展督办单`, on lines short enough
/// for 2号 type across the 156-mm type area: 20 characters, 21 condensed.
fn title_lines(plan: &str, period: &str) -> Vec<String> {
    const LINE: usize = 21;
    let named = format!("《{plan}》");
    let what = format!("{period}任务进展督办单");
    let whole = format!("{named}{what}");
    if whole.chars().count() < LINE {
        return vec![whole];
    }
    let mut lines = Vec::new();
    for piece in [named, what] {
        let chars: Vec<char> = piece.chars().collect();
        // Balanced lines rather than a full one and a stub.
        let count = chars.len().div_ceil(LINE - 1).max(1);
        let per = chars.len().div_ceil(count);
        if chars.len() <= LINE {
            lines.push(piece);
            continue;
        }
        lines.extend(chars.chunks(per).map(|c| c.iter().collect::<String>()));
    }
    lines
}

/// `--contact` as the letter's line: `联系人：张三，联系电话：0898-65236001`. The
/// phone is the trailing run of digits (with `-`, spaces, brackets) when it
/// has at least seven digits; without one the text is the 联系人.
pub fn contact_line(contact: &str) -> String {
    let contact = contact.trim();
    let is_phone = |c: char| c.is_ascii_digit() || "-－ ()（）+".contains(c);
    let start = contact
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_phone(*c))
        .last()
        .map_or(contact.len(), |(i, _)| i);
    let (who, phone) = contact.split_at(start);
    let who = who
        .trim()
        .trim_end_matches([',', '，', '、', ';', '；', ':', '：'])
        .trim();
    let who = who
        .strip_prefix("联系人")
        .map(|w| w.trim_start_matches([':', '：']).trim())
        .unwrap_or(who);
    let phone = phone.trim();
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    match (who.is_empty(), digits >= 7) {
        (false, true) => format!("联系人：{who}，联系电话：{phone}"),
        (true, true) => format!("联系电话：{phone}"),
        _ => format!("联系人：{contact}"),
    }
}

/// One item per task that needs the unit's action, in task order, then the
/// return's own problems: each a paragraph saying what was found and what to do.
fn items(report: &Report, entries: &[&Entry], problems: &[&Problem]) -> Vec<String> {
    let as_of = chinese_date(report.result.as_of);
    let mut by_task: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for e in entries {
        if let Some(finding) = finding(report, e, &as_of) {
            by_task.entry(e.task).or_default().push(finding);
        }
    }
    let mut about_the_return = Vec::new();
    for p in problems {
        let Some(ask) = ask(p) else { continue };
        match p.task {
            Some(task) if report.catalogue.get(task).is_some() => {
                let found = by_task.entry(task).or_default();
                if !found.contains(&ask) {
                    found.push(ask);
                }
            }
            _ => {
                if !about_the_return.contains(&ask) {
                    about_the_return.push(ask);
                }
            }
        }
    }
    // A task judged 待核实 always has the problem that says why; should it not,
    // the unit is still asked.
    for e in entries.iter().filter(|e| e.verdict == Verdict::ToVerify) {
        by_task
            .entry(e.task)
            .or_insert_with(|| vec!["该任务的完成状态或完成时间有误。请核实后更正".to_string()]);
    }
    let mut items: Vec<String> = by_task
        .into_iter()
        .map(|(task, findings)| {
            let named = match report.catalogue.get(task) {
                Some(t) => format!(
                    "第{task}项任务“{}”（完成时限：{}）",
                    t.text.trim().trim_end_matches(['。', '；', '，']),
                    chinese_date(t.deadline)
                ),
                None => format!("第{task}项任务"),
            };
            format!("{named}。{}", sentences(&findings))
        })
        .collect();
    items.extend(
        about_the_return
            .iter()
            .map(|a| format!("关于报送的情况表：{}", sentence(a))),
    );
    items
}

/// What a task's verdict asks of the unit; `None` when it asks nothing (done,
/// in progress, not applicable, or judged by a problem that says why).
fn finding(report: &Report, e: &Entry, as_of: &str) -> Option<String> {
    let status = e
        .row
        .as_ref()
        .map(|r| r.status_text.trim())
        .filter(|s| !s.is_empty());
    Some(match e.verdict {
        Verdict::OverdueUnfinished => format!(
            "截至{as_of}，该任务已超过完成时限{}天，仍未完成{}。请加快推进，书面说明未按期完成的原因、下一步措施和预计完成时间",
            e.days_overdue.unwrap_or(0),
            status
                .map(|s| format!("（填报为“{s}”）"))
                .unwrap_or_default()
        ),
        Verdict::Omitted => match &e.row {
            None => "你单位情况表中没有该任务。请补报该任务的完成状态和进展情况".to_string(),
            Some(_) => "你单位情况表中该任务未填写完成状态。请补填完成状态".to_string(),
        },
        Verdict::InProgress if e.due_soon => {
            let deadline = report
                .catalogue
                .get(e.task)
                .map(|t| chinese_date(t.deadline))?;
            let now = match e.row.as_ref().map(|r| &r.status) {
                Some(Status::NotStarted) => "尚未启动",
                _ => "仍在推进",
            };
            format!("该任务将于{deadline}到期，目前{now}。请抓紧推进，确保按期完成")
        }
        _ => return None,
    })
}

/// What a problem asks of the unit, in words for it: its own `ask`, else the
/// request its office-facing `action` carries (`…；请…`) after what was found.
/// `None` for what asks nothing of the unit (`判定为逾期完成`) or is for the
/// office only (`请删除另一份后重新汇总`).
fn ask(p: &Problem) -> Option<String> {
    if let Some(ask) = &p.ask {
        return Some(ask.clone());
    }
    const FOR_THE_OFFICE: [&str; 5] = ["汇总", "该单位", "--", "文件夹", "判定"];
    let requests: Vec<&str> = p
        .action
        .split(['；', '。'])
        .map(str::trim)
        .filter(|c| c.contains('请'))
        .collect();
    let for_unit = |t: &str| !FOR_THE_OFFICE.iter().any(|w| t.contains(w));
    if !requests.is_empty() && requests.iter().all(|r| for_unit(r)) && for_unit(&p.what) {
        return Some(format!("{}。{}", p.what.trim(), requests.join("，")));
    }
    // A reason that carries its own request (`文件设有密码：请取消密码后重新报送`).
    (p.what.contains('请') && for_unit(&p.what)).then(|| p.what.replace('：', "。"))
}

/// Sentences joined, each ending in `。`.
fn sentences(parts: &[String]) -> String {
    parts.iter().map(|p| sentence(p)).collect()
}

fn sentence(text: &str) -> String {
    let text = text.trim().trim_end_matches(['。', '；', '，']);
    format!("{text}。")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contact_flag_becomes_the_contact_line() {
        for (given, line) in [
            (
                "张三，0898-65236001",
                "联系人：张三，联系电话：0898-65236001",
            ),
            (
                "基础教育处 王芳 0898-65236001",
                "联系人：基础教育处 王芳，联系电话：0898-65236001",
            ),
            (
                "联系人：李四 13800138000",
                "联系人：李四，联系电话：13800138000",
            ),
            ("(0898) 6523 6001", "联系电话：(0898) 6523 6001"),
            ("基础教育处王芳", "联系人：基础教育处王芳"),
        ] {
            assert_eq!(contact_line(given), line, "{given}");
        }
    }

    #[test]
    fn titles_break_into_lines_that_fit_2hao_type() {
        assert_eq!(
            title_lines("海南省消除义务教育学校大班额专项规划", "2018年7月"),
            [
                "《海南省消除义务教育学校大班额专项规划》",
                "2018年7月任务进展督办单"
            ]
        );
        assert_eq!(
            title_lines("大班额规划", "2018年7月"),
            ["《大班额规划》", "2018年7月任务进展督办单"]
        );
        assert_eq!(
            title_lines("规划", "2018年7月"),
            ["《规划》2018年7月任务进展督办单"]
        );
        let long = title_lines(&"很长的规划名称".repeat(5), "2018年7月");
        assert!(long.iter().all(|l| l.chars().count() <= 21), "{long:?}");
        assert_eq!(
            long.concat(),
            format!("《{}》2018年7月任务进展督办单", "很长的规划名称".repeat(5))
        );
    }

    #[test]
    fn a_problem_asks_the_unit_only_what_is_for_it() {
        use crate::problem::Severity;
        let p = |what: &str, action: &str| Problem::file(Severity::Warning, "a.xlsx", what, action);
        assert_eq!(
            ask(&p(
                "完成时间 2018年4月6日 晚于完成时限 2017年12月31日",
                "判定为逾期完成"
            )),
            None
        );
        assert_eq!(
            ask(&p(
                "某文件被取代",
                "这 30 行未计入汇总；如本文件才是最新版本，请删除另一份后重新汇总"
            )),
            None
        );
        assert_eq!(
            ask(&p(
                "填报单位写的是“海口市”，文件名却是“三亚市”",
                "按填报单位“海口市”计；如有误请更正填报单位后重新报送"
            ))
            .as_deref(),
            Some("填报单位写的是“海口市”，文件名却是“三亚市”。如有误请更正填报单位后重新报送")
        );
        assert_eq!(
            ask(&p("x", "请与该单位核实是否填报有误").ask("请核实本期填报")).as_deref(),
            Some("请核实本期填报")
        );
        assert_eq!(
            ask(&p(
                "任务 4 在2018年6月已完成，本期为推进中",
                "请与该单位核实是否填报有误"
            )),
            None
        );
    }
}
