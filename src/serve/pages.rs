//! Every page the server shows, in Chinese, as maud templates: text is escaped
//! unless marked otherwise, and nothing here marks text from a return otherwise.
//! No script: forms and links only; one stylesheet, with a print layout.

use chrono::NaiveDate;
use maud::{DOCTYPE, Markup, html};

use super::board::Status;
use super::calendar::local_time;
use super::fill::{Errors, Field, TaskValues};
use super::log::{FILLED_ONLINE, Record};
use super::net::ReachHow;
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
                meta name="referrer" content="same-origin";
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

/// One of a unit's uploads, as its page lists it.
pub struct UploadLine {
    /// When it was stored (local time).
    pub time: String,
    /// The name the unit's computer gave the file.
    pub client_name: String,
    /// The name it is stored under.
    pub file: String,
    pub id: String,
    pub problems: usize,
    /// Whether it is the return that counts.
    pub counts: bool,
    /// Why it does not count, when it does not.
    pub why: Option<String>,
    /// Stored when the server stopped, and logged on its next start: the
    /// county was never told it was received.
    pub recovered: bool,
    /// Filled on the form, not uploaded.
    pub online: bool,
}

/// A unit's uploads to one period, latest first.
pub struct UnitUploads {
    /// `2018年7月`.
    pub period: String,
    /// Whether it is the period being collected (else the one before, late returns).
    pub collecting: bool,
    pub lines: Vec<UploadLine>,
}

/// `/`: the upload form; for a signed-in unit, its uploads of the period (and
/// of the one before, when it sent any), which one counts and why the others do not.
pub fn upload_form(
    viewer: &Viewer,
    period: &str,
    due: Option<NaiveDate>,
    lists: &[UnitUploads],
    max_mb: u64,
) -> Markup {
    let needs_code = viewer.name.is_none();
    html! {
        h1 { "上报 " (period) " 进展情况表" }
        @if let Some(due) = due {
            p.note { "本期报表请于 " (chinese_date(due)) " 前上传；上一期的报表（迟报）也可在此上传，会存入上一期。" }
        }
        @if viewer.admin {
            p.note { "您以管理员身份登录。管理员码不能用来上报；请到 " a href="/status" { "汇总看板" } " 查看各单位报送情况。" }
        } @else {
            p.note { "两种方式任选其一，报送后都会立即显示工具读到的内容和需要修改的问题。" }
            div.ways {
                section.way {
                    h2 { "方式一：在网页上填写" }
                    p { "逐项选择完成状态、填写进展，已按本单位上次报送的内容预填好，只需改有变化的地方；可先保存草稿，填好再提交。" }
                    @if needs_code {
                        p { a.button href="/login?next=/fill" { "登录后在网页上填报" } }
                    } @else {
                        p { a.button href="/fill" { "在网页上填报" } }
                    }
                }
                section.way {
                    h2 { "方式二：上传 Excel 报表" }
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
                }
            }
            ul.help {
                li { "上报码由省教育厅发放，每个单位一个；请勿转告他人。" }
                li { "有问题请改好后再次报送（网页填报的回到填报页修改后重新提交）。" }
                li { "同一单位可多次报送：以填报日期最晚的一份为准，日期相同时以最后报送的一份为准。内容完全相同的不会重复保存。" }
            }
        }
        @for list in lists {
            h2 {
                @if list.collecting { "本单位本期（" (list.period) "）已报送" }
                @else { "本单位上一期（" (list.period) "）已报送" }
            }
            @if list.lines.is_empty() {
                p { "还没有报送。" }
            } @else {
                table.uploads.cards {
                    thead { tr { th { "报送时间" } th { "您的文件" } th { "问题" } th { "是否计入汇总" } th { "" } } }
                    tbody {
                        @for r in &list.lines {
                            tr class=(if r.counts { "counts" } else { "" }) {
                                td data-label="报送时间" {
                                    (r.time)
                                    @if r.recovered { br; small { "（上传时服务器中断，重启后补记）" } }
                                }
                                td.file data-label="您的文件" {
                                    @if r.online { strong { (FILLED_ONLINE) } }
                                    @else if r.client_name.is_empty() { (r.file) } @else { (r.client_name) }
                                    br; small { "保存为 " (r.file) }
                                }
                                td.num data-label="问题" { (r.problems) }
                                td data-label="是否计入汇总" {
                                    @if r.counts { strong { "计入汇总" } }
                                    @else if let Some(why) = &r.why { "不计入：" (why) }
                                    @else { "—" }
                                }
                                td { a href={ "/returns/" (r.id) } { "查看检查结果" } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `/login`.
pub fn login_form(message: Option<&str>) -> Markup {
    login_form_to(message, None)
}

/// `/login`, going on to `next` (a page of this server) once a unit signs in.
pub fn login_form_to(message: Option<&str>, next: Option<&str>) -> Markup {
    html! {
        h1 { "登录" }
        @if let Some(message) = message { p.error { (message) } }
        form.upload method="post" action="/login" {
            @if let Some(next) = next { input type="hidden" name="next" value=(next); }
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
    /// Why this upload does not count, when another of the unit's files does.
    pub not_counted: Option<String>,
    /// Filled on the form (`/fill`), not uploaded as a file.
    pub online: bool,
}

/// What became of the upload a fresh check page answers.
pub enum Filed {
    /// Stored in the period collected.
    Stored,
    /// Stored in the period before, named here (`2018年6月`), as a late return.
    Late(String),
    /// The same bytes had been received before: nothing stored again.
    Already,
}

impl CheckView {
    /// The view of an inspection of the stored file `record`.
    pub fn new(
        inspection: &Inspection,
        reader: Reader,
        record: &Record,
        not_counted: Option<String>,
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
                            text: task.map(|t| t.text.clone()).unwrap_or_default(),
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
                // A return filled on the form: its clerk saw tasks, never cells.
                place: match (record.online, p.task) {
                    (true, Some(task)) => format!("第 {task} 项"),
                    _ => p.sheet_and_place(),
                },
                what: p.what.clone(),
                action: p.action.clone(),
            })
            .collect();
        Self {
            unit: reader.roster.units[record.unit].name.clone(),
            file: record.file.clone(),
            id: record.id.clone(),
            uploaded: local_time(record.time),
            size: record.size,
            sha256: record.sha256.clone(),
            as_of: chinese_date(inspection.result.as_of),
            sheet: read.map(|r| inspection.sheet_of(r)).unwrap_or_default(),
            fill_date: meta
                .and_then(|m| m.fill_date)
                .map_or_else(blank, chinese_date),
            filler: meta.and_then(|m| m.filler.clone()).unwrap_or_else(blank),
            phone: meta.and_then(|m| m.phone.clone()).unwrap_or_else(blank),
            tasks,
            problems,
            errors: inspection.errors(),
            not_counted,
            online: record.online,
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
/// `filed`: what became of it, on the page that answers the upload.
pub fn check(view: &CheckView, filed: Option<&Filed>) -> Markup {
    let (sent, again) = if view.online {
        ("提交", "回到填报页修改后重新提交")
    } else {
        ("上传", "修改报表后重新上传")
    };
    html! {
        h1 { (view.unit) " 报表检查结果" }
        @match filed {
            Some(Filed::Stored) if view.online => {
                p.ok { "已收到并保存。您在网页上填写的报表已生成 Excel 文件，保存为 " code { (view.file) } "，与上传的报表一样计入汇总。" }
            }
            Some(Filed::Stored) => { p.ok { "已收到并保存。文件保存为 " code { (view.file) } "。" } }
            Some(Filed::Late(month)) => {
                p.ok { "已收到并保存。本表是" (month) "的报表，已作为该月的迟报存入" (month) "，文件保存为 " code { (view.file) } "。" }
            }
            Some(Filed::Already) if view.online => {
                p.ok { "您已于 " (view.uploaded) " 提交过内容完全相同的报表（保存为 " code { (view.file) } "），没有重复保存。" }
            }
            Some(Filed::Already) => {
                p.ok { "这份文件已经收到过（" (view.uploaded) " 上传，保存为 " code { (view.file) } "），内容完全相同，没有重复保存。" }
            }
            None => {}
        }
        @if let Some(why) = &view.not_counted {
            p.error {
                "注意：这份报表不会计入汇总。" (why) "。"
                @if view.online { "如这份才是最新版本，请回到填报页重新提交。" }
                @else { "如这份才是最新版本，请把填报日期改为报送当天后重新上传。" }
            }
        }
        @if view.errors > 0 {
            p.error { "发现 " (view.errors) " 个必须修改的错误：请按下表" (again) "。" }
        } @else if view.problems.is_empty() {
            p.ok { "未发现问题。" }
        } @else {
            p.note { "没有必须修改的错误；有 " (view.problems.len()) " 条提示，请看一看。" }
        }
        table.facts.cards {
            tr { th { "填报单位" } td { (view.unit) } th { "填报日期" } td { (view.fill_date) } }
            tr { th { "填报人" } td { (view.filler) } th { "联系电话" } td { (view.phone) } }
            tr { th { "工作表" } td { (view.sheet) } th { "统计截止" } td { (view.as_of) } }
            tr { th { "报送方式" } td { @if view.online { (FILLED_ONLINE) } @else { "上传文件" } } th { "文件大小" } td { (view.size) " 字节" } }
            tr { th { (sent) "时间" } td colspan="3" { (view.uploaded) } }
            tr { th { "SHA-256" } td colspan="3" { code { (view.sha256) } } }
        }
        p.actions {
            a.button href={ "/returns/" (view.id) "/annotated.xlsx" } { "下载标注副本（有问题的单元格已标色并附批注）" }
            " "
            @if view.online { a href="/fill" { "回到填报页修改" } } @else { a href="/" { "再次上传" } }
        }
        h2 { "问题（" (view.problems.len()) "）" }
        @if view.problems.is_empty() {
            p { "无。" }
        } @else {
            table.problems.cards {
                thead { tr { th { "级别" } th { "位置" } th { "问题" } th { "怎么改" } } }
                tbody {
                    @for p in &view.problems {
                        tr class=(if p.error { "p-error" } else { "p-warning" }) {
                            td.level data-label="级别" { (p.level) }
                            td data-label="位置" { (p.place) }
                            td data-label="问题" { (p.what) }
                            td data-label="怎么改" { (p.action) }
                        }
                    }
                }
            }
        }
        h2 { "各项任务（" (view.tasks.len()) "）" }
        table.tasks.cards {
            thead {
                tr {
                    th { "序号" } th { "主要任务" } th { "角色" } th { "完成时限" }
                    th { "完成状态" } th { "完成时间" } th { "判定" }
                }
            }
            tbody {
                @for t in &view.tasks {
                    tr {
                        td.num data-label="序号" { (t.task) }
                        td.text data-label="主要任务" { (t.text) }
                        td data-label="角色" { (t.role) }
                        td.date data-label="完成时限" { (t.deadline) }
                        td data-label="完成状态" { (t.status) }
                        td.date data-label="完成时间" { (t.date) }
                        td data-label="判定" class={ "verdict " (verdict_class(t.verdict)) } { (t.verdict.label()) }
                    }
                }
            }
        }
    }
}

/// The office's board of one period.
pub fn board(status: &Status) -> Markup {
    let sent = status.units.iter().filter(|u| u.sent).count();
    let month_text = |p: &str| Month::parse(p).map_or_else(|| p.to_string(), Month::chinese);
    // Links of an earlier period name it; those of the period collected need not.
    let query = if status.collecting {
        String::new()
    } else {
        format!("?period={}", status.period)
    };
    html! {
        h1 { "汇总看板 · " (month_text(&status.period)) }
        @if status.collecting {
            p.note {
                "正在收集 " (month_text(&status.period)) " 的报表"
                @if let Some(due) = &status.due { "，截止 " (as_chinese(due)) "；过了截止日，网页自动转为收集下一期" }
                "。"
            }
        } @else {
            p.note { "这是往期的看板；正在收集的是 " a href="/status" { (month_text(&status.collecting_period)) } "。" }
        }
        @if status.periods.len() > 1 {
            nav.periods {
                "各期："
                @for p in &status.periods {
                    @if *p == status.period { strong { (month_text(p)) } }
                    @else if *p == status.collecting_period { a href="/status" { (month_text(p)) } }
                    @else { a href={ "/status?period=" (p) } { (month_text(p)) } }
                    " "
                }
            }
        }
        p.note {
            "统计截止 " (as_chinese(&status.as_of)) "；汇总于 " (status.made) "。应报单位 " (status.units.len())
            " 个，已报送 " (sent) " 个，未报送 " (status.units.len() - sent) " 个；文件 "
            (status.files) " 个，数据问题 " (status.problems) " 条。"
        }
        p.actions {
            a.button href={ "/papers" (query) } { "下载本期材料（zip）" }
            " " a.button href={ "/workbook" (query) } { "下载汇总表（xlsx）" }
            " " a href={ "/chase.csv" (query) } { "下载催报名单（CSV）" }
            " " a href={ "/api/status" (query) } { "JSON" }
            @if !status.reminders.is_empty() {
                " " a href="#reminders" { "提醒与催报文字（" (status.reminders.len()) "）" }
            }
        }
        @if let Some(papers) = &status.papers {
            p.note.papers {
                "本期材料（" (papers.name) "）内含：汇总表；催报名单和明细（CSV）；"
                @if status.letters.is_empty() {
                    "没有需要督办的单位，因此不含督办单"
                } @else {
                    "督办单 " (status.letters.len()) " 份（" (status.letters.join("、")) "）"
                }
                "。按 " (status.made) " 的汇总生成（统计截止 " (as_chinese(&status.as_of)) "）；督办单成文日期 "
                (as_chinese(&papers.issued))
                @if papers.issued_fixed { "（配置文件 letter_date 指定）" } @else { "（下载当天）" }
                "，回复期限 " (as_chinese(&papers.reply_by)) "。"
            }
        }
        div.wide {
            table.totals {
                thead { tr { @for v in &status.totals { th { (v.verdict) } } } }
                tbody { tr { @for v in &status.totals { td.num { (v.count) } } } }
            }
        }
        h2 { "各单位报送情况" }
        table.board.cards {
            thead {
                tr {
                    th { "单位" } th { "状态" } th { "最近上传" } th { "填报日期" } th { "问题" }
                    @for v in &status.totals { th.v { (v.verdict) } }
                    th { "完成率" } th { "计入汇总的文件" }
                }
            }
            tbody {
                @for u in &status.units {
                    tr class=(if u.sent { "sent" } else { "silent" }) {
                        td.nowrap.unit data-label="单位" { (u.unit) }
                        td.nowrap data-label="状态" { @if u.sent { "已报送" @if u.late { "（迟报）" } } @else { strong { "未报送" } } }
                        td.nowrap data-label="最近上传" {
                            (u.last_upload.as_deref().unwrap_or("—"))
                            @if u.uploads > 1 { br; "共上传 " (u.uploads) " 次" }
                        }
                        td.nowrap data-label="填报日期" { (u.fill_date.as_deref().map_or_else(|| "—".to_string(), as_chinese)) }
                        td.num data-label="问题" { (u.problems) }
                        @for v in &u.verdicts { td.num data-label=(v.verdict) { @if v.count > 0 { (v.count) } } }
                        // A unit that sent nothing has no rate to show, not 0 %.
                        td.num data-label="完成率" { @match u.completion_rate { Some(r) if u.sent => { (format!("{:.1}%", r * 100.0)) }, Some(_) => { "未报" }, None => { "—" } } }
                        td.file data-label="计入汇总的文件" {
                            (u.file.as_deref().unwrap_or(""))
                            @if let Some(source) = u.source { br; small.source { "（" (source) "）" } }
                            @if u.not_counted > 0 { br; small { "另有 " (u.not_counted) " 份不计入" } }
                        }
                    }
                }
            }
        }
        (reminders(status, &query))
        h2 { "催报名单（" (status.chase.len()) "）" }
        @if status.chase.is_empty() {
            p { "所有单位均已报送且无漏报。" }
        } @else {
            table.chase.cards {
                thead { tr { th { "单位" } th { "情况" } th { "缺报项数" } th { "缺报内容" } th { "填报人" } th { "联系电话" } } }
                tbody {
                    @for c in &status.chase {
                        tr {
                            td data-label="单位" { (c.unit) }
                            td data-label="情况" { (c.situation) }
                            td.num data-label="缺报项数" { (c.missing) }
                            td data-label="缺报内容" { (c.what) }
                            td data-label="填报人" { (c.filler) }
                            td data-label="联系电话" { (c.phone) }
                        }
                    }
                }
            }
        }
        h2 { "未保存的上传（" (status.refused.len()) "）" }
        @if status.refused.is_empty() {
            p { "本期没有被拒绝的上传。" }
        } @else {
            p.note { "上报码不正确、文件有问题或服务器无法保存而没有保存的上传，最近的在前。" }
            table.refused.cards {
                thead { tr { th { "时间" } th { "单位" } th { "来自" } th { "文件" } th { "原因" } } }
                tbody {
                    @for r in &status.refused {
                        tr {
                            td.nowrap data-label="时间" { (r.time) }
                            td data-label="单位" { @if r.unit.is_empty() { "（上报码不正确）" } @else { (r.unit) } }
                            td data-label="来自" { (r.client) }
                            td.file data-label="文件" { (r.client_name) }
                            td data-label="原因" { (r.reason) }
                        }
                    }
                }
            }
        }
    }
}

/// 提醒与催报: each unit's text, selected whole by one click (CSS
/// `user-select: all`, no script), and all of them as one text.
fn reminders(status: &Status, query: &str) -> Markup {
    let chasing = status.reminders.iter().any(|r| r.kind == "催报");
    let due = status.due.as_deref().map(as_chinese);
    html! {
        h2 #reminders { "提醒与催报（" (status.reminders.len()) "）" }
        @if status.reminders.is_empty() {
            p { (super::board::NO_REMINDERS.trim_end()) }
        } @else {
            p.note {
                @match (&due, chasing) {
                    (Some(due), true) => { "报送截止日（" (due) "）已过，下面是催报文字。" }
                    (Some(due), false) => { "下面是提醒文字；报送截止日（" (due) "）过后，自动改为催报。" }
                    (None, _) => { "下面是提醒文字。" }
                }
                "点一下文字即全选，复制后可直接发短信或政务微信；所有单位的文字在一起："
                a href={ "/reminders.txt" (query) } { "全部文字（TXT）" } "。"
            }
            @if let Some(reach) = &status.reach {
                @match reach.how {
                    ReachHow::Setting => { p.note { "文中的网址 " code { (reach.url) } " 取自配置文件的 public_url。" } }
                    ReachHow::Asked => { p.note { "文中的网址 " code { (reach.url) } " 是您打开本页所用的地址；各市县要用另一个地址打开收集网页时，请在配置文件中设置 public_url。" } }
                    ReachHow::Listening => { p.note { "文中的网址 " code { (reach.url) } " 是本机的局域网地址（您是在本机上打开本页的）；各市县要用另一个地址打开收集网页时，请在配置文件中设置 public_url。" } }
                    ReachHow::ThisMachineOnly => { p.error { "收集网页现在只有本机能打开，各市县打不开文中的网址 " code { (reach.url) } "：请在配置文件中写上 " code { "listen = \"0.0.0.0:8080\"" } " 并重启服务，或设置 public_url。" } }
                }
            }
            @if status.contact.is_none() {
                p.note { "文中没有联系人和电话：请在配置文件中设置 contact。" }
            }
            @for r in &status.reminders {
                section.reminder {
                    h3 { (r.unit) " · " (r.kind) }
                    p.reminder { (r.text) }
                }
            }
        }
    }
}

/// One task's block on the form.
pub struct FillTask {
    pub number: u32,
    /// The task's full text.
    pub text: String,
    /// 完成时限 as the task list writes it.
    pub deadline: String,
    /// 牵头 or 配合.
    pub role: &'static str,
    pub values: TaskValues,
}

/// The form of `/fill`, as shown.
pub struct FillView {
    pub unit: String,
    /// The period the return is for.
    pub period: Month,
    /// Today: the 填报日期 the return will carry, and the latest 完成时间.
    pub today: NaiveDate,
    /// Where the values come from (a draft, this period's return, last
    /// period's), or what to fix when they were refused.
    pub source: String,
    /// Said once, in green: the draft was saved.
    pub notice: Option<String>,
    /// Whether the values are the unit's draft (it can be thrown away).
    pub draft: bool,
    pub tasks: Vec<FillTask>,
    pub reporter: String,
    pub phone: String,
    pub errors: Errors,
    /// By field: what the pre-fill could not carry over as it was.
    pub hints: std::collections::BTreeMap<String, String>,
}

impl FillView {
    /// The field errors as the page runs: 填报人 and 联系电话, then task by task,
    /// each task's fields in order.
    fn errors_in_order(&self) -> Vec<(&String, &String)> {
        let place = |key: &str| match key.split_once('-') {
            Some((stem, n)) => (
                1,
                n.parse::<u32>().unwrap_or(u32::MAX),
                Field::ALL
                    .iter()
                    .position(|f| f.stem() == stem)
                    .unwrap_or(0),
            ),
            None => (0, 0, usize::from(key == "phone")),
        };
        let mut errors: Vec<_> = self.errors.fields.iter().collect();
        errors.sort_by_key(|(key, _)| place(key));
        errors
    }

    /// The field's name as the page labels it: `第 3 项 完成状态`, `填报人`.
    fn label_of(&self, key: &str) -> String {
        match key.split_once('-') {
            Some((stem, n)) => {
                let field = Field::ALL.into_iter().find(|f| f.stem() == stem);
                format!("第 {n} 项 {}", field.map_or("", Field::label))
            }
            None if key == "reporter" => "填报人".to_string(),
            None if key == "phone" => "联系电话".to_string(),
            None => key.to_string(),
        }
    }
}

/// Rows a textarea starts with: its text's lines at about 30 characters a
/// line, 2 to 12 (a browser that sizes fields to their content grows them).
fn rows_for(text: &str) -> usize {
    text.lines()
        .map(|l| l.chars().count().div_ceil(30).max(1))
        .sum::<usize>()
        .clamp(2, 12)
}

/// The hint and the error under a field, and the ids they go by.
fn under(view: &FillView, key: &str) -> Markup {
    html! {
        @if let Some(hint) = view.hints.get(key) { p.hint id={ (key) "-hint" } { (hint) } }
        @if let Some(error) = view.errors.fields.get(key) { p.field-error id={ (key) "-error" } { (error) } }
    }
}

/// What a field's `aria-describedby` names: its hint and error, when shown.
fn described_by(view: &FillView, key: &str) -> Option<String> {
    let ids: Vec<String> = [
        view.hints.contains_key(key).then(|| format!("{key}-hint")),
        view.errors
            .fields
            .contains_key(key)
            .then(|| format!("{key}-error")),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// A task's text field: its label, the textarea, the hint and error under it.
fn text_field(view: &FillView, task: u32, field: Field, values: &TaskValues) -> Markup {
    let key = field.key(task);
    let text = values.get(field);
    let invalid = view.errors.fields.contains_key(&key).then_some("invalid");
    html! {
        div.field {
            label for=(key) { (field.label()) }
            textarea id=(key) name=(key) rows=(rows_for(text)) maxlength=(super::fill::TEXT_LIMIT)
                class=[invalid] aria-describedby=[described_by(view, &key)] { (text) }
            (under(view, &key))
        }
    }
}

/// `/fill`: the unit's return as a form, one block per task, with the errors
/// by their fields. No script: a select, a date input and textareas; the
/// draft is a second submit button.
pub fn fill_form(view: &FillView) -> Markup {
    let today = view.today.format("%Y-%m-%d").to_string();
    let invalid = |key: &str| view.errors.fields.contains_key(key).then_some("invalid");
    let line = |key: &'static str, label: &str, value: &str, kind: &str, complete: &str| {
        html! {
            div.field {
                label for=(key) { (label) }
                input id=(key) name=(key) type=(kind) value=(value) required maxlength=(super::fill::LINE_LIMIT)
                    autocomplete=(complete) class=[invalid(key)] aria-describedby=[described_by(view, key)];
                (under(view, key))
            }
        }
    };
    html! {
        h1 { (view.unit) " " (view.period.chinese()) "进展情况 · 网页填报" }
        @if let Some(notice) = &view.notice { p.ok { (notice) } }
        @if view.errors.is_empty() {
            p.note.source { (view.source) }
        } @else {
            div.error-summary role="alert" {
                p.error { (view.source) }
                ul {
                    @for text in &view.errors.form { li { (text) } }
                    @for (key, text) in view.errors_in_order() {
                        li { a href={ "#" (key) } { (view.label_of(key)) } "：" (text) }
                    }
                }
            }
        }
        @if view.tasks.is_empty() {
            p { "本单位没有需要填报的任务。" }
        } @else {
            form.fill method="post" action="/fill" accept-charset="utf-8" {
                input type="hidden" name="period" value=(view.period.to_string());
                // Enter in a one-line field keeps a draft rather than filing the
                // return: the form's first submit button is the default one.
                button.default-action type="submit" name="draft" value="1" formnovalidate tabindex="-1" { "保存草稿" }
                fieldset.who {
                    legend { "填报信息" }
                    p { "填报单位：" strong { (view.unit) } }
                    p { "填报日期：" strong { (chinese_date(view.today)) } "（提交当天，自动填写）" }
                    div.pair {
                        (line("reporter", "填报人", &view.reporter, "text", "name"))
                        (line("phone", "联系电话", &view.phone, "tel", "tel"))
                    }
                }
                ul.help {
                    li { "每项任务都要选择完成状态。" }
                    li { "完成时间只有“已完成”的任务填写，填实际完成的日期，不能晚于今天；过了完成时限的已完成任务必须填写。" }
                    li { "进展情况、存在问题、下步计划、备注每栏最多 " (super::fill::TEXT_LIMIT) " 字，可以换行。" }
                }
                @for task in &view.tasks {
                    @let n = task.number;
                    @let status = Field::Status.key(n);
                    @let date = Field::Date.key(n);
                    @let chosen = super::fill::status_choice(&task.values.status);
                    section.task id={ "task-" (n) } {
                        h2 {
                            "第 " (n) " 项"
                            span.role class=[(task.role == "牵头").then_some("lead")] { (task.role) }
                        }
                        p.task-text { (task.text) }
                        p.deadline { "完成时限：" (task.deadline) }
                        div.pair {
                            div.field {
                                label for=(status) { "完成状态" }
                                select id=(status) name=(status) class=[invalid(&status)] aria-describedby=[described_by(view, &status)] {
                                    option value="" selected[chosen.is_none()] { "请选择" }
                                    @for word in crate::template::STATUS_CHOICES {
                                        option value=(word) selected[chosen == Some(word)] { (word) }
                                    }
                                }
                                (under(view, &status))
                            }
                            div.field {
                                label for=(date) { "完成时间" }
                                input id=(date) name=(date) type="date" value=(task.values.date) min="1990-01-01" max=(today)
                                    placeholder="2018-07-20" class=[invalid(&date)] aria-describedby=[described_by(view, &date)];
                                (under(view, &date))
                            }
                        }
                        (text_field(view, n, Field::Progress, &task.values))
                        div.trio {
                            @for field in &Field::TEXTS[1..] { (text_field(view, n, *field, &task.values)) }
                        }
                    }
                }
                div.actions {
                    button type="submit" { "提交并检查" }
                    button.secondary type="submit" name="draft" value="1" formnovalidate { "保存草稿（暂不报送）" }
                }
                p.note { "提交后立即生成本单位的 Excel 报表，与上传的报表一样存入本期文件夹并计入汇总，随即显示检查结果。草稿只保存在服务器上，不计入汇总。" }
            }
            @if view.draft {
                form.discard method="post" action="/fill" {
                    input type="hidden" name="discard" value="1";
                    button.link type="submit" { "放弃草稿，改从已报送的报表开始填写" }
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
div.wide { max-width: 100%; overflow-x: auto; }
nav.periods a, nav.periods strong { margin-right: .5em; }
tr.counts td { background: #e2efda; }
section.reminder h3 { font-size: 1em; margin: 1em 0 .3em; }
p.reminder { white-space: pre-wrap; overflow-wrap: break-word; user-select: all; -webkit-user-select: all; cursor: text; max-width: 48em; margin: 0; padding: .5em .8em; border: 1px solid #bbb; border-left: 4px solid #1f4e79; background: #f7f9fc; }
img, table { max-width: 100%; }
/* The check's tasks: the full text takes what the short columns leave. */
@media (min-width: 40.01em) {
  table.tasks { width: 100%; }
  table.tasks th, table.tasks td:not(.text) { white-space: nowrap; }
}
/* The return filled on the page: one block per task; fields take the width. */
form.fill { max-width: 60em; }
form.fill fieldset.who { border: 1px solid #bbb; padding: .5em 1em; margin: 0 0 1em; }
form.fill fieldset.who p { margin: .3em 0; }
section.task { border-top: 3px solid #1f4e79; padding: .3em 0 .8em; margin-top: 1em; }
section.task h2 { font-size: 1.1em; margin: .2em 0; }
section.task p.task-text { margin: .2em 0 .3em; line-height: 1.5; }
section.task p.deadline { margin: 0 0 .4em; color: #444; }
span.role { font-size: .85em; font-weight: normal; border: 1px solid #888; border-radius: 3px; padding: 0 .3em; margin-left: .6em; }
span.role.lead { border-color: #1f4e79; color: #1f4e79; }
form.fill div.pair, form.fill div.trio { display: flex; flex-wrap: wrap; gap: 0 1.5em; }
form.fill div.pair > div.field { flex: 1 1 14em; }
form.fill div.trio > div.field { flex: 1 1 12em; }
form.fill div.field { margin: .4em 0; }
form.fill label { display: block; font-weight: bold; margin-bottom: .15em; }
form.fill input[type=text], form.fill input[type=tel], form.fill input[type=date], form.fill select, form.fill textarea {
  font: inherit; width: 100%; box-sizing: border-box; padding: .3em; border: 1px solid #888; border-radius: 3px; background: #fff; }
form.fill textarea { min-height: 3.2em; max-height: 24em; field-sizing: content; resize: vertical; line-height: 1.5; }
form.fill .invalid { border: 2px solid #9c0006; background: #fff5f5; }
p.field-error { color: #9c0006; font-weight: bold; margin: .2em 0; }
p.hint { color: #7a4f00; margin: .2em 0; font-size: .9em; }
div.error-summary { border: 2px solid #9c0006; padding: .3em 1em; margin: .5em 0 1em; }
div.error-summary a { color: #9c0006; }
form.fill div.actions { position: sticky; bottom: 0; background: #fff; border-top: 1px solid #bbb; padding: .6em 0; margin-top: 1em; display: flex; flex-wrap: wrap; gap: .6em; }
button.secondary { background: #fff; color: #1f4e79; border: 1px solid #1f4e79; }
button.link { background: none; color: #1f4e79; border: 0; padding: 0; text-decoration: underline; }
form.discard { margin: .5em 0 1em; }
button.default-action { position: absolute; left: -10000px; width: 1px; height: 1px; overflow: hidden; }
div.ways { display: flex; flex-wrap: wrap; gap: 0 2em; }
div.ways section.way { flex: 1 1 20em; }
div.ways h2 { font-size: 1.1em; }
small.source { color: #555; }
/* A phone (390 px): no sideways scrolling. Tables of records become one card
   per row, each cell labelled with its column (data-label); forms take the width. */
@media (max-width: 40em) {
  header.top { flex-wrap: wrap; padding: .5em; }
  header.top a, header.top .who, header.top button { margin-left: 0; margin-right: .8em; }
  main { padding: .5em .7em; }
  footer { padding: .5em .7em; }
  form.upload { max-width: none; }
  a.button { display: inline-block; margin-bottom: .3em; }
  form.upload input[type=text], form.upload input[type=file] { max-width: 100%; box-sizing: border-box; }
  table.cards, table.cards thead, table.cards tbody, table.cards tr, table.cards th, table.cards td { display: block; }
  table.cards { border: 0; width: 100%; }
  table.cards thead { display: none; }
  table.cards tr { border: 1px solid #bbb; margin: 0 0 .6em; padding: .2em 0; }
  table.cards td { border: 0; padding: .15em .5em; min-width: 0; white-space: normal; text-align: left; }
  table.cards td[data-label]::before { content: attr(data-label) "："; color: #555; font-weight: normal; }
  table.cards td.num:empty { display: none; }
  table.facts.cards th { border: 0; padding: .15em .5em 0; background: none; color: #555; }
  code, td.file { word-break: break-all; }
}
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
  form.fill { display: block; max-width: none; }
  form.fill div.actions, form.fill button, form.fill ul.help, form.discard, div.ways { display: none; }
  form.fill textarea { max-height: none; border: 1px solid #888; overflow: visible; }
  section.task { page-break-inside: auto; }
  section.task h2, section.task p.task-text { page-break-after: avoid; }
}
"#;
