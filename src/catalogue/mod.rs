//! The task catalogue: the plan's tasks, who leads and who cooperates, and by when.
//!
//! The default catalogue is the seed responsibility table, embedded at build time
//! from `seeds/`; `--tasks FILE` loads another table in the same text layout
//! ([`seed`]) or as an xlsx ([`xlsx`]). Deadline text becomes a date through
//! [`crate::period`]. Who must report on a task is the roster's business.

pub mod seed;
pub mod xlsx;

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;

use crate::table::format::Limits;

/// The seed table the binary carries, so it runs from any folder.
pub const DEFAULT_SEED: &str = include_str!("../../seeds/000_4c3c7dcb0a712a24.txt");

/// One task of the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub number: u32,
    pub text: String,
    pub lead: Vec<String>,
    pub cooperating: Vec<String>,
    pub deadline_text: String,
    pub deadline: NaiveDate,
}

/// The tasks of one plan, in number order.
#[derive(Debug, Clone)]
pub struct Catalogue {
    /// The plan's name as its title gives it (the text inside 《》), if any.
    pub plan_name: Option<String>,
    pub tasks: Vec<Task>,
    /// Task numbers by the first [`TEXT_KEY_CHARS`] characters of their squashed text.
    by_text_key: HashMap<String, Vec<u32>>,
}

/// How many leading characters of a task's text identify it (SPEC §3).
pub const TEXT_KEY_CHARS: usize = 12;

/// A task text's key: whitespace and punctuation removed, first 12 characters.
pub fn text_key(text: &str) -> String {
    text.chars()
        .map(crate::period::to_half_width)
        .filter(|c| c.is_alphanumeric())
        .take(TEXT_KEY_CHARS)
        .collect()
}

impl Catalogue {
    /// The catalogue embedded in the binary.
    ///
    /// # Errors
    /// Only if the embedded seed itself is malformed, which a unit test rules out.
    pub fn embedded() -> Result<Self, CatalogueError> {
        seed::parse(DEFAULT_SEED)
    }

    /// Loads a table from a file: xlsx/xlsm/xls/ods by extension, text otherwise.
    ///
    /// # Errors
    /// When the file cannot be read or a row is malformed; the message names the line.
    pub fn load(path: &Path, limits: Limits) -> Result<Self, CatalogueError> {
        let ext = crate::table::extension(path);
        if matches!(ext.as_str(), "xlsx" | "xlsm" | "xls" | "xlsb" | "ods") {
            return xlsx::load(path, limits);
        }
        let bytes = std::fs::read(path).map_err(|e| CatalogueError::Io {
            path: path.display().to_string(),
            reason: crate::os::describe(&e),
        })?;
        let text = String::from_utf8(bytes).map_err(|_| CatalogueError::NotUtf8 {
            path: path.display().to_string(),
        })?;
        seed::parse(&text)
    }

    /// The one task whose text starts like `text` (after squashing), if exactly one does.
    pub fn task_by_text(&self, text: &str) -> Option<u32> {
        let key = text_key(text);
        if key.is_empty() {
            return None;
        }
        match self.by_text_key.get(&key)?.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }

    pub fn get(&self, number: u32) -> Option<&Task> {
        self.tasks
            .binary_search_by_key(&number, |t| t.number)
            .ok()
            .map(|i| &self.tasks[i])
    }

    /// Checks the rows read and builds the catalogue: numbers unique, at least one task.
    fn from_tasks(plan_name: Option<String>, mut tasks: Vec<Task>) -> Result<Self, CatalogueError> {
        if tasks.is_empty() {
            return Err(CatalogueError::Empty);
        }
        tasks.sort_by_key(|t| t.number);
        if let Some(pair) = tasks.windows(2).find(|w| w[0].number == w[1].number) {
            return Err(CatalogueError::DuplicateNumber(pair[0].number));
        }
        let mut by_text_key: HashMap<String, Vec<u32>> = HashMap::new();
        for task in &tasks {
            by_text_key
                .entry(text_key(&task.text))
                .or_default()
                .push(task.number);
        }
        Ok(Self {
            plan_name,
            tasks,
            by_text_key,
        })
    }
}

/// Splits a unit cell (`各市县政府、省教育厅`) into unit names.
///
/// Separators are 、 , ， ； and line breaks; a doubled last character
/// (`省住房城乡建设厅厅`) is a typo and is collapsed.
pub fn split_units(cell: &str) -> Vec<String> {
    cell.split(['、', ',', '，', ';', '；', '\n', '\r', '\t'])
        .map(|s| s.trim().trim_matches('\u{3000}'))
        .filter(|s| !s.is_empty())
        .map(collapse_doubled_tail)
        .collect()
}

fn collapse_doubled_tail(name: &str) -> String {
    let mut chars: Vec<char> = name.chars().collect();
    while chars.len() > 2 && chars[chars.len() - 1] == chars[chars.len() - 2] {
        chars.pop();
    }
    chars.into_iter().collect()
}

/// Pulls the plan's name out of a title line such as `《…专项规划》责任分工`.
/// The plan a task table's title names: the text inside 《》, else the title without
/// the words that say it is a division of tasks (`2019年教育重点工作任务分工表` →
/// `2019年教育重点工作`).
fn plan_name_from_title(line: &str) -> Option<String> {
    if let Some(start) = line.find('《').map(|i| i + '《'.len_utf8())
        && let Some(len) = line[start..].find('》')
    {
        return Some(line[start..start + len].to_string());
    }
    let mut name = line.trim();
    // 附件1: the attachment's number, not its title.
    if name.starts_with("附件") && name.chars().count() <= 5 {
        return None;
    }
    for tail in [
        "任务分工表",
        "责任分工表",
        "责任分工",
        "分工表",
        "任务清单",
        "任务表",
    ] {
        name = name.strip_suffix(tail).unwrap_or(name);
    }
    let name = name.trim_end_matches(['：', ':', ' ']);
    (name.chars().count() >= 2 && !name.chars().all(|c| c.is_ascii_digit()))
        .then(|| name.to_string())
}

/// Why a responsibility table could not be used.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CatalogueError {
    /// The file could not be opened or read.
    #[error("无法读取任务表 {path}：{reason}")]
    Io { path: String, reason: String },
    /// A text table that is not UTF-8 (often a GBK export).
    #[error("任务表 {path} 不是 UTF-8 编码：请用记事本“另存为 UTF-8”后重试")]
    NotUtf8 { path: String },
    /// A row does not have the five cells 序号/主要任务/牵头单位/配合单位/完成时限.
    #[error(
        "任务表第 {line} 行：应有 5 栏（序号、主要任务、牵头单位、配合单位、完成时限），实际 {found} 栏"
    )]
    WrongCellCount { line: usize, found: usize },
    /// The 序号 cell is not a whole number.
    #[error("任务表第 {line} 行：序号“{value}”不是整数")]
    BadNumber { line: usize, value: String },
    /// The 完成时限 cell is not a period the tool can read.
    #[error(
        "任务表第 {line} 行：完成时限“{value}”无法识别（可写作 2018年底、2017年7月底、2020年）"
    )]
    BadDeadline { line: usize, value: String },
    /// A task with no text or no lead unit.
    #[error("任务表第 {line} 行：{what}为空")]
    MissingCell { line: usize, what: &'static str },
    /// Two rows carry the same 序号.
    #[error("任务表中序号 {0} 出现了两次")]
    DuplicateNumber(u32),
    /// No task rows at all.
    #[error("任务表中没有任何任务行")]
    Empty,
    /// An xlsx table without the needed header columns.
    #[error("任务表 {path} 缺少列：{missing}（需要 序号、主要任务、牵头单位、配合单位、完成时限）")]
    MissingColumns { path: String, missing: String },
}

/// Builds a task from the five cells of one row, `line` being where the row starts.
fn task_from_cells(line: usize, cells: [&str; 5]) -> Result<Task, CatalogueError> {
    let [number, text, lead, coop, deadline] = cells.map(str::trim);
    let number_value: u32 = crate::table::cells::parse_task_number(number).ok_or_else(|| {
        CatalogueError::BadNumber {
            line,
            value: number.to_string(),
        }
    })?;
    if text.is_empty() {
        return Err(CatalogueError::MissingCell {
            line,
            what: "主要任务",
        });
    }
    let lead = split_units(lead);
    if lead.is_empty() {
        return Err(CatalogueError::MissingCell {
            line,
            what: "牵头单位",
        });
    }
    let deadline_date =
        crate::period::parse_period_end(deadline).ok_or_else(|| CatalogueError::BadDeadline {
            line,
            value: deadline.to_string(),
        })?;
    Ok(Task {
        number: number_value,
        text: text.to_string(),
        lead,
        cooperating: split_units(coop),
        deadline_text: deadline.to_string(),
        deadline: deadline_date,
    })
}
