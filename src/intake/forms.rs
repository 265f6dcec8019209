//! Online-form exports (SPEC §3): one file (xlsx or CSV, as 金山表单, WeCom 收集表
//! or 问卷星 export it) whose rows carry the unit in a column holds the returns of
//! several units. Each unit's rows, per submission, become one return, dated by
//! its submit time.

use super::rows::{FormKey, ReturnMeta, ReturnRow};
use super::{NamedMonths, ReadReturn};
use crate::problem::{Problem, Severity};
use crate::roster::Roster;

/// What the returns split from one form export share.
pub(super) struct FileParts {
    pub sheet: String,
    pub data_start: u32,
    pub meta: ReturnMeta,
    pub months: NamedMonths,
}

impl FileParts {
    /// One return per (unit, submit time), in the order the rows first name them.
    pub fn split_by_sender(
        &self,
        rows: Vec<ReturnRow>,
        keys: Vec<FormKey>,
        roster: &Roster,
    ) -> Vec<ReadReturn> {
        let mut groups: Vec<(FormKey, Vec<ReturnRow>)> = Vec::new();
        let sender = |k: &FormKey| (squash(&k.unit_text), k.submitted);
        for (row, key) in rows.into_iter().zip(keys) {
            match groups.iter_mut().find(|(k, _)| sender(k) == sender(&key)) {
                Some((_, rows)) => rows.push(row),
                None => groups.push((key, vec![row])),
            }
        }
        groups
            .into_iter()
            .map(|(key, mut rows)| {
                rows.shrink_to_fit();
                let mut meta = self.meta.clone();
                meta.unit_text = Some(key.unit_text.clone());
                let filed = key
                    .submitted
                    .or_else(|| meta.fill_date.and_then(|d| d.and_hms_opt(0, 0, 0)));
                if let Some(at) = key.submitted {
                    meta.fill_date = Some(at.date());
                }
                let unit = roster.find_in(&key.unit_text);
                ReadReturn {
                    sheet: self.sheet.clone(),
                    data_start: self.data_start,
                    meta,
                    row_count: rows.len(),
                    rows,
                    problems: Vec::new(),
                    unit,
                    unknown_unit: unit.is_none().then_some(key.unit_text),
                    filed,
                    months: self.months,
                    superseded_by: None,
                    from_form: true,
                }
            })
            .collect()
    }
}

/// One problem per unit text of a form export that is not in the roster.
pub(super) fn unknown_senders(file: &str, returns: &[ReadReturn]) -> Vec<Problem> {
    let mut unknown: Vec<&str> = returns
        .iter()
        .filter_map(|r| r.unknown_unit.as_deref())
        .collect();
    unknown.sort_unstable();
    unknown.dedup();
    unknown
        .into_iter()
        .map(|text| {
            let what = if text.trim().is_empty() {
                "在线表单导出文件中有的行没有填报单位".to_string()
            } else {
                format!("在线表单导出文件中的填报单位“{text}”不在单位名单中")
            };
            Problem::file(
                Severity::Error,
                file,
                what,
                "这些行仍列入明细（单位栏标为未识别），不计入任何单位的统计；请核对单位名称",
            )
        })
        .collect()
}

/// Text without white space, for comparing what people typed.
fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}
