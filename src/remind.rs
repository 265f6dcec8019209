//! 提醒与催报: the short text the office sends a unit that has not sent its
//! return, or left tasks out of it, by phone message or in a chat group, as it
//! is. Before the due date it reminds (【报送提醒】), after it chases (【催报】).
//! It says, in plain official Chinese, to whom, which period, what is missing
//! (the tasks by number, and by name when few), by when, where to fill it in
//! or upload it, and whom to call, and ends with the office and the day.
//!
//! Which units are owed what is 催报名单's ([`crate::report::chase`]); the
//! address and the day are the server's ([`crate::serve`]). Nothing here looks
//! at a clock or a request.

use chrono::NaiveDate;
use serde::Serialize;

use crate::catalogue::Catalogue;
use crate::period::{Month, chinese_date};

/// What every text of one period says alike.
pub struct Occasion<'a> {
    /// The plan's name, as titles write it inside 《》.
    pub plan: &'a str,
    pub month: Month,
    /// The day the returns are due.
    pub due: Option<NaiveDate>,
    /// The day the text is sent.
    pub today: NaiveDate,
    /// The page where units upload, while it takes this period's returns.
    pub address: Option<&'a str>,
    /// The month that page collects, when it is a later one: it files a
    /// return here only when the return names this period.
    pub collecting: Option<Month>,
    /// Whom to call (the settings' `contact`).
    pub contact: Option<&'a str>,
    /// Who sends it.
    pub office: &'a str,
}

/// What a unit still owes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owes<'a> {
    /// Nothing received.
    Return,
    /// Files received, none of them readable as its return.
    Unreadable,
    /// A return that leaves these tasks out (漏报).
    Tasks(&'a [u32]),
}

/// One unit's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reminder {
    pub unit: String,
    /// `提醒` before the due date, `催报` after it.
    pub kind: &'static str,
    pub text: String,
}

/// Tasks named one by one, with their names, up to this many; more are numbers only.
const NAMED: usize = 3;

impl Occasion<'_> {
    /// Whether the due date has passed: the texts chase rather than remind.
    pub fn overdue(&self) -> bool {
        self.due.is_some_and(|due| self.today > due)
    }

    /// `提醒` or `催报`.
    pub fn kind(&self) -> &'static str {
        if self.overdue() { "催报" } else { "提醒" }
    }

    /// The text for `addressee` (the 主送 organ, `三亚市教育局`), owing `owes`.
    pub fn text(&self, addressee: &str, owes: Owes, catalogue: &Catalogue) -> String {
        let form = format!("{}《{}》任务进展情况表", self.month.chinese(), self.plan);
        // The page's form files the period it collects: a later period's
        // return can only be uploaded, naming its month.
        let send = match (self.address, owes) {
            (None, Owes::Return) => "报送".to_string(),
            (None, _) => "重新报送".to_string(),
            (Some(address), Owes::Return) if self.collecting.is_some() => {
                format!("登录 {address} 输入本单位上报码后上传")
            }
            (Some(address), _) if self.collecting.is_some() => {
                format!("登录 {address} 输入本单位上报码后重新上传")
            }
            (Some(address), Owes::Return) => {
                format!("登录 {address} 输入本单位上报码后在网页上填报，或上传填好的情况表")
            }
            (Some(address), Owes::Unreadable) => {
                format!("登录 {address} 输入本单位上报码后在网页上填报，或按模板填报后重新上传")
            }
            (Some(address), Owes::Tasks(_)) => format!(
                "登录 {address} 输入本单位上报码后在网页上补填（已按你单位报送的情况表预填），或补齐情况表后重新上传"
            ),
        };
        // Said once: in `send` when it offers the form.
        let online = self.address.is_some() && self.collecting.is_none();
        let today = chinese_date(self.today);
        let mut text = String::new();
        text.push_str(if self.overdue() {
            "【催报】"
        } else {
            "【报送提醒】"
        });
        text.push_str(addressee);
        text.push('：');
        let by = match self.due {
            Some(due) if self.today == due => format!("今天（{}）", chinese_date(due)),
            Some(due) => format!("{}前", chinese_date(due)),
            None => String::new(),
        };
        match owes {
            Owes::Return | Owes::Unreadable => {
                match self.due {
                    Some(due) if self.today == due => {
                        text.push_str(&format!("{form}今天（{}）截止报送，", chinese_date(due)));
                    }
                    Some(due) => {
                        text.push_str(&format!("{form}应于{}前报送，", chinese_date(due)));
                    }
                    None => text.push_str(&format!("{form}请尽快报送，")),
                }
                if owes == Owes::Unreadable {
                    text.push_str(
                        "已收到你单位上传的文件，但无法读取为情况表（原因见上传后显示的检查结果）",
                    );
                    if self.overdue() {
                        text.push_str(&format!("，截至{today}仍未收到可以读取的情况表。"));
                    } else {
                        text.push('。');
                    }
                } else if self.overdue() {
                    text.push_str(&format!("截至{today}仍未收到你单位的情况表。"));
                } else {
                    text.push_str("目前尚未收到你单位的情况表。");
                }
                let fill = if owes == Owes::Unreadable && !online {
                    "按模板填报后"
                } else {
                    ""
                };
                if self.overdue() || by.is_empty() {
                    text.push_str(&format!("请尽快{fill}{send}。"));
                } else {
                    text.push_str(&format!("请于{by}{fill}{send}。"));
                }
            }
            Owes::Tasks(tasks) => {
                text.push_str(&format!(
                    "你单位报送的{form}缺少{}的完成情况。",
                    named(tasks, catalogue)
                ));
                let fill = if online { "" } else { "补齐后" };
                if self.overdue() {
                    if let Some(due) = self.due {
                        text.push_str(&format!("报送时限{}已过，", chinese_date(due)));
                    }
                    text.push_str(&format!("请尽快{fill}{send}。"));
                } else if by.is_empty() {
                    text.push_str(&format!("请{fill}{send}。"));
                } else {
                    text.push_str(&format!("请{fill}于{by}{send}。"));
                }
            }
        }
        if let (Some(_), Some(collecting)) = (self.address, self.collecting) {
            text.push_str(&format!(
                "上传的情况表标题或文件名须写明“{}”，否则会计入{}。",
                self.month.chinese(),
                collecting.chinese()
            ));
        }
        if let Some(contact) = self.contact {
            text.push_str(&crate::feedback::contact_line(contact));
            text.push('。');
        }
        text.push('\n');
        text.push_str(self.office);
        text.push('\n');
        text.push_str(&today);
        text
    }
}

/// The tasks as a clerk reads them out: `第2项“……”、第3项“……”`, or
/// `第2、3、5、7项任务（共4项）` when there are many.
fn named(tasks: &[u32], catalogue: &Catalogue) -> String {
    if tasks.len() > NAMED {
        let numbers: Vec<String> = tasks.iter().map(u32::to_string).collect();
        return format!("第{}项任务（共{}项）", numbers.join("、"), tasks.len());
    }
    let names: Vec<String> = tasks
        .iter()
        .map(
            |&t| match catalogue.get(t).map(|task| first_sentence(&task.text)) {
                Some(name) if !name.is_empty() => format!("第{t}项“{name}”"),
                _ => format!("第{t}项任务"),
            },
        )
        .collect();
    names.join("、")
}

/// A task's first sentence, its name as read out: up to the first `。` or
/// `；`, its own quotation marks made single (it is quoted in “”).
fn first_sentence(text: &str) -> String {
    let text = text.trim();
    let end = text.find(['。', '；', ';']).unwrap_or(text.len());
    text[..end]
        .trim()
        .trim_end_matches(['，', ','])
        .replace('“', "‘")
        .replace('”', "’")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    fn july(today: &str, address: Option<&'static str>) -> Occasion<'static> {
        Occasion {
            plan: "海南省消除义务教育学校大班额专项规划",
            month: Month::parse("2018-07").expect("month"),
            due: Some(day("2018-08-05")),
            today: day(today),
            address,
            collecting: None,
            contact: Some("基础教育处 王芳 0898-65236001"),
            office: "海南省教育厅",
        }
    }

    const HERE: Option<&str> = Some("http://10.0.0.5:8080/");

    #[test]
    fn every_text_reads_word_for_word() {
        let catalogue = Catalogue::embedded().expect("catalogue");
        let few = [1, 2];
        let many = [2, 3, 5, 7];
        let cases: [(&str, Option<&'static str>, Owes, &str); 9] = [
            (
                "2018-08-03",
                HERE,
                Owes::Return,
                "【报送提醒】五指山市教育局：2018年7月《海南省消除义务教育学校大班额专项规划》任务进展情况表应于2018年8月5日前报送，目前尚未收到你单位的情况表。请于2018年8月5日前登录 http://10.0.0.5:8080/ 输入本单位上报码后在网页上填报，或上传填好的情况表。联系人：基础教育处 王芳，联系电话：0898-65236001。\n海南省教育厅\n2018年8月3日",
            ),
            (
                "2018-08-05",
                HERE,
                Owes::Return,
                "【报送提醒】五指山市教育局：2018年7月《海南省消除义务教育学校大班额专项规划》任务进展情况表今天（2018年8月5日）截止报送，目前尚未收到你单位的情况表。请于今天（2018年8月5日）登录 http://10.0.0.5:8080/ 输入本单位上报码后在网页上填报，或上传填好的情况表。联系人：基础教育处 王芳，联系电话：0898-65236001。\n海南省教育厅\n2018年8月5日",
            ),
            (
                "2018-08-07",
                HERE,
                Owes::Return,
                "【催报】五指山市教育局：2018年7月《海南省消除义务教育学校大班额专项规划》任务进展情况表应于2018年8月5日前报送，截至2018年8月7日仍未收到你单位的情况表。请尽快登录 http://10.0.0.5:8080/ 输入本单位上报码后在网页上填报，或上传填好的情况表。联系人：基础教育处 王芳，联系电话：0898-65236001。\n海南省教育厅\n2018年8月7日",
            ),
            (
                "2018-09-10",
                None,
                Owes::Return,
                "【催报】五指山市教育局：2018年7月《海南省消除义务教育学校大班额专项规划》任务进展情况表应于2018年8月5日前报送，截至2018年9月10日仍未收到你单位的情况表。请尽快报送。联系人：基础教育处 王芳，联系电话：0898-65236001。\n海南省教育厅\n2018年9月10日",
            ),
            (
                "2018-08-03",
                HERE,
                Owes::Unreadable,
                "【报送提醒】五指山市教育局：2018年7月《海南省消除义务教育学校大班额专项规划》任务进展情况表应于2018年8月5日前报送，已收到你单位上传的文件，但无法读取为情况表（原因见上传后显示的检查结果）。请于2018年8月5日前登录 http://10.0.0.5:8080/ 输入本单位上报码后在网页上填报，或按模板填报后重新上传。联系人：基础教育处 王芳，联系电话：0898-65236001。\n海南省教育厅\n2018年8月3日",
            ),
            (
                "2018-08-06",
                HERE,
                Owes::Unreadable,
                "【催报】五指山市教育局：2018年7月《海南省消除义务教育学校大班额专项规划》任务进展情况表应于2018年8月5日前报送，已收到你单位上传的文件，但无法读取为情况表（原因见上传后显示的检查结果），截至2018年8月6日仍未收到可以读取的情况表。请尽快登录 http://10.0.0.5:8080/ 输入本单位上报码后在网页上填报，或按模板填报后重新上传。联系人：基础教育处 王芳，联系电话：0898-65236001。\n海南省教育厅\n2018年8月6日",
            ),
            (
                "2018-08-03",
                HERE,
                Owes::Tasks(&few),
                "【报送提醒】五指山市教育局：你单位报送的2018年7月《海南省消除义务教育学校大班额专项规划》任务进展情况表缺少第1项“各市县政府要制定本市县消除大班额专项规划”、第2项“建立与常住人口增长趋势和空间布局相适应的城乡义务教育学校布局建设的联动机制”的完成情况。请于2018年8月5日前登录 http://10.0.0.5:8080/ 输入本单位上报码后在网页上补填（已按你单位报送的情况表预填），或补齐情况表后重新上传。联系人：基础教育处 王芳，联系电话：0898-65236001。\n海南省教育厅\n2018年8月3日",
            ),
            (
                "2018-08-06",
                HERE,
                Owes::Tasks(&many),
                "【催报】五指山市教育局：你单位报送的2018年7月《海南省消除义务教育学校大班额专项规划》任务进展情况表缺少第2、3、5、7项任务（共4项）的完成情况。报送时限2018年8月5日已过，请尽快登录 http://10.0.0.5:8080/ 输入本单位上报码后在网页上补填（已按你单位报送的情况表预填），或补齐情况表后重新上传。联系人：基础教育处 王芳，联系电话：0898-65236001。\n海南省教育厅\n2018年8月6日",
            ),
            (
                "2018-08-06",
                None,
                Owes::Tasks(&many),
                "【催报】五指山市教育局：你单位报送的2018年7月《海南省消除义务教育学校大班额专项规划》任务进展情况表缺少第2、3、5、7项任务（共4项）的完成情况。报送时限2018年8月5日已过，请尽快补齐后重新报送。联系人：基础教育处 王芳，联系电话：0898-65236001。\n海南省教育厅\n2018年8月6日",
            ),
        ];
        let mut wrong = Vec::new();
        for (today, address, owes, want) in cases {
            let said = july(today, address).text("五指山市教育局", owes, &catalogue);
            if said != want {
                wrong.push(format!("{today} {owes:?}\nsaid: {said}\nwant: {want}"));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
    }

    #[test]
    fn it_reminds_up_to_the_due_day_and_chases_after_it() {
        for (today, kind) in [
            ("2018-07-20", "提醒"),
            ("2018-08-05", "提醒"),
            ("2018-08-06", "催报"),
        ] {
            assert_eq!(july(today, HERE).kind(), kind, "{today}");
        }
        let late = Occasion {
            collecting: Month::parse("2018-08"),
            ..july("2018-08-07", HERE)
        };
        assert_eq!(
            late.text(
                "五指山市教育局",
                Owes::Return,
                &Catalogue::embedded().expect("c")
            ),
            "【催报】五指山市教育局：2018年7月《海南省消除义务教育学校大班额专项规划》任务进展情况表应于2018年8月5日前报送，截至2018年8月7日仍未收到你单位的情况表。请尽快登录 http://10.0.0.5:8080/ 输入本单位上报码后上传。上传的情况表标题或文件名须写明“2018年7月”，否则会计入2018年8月。联系人：基础教育处 王芳，联系电话：0898-65236001。\n海南省教育厅\n2018年8月7日"
        );
        let undated = Occasion {
            due: None,
            contact: None,
            ..july("2018-09-01", HERE)
        };
        assert_eq!(undated.kind(), "提醒");
        assert_eq!(
            undated.text(
                "五指山市教育局",
                Owes::Return,
                &Catalogue::embedded().expect("c")
            ),
            "【报送提醒】五指山市教育局：2018年7月《海南省消除义务教育学校大班额专项规划》任务进展情况表请尽快报送，目前尚未收到你单位的情况表。请尽快登录 http://10.0.0.5:8080/ 输入本单位上报码后在网页上填报，或上传填好的情况表。\n海南省教育厅\n2018年9月1日"
        );
    }

    #[test]
    fn a_task_is_named_by_its_first_sentence() {
        for (text, name) in [
            (
                "各市县政府要制定本市县消除大班额专项规划。",
                "各市县政府要制定本市县消除大班额专项规划",
            ),
            ("甲；乙。", "甲"),
            (
                "实施“交钥匙”工程,确保同步交付使用。建设项目……",
                "实施‘交钥匙’工程,确保同步交付使用",
            ),
            ("没有句号的任务", "没有句号的任务"),
            ("  ", ""),
        ] {
            assert_eq!(first_sentence(text), name, "{text}");
        }
    }
}
