//! Reporting units: names, aliases, kinds, and which tasks each must report on.
//!
//! The default roster (Hainan's 19 city/county units) is a CSV embedded at build
//! time and read by the same parser as `--roster FILE`. Finding a unit in free
//! text (a file name, a 填报单位 cell) takes the longest name or alias that occurs,
//! in time linear in the text whatever the roster's size.

use std::collections::HashMap;
use std::path::Path;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::catalogue::Catalogue;

const DEFAULT_ROSTER: &str = include_str!("default_roster.csv");

/// Collective names in the task table that stand for every 市县 of the roster.
const ALL_CITIES: [&str; 2] = ["各市县政府", "各市县"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    /// 市县: a city or county government.
    City,
    /// 部门: a provincial department.
    Department,
}

impl UnitKind {
    pub fn label(self) -> &'static str {
        match self {
            UnitKind::City => "市县",
            UnitKind::Department => "部门",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    pub name: String,
    pub aliases: Vec<String>,
    pub kind: UnitKind,
    /// Whom a 督办单 is addressed to (主送), when the roster's `主送` column names
    /// it; else [`Unit::addressee`] works it out.
    pub addressee: Option<String>,
}

impl Unit {
    /// The 主送 line's organ, without the colon: the roster's `主送` when given,
    /// else `<unit>教育局` for a 市县 (a city's education bureau answers for the
    /// plan's tasks) and the unit itself for a 部门.
    pub fn addressee(&self) -> String {
        match (&self.addressee, self.kind) {
            (Some(given), _) => given.clone(),
            (None, UnitKind::City) => format!("{}教育局", self.name),
            (None, UnitKind::Department) => self.name.clone(),
        }
    }
}

/// A unit's part in a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Lead,
    Cooperating,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Lead => "牵头",
            Role::Cooperating => "配合",
        }
    }
}

/// The units of a consolidation and a fast way to find them in text.
#[derive(Debug, Clone)]
pub struct Roster {
    pub units: Vec<Unit>,
    by_name: HashMap<String, usize>,
    /// Patterns are names and aliases; `pattern_unit[p]` is the unit of pattern `p`.
    matcher: AhoCorasick,
    pattern_unit: Vec<usize>,
}

impl Roster {
    /// The 19 city/county units of Hainan.
    ///
    /// # Errors
    /// Only if the embedded CSV is malformed, which a unit test rules out.
    pub fn default_hainan() -> Result<Self, RosterError> {
        Self::parse_csv(DEFAULT_ROSTER)
    }

    /// Loads a roster CSV (UTF-8, a BOM allowed).
    ///
    /// # Errors
    /// When the file cannot be read, is not UTF-8, or a row is malformed.
    pub fn load(path: &Path) -> Result<Self, RosterError> {
        let bytes = std::fs::read(path).map_err(|e| RosterError::Io {
            path: path.display().to_string(),
            reason: crate::os::describe(&e),
        })?;
        let text = String::from_utf8(bytes).map_err(|_| RosterError::NotUtf8 {
            path: path.display().to_string(),
        })?;
        Self::parse_csv(&text)
    }

    /// Parses roster CSV text: header `单位`, optional `别名`, `类别` and `主送`.
    ///
    /// # Errors
    /// A missing `单位` column, an empty or repeated unit, or an unknown 类别, by line.
    pub fn parse_csv(text: &str) -> Result<Self, RosterError> {
        let text = text.trim_start_matches('\u{feff}');
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| RosterError::Csv(csv_line(&e, 1)))?
            .clone();
        let col = |name: &str| headers.iter().position(|h| h.trim() == name);
        let name_col = col("单位").ok_or(RosterError::NoUnitColumn)?;
        let alias_col = col("别名");
        let kind_col = col("类别");
        let addressee_col = col("主送");
        let mut units = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let line = i + 2;
            let record = record.map_err(|e| RosterError::Csv(csv_line(&e, line)))?;
            let name = record.get(name_col).unwrap_or("").trim().to_string();
            if name.is_empty() {
                if record.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                return Err(RosterError::EmptyName { line });
            }
            let aliases: Vec<String> = alias_col
                .and_then(|c| record.get(c))
                .unwrap_or("")
                .split(['、', ',', '，', ';', '；'])
                .map(str::trim)
                .filter(|a| !a.is_empty() && *a != name)
                .map(String::from)
                .collect();
            let kind = match kind_col.and_then(|c| record.get(c)).map(str::trim) {
                Some("市县") => UnitKind::City,
                Some("部门") => UnitKind::Department,
                None | Some("") if name.starts_with('省') => UnitKind::Department,
                None | Some("") => UnitKind::City,
                Some(other) => {
                    return Err(RosterError::BadKind {
                        line,
                        value: other.to_string(),
                    });
                }
            };
            let addressee = addressee_col
                .and_then(|c| record.get(c))
                .map(|a| a.trim().trim_end_matches(['：', ':']).trim())
                .filter(|a| !a.is_empty())
                .map(String::from);
            units.push(Unit {
                name,
                aliases,
                kind,
                addressee,
            });
        }
        Self::new(units)
    }

    /// Builds the lookup structures.
    ///
    /// # Errors
    /// An empty roster, or a name or alias claimed by two units.
    pub fn new(units: Vec<Unit>) -> Result<Self, RosterError> {
        if units.is_empty() {
            return Err(RosterError::Empty);
        }
        let mut by_name: HashMap<String, usize> = HashMap::new();
        let mut patterns: Vec<&str> = Vec::new();
        let mut pattern_unit = Vec::new();
        for (index, unit) in units.iter().enumerate() {
            for word in std::iter::once(&unit.name).chain(&unit.aliases) {
                if let Some(&other) = by_name.get(word.as_str()) {
                    if other != index {
                        return Err(RosterError::Ambiguous {
                            word: word.clone(),
                            first: units[other].name.clone(),
                            second: unit.name.clone(),
                        });
                    }
                    continue;
                }
                by_name.insert(word.clone(), index);
                patterns.push(word);
                pattern_unit.push(index);
            }
        }
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .map_err(|_| RosterError::Csv("单位名称和别名过多，无法建立查找表".to_string()))?;
        Ok(Self {
            units,
            by_name,
            matcher,
            pattern_unit,
        })
    }

    /// The unit with this exact name or alias.
    /// A unit's place in the roster, by its name; names not in it sort last.
    pub fn position(&self, name: &str) -> usize {
        self.by_name.get(name).copied().unwrap_or(usize::MAX)
    }

    pub fn lookup(&self, word: &str) -> Option<usize> {
        self.by_name.get(word.trim()).copied()
    }

    /// The unit whose name or alias occurs in `text`, the longest occurrence winning
    /// (the leftmost among equally long ones).
    pub fn find_in(&self, text: &str) -> Option<usize> {
        let mut best: Option<(usize, usize, usize)> = None; // (len, start, unit)
        for m in self.matcher.find_overlapping_iter(text) {
            let len = m.end() - m.start();
            let unit = self.pattern_unit[m.pattern().as_usize()];
            let better = match best {
                None => true,
                Some((best_len, best_start, _)) => {
                    len > best_len || (len == best_len && m.start() < best_start)
                }
            };
            if better {
                best = Some((len, m.start(), unit));
            }
        }
        best.map(|(_, _, unit)| unit)
    }

    /// For every unit, the tasks it must report on with its role, in task order.
    /// A unit named both as lead and as cooperating is a lead.
    pub fn expectations(&self, catalogue: &Catalogue) -> Vec<Vec<(u32, Role)>> {
        let mut expected: Vec<Vec<(u32, Role)>> = vec![Vec::new(); self.units.len()];
        let cities: Vec<usize> = (0..self.units.len())
            .filter(|&u| self.units[u].kind == UnitKind::City)
            .collect();
        for task in &catalogue.tasks {
            let named = task
                .lead
                .iter()
                .map(|n| (n, Role::Lead))
                .chain(task.cooperating.iter().map(|n| (n, Role::Cooperating)));
            for (name, role) in named {
                let single: [usize; 1];
                let units: &[usize] = if ALL_CITIES.contains(&name.as_str()) {
                    &cities
                } else if let Some(u) = self.lookup(name) {
                    single = [u];
                    &single
                } else {
                    continue;
                };
                for &u in units {
                    let list = &mut expected[u];
                    match list.last_mut() {
                        Some((n, r)) if *n == task.number => *r = (*r).min(role),
                        _ => list.push((task.number, role)),
                    }
                }
            }
        }
        expected
    }
}

/// Why a roster file could not be used.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum RosterError {
    #[error("无法读取单位名单 {path}：{reason}")]
    Io { path: String, reason: String },
    #[error("单位名单 {path} 不是 UTF-8 编码：请在 Excel 中“另存为 CSV UTF-8”后重试")]
    NotUtf8 { path: String },
    /// A line the CSV reader cannot read (a stray quote, a bad byte).
    #[error("单位名单格式有误：{0}")]
    Csv(String),
    #[error("单位名单缺少“单位”列：第一行应为 单位,别名,类别")]
    NoUnitColumn,
    #[error("单位名单第 {line} 行：单位名称为空")]
    EmptyName { line: usize },
    #[error("单位名单第 {line} 行：类别“{value}”无法识别，应为“市县”或“部门”")]
    BadKind { line: usize, value: String },
    #[error("单位名单中“{word}”同时指向“{first}”和“{second}”：请删去其中一个别名")]
    Ambiguous {
        word: String,
        first: String,
        second: String,
    },
    #[error("单位名单为空")]
    Empty,
}

/// Where a CSV error sits, in Chinese: the reader's own words are English.
fn csv_line(error: &csv::Error, fallback: usize) -> String {
    let line = error
        .position()
        .map_or(fallback, |p| usize::try_from(p.line()).unwrap_or(fallback));
    match error.kind() {
        csv::ErrorKind::Utf8 { .. } => {
            format!("第 {line} 行有无法识别的字符：请另存为 CSV UTF-8 后重试")
        }
        csv::ErrorKind::UnequalLengths { .. } => format!("第 {line} 行的列数与第一行不同"),
        _ => format!("第 {line} 行无法读取：请检查引号是否成对"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feedback_letter_is_addressed_by_the_roster_or_by_kind() {
        let roster = Roster::parse_csv(
            "单位,类别,主送\n三亚市,市县,\n海口市,市县,海口市教育局、海口市人民政府办公室：\n省编办,部门,\n",
        )
        .expect("roster");
        let addressee: Vec<String> = roster.units.iter().map(Unit::addressee).collect();
        assert_eq!(
            addressee,
            [
                "三亚市教育局",
                "海口市教育局、海口市人民政府办公室",
                "省编办"
            ]
        );
    }

    fn hainan() -> Roster {
        Roster::default_hainan().expect("embedded roster")
    }

    #[test]
    fn default_roster_has_19_cities() {
        let roster = hainan();
        assert_eq!(roster.units.len(), 19);
        assert!(roster.units.iter().all(|u| u.kind == UnitKind::City));
        let baoting = &roster.units[roster.lookup("保亭").expect("alias")];
        assert_eq!(baoting.name, "保亭黎族苗族自治县");
    }

    #[test]
    fn longest_match_wins() {
        let roster = hainan();
        let name = |text: &str| roster.find_in(text).map(|u| roster.units[u].name.clone());
        assert_eq!(
            name("2018年6月琼中县进展情况.xlsx").as_deref(),
            Some("琼中黎族苗族自治县")
        );
        assert_eq!(name("海口市教育局").as_deref(), Some("海口市"));
        assert_eq!(
            name("白沙黎族自治县教育局").as_deref(),
            Some("白沙黎族自治县")
        );
        assert_eq!(name("进展情况表.xlsx"), None);
    }

    #[test]
    fn every_city_expects_30_tasks() {
        let roster = hainan();
        let catalogue = Catalogue::embedded().expect("seed");
        for (unit, tasks) in roster.units.iter().zip(roster.expectations(&catalogue)) {
            assert_eq!(tasks.len(), 30, "{}", unit.name);
            assert!(
                !tasks.iter().any(|(n, _)| *n == 28),
                "{}: task 28 is 省教育厅's alone",
                unit.name
            );
            assert!(
                tasks.contains(&(4, Role::Cooperating)),
                "{}: cooperates on 4",
                unit.name
            );
            assert!(tasks.contains(&(1, Role::Lead)), "{}: leads 1", unit.name);
        }
    }

    #[test]
    fn roster_csv_with_departments() {
        let csv = "\u{feff}单位,别名\n省教育厅,教育厅\n海口市,海口\n";
        let roster = Roster::parse_csv(csv).expect("roster");
        assert_eq!(roster.units[0].kind, UnitKind::Department);
        assert_eq!(roster.units[1].kind, UnitKind::City);
        let catalogue = Catalogue::embedded().expect("seed");
        let expected = roster.expectations(&catalogue);
        assert!(expected[0].contains(&(28, Role::Lead)));
        assert!(expected[0].contains(&(1, Role::Cooperating)));
        assert_eq!(expected[1].len(), 30);
    }

    #[test]
    fn roster_errors_say_where() {
        assert_eq!(
            Roster::parse_csv("名称\n海口市\n").err(),
            Some(RosterError::NoUnitColumn)
        );
        assert_eq!(
            Roster::parse_csv("单位,类别\n海口市,地级市\n").err(),
            Some(RosterError::BadKind {
                line: 2,
                value: "地级市".into()
            })
        );
        assert!(matches!(
            Roster::parse_csv("单位,别名\n海口市,海口\n海口区,海口\n").err(),
            Some(RosterError::Ambiguous { .. })
        ));
    }
}
