//! Every error a user reads, word for word: one row per variant, built with
//! typical values, and the exact Chinese sentence it must render as (the model is
//! rust_xlsxwriter's `src/error/tests.rs`). A changed wording fails here first, so
//! it is changed on purpose. The collection server's errors (codes, start-up,
//! refusals of an upload) are here too; those of the annotated copy are
//! asserted in `annotate`.

use std::io::{Error, ErrorKind};
use std::path::PathBuf;

use crate::catalogue::CatalogueError;
use crate::config::{ConfigError, NamedBy};
use crate::pipeline::SaveError;
use crate::roster::RosterError;
use crate::serve::ServeError;
use crate::serve::codes::CodesError;
use crate::serve::store::{Refusal, too_large};
use crate::table::format::OpenError;

fn rows() -> Vec<(String, &'static str)> {
    vec![
        (
            OpenError::Empty.to_string(),
            "文件为空（0 字节）：请重新导出后报送",
        ),
        (
            OpenError::TooLarge {
                size: 73_400_320,
                limit: 52_428_800,
            }
            .to_string(),
            "文件过大（70 MB，上限 50 MB）：请删除无关工作表或图片后重新报送",
        ),
        (
            OpenError::TooLarge {
                size: 73_924_608,
                limit: 52_428_800,
            }
            .to_string(),
            "文件过大（70.5 MB，上限 50 MB）：请删除无关工作表或图片后重新报送",
        ),
        (
            OpenError::InflatesTooMuch { limit: 524_288_000 }.to_string(),
            "文件解压后过大（超过 500 MB），可能已损坏：请另存为 .xlsx 后重新报送",
        ),
        (
            OpenError::Password.to_string(),
            "文件设有打开密码，无法读取：请在 Excel 中取消密码（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空后确定），另存为 .xlsx 后重新报送",
        ),
        (
            OpenError::StructureProtected.to_string(),
            "文件设有“保护工作簿”（工作簿结构保护），.xls 文件因此被加密，无法读取：请在 Excel 中点“审阅 → 保护工作簿”取消保护，另存为 .xlsx 后重新报送",
        ),
        (
            OpenError::WordDocument.to_string(),
            "这是 Word 文档，不是电子表格：请用 Excel 模板填报后重新报送",
        ),
        (
            OpenError::Html.to_string(),
            "这是网页（HTML）或 XML 文件，其中没有可读的表格：请用 Excel 打开后另存为 .xlsx 再报送",
        ),
        (
            OpenError::Text.to_string(),
            "这是文本文件，不是可读的表格：请用 Excel 打开后另存为 .xlsx 再报送",
        ),
        (
            OpenError::OneLine("附件：海口市7月报表.xlsx".into()).to_string(),
            "这不是表格文件，只有一行文字“附件：海口市7月报表.xlsx”（附件可能未发送成功）：请重新发送报表文件",
        ),
        (
            OpenError::OtherFormat("SYLK 文件").to_string(),
            "这是 SYLK 文件，不是 Excel 工作簿，本工具不能直接读取：请用 Excel 或 WPS 打开后另存为 .xlsx 再报送",
        ),
        (
            OpenError::Pdf.to_string(),
            "这是 PDF 文件，不是电子表格：请以 Excel 文件报送（用模板填写后另存为 .xlsx）",
        ),
        (
            OpenError::Image.to_string(),
            "这是图片文件，不是电子表格：请以 Excel 文件报送（用模板填写后另存为 .xlsx）",
        ),
        (
            OpenError::Unknown.to_string(),
            "不是可识别的电子表格文件：请另存为 .xlsx 后重新报送",
        ),
        (
            OpenError::Unsupported("Simple.xlsb 的格式".into()).to_string(),
            "读取库不支持该文件（Simple.xlsb 的格式），文件本身未必损坏：请用 Excel 或 WPS 打开后另存为 .xlsx 再报送",
        ),
        (
            OpenError::ReaderFailed("no entry found for key".into()).to_string(),
            "读取库不支持该文件，读取时中断（no entry found for key），文件本身未必损坏：请用 Excel 或 WPS 打开后另存为 .xlsx 再报送",
        ),
        (
            OpenError::Corrupt("部件 xl/worksheets/sheet1.xml 不完整".into()).to_string(),
            "文件已损坏或不完整，无法读取（部件 xl/worksheets/sheet1.xml 不完整）：请重新保存为 .xlsx 后报送",
        ),
        (
            OpenError::NoSheets.to_string(),
            "文件中没有工作表，可能已损坏：请用 Excel 打开检查后另存为 .xlsx 再报送",
        ),
        (
            OpenError::CannotRead("没有权限读写，请检查文件或文件夹的权限".into()).to_string(),
            "无法打开文件（没有权限读写，请检查文件或文件夹的权限）：请确认文件未被占用后重试",
        ),
        (
            OpenError::NoReturn { sheets: 3 }.to_string(),
            "文件可以打开，但其中 3 张工作表都没有进展情况表的表头（应含 序号、主要任务、完成状态 等列），未找到进展情况表：请按模板填报后重新报送",
        ),
        (
            OpenError::HeaderIncomplete {
                sheet: "Sheet1".into(),
            }
            .to_string(),
            "工作表“Sheet1”的表头缺少“序号”（或“主要任务”）列或“完成状态”（或“进展情况”）列：请按模板填报后重新报送",
        ),
        (
            OpenError::TooManyCells {
                sheet: "进展情况".into(),
                limit: 2_000_000,
            }
            .to_string(),
            "工作表“进展情况”超过 2000000 个非空单元格：请只保留进展情况表后重新报送",
        ),
        (
            OpenError::TooSpread { limit: 2_000_000 }.to_string(),
            "表格中有相距很远的单元格（按所占区域计超过 2000000 个单元格），文件可能已损坏：请删除表格以外的多余内容，另存为 .xlsx 后重新报送",
        ),
        (
            OpenError::Archive.to_string(),
            "这是 zip 压缩包，不是电子表格：请解压后使用其中的 Excel 文件",
        ),
        (
            OpenError::NestedArchive.to_string(),
            "这是压缩包里的压缩包，未打开：请解压后直接报送其中的 Excel 文件",
        ),
        (
            OpenError::ArchiveTooManyMembers { limit: 1000 }.to_string(),
            "压缩包中的文件过多（超过 1000 个），未打开：请只压缩要报送的报表，或直接报送 Excel 文件",
        ),
        (
            OpenError::ArchiveInflatesTooMuch { limit: 524_288_000 }.to_string(),
            "压缩包解压后过大（超过 500 MB），未打开：请直接报送 Excel 文件",
        ),
        (
            OpenError::ArchivePassword.to_string(),
            "压缩包设有密码，无法解压：请直接报送 Excel 文件，或取消密码后重新压缩",
        ),
        (
            OpenError::ArchiveMethod("LZMA".into()).to_string(),
            "压缩包使用了本工具不支持的压缩方式（LZMA），无法解压：请用系统自带的“压缩”功能重新压缩，或直接报送 Excel 文件",
        ),
        (
            RosterError::Io {
                path: "名单.csv".into(),
                reason: "找不到该文件或文件夹，请检查路径".into(),
            }
            .to_string(),
            "无法读取单位名单 名单.csv：找不到该文件或文件夹，请检查路径",
        ),
        (
            RosterError::NotUtf8 {
                path: "名单.csv".into(),
            }
            .to_string(),
            "单位名单 名单.csv 不是 UTF-8 编码：请在 Excel 中“另存为 CSV UTF-8”后重试",
        ),
        (
            RosterError::Csv("第 3 行的列数与第一行不同".into()).to_string(),
            "单位名单格式有误：第 3 行的列数与第一行不同",
        ),
        (
            RosterError::NoUnitColumn.to_string(),
            "单位名单缺少“单位”列：第一行应为 单位,别名,类别",
        ),
        (
            RosterError::EmptyName { line: 4 }.to_string(),
            "单位名单第 4 行：单位名称为空",
        ),
        (
            RosterError::BadKind {
                line: 2,
                value: "地级市".into(),
            }
            .to_string(),
            "单位名单第 2 行：类别“地级市”无法识别，应为“市县”或“部门”",
        ),
        (
            RosterError::Ambiguous {
                word: "海口".into(),
                first: "海口市".into(),
                second: "海口区".into(),
            }
            .to_string(),
            "单位名单中“海口”同时指向“海口市”和“海口区”：请删去其中一个别名",
        ),
        (RosterError::Empty.to_string(), "单位名单为空"),
        (
            CatalogueError::Io {
                path: "任务.txt".into(),
                reason: "找不到该文件或文件夹，请检查路径".into(),
            }
            .to_string(),
            "无法读取任务表 任务.txt：找不到该文件或文件夹，请检查路径",
        ),
        (
            CatalogueError::NotUtf8 {
                path: "任务.txt".into(),
            }
            .to_string(),
            "任务表 任务.txt 不是 UTF-8 编码：请用记事本“另存为 UTF-8”后重试",
        ),
        (
            CatalogueError::WrongCellCount { line: 7, found: 4 }.to_string(),
            "任务表第 7 行：应有 5 栏（序号、主要任务、牵头单位、配合单位、完成时限），实际 4 栏",
        ),
        (
            CatalogueError::BadNumber {
                line: 7,
                value: "七".into(),
            }
            .to_string(),
            "任务表第 7 行：序号“七”不是整数",
        ),
        (
            CatalogueError::BadDeadline {
                line: 7,
                value: "尽快".into(),
            }
            .to_string(),
            "任务表第 7 行：完成时限“尽快”无法识别（可写作 2018年底、2017年7月底、2020年）",
        ),
        (
            CatalogueError::MissingCell {
                line: 7,
                what: "牵头单位",
            }
            .to_string(),
            "任务表第 7 行：牵头单位为空",
        ),
        (
            CatalogueError::DuplicateNumber(12).to_string(),
            "任务表中序号 12 出现了两次",
        ),
        (CatalogueError::Empty.to_string(), "任务表中没有任何任务行"),
        (
            CatalogueError::MissingColumns {
                path: "任务.xlsx".into(),
                missing: "完成时限".into(),
            }
            .to_string(),
            "任务表 任务.xlsx 缺少列：完成时限（需要 序号、主要任务、牵头单位、配合单位、完成时限）",
        ),
        (
            SaveError::Write {
                what: "汇总表",
                path: PathBuf::from("output/2018-07/汇总.xlsx"),
                error: Error::from(ErrorKind::PermissionDenied),
            }
            .to_string(),
            "无法写入汇总表 output/2018-07/汇总.xlsx：没有权限：文件可能正在 Excel 或 WPS 中打开，或文件夹只读，请关闭文件或换一个可写的文件夹",
        ),
        (
            SaveError::Layout("行号超出范围".into()).to_string(),
            "生成汇总表时出错（行号超出范围）：请把这条信息发给维护人员",
        ),
        (
            ConfigError::Missing {
                path: PathBuf::from("/srv/cr.toml"),
                named_by: NamedBy::Flag,
            }
            .to_string(),
            "找不到配置文件 /srv/cr.toml（由 --config 指定）：请检查路径；不用任何配置文件可写 --config /dev/null",
        ),
        (
            ConfigError::Missing {
                path: PathBuf::from("/srv/cr.toml"),
                named_by: NamedBy::Env,
            }
            .to_string(),
            "找不到配置文件 /srv/cr.toml（由环境变量“COUNTY_RETURNS_CONFIG”指定）：请检查路径；不用任何配置文件可写 --config /dev/null",
        ),
        (
            ConfigError::Unreadable {
                path: PathBuf::from("/etc/county-returns/config.toml"),
                reason: "没有权限".into(),
            }
            .to_string(),
            "无法读取配置文件 /etc/county-returns/config.toml：没有权限",
        ),
        (
            ConfigError::NotUtf8 {
                path: PathBuf::from("county-returns.toml"),
            }
            .to_string(),
            "配置文件 county-returns.toml 不是 UTF-8 编码：请用文本编辑器另存为 UTF-8 编码（记事本：另存为，编码选 UTF-8）",
        ),
        (
            ConfigError::Syntax {
                path: PathBuf::from("county-returns.toml"),
                line: 2,
                column: 10,
                hint: "引号没有配对：文字两端各要一个英文双引号".into(),
                excerpt: "    office = \"海南\n             ^".into(),
            }
            .to_string(),
            "配置文件 county-returns.toml 第 2 行第 10 列写法有误：引号没有配对：文字两端各要一个英文双引号\n    office = \"海南\n             ^",
        ),
        (
            ConfigError::UnknownKey {
                path: PathBuf::from("county-returns.toml"),
                line: 3,
                key: "due-day".into(),
                suggestion: "您是不是要写“due_day”？".into(),
            }
            .to_string(),
            "配置文件 county-returns.toml 第 3 行：不认识的设置项“due-day”。您是不是要写“due_day”？可用的设置项：“office”（制表单位）、“contact”（督办单上的联系人和电话）、“reply_by_days”（督办单的回复期限）、“letter_date”（督办单的成文日期）、“plan_name”（规划名称）、“plan_short”（规划简称）、“tasks”（任务分工表文件）、“roster”（单位名单文件）、“input”（报表总文件夹）、“output”（汇总表总文件夹）、“listen”（收集网页监听的地址和端口）、“public_url”（各市县打开收集网页的地址）、“due_day”（报表应于次月几日前报送）、“period”（收集网页只收这一期）、“min_free_mb”（收集网页保留的磁盘空间）、“unit_uploads”（每个单位每期最多上传的文件数）、“unit_mb”（每个单位每期最多上传的文件总大小）、“max_connections”（收集网页同时接受的连接数上限）、“tls_cert”（收集网页的 HTTPS 证书链）、“tls_key”（收集网页的 HTTPS 私钥）",
        ),
        (
            ConfigError::BadValue {
                path: PathBuf::from("county-returns.toml"),
                line: 4,
                key: "due_day",
                want: "应为 1 到 31 之间的整数，不加引号，例如“due_day = 5”",
            }
            .to_string(),
            "配置文件 county-returns.toml 第 4 行：“due_day”的取值无效，应为 1 到 31 之间的整数，不加引号，例如“due_day = 5”",
        ),
        (
            bad_setting("reply_by_days = 400\n"),
            "配置文件 county-returns.toml 第 1 行：“reply_by_days”的取值无效，应为 1 到 365 之间的整数，不加引号，例如“reply_by_days = 15”",
        ),
        (
            bad_setting("\nletter_date = \"2018年8月10日\"\n"),
            "配置文件 county-returns.toml 第 2 行：“letter_date”的取值无效，应为加英文双引号的日期，例如“letter_date = \"2018-08-10\"”；要用生成当天的日期就删去这一行",
        ),
        (
            bad_setting("public_url = \"10.0.0.5:8080\"\n"),
            "配置文件 county-returns.toml 第 1 行：“public_url”的取值无效，应为加英文双引号、以 http:// 或 https:// 开头的网址，例如“public_url = \"http://10.0.0.5:8080/\"”",
        ),
        (
            bad_setting("plan_short = \"\"\n"),
            "配置文件 county-returns.toml 第 1 行：“plan_short”的取值无效，应为加英文双引号的文字，例如“plan_short = \"大班额\"”",
        ),
        (
            ConfigError::HalfTls {
                path: PathBuf::from("county-returns.toml"),
                line: 5,
                given: "tls_cert",
                missing: "tls_key",
            }
            .to_string(),
            "配置文件 county-returns.toml 第 5 行：“tls_cert”要与“tls_key”一起设置，请补上“tls_key”或删去这一行",
        ),
    ]
}

/// What a settings file with `text` is told.
fn bad_setting(text: &str) -> String {
    match crate::config::parse(text, std::path::Path::new("county-returns.toml")) {
        Ok(values) => format!("accepted: {values:?}"),
        Err(e) => e.to_string(),
    }
}

/// The collection server's errors, as the office (start-up) and the counties
/// (refusals on the upload page) read them.
fn serve_rows() -> Vec<(String, &'static str)> {
    let hashes = || PathBuf::from("/var/lib/county-returns/上报码.json");
    vec![
        (
            CodesError::Malformed(hashes()).to_string(),
            "上报码文件 /var/lib/county-returns/上报码.json 内容无效：请用 county-returns codes --force 重新生成上报码",
        ),
        (
            CodesError::Missing(hashes()).to_string(),
            "还没有上报码（找不到 /var/lib/county-returns/上报码.json）：请先运行 county-returns codes 生成上报码",
        ),
        (
            CodesError::NotOwner(hashes()).to_string(),
            "无法读取上报码文件 /var/lib/county-returns/上报码.json：它只许生成它的用户读取。请以运行收集网页的用户重新生成上报码（加 --force），或用安装包的服务时执行 sudo systemctl restart county-returns（服务启动前会把它交给服务用户）",
        ),
        (
            CodesError::Unreadable {
                path: hashes(),
                reason: "磁盘读取出错".into(),
            }
            .to_string(),
            "无法读取上报码文件 /var/lib/county-returns/上报码.json：磁盘读取出错",
        ),
        (
            CodesError::Hash("invalid params".into()).to_string(),
            "生成上报码时出错（invalid params）：请把这条信息发给维护人员",
        ),
        (
            ServeError::Codes(CodesError::Missing(hashes())).to_string(),
            "还没有上报码（找不到 /var/lib/county-returns/上报码.json）：请先运行 county-returns codes 生成上报码",
        ),
        (
            ServeError::Folder {
                path: PathBuf::from("/var/lib/county-returns/input"),
                reason: "没有权限".into(),
            }
            .to_string(),
            "无法使用 /var/lib/county-returns/input：没有权限",
        ),
        (
            ServeError::Listen {
                addr: "0.0.0.0:8080".parse().expect("an address"),
                reason: "端口已被占用".into(),
            }
            .to_string(),
            "无法在 0.0.0.0:8080 上提供服务：端口已被占用",
        ),
        (
            ServeError::Tls {
                cert: PathBuf::from("cert.pem"),
                key: PathBuf::from("key.pem"),
                reason: "不是 PEM 格式".into(),
            }
            .to_string(),
            "无法读取 HTTPS 证书或私钥（cert.pem，key.pem）：不是 PEM 格式。请提供 PEM 格式的证书链和私钥",
        ),
        (
            ServeError::Runtime("too many threads".into()).to_string(),
            "无法启动服务（too many threads）",
        ),
        (
            too_large(20 * 1024 * 1024).to_string(),
            "文件超过 20 MB 的上限：请删除无关的工作表或图片后重新上传",
        ),
        (
            Refusal::NotSpreadsheet(OpenError::Pdf.to_string()).to_string(),
            "这是 PDF 文件，不是电子表格：请以 Excel 文件报送（用模板填写后另存为 .xlsx）",
        ),
        (
            Refusal::OtherUnit {
                found: "三亚市".into(),
                mine: "海口市".into(),
            }
            .to_string(),
            "报表中的填报单位是“三亚市”，与上报码所属单位“海口市”不符：请用本单位的报表上报，或更正报表中的填报单位",
        ),
        (
            Refusal::OtherMonth {
                found: "2018年5月".into(),
                collecting: "2018年7月".into(),
                previous: "2018年6月".into(),
            }
            .to_string(),
            "报表的标题或文件名写的是2018年5月，而本网页正在收集2018年7月的报表（2018年6月的迟报也可上传）：请上传2018年7月的报表；如要补报其他月份，请联系省教育厅",
        ),
        (
            Refusal::TooManyUploads(20).to_string(),
            "本单位本期已上传 20 份文件，达到上限，本次未保存：如确需再次上传，请打电话联系省教育厅",
        ),
        (
            Refusal::TooManyBytes(200).to_string(),
            "本单位本期上传的文件已达 200 MB 上限，本次未保存：如确需再次上传，请打电话联系省教育厅",
        ),
        (
            Refusal::Interrupted.to_string(),
            "文件没有完整上传（连接中断或请求格式不对）：请重新选择文件上传",
        ),
        (
            Refusal::NoSpace.to_string(),
            "服务器的磁盘空间不足，暂时无法保存报表。这不是您的报表的问题：请打电话告诉省教育厅，稍后再上传",
        ),
        (
            crate::serve::board::papers_failed("内存不足"),
            "生成材料包时出错（内存不足）：请把这条信息发给维护人员",
        ),
        (
            crate::serve::board::NO_REMINDERS.to_string(),
            "本期所有单位均已报送且无漏报，没有需要提醒或催报的单位。\n",
        ),
        (
            Refusal::Disk("打开的文件过多".into()).to_string(),
            "服务器暂时无法保存文件（打开的文件过多）。这不是您的报表的问题：请过几分钟再上传；仍不行请打电话告诉省教育厅",
        ),
    ]
}

/// Fails to compile when a server error gets a variant: give it a row in
/// [`serve_rows`], then list it here.
#[allow(dead_code)]
fn every_serve_variant_has_a_row(codes: &CodesError, serve: &ServeError, refusal: &Refusal) {
    match codes {
        CodesError::Malformed(_)
        | CodesError::Missing(_)
        | CodesError::NotOwner(_)
        | CodesError::Unreadable { .. }
        | CodesError::Hash(_) => {}
    }
    match serve {
        ServeError::Codes(_)
        | ServeError::Folder { .. }
        | ServeError::Listen { .. }
        | ServeError::Tls { .. }
        | ServeError::Runtime(_) => {}
    }
    match refusal {
        Refusal::TooLarge(_)
        | Refusal::NotSpreadsheet(_)
        | Refusal::Unreadable(_)
        | Refusal::OtherUnit { .. }
        | Refusal::OtherMonth { .. }
        | Refusal::TooManyUploads(_)
        | Refusal::TooManyBytes(_)
        | Refusal::Interrupted
        | Refusal::NoSpace
        | Refusal::Disk(_) => {}
    }
}

/// Fails to compile when a variant is added: give it a row above, then list it here.
#[allow(dead_code)]
fn every_variant_has_a_row(
    open: &OpenError,
    roster: &RosterError,
    table: &CatalogueError,
    save: &SaveError,
    config: &ConfigError,
) {
    use CatalogueError as C;
    use OpenError as O;
    use RosterError as R;
    match open {
        O::Empty
        | O::TooLarge { .. }
        | O::InflatesTooMuch { .. }
        | O::Password
        | O::StructureProtected
        | O::WordDocument
        | O::Html
        | O::Text
        | O::OneLine(_)
        | O::OtherFormat(_)
        | O::Pdf
        | O::Image
        | O::Unknown
        | O::Unsupported(_)
        | O::ReaderFailed(_)
        | O::Corrupt(_)
        | O::NoSheets
        | O::CannotRead(_)
        | O::NoReturn { .. }
        | O::HeaderIncomplete { .. }
        | O::TooManyCells { .. }
        | O::TooSpread { .. }
        | O::Archive
        | O::NestedArchive
        | O::ArchiveTooManyMembers { .. }
        | O::ArchiveInflatesTooMuch { .. }
        | O::ArchivePassword
        | O::ArchiveMethod(_) => {}
    }
    match roster {
        R::Io { .. }
        | R::NotUtf8 { .. }
        | R::Csv(_)
        | R::NoUnitColumn
        | R::EmptyName { .. }
        | R::BadKind { .. }
        | R::Ambiguous { .. }
        | R::Empty => {}
    }
    match table {
        C::Io { .. }
        | C::NotUtf8 { .. }
        | C::WrongCellCount { .. }
        | C::BadNumber { .. }
        | C::BadDeadline { .. }
        | C::MissingCell { .. }
        | C::DuplicateNumber(_)
        | C::Empty
        | C::MissingColumns { .. } => {}
    }
    match save {
        SaveError::Write { .. } | SaveError::Layout(_) => {}
    }
    match config {
        ConfigError::Missing { .. }
        | ConfigError::Unreadable { .. }
        | ConfigError::NotUtf8 { .. }
        | ConfigError::Syntax { .. }
        | ConfigError::UnknownKey { .. }
        | ConfigError::BadValue { .. }
        | ConfigError::HalfTls { .. } => {}
    }
}

#[test]
fn every_error_reads_word_for_word() {
    let mut wrong = Vec::new();
    for (said, want) in rows().into_iter().chain(serve_rows()) {
        if said != want {
            wrong.push(format!("said: {said}\nwant: {want}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}
