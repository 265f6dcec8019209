//! What the bundled sample says, decided before it is written: for every period,
//! unit and task, the case the generator writes and the verdict it intends. The
//! generator (`main.rs`) writes the returns from this plan; the integration tests
//! read the consolidated workbook back and compare each verdict with
//! [`Case::intended`], so the sample and its meaning cannot drift apart.

#![allow(dead_code)]

use chrono::NaiveDate;

/// The periods of the sample, oldest first.
pub const PERIODS: [&str; 2] = ["2018-05", "2018-06"];

/// The unit that sends nothing in every period.
pub const SILENT_UNIT: &str = "三沙市";

/// What one unit writes about one task.
#[derive(Debug, Clone, PartialEq)]
pub enum Case {
    /// 已完成 with a completion date on or before the deadline.
    DoneOnTime(NaiveDate),
    /// 已完成 with a completion date after the deadline.
    DoneLate(NaiveDate),
    /// 已完成 without a date, the deadline not yet passed.
    DoneUndatedNotDue,
    /// 已完成 without a date after the deadline.
    DoneUndatedPastDue,
    /// 推进中 or 未启动 before the deadline (the word is the payload).
    Ongoing(&'static str),
    /// 推进中 after the deadline.
    Overdue,
    NotApplicable,
    /// A status word the tool does not know.
    Unrecognised(&'static str),
    /// A row with an empty status.
    BlankStatus,
    /// No row at all for the task.
    RowMissing,
    /// The unit sent no return.
    NoReturn,
}

impl Case {
    /// The verdict (判定) the consolidation must give.
    pub fn intended(&self) -> &'static str {
        match self {
            Case::DoneOnTime(_) | Case::DoneUndatedNotDue => "按期完成",
            Case::DoneLate(_) => "逾期完成",
            Case::DoneUndatedPastDue | Case::Unrecognised(_) => "待核实",
            Case::Ongoing(_) => "推进中",
            Case::Overdue => "逾期未完成",
            Case::NotApplicable => "不适用",
            Case::BlankStatus | Case::RowMissing => "漏报",
            Case::NoReturn => "未报送",
        }
    }
}

/// The last day of a `YYYY-MM` period: the sample's as-of date.
pub fn as_of(period: &str) -> NaiveDate {
    let (y, m) = period.split_once('-').expect("period is YYYY-MM");
    let (y, m): (i32, u32) = (y.parse().expect("year"), m.parse().expect("month"));
    let next = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)
    };
    next.and_then(|d| d.pred_opt()).expect("valid period")
}

/// A fixed pseudo-random number for (period, unit, task): FNV-1a over the three.
fn roll(period: &str, unit: usize, task: u32) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in period
        .bytes()
        .chain(unit.to_le_bytes())
        .chain(task.to_le_bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Cases placed on purpose so the two periods show every verdict.
fn forced(period: &str, unit: usize, task: u32) -> Option<Case> {
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
    let case = match (period, unit, task) {
        ("2018-06", 0, 1) => Case::DoneLate(day("2017-09-15")),
        ("2018-06", 1, 14) => Case::DoneUndatedPastDue,
        ("2018-06", 3, 5) => Case::Unrecognised("大部分完成"),
        ("2018-06", 4, 6) => Case::NotApplicable,
        ("2018-06", 5, 7) => Case::BlankStatus,
        ("2018-06", 6, 9) => Case::RowMissing,
        ("2018-06", 7, 1) => Case::Overdue,
        ("2018-06", 8, 2) => Case::DoneOnTime(day("2018-06-20")),
        ("2018-06", 9, 3) => Case::DoneUndatedNotDue,
        ("2018-05", 10, 14) => Case::Overdue,
        ("2018-05", 11, 1) => Case::DoneLate(day("2018-03-31")),
        _ => return None,
    };
    Some(case)
}

/// The case of (period, unit, task) for a unit that sends a return.
pub fn case(period: &str, unit: usize, unit_name: &str, task: u32, deadline: NaiveDate) -> Case {
    if unit_name == SILENT_UNIT {
        return Case::NoReturn;
    }
    if let Some(case) = forced(period, unit, task) {
        return case;
    }
    let as_of = as_of(period);
    let r = roll(period, unit, task) % 100;
    let past_due = as_of > deadline;
    if past_due {
        // Old tasks (1, 14): most are done on time, some late, a few still open.
        return match r {
            0..=69 => Case::DoneOnTime(deadline - chrono::Days::new(10 + r)),
            70..=84 => Case::DoneLate(deadline + chrono::Days::new(20 + r)),
            _ => Case::Overdue,
        };
    }
    match r {
        0..=11 => Case::DoneOnTime(as_of - chrono::Days::new(5 + r * 7)),
        12..=69 => Case::Ongoing("推进中"),
        70..=79 => Case::Ongoing("正在推进"),
        80..=89 => Case::Ongoing("未启动"),
        90..=93 => Case::Ongoing("已启动"),
        94..=96 => Case::DoneUndatedNotDue,
        _ => Case::NotApplicable,
    }
}

/// A realistic progress sentence for a row, fixed by its roll.
pub fn narrative(period: &str, unit: usize, unit_name: &str, task: u32, case: &Case) -> String {
    const ACTIONS: [&str; 8] = [
        "已召开专题会议研究部署，明确责任分工和时间节点",
        "已会同发改、住建、国土等部门开展联合调研，摸清学位缺口底数",
        "已将相关工作纳入年度教育重点工作，按月调度推进",
        "已完成方案初稿并征求各乡镇和学校意见",
        "已组织专人对辖区学校逐校核查，建立工作台账",
        "已落实专项资金，相关项目按计划推进",
        "已印发实施方案，细化了目标任务和保障措施",
        "已与相关部门建立联席会议制度，定期通报进展",
    ];
    const DETAILS: [&str; 6] = [
        "下一步将加快项目建设进度，确保按期完成",
        "目前正在对照时间节点查漏补缺",
        "部分学校用地手续仍在办理中",
        "新建校舍主体工程已完工，正在进行内部装修",
        "已安排专人跟踪督办，每月报送进展",
        "大班额比例较上学期明显下降",
    ];
    let r = roll(period, unit, task + 1000);
    let action = ACTIONS[(r % ACTIONS.len() as u64) as usize];
    let detail = DETAILS[((r >> 8) % DETAILS.len() as u64) as usize];
    match case {
        Case::DoneOnTime(_)
        | Case::DoneLate(_)
        | Case::DoneUndatedNotDue
        | Case::DoneUndatedPastDue => {
            format!("{unit_name}{action}，该项任务已全部完成，并已报上级部门备案。")
        }
        Case::NotApplicable => "本市县无此项工作任务。".to_string(),
        Case::BlankStatus => format!("{unit_name}{action}。"),
        _ => format!("{unit_name}{action}，{detail}。"),
    }
}

/// Who fills in the return of a unit, and the number to call.
pub fn contact(unit: usize) -> (String, String) {
    const SURNAMES: [&str; 10] = ["王", "李", "张", "陈", "林", "吴", "黄", "符", "邢", "周"];
    const GIVEN: [&str; 10] = [
        "芳", "伟", "海燕", "志强", "晓东", "丽娟", "明", "文华", "春梅", "建国",
    ];
    let name = format!("{}{}", SURNAMES[unit % 10], GIVEN[(unit * 7 + 3) % 10]);
    let phone = format!("0898-{}", 65_300_000 + unit * 1_117);
    (name, phone)
}

/// How a unit's return is laid out: most follow the template, a few drift as
/// real returns do. The layout never changes what the return says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Template,
    /// Title and notes above, a two-row header (完成情况 over 完成状态 | 完成时间),
    /// columns reordered, dates typed as text, status words in other forms.
    TwoRowHeader,
    /// No 填报单位 line and a sheet called Sheet1: only the file name tells the unit.
    NameOnly,
    /// Saved as Excel 97-2003 (.xls) by LibreOffice.
    Xls,
}

pub fn layout(period: &str, unit_name: &str) -> Layout {
    match (period, unit_name) {
        ("2018-06", "琼海市") | ("2018-05", "定安县") => Layout::TwoRowHeader,
        ("2018-06", "临高县") | ("2018-05", "屯昌县") => Layout::NameOnly,
        ("2018-06", "澄迈县") => Layout::Xls,
        _ => Layout::Template,
    }
}

/// Units that sent an early draft as well as the final return: the draft has an
/// earlier 填报日期 and other statuses, and must be superseded.
pub fn sends_draft(period: &str, unit_name: &str) -> bool {
    matches!(
        (period, unit_name),
        ("2018-06", "文昌市") | ("2018-06", "万宁市")
    )
}
