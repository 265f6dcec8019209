//! Every page the server shows, in Chinese, as maud templates: text is escaped
//! unless marked otherwise, and nothing here marks text from a return otherwise.
//! No script: forms and links only; one stylesheet, with a print layout.

use chrono::NaiveDate;
use maud::{DOCTYPE, Markup, html};

use super::board::Status;
use super::log::Record;
use crate::check::Verdict;
use crate::inspect::Inspection;
use crate::intake::Reader;
use crate::intake::values::DateCell;
use crate::period::{Month, chinese_date};

/// Who is signed in, as the page header says it.
pub struct Viewer<'a> {
    pub name: Option<&'a str>,
    pub admin: bool,
}

/// The frame of every page.
pub fn page(title: &str, plan: &str, period: &str, viewer: &Viewer, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (title) " · " (plan) }
                link rel="stylesheet" href="/style.css";
            }
            body {
                header.top {
                    div.brand { (plan) "进展月报 · " (period) }
                    nav {
                        a href="/" { "上报" }
                        @if viewer.admin { a href="/status" { "汇总看板" } }
                        @match viewer.name {
                            Some(name) => {
                                span.who { "当前：" (name) }
                                form.inline method="post" action="/logout" {
                                    button type="submit" { "退出" }
                                }
                            }
                            None => { a href="/login" { "登录" } }
                        }
                    }
                }
                main { (body) }
                footer { "county-returns · 数据只保存在本机 · 页面打印即为正式记录" }
            }
        }
    }
}

/// `/`: the upload form; for a signed-in unit, its uploads this period.
pub fn upload_form(viewer: &Viewer, period: &str, mine: &[Record], max_mb: u64) -> Markup {
    let needs_code = viewer.name.is_none();
    html! {
        h1 { "上报 " (period) " 进展情况表" }
        @if viewer.admin {
            p.note { "您以管理员身份登录。管理员码不能用来上报；请到 " a href="/status" { "汇总看板" } " 查看各单位报送情况。" }
        } @else {
            form.upload method="post" action="/upload" enctype="multipart/form-data" {
                @if needs_code {
                    label for="code" { "上报码" }
                    input #code type="text" name="code" required autocomplete="off" spellcheck="false"
                        autocapitalize="characters" placeholder="例如 ABCD-EFGH-JKLM";
                } @else {
                    p { "上报单位：" strong { (viewer.name.unwrap_or_default()) } }
                }
                label for="file" { "报表文件（Excel，最大 " (max_mb) " MB）" }
                input #file type="file" name="file" required
                    accept=".xlsx,.xlsm,.xls,.xlsb,.ods,.et,.csv";
                button type="submit" { "上传并检查" }
            }
            ul.help {
                li { "上报码由省教育厅发放，每个单位一个；请勿转告他人。" }
                li { "上传后立即显示工具读到的内容和需要修改的问题；有问题请改好后再次上传。" }
                li { "同一单位可多次上传：以填报日期最晚的一份为准，日期相同时以最后上传的一份为准。" }
            }
        }
        @if !mine.is_empty() {
            h2 { "本单位本期已上传" }
            table {
                thead { tr { th { "上传时间" } th { "文件" } th { "问题" } th { "" } } }
                tbody {
                    @for r in mine {
                        tr {
                            td { (super::board::local_time(r.time)) }
                            td.file { (r.file) }
                            td.num { (r.problems) }
                            td { a href={ "/returns/" (r.id) } { "查看检查结果" } }
                        }
                    }
                }
            }
        }
    }
}

/// `/login`.
pub fn login_form(message: Option<&str>) -> Markup {
    html! {
        h1 { "登录" }
        @if let Some(message) = message { p.error { (message) } }
        form.upload method="post" action="/login" {
            label for="code" { "上报码或管理员码" }
            input #code type="text" name="code" required autocomplete="off" spellcheck="false"
                autocapitalize="characters";
            button type="submit" { "登录" }
        }
        p.note { "单位登录后可查看本单位本期上传过的报表；管理员登录后可查看汇总看板、下载汇总表。" }
    }
}

/// An answer that is not the page asked for: what happened and what to do.
pub fn message(title: &str, text: &str, back: Option<(&str, &str)>) -> Markup {
    html! {
        h1 { (title) }
        p.error { (text) }
        @if let Some((href, label)) = back { p { a href=(href) { (label) } } }
    }
}

/// One task line of a check.
pub struct TaskLine {
    pub task: u32,
    pub text: String,
    pub role: &'static str,
    pub deadline: String,
    pub status: String,
    pub date: String,
    pub verdict: Verdict,
}

/// One problem line of a check.
pub struct ProblemLine {
    pub error: bool,
    pub level: &'static str,
    pub place: String,
    pub what: String,
    pub action: String,
}

/// What a check page shows about one stored upload.
pub struct CheckView {
    pub unit: String,
    pub file: String,
    pub id: String,
    pub uploaded: String,
    pub size: u64,
    pub sha256: String,
    pub as_of: String,
    pub sheet: String,
    pub fill_date: String,
    pub filler: String,
    pub phone: String,
    pub tasks: Vec<TaskLine>,
    pub problems: Vec<ProblemLine>,
    pub errors: usize,
    /// Another file of the unit that counts instead of this one.
    pub superseded_by: Option<String>,
}

impl CheckView {
    /// The view of an inspection of the stored file `record`.
    pub fn new(
        inspection: &Inspection,
        reader: Reader,
        record: &Record,
        superseded_by: Option<String>,
    ) -> Self {
        let blank = || "（未填）".to_string();
        let read = inspection.returns().next();
        let meta = read.map(|r| &r.meta);
        let tasks = read
            .map(|read| {
                inspection
                    .entries(read)
                    .map(|e| {
                        let row = e.row.as_ref();
                        let task = reader.catalogue.get(e.task);
                        TaskLine {
                            task: e.task,
                            text: task.map(|t| t.short_text()).unwrap_or_default(),
                            role: e.role.map_or("", |r| r.label()),
                            deadline: task.map(|t| chinese_date(t.deadline)).unwrap_or_default(),
                            status: row.map(|r| r.status_text.clone()).unwrap_or_default(),
                            date: match row.map(|r| &r.date) {
                                Some(DateCell::Date(d)) => chinese_date(*d),
                                Some(DateCell::Unreadable(t)) => format!("（无法识别：{t}）"),
                                _ => String::new(),
                            },
                            verdict: e.verdict,
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        let problems = inspection
            .problems
            .iter()
            .map(|p| ProblemLine {
                error: p.severity == crate::problem::Severity::Error,
                level: p.severity.label(),
                place: p.sheet_and_place(),
                what: p.what.clone(),
                action: p.action.clone(),
            })
            .collect();
        Self {
            unit: reader.roster.units[record.unit].name.clone(),
            file: record.file.clone(),
            id: record.id.clone(),
            uploaded: super::board::local_time(record.time),
            size: record.size,
            sha256: record.sha256.clone(),
            as_of: chinese_date(inspection.result.as_of),
            sheet: read.map(|r| r.sheet.clone()).unwrap_or_default(),
            fill_date: meta
                .and_then(|m| m.fill_date)
                .map_or_else(blank, chinese_date),
            filler: meta.and_then(|m| m.filler.clone()).unwrap_or_else(blank),
            phone: meta.and_then(|m| m.phone.clone()).unwrap_or_else(blank),
            tasks,
            problems,
            errors: inspection.errors(),
            superseded_by,
        }
    }
}

/// An ISO date of [`Status`] (which `/api/status` gives as is) as the office writes it.
fn as_chinese(iso: &str) -> String {
    NaiveDate::parse_from_str(iso, "%Y-%m-%d").map_or_else(|_| iso.to_string(), chinese_date)
}

/// A verdict's class, `v0`…`v7` in [`Verdict::ALL`] order; [`stylesheet`] colours it.
fn verdict_class(v: Verdict) -> String {
    format!("v{}", v.index())
}

/// The stylesheet: the pages' own rules, then every verdict in the workbook's
/// colours (chosen to stay apart in a black-and-white print, so a printed check
/// page keeps them).
pub fn stylesheet() -> &'static str {
    static CSS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    CSS.get_or_init(|| {
        let verdicts: String = Verdict::ALL
            .iter()
            .map(|&v| {
                let (fill, font) = crate::look::style::verdict_colors(v);
                format!(
                    ".{} {{ background: #{fill:06x}; color: #{font:06x}; }}\n",
                    verdict_class(v)
                )
            })
            .collect();
        format!("{STYLE}{verdicts}")
    })
}

/// The check page: what the tool understood of the upload, and what to fix.
pub fn check(view: &CheckView, fresh: bool) -> Markup {
    html! {
        h1 { (view.unit) " 报表检查结果" }
        @if fresh {
            p.ok { "已收到并保存。文件保存为 " code { (view.file) } "。" }
        }
        @if let Some(other) = &view.superseded_by {
            p.error {
                "注意：本次上传的报表不会计入汇总。本单位另一份报表“" (other) "”的填报日期更晚，汇总时以它为准。"
                "如本次才是最新版本，请把填报日期改为报送当天后重新上传。"
            }
        }
        @if view.errors > 0 {
            p.error { "发现 " (view.errors) " 个必须修改的错误：请按下表修改报表后重新上传。" }
        } @else if view.problems.is_empty() {
            p.ok { "未发现问题。" }
        } @else {
            p.note { "没有必须修改的错误；有 " (view.problems.len()) " 条提示，请看一看。" }
        }
        table.facts {
            tr { th { "填报单位" } td { (view.unit) } th { "填报日期" } td { (view.fill_date) } }
            tr { th { "填报人" } td { (view.filler) } th { "联系电话" } td { (view.phone) } }
            tr { th { "工作表" } td { (view.sheet) } th { "统计截止" } td { (view.as_of) } }
            tr { th { "上传时间" } td { (view.uploaded) } th { "文件大小" } td { (view.size) " 字节" } }
            tr { th { "SHA-256" } td colspan="3" { code { (view.sha256) } } }
        }
        p.actions {
            a.button href={ "/returns/" (view.id) "/annotated.xlsx" } { "下载标注副本（有问题的单元格已标色并附批注）" }
            " "
            a href="/" { "再次上传" }
        }
        h2 { "问题（" (view.problems.len()) "）" }
        @if view.problems.is_empty() {
            p { "无。" }
        } @else {
            table.problems {
                thead { tr { th { "级别" } th { "位置" } th { "问题" } th { "怎么改" } } }
                tbody {
                    @for p in &view.problems {
                        tr class=(if p.error { "p-error" } else { "p-warning" }) {
                            td.level { (p.level) }
                            td { (p.place) }
                            td { (p.what) }
                            td { (p.action) }
                        }
                    }
                }
            }
        }
        h2 { "各项任务（" (view.tasks.len()) "）" }
        table.tasks {
            thead {
                tr {
                    th { "序号" } th { "主要任务" } th { "角色" } th { "完成时限" }
                    th { "完成状态" } th { "完成时间" } th { "判定" }
                }
            }
            tbody {
                @for t in &view.tasks {
                    tr {
                        td.num { (t.task) }
                        td { (t.text) }
                        td { (t.role) }
                        td.date { (t.deadline) }
                        td { (t.status) }
                        td.date { (t.date) }
                        td class={ "verdict " (verdict_class(t.verdict)) } { (t.verdict.label()) }
                    }
                }
            }
        }
    }
}

/// The office's board.
pub fn board(status: &Status) -> Markup {
    let sent = status.units.iter().filter(|u| u.sent).count();
    html! {
        h1 { "汇总看板 · " (Month::parse(&status.period).map_or_else(|| status.period.clone(), Month::chinese)) }
        p.note {
            "统计截止 " (as_chinese(&status.as_of)) "；汇总于 " (status.made) "。应报单位 " (status.units.len())
            " 个，已报送 " (sent) " 个，未报送 " (status.units.len() - sent) " 个；文件 "
            (status.files) " 个，数据问题 " (status.problems) " 条。"
        }
        p.actions {
            a.button href="/workbook" { "下载汇总表（xlsx）" }
            " " a href="/chase.csv" { "下载催报名单（CSV）" }
            " " a href="/api/status" { "JSON" }
        }
        table.totals {
            thead { tr { @for v in &status.totals { th { (v.verdict) } } } }
            tbody { tr { @for v in &status.totals { td.num { (v.count) } } } }
        }
        h2 { "各单位报送情况" }
        table.board {
            thead {
                tr {
                    th { "单位" } th { "状态" } th { "最近上传" } th { "填报日期" } th { "问题" }
                    @for v in &status.totals { th.v { (v.verdict) } }
                    th { "完成率" } th { "文件" }
                }
            }
            tbody {
                @for u in &status.units {
                    tr class=(if u.sent { "sent" } else { "silent" }) {
                        td.nowrap { (u.unit) }
                        td.nowrap { @if u.sent { "已报送" @if u.late { "（迟报）" } } @else { strong { "未报送" } } }
                        td.nowrap { (u.last_upload.as_deref().unwrap_or("—")) @if u.uploads > 1 { br; "共 " (u.uploads) " 次" } }
                        td.nowrap { (u.fill_date.as_deref().map_or_else(|| "—".to_string(), as_chinese)) }
                        td.num { (u.problems) }
                        @for v in &u.verdicts { td.num { @if v.count > 0 { (v.count) } } }
                        // A unit that sent nothing has no rate to show, not 0 %.
                        td.num { @match u.completion_rate { Some(r) if u.sent => { (format!("{:.1}%", r * 100.0)) }, Some(_) => { "未报" }, None => { "—" } } }
                        td.file { (u.file.as_deref().unwrap_or("")) }
                    }
                }
            }
        }
        h2 { "催报名单（" (status.chase.len()) "）" }
        @if status.chase.is_empty() {
            p { "所有单位均已报送且无漏报。" }
        } @else {
            table.chase {
                thead { tr { th { "单位" } th { "情况" } th { "缺报项数" } th { "缺报内容" } th { "填报人" } th { "联系电话" } } }
                tbody {
                    @for c in &status.chase {
                        tr { td { (c.unit) } td { (c.situation) } td.num { (c.missing) } td { (c.what) } td { (c.filler) } td { (c.phone) } }
                    }
                }
            }
        }
    }
}

/// The one stylesheet: plain on screen, black on white in print, no link colours.
const STYLE: &str = r#"
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; margin: 0; color: #222; }
header.top { display: flex; justify-content: space-between; align-items: center; background: #1f4e79; color: #fff; padding: .5em 1em; }
header.top a, header.top .who { color: #fff; margin-left: 1em; }
header.top button { margin-left: 1em; }
form.inline { display: inline; }
main { padding: 1em 1.5em; max-width: 75em; }
footer { color: #777; font-size: .8em; padding: 1em 1.5em; }
form.upload { display: grid; gap: .5em; max-width: 30em; margin: 1em 0; }
form.upload input[type=text] { font-size: 1.2em; letter-spacing: .1em; padding: .3em; }
button, a.button { font-size: 1em; padding: .4em 1em; background: #1f4e79; color: #fff; border: 0; border-radius: 3px; text-decoration: none; cursor: pointer; }
table { border-collapse: collapse; margin: .5em 0 1em; }
th, td { border: 1px solid #bbb; padding: .25em .5em; vertical-align: top; text-align: left; }
th { background: #eef2f7; }
td.num { text-align: right; }
td.nowrap, td.date { white-space: nowrap; }
th.v { min-width: 2.2em; }
td.file { min-width: 12em; }
td.file, code { font-family: monospace; font-size: .9em; word-break: break-all; }
p.error { color: #9c0006; font-weight: bold; }
p.ok { color: #006100; font-weight: bold; }
p.note { color: #444; }
tr.p-error td.level { color: #9c0006; font-weight: bold; }
tr.silent td:first-child { font-weight: bold; }
td.verdict { font-weight: bold; }
@media print {
  header.top nav, p.actions, form, ul.help, footer { display: none; }
  header.top { background: none; color: #000; border-bottom: 2px solid #000; padding: 0 0 .3em; }
  main { padding: 0; max-width: none; }
  body { font-size: 10pt; }
  a { color: #000; text-decoration: none; }
  th { background: none; }
  td.verdict { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  table { page-break-inside: auto; width: 100%; }
  tr { page-break-inside: avoid; }
  thead { display: table-header-group; }
  @page { size: A4 landscape; margin: 12mm; }
}
"#;
