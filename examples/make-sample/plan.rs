//! What the bundled sample says, decided before it is written: for every period,
//! unit and task, the case the generator writes and the verdict it intends. The
//! generator (`main.rs`) writes the returns from this plan; the integration tests
//! read the consolidated workbook back and compare each verdict with
//! [`Case::intended`], so the sample and its meaning cannot drift apart.

#![allow(dead_code)]

use chrono::NaiveDate;

/// The periods of the sample, oldest first.
pub const PERIODS: [&str; 3] = ["2018-05", "2018-06", "2018-07"];

/// Whether a unit sends nothing in a period: 三沙市 until June, 五指山市 in July.
pub fn is_silent(period: &str, unit_name: &str) -> bool {
    matches!(
        (period, unit_name),
        ("2018-05" | "2018-06", "三沙市") | ("2018-07", "五指山市")
    )
}

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

/// Cases placed on purpose so the periods show every verdict and every change
/// between periods; the rest follow [`progression`].
fn forced(period: &str, unit: usize, task: u32) -> Option<Case> {
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
    let may = period == "2018-05";
    let june = period == "2018-06";
    let case = match (unit, task) {
        (0, 1) => Case::DoneLate(day("2017-09-15")),
        (1, 14) => Case::DoneUndatedPastDue,
        (3, 5) if june => Case::Unrecognised("大部分完成"),
        (3, 5) if may => Case::Ongoing("推进中"),
        (3, 5) => Case::DoneOnTime(day("2018-07-20")),
        (4, 6) => Case::NotApplicable,
        (5, 7) if !may => Case::BlankStatus,
        (6, 9) if june => Case::RowMissing,
        (7, 1) => Case::Overdue,
        (8, 2) if may => Case::Ongoing("推进中"),
        (8, 2) => Case::DoneOnTime(day("2018-06-20")),
        (9, 3) if !may => Case::DoneUndatedNotDue,
        (10, 14) if may => Case::Overdue,
        (10, 14) => Case::DoneLate(day("2018-06-15")),
        (11, 1) => Case::DoneLate(day("2018-03-31")),
        // Done in June, back to 推进中 in July: a regression to query.
        (12, 4) if june => Case::DoneOnTime(day("2018-06-10")),
        (12, 4) => Case::Ongoing("推进中"),
        // First return in July: task 1 is already overdue.
        (2, 1) => Case::Overdue,
        _ => return None,
    };
    Some(case)
}

/// The case of (period, unit, task): silence, a forced case, or the unit's steady
/// progression, in which a task once done stays done.
pub fn case(period: &str, unit: usize, unit_name: &str, task: u32, deadline: NaiveDate) -> Case {
    if is_silent(period, unit_name) {
        return Case::NoReturn;
    }
    if let Some(case) = forced(period, unit, task) {
        return case;
    }
    progression(period, unit, task, deadline)
}

/// When each task gets done is fixed per (unit, task), not per period.
fn progression(period: &str, unit: usize, task: u32, deadline: NaiveDate) -> Case {
    let as_of = as_of(period);
    let r = roll("", unit, task) % 100;
    if as_of > deadline {
        // Old tasks (1, 14): most were done on time, some late, a few still open.
        return match r {
            0..=69 => Case::DoneOnTime(deadline - chrono::Days::new(10 + r)),
            70..=84 => Case::DoneLate(deadline + chrono::Days::new(20 + r)),
            _ => Case::Overdue,
        };
    }
    // The month the task gets done in, if any: May, June or July 2018.
    let done_on = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("date");
    let finished = match r {
        0..=9 => Some(done_on("2018-04-20") - chrono::Days::new(r * 7)),
        10..=14 => Some(done_on("2018-06-12")),
        15..=19 => Some(done_on("2018-07-16")),
        _ => None,
    };
    match (finished, r) {
        (Some(d), _) if d <= as_of => Case::DoneOnTime(d),
        (_, 10..=69) => Case::Ongoing("推进中"),
        (_, 70..=79) => Case::Ongoing("正在推进"),
        (_, 80..=89) => Case::Ongoing("未启动"),
        (_, 90..=93) => Case::Ongoing("已启动"),
        (_, 94..=96) => Case::DoneUndatedNotDue,
        _ => Case::NotApplicable,
    }
}

/// Units that copy last month's 进展情况 word for word on these tasks.
fn copies_last_month(unit: usize, task: u32) -> bool {
    unit == 13 && (10..=12).contains(&task)
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
    // Each month's text names the month, so only a deliberate copy repeats.
    let month = period
        .rsplit('-')
        .next()
        .unwrap_or("")
        .trim_start_matches('0');
    match case {
        Case::DoneOnTime(_)
        | Case::DoneLate(_)
        | Case::DoneUndatedNotDue
        | Case::DoneUndatedPastDue => {
            format!(
                "截至{month}月底，{unit_name}{action}，该项任务已全部完成，并已报上级部门备案。"
            )
        }
        Case::NotApplicable => "本市县无此项工作任务。".to_string(),
        Case::Ongoing(_) if copies_last_month(unit, task) => {
            format!("{unit_name}已召开专题会议研究部署，相关工作正在推进中。")
        }
        Case::BlankStatus => format!("截至{month}月底，{unit_name}{action}。"),
        _ => format!("截至{month}月底，{unit_name}{action}，{detail}。"),
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

/// Days after the period's end a unit files its return: one to four, except
/// 东方市 in July, which files on 8 August, after the 5th: 迟报.
pub fn days_to_file(period: &str, unit_name: &str, unit: usize) -> u64 {
    if (period, unit_name) == ("2018-07", "东方市") {
        8
    } else {
        1 + unit as u64 % 4
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
