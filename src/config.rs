//! The office's settings file, `config.toml`: what an office sets once — who
//! issues the documents, whom counties call, where the returns and workbooks
//! live, where the collection page listens, the due day, the HTTPS files. This
//! module finds the file, reads it (`toml`, `serde`) and says in Chinese, with the
//! line, what is wrong in it. It decides nothing about flags or defaults:
//! [`crate::cli`] puts the flags over these values and the defaults under them,
//! once.
//!
//! Which file: `--config FILE`, else the file `$COUNTY_RETURNS_CONFIG` names —
//! either is then the only file read. Else `county-returns.toml` in the working
//! folder and `/etc/county-returns/config.toml`, key by key, the working
//! folder's first: an office keeps the machine's settings in `/etc`, and a
//! colleague trying something in a folder of her own overrides only what she
//! writes there. `--config /dev/null` reads none. Relative paths in a file are
//! taken from the folder that holds the file.
//!
//! Keys are English snake_case, the flags' own names (`due_day` is `--due-day`),
//! with Chinese comments in the shipped file: one vocabulary in the man page, the
//! help and the file, and TOML would need every Chinese key quoted — the first
//! thing a hand-edited file would get wrong.

use std::ffi::OsStr;
use std::fmt;
use std::net::SocketAddr;
use std::ops::Range;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;
use toml::Spanned;

use crate::period::Month;

/// The environment variable that names a settings file.
pub const ENV_VAR: &str = "COUNTY_RETURNS_CONFIG";
/// The settings file of the working folder.
pub const LOCAL_FILE: &str = "county-returns.toml";
/// The machine's settings file, where the Debian package installs it.
pub const SYSTEM_FILE: &str = "/etc/county-returns/config.toml";

/// A key the file may hold: its name, what it sets, and what a value looks like.
pub struct Key {
    pub name: &'static str,
    /// What it sets, in Chinese.
    pub meaning: &'static str,
    /// What a valid value is, with an example line.
    pub want: &'static str,
}

impl Key {
    /// What it sets, up to its first colon or bracket: `制表单位`.
    pub fn short(&self) -> &'static str {
        let end = self
            .meaning
            .find(['：', '（', '，'])
            .unwrap_or(self.meaning.len());
        &self.meaning[..end]
    }
}

/// Every key, in the order `config` lists them and the shipped file has them.
pub const KEYS: &[Key] = &[
    Key {
        name: "office",
        meaning: "制表单位：印在每一页的页眉和督办单的落款上",
        want: "应为加英文双引号的单位名称，例如“office = \"海南省教育厅\"”",
    },
    Key {
        name: "contact",
        meaning: "督办单上的联系人和电话",
        want: "应为加英文双引号的文字，例如“contact = \"基础教育处 王芳 0898-65236001\"”",
    },
    Key {
        name: "reply_by_days",
        meaning: "督办单的回复期限：本期报表截止日之后多少天（不设则为下一期报表的截止日）",
        want: "应为 1 到 365 之间的整数，不加引号，例如“reply_by_days = 15”",
    },
    Key {
        name: "letter_date",
        meaning: "督办单的成文日期（不设则为生成当天：收集网页上下载材料时为下载当天）",
        want: "应为加英文双引号的日期，例如“letter_date = \"2018-08-10\"”；要用生成当天的日期就删去这一行",
    },
    Key {
        name: "plan_name",
        meaning: "规划名称，印在标题中（不设则取任务分工表的标题）",
        want: "应为加英文双引号的文字，例如“plan_name = \"海南省消除义务教育学校大班额专项规划\"”",
    },
    Key {
        name: "plan_short",
        meaning: "规划简称，用于下载的材料包的文件名（不设则规划名称含“大班额”时用“大班额”，否则用期别）",
        want: "应为加英文双引号的文字，例如“plan_short = \"大班额\"”",
    },
    Key {
        name: "tasks",
        meaning: "任务分工表文件（不设则用内置的分工表）",
        want: "应为加英文双引号的文件路径，例如“tasks = \"/etc/county-returns/任务分工表.xlsx\"”",
    },
    Key {
        name: "roster",
        meaning: "单位名单文件（不设则用内置的海南省 19 个市县）",
        want: "应为加英文双引号的文件路径，例如“roster = \"/etc/county-returns/单位名单.csv\"”",
    },
    Key {
        name: "input",
        meaning: "报表总文件夹：各期 YYYY-MM 报表文件夹和上报码所在处",
        want: "应为加英文双引号的文件夹路径，例如“input = \"/var/lib/county-returns/input\"”",
    },
    Key {
        name: "output",
        meaning: "汇总表总文件夹：各期汇总表（output/YYYY-MM/）和模板（output/templates/）保存处",
        want: "应为加英文双引号的文件夹路径，例如“output = \"/var/lib/county-returns/output\"”",
    },
    Key {
        name: "listen",
        meaning: "收集网页监听的地址和端口（127.0.0.1 只供本机，0.0.0.0 供局域网）",
        want: "应为加英文双引号的“地址:端口”，例如“listen = \"0.0.0.0:8080\"”",
    },
    Key {
        name: "public_url",
        meaning: "各市县打开收集网页的地址，写进提醒和催报的文字（不设则用管理员打开汇总看板时的地址）",
        want: "应为加英文双引号、以 http:// 或 https:// 开头的网址，例如“public_url = \"http://10.0.0.5:8080/\"”",
    },
    Key {
        name: "due_day",
        meaning: "报表应于次月几日前报送，晚于此日的标为“迟报”",
        want: "应为 1 到 31 之间的整数，不加引号，例如“due_day = 5”",
    },
    Key {
        name: "period",
        meaning: "收集网页只收这一期（不设则按日期自动换期：次月截止日之前收上个月，之后收本月）",
        want: "应为加英文双引号的月份，例如“period = \"2018-07\"”；要按日期自动换期就删去这一行",
    },
    Key {
        name: "min_free_mb",
        meaning: "收集网页保留的磁盘空间，单位 MB：剩余空间少于此数时不再接收上传",
        want: "应为 0 到 1000000 之间的整数，不加引号，例如“min_free_mb = 500”",
    },
    Key {
        name: "unit_uploads",
        meaning: "每个单位每期最多上传的文件数",
        want: "应为 1 到 10000 之间的整数，不加引号，例如“unit_uploads = 20”",
    },
    Key {
        name: "unit_mb",
        meaning: "每个单位每期最多上传的文件总大小，单位 MB",
        want: "应为 1 到 100000 之间的整数，不加引号，例如“unit_mb = 200”",
    },
    Key {
        name: "max_connections",
        meaning: "收集网页同时接受的连接数上限，超过的请求得到“服务器繁忙”",
        want: "应为 1 到 100000 之间的整数，不加引号，例如“max_connections = 512”",
    },
    Key {
        name: "tls_cert",
        meaning: "收集网页的 HTTPS 证书链（PEM），与 tls_key 一起设置",
        want: "应为加英文双引号的文件路径，例如“tls_cert = \"/etc/county-returns/cert.pem\"”",
    },
    Key {
        name: "tls_key",
        meaning: "收集网页的 HTTPS 私钥（PEM），与 tls_cert 一起设置",
        want: "应为加英文双引号的文件路径，例如“tls_key = \"/etc/county-returns/key.pem\"”",
    },
];

/// Where a setting in force came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Given on the command line.
    Flag,
    /// Written in a settings file, on this line (from 1).
    File { path: PathBuf, line: usize },
    /// Nobody set it: the built-in default.
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Flag => f.write_str("命令行"),
            Self::File { path, line } => write!(f, "配置文件 {} 第 {line} 行", path.display()),
            Self::Default => f.write_str("默认"),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T: Clone> Setting<T> {
    /// The flag when given, else the file's value, else the default: the one
    /// precedence rule of every setting.
    pub fn pick(flag: Option<T>, file: Option<&Self>, default: impl FnOnce() -> T) -> Self {
        match (flag, file) {
            (Some(value), _) => Self {
                value,
                origin: Origin::Flag,
            },
            (None, Some(set)) => set.clone(),
            (None, None) => Self {
                value: default(),
                origin: Origin::Default,
            },
        }
    }

    /// The flag when given, else the file's value, else nothing.
    pub fn given(flag: Option<T>, file: Option<&Self>) -> Option<Self> {
        match flag {
            Some(value) => Some(Self {
                value,
                origin: Origin::Flag,
            }),
            None => file.cloned(),
        }
    }
}

/// What the settings files say, key by key; `None` where no file sets the key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values {
    pub office: Option<Setting<String>>,
    pub contact: Option<Setting<String>>,
    pub reply_by_days: Option<Setting<u32>>,
    pub letter_date: Option<Setting<NaiveDate>>,
    pub plan_name: Option<Setting<String>>,
    pub plan_short: Option<Setting<String>>,
    pub tasks: Option<Setting<PathBuf>>,
    pub roster: Option<Setting<PathBuf>>,
    pub input: Option<Setting<PathBuf>>,
    pub output: Option<Setting<PathBuf>>,
    pub listen: Option<Setting<SocketAddr>>,
    pub public_url: Option<Setting<String>>,
    pub due_day: Option<Setting<u32>>,
    pub period: Option<Setting<Month>>,
    pub min_free_mb: Option<Setting<u64>>,
    pub unit_uploads: Option<Setting<u64>>,
    pub unit_mb: Option<Setting<u64>>,
    pub max_connections: Option<Setting<u64>>,
    pub tls_cert: Option<Setting<PathBuf>>,
    pub tls_key: Option<Setting<PathBuf>>,
}

impl Values {
    /// These values, and `under`'s where these have none.
    fn over(self, under: Self) -> Self {
        Self {
            office: self.office.or(under.office),
            contact: self.contact.or(under.contact),
            reply_by_days: self.reply_by_days.or(under.reply_by_days),
            letter_date: self.letter_date.or(under.letter_date),
            plan_name: self.plan_name.or(under.plan_name),
            plan_short: self.plan_short.or(under.plan_short),
            tasks: self.tasks.or(under.tasks),
            roster: self.roster.or(under.roster),
            input: self.input.or(under.input),
            output: self.output.or(under.output),
            listen: self.listen.or(under.listen),
            public_url: self.public_url.or(under.public_url),
            due_day: self.due_day.or(under.due_day),
            period: self.period.or(under.period),
            min_free_mb: self.min_free_mb.or(under.min_free_mb),
            unit_uploads: self.unit_uploads.or(under.unit_uploads),
            unit_mb: self.unit_mb.or(under.unit_mb),
            max_connections: self.max_connections.or(under.max_connections),
            tls_cert: self.tls_cert.or(under.tls_cert),
            tls_key: self.tls_key.or(under.tls_key),
        }
    }
}

/// How the settings file was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chosen {
    /// `--config FILE`.
    Flag(PathBuf),
    /// `$COUNTY_RETURNS_CONFIG`.
    Env(PathBuf),
    /// Looked for in the working folder and in `/etc`; these were there, the
    /// working folder's first.
    Found(Vec<PathBuf>),
}

/// Where to look for settings: the command line's and the environment's say, and
/// the two places looked in otherwise (parameters, so tests need no `/etc`).
pub struct Lookup<'a> {
    pub flag: Option<&'a Path>,
    pub env: Option<&'a OsStr>,
    pub local: &'a Path,
    pub system: &'a Path,
}

/// The settings files in force, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub values: Values,
    pub chosen: Chosen,
}

impl Config {
    /// Finds and reads the settings file(s).
    ///
    /// # Errors
    /// A file named by `--config` or the environment that is not there; any file
    /// in force that cannot be read, is not UTF-8, is not valid TOML, holds a key
    /// this tool does not know or a value of the wrong kind.
    pub fn load(lookup: &Lookup<'_>) -> Result<Self, ConfigError> {
        if let Some(path) = lookup.flag {
            let values = read(path, Some(NamedBy::Flag))?;
            return Ok(Self {
                values,
                chosen: Chosen::Flag(path.to_path_buf()),
            });
        }
        if let Some(env) = lookup.env.filter(|e| !e.is_empty()) {
            let path = Path::new(env);
            let values = read(path, Some(NamedBy::Env))?;
            return Ok(Self {
                values,
                chosen: Chosen::Env(path.to_path_buf()),
            });
        }
        let mut values = Values::default();
        let mut found = Vec::new();
        for path in [lookup.local, lookup.system] {
            // A folder or nothing there: not a settings file, look on.
            if !path.is_file() {
                continue;
            }
            values = values.over(read(path, None)?);
            found.push(path.to_path_buf());
        }
        Ok(Self {
            values,
            chosen: Chosen::Found(found),
        })
    }

    /// The files read, in precedence order.
    #[cfg(test)]
    pub fn files(&self) -> Vec<&Path> {
        match &self.chosen {
            Chosen::Flag(p) | Chosen::Env(p) => vec![p.as_path()],
            Chosen::Found(found) => found.iter().map(PathBuf::as_path).collect(),
        }
    }
}

/// Who named a settings file that must then exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamedBy {
    Flag,
    Env,
}

impl fmt::Display for NamedBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Flag => f.write_str("由 --config 指定"),
            Self::Env => write!(f, "由环境变量“{ENV_VAR}”指定"),
        }
    }
}

/// Why the settings cannot be used. Each message names the file and, where
/// there is one, the line, and says what to write instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// `--config` or the environment names a file that is not there.
    #[error("找不到配置文件 {}（{named_by}）：请检查路径；不用任何配置文件可写 --config /dev/null", path.display())]
    Missing { path: PathBuf, named_by: NamedBy },
    /// The file is there but cannot be read (permissions, a folder).
    #[error("无法读取配置文件 {}：{reason}", path.display())]
    Unreadable { path: PathBuf, reason: String },
    /// Saved in another encoding (GBK, as Chinese Windows editors do by default).
    #[error("配置文件 {} 不是 UTF-8 编码：请用文本编辑器另存为 UTF-8 编码（记事本：另存为，编码选 UTF-8）", path.display())]
    NotUtf8 { path: PathBuf },
    /// Not valid TOML at this line and column.
    #[error("配置文件 {} 第 {line} 行第 {column} 列写法有误：{hint}\n{excerpt}", path.display())]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        hint: String,
        /// The line, and a caret under the column.
        excerpt: String,
    },
    /// A key this tool does not know (a typo, or a `[section]`).
    #[error("配置文件 {} 第 {line} 行：不认识的设置项“{key}”。{suggestion}可用的设置项：{}", path.display(), known_keys())]
    UnknownKey {
        path: PathBuf,
        line: usize,
        key: String,
        /// `您是不是要写“due_day”？` when the key is close to a known one.
        suggestion: String,
    },
    /// A known key with a value of the wrong kind or out of range.
    #[error("配置文件 {} 第 {line} 行：“{key}”的取值无效，{want}", path.display())]
    BadValue {
        path: PathBuf,
        line: usize,
        key: &'static str,
        want: &'static str,
    },
    /// `tls_cert` without `tls_key`, or the other way round.
    #[error("配置文件 {} 第 {line} 行：“{given}”要与“{missing}”一起设置，请补上“{missing}”或删去这一行", path.display())]
    HalfTls {
        path: PathBuf,
        line: usize,
        given: &'static str,
        missing: &'static str,
    },
}

/// The known keys, each with its meaning, for an error message.
fn known_keys() -> String {
    KEYS.iter()
        .map(|k| format!("“{}”（{}）", k.name, k.short()))
        .collect::<Vec<_>>()
        .join("、")
}

/// The file as written, each value with its span; unknown keys refused.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    office: Option<Spanned<String>>,
    contact: Option<Spanned<String>>,
    reply_by_days: Option<Spanned<i64>>,
    letter_date: Option<Spanned<String>>,
    plan_name: Option<Spanned<String>>,
    plan_short: Option<Spanned<String>>,
    tasks: Option<Spanned<String>>,
    roster: Option<Spanned<String>>,
    input: Option<Spanned<String>>,
    output: Option<Spanned<String>>,
    listen: Option<Spanned<String>>,
    public_url: Option<Spanned<String>>,
    due_day: Option<Spanned<i64>>,
    period: Option<Spanned<String>>,
    min_free_mb: Option<Spanned<i64>>,
    unit_uploads: Option<Spanned<i64>>,
    unit_mb: Option<Spanned<i64>>,
    max_connections: Option<Spanned<i64>>,
    tls_cert: Option<Spanned<String>>,
    tls_key: Option<Spanned<String>>,
}

/// Reads one settings file. `named_by`: it was asked for, so it must exist.
fn read(path: &Path, named_by: Option<NamedBy>) -> Result<Values, ConfigError> {
    let bytes = std::fs::read(path).map_err(|e| match (named_by, e.kind()) {
        (Some(named_by), std::io::ErrorKind::NotFound) => ConfigError::Missing {
            path: path.to_path_buf(),
            named_by,
        },
        _ => ConfigError::Unreadable {
            path: path.to_path_buf(),
            reason: crate::os::describe(&e),
        },
    })?;
    let text = String::from_utf8(bytes).map_err(|_| ConfigError::NotUtf8 {
        path: path.to_path_buf(),
    })?;
    // Windows Notepad starts a UTF-8 file with a byte-order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    parse(text, path)
}

/// The values of one file's text. `path` names the file in errors and in the
/// values' origins, and relative paths are taken from its folder.
///
/// # Errors
/// Invalid TOML, an unknown key, or a value of the wrong kind, with its line.
pub fn parse(text: &str, path: &Path) -> Result<Values, ConfigError> {
    let table = toml::de::DeTable::parse(text).map_err(|e| syntax(text, path, e.span()))?;
    let file = File {
        text,
        path,
        base: path.parent().filter(|p| !p.as_os_str().is_empty()),
    };
    let keys = file.known_keys(table.get_ref())?;
    let raw: Raw = toml::from_str(text).map_err(|e| {
        // The key whose value the error points into; else the first key.
        let at = e.span().map_or(0, |s| s.start);
        let (name, span) = keys
            .iter()
            .find(|(_, k, v)| (k.start..v.end.max(k.end)).contains(&at))
            .or(keys.first())
            .map_or(("", 0..0), |(name, k, _)| (*name, k.clone()));
        file.bad_value(name, span.start)
    })?;
    let values = Values {
        office: file.text_value("office", raw.office)?,
        contact: file.text_value("contact", raw.contact)?,
        reply_by_days: file.parsed_value("reply_by_days", raw.reply_by_days, |v| {
            u32::try_from(*v).ok().filter(|d| (1..=365).contains(d))
        })?,
        letter_date: file.parsed_value("letter_date", raw.letter_date, |v| {
            NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok()
        })?,
        plan_name: file.text_value("plan_name", raw.plan_name)?,
        plan_short: file.text_value("plan_short", raw.plan_short)?,
        tasks: file.path_value("tasks", raw.tasks)?,
        roster: file.path_value("roster", raw.roster)?,
        input: file.path_value("input", raw.input)?,
        output: file.path_value("output", raw.output)?,
        listen: file.parsed_value("listen", raw.listen, |v| v.trim().parse().ok())?,
        public_url: file.parsed_value("public_url", raw.public_url, |v| web_address(v))?,
        due_day: file.parsed_value("due_day", raw.due_day, |v| {
            u32::try_from(*v).ok().filter(|d| (1..=31).contains(d))
        })?,
        period: file.parsed_value("period", raw.period, |v| Month::parse(v.trim()))?,
        min_free_mb: file.parsed_value("min_free_mb", raw.min_free_mb, in_range(0, 1_000_000))?,
        unit_uploads: file.parsed_value("unit_uploads", raw.unit_uploads, in_range(1, 10_000))?,
        unit_mb: file.parsed_value("unit_mb", raw.unit_mb, in_range(1, 100_000))?,
        max_connections: file.parsed_value(
            "max_connections",
            raw.max_connections,
            in_range(1, 100_000),
        )?,
        tls_cert: file.path_value("tls_cert", raw.tls_cert)?,
        tls_key: file.path_value("tls_key", raw.tls_key)?,
    };
    check_tls_pair(&values, path)?;
    Ok(values)
}

/// An address counties open, `http://10.0.0.5:8080/`: scheme and host, no
/// space or quote (it is written into texts sent as they are); ends with `/`.
pub fn web_address(text: &str) -> Option<String> {
    let text = text.trim();
    let rest = text
        .strip_prefix("http://")
        .or_else(|| text.strip_prefix("https://"))?;
    let host = rest.split('/').next().unwrap_or("");
    let plain = |c: char| c.is_ascii_graphic() && !"\"'<>\\`{}|^".contains(c);
    if host.is_empty() || !text.chars().all(plain) {
        return None;
    }
    Some(if text.ends_with('/') {
        text.to_string()
    } else {
        format!("{text}/")
    })
}

/// A whole number from `low` to `high`, as a value of the file.
fn in_range(low: u64, high: u64) -> impl FnOnce(&i64) -> Option<u64> {
    move |v| u64::try_from(*v).ok().filter(|n| (low..=high).contains(n))
}

/// One settings file's text while it is read: turns its spans into lines and
/// its values into settings that say where they came from.
struct File<'a> {
    text: &'a str,
    path: &'a Path,
    /// The folder relative paths are taken from.
    base: Option<&'a Path>,
}

/// A key as written, with the spans of its name and of its value.
type KeySpans<'a> = (&'a str, Range<usize>, Range<usize>);

impl<'a> File<'a> {
    /// The keys in the order written, refusing the first unknown one by name and
    /// line, so the message never depends on the parser's English.
    fn known_keys<'t>(
        &self,
        table: &'t toml::de::DeTable<'t>,
    ) -> Result<Vec<KeySpans<'t>>, ConfigError> {
        let mut keys: Vec<KeySpans<'t>> = table
            .iter()
            .map(|(k, v)| (k.get_ref().as_ref(), k.span(), v.span()))
            .collect();
        keys.sort_by_key(|(_, span, _)| span.start);
        match keys
            .iter()
            .find(|(key, _, _)| !KEYS.iter().any(|k| k.name == *key))
        {
            Some((key, span, _)) => Err(ConfigError::UnknownKey {
                path: self.path.to_path_buf(),
                line: position(self.text, span.start).0,
                key: (*key).to_string(),
                suggestion: suggest(key),
            }),
            None => Ok(keys),
        }
    }

    fn origin(&self, span: Range<usize>) -> Origin {
        Origin::File {
            path: self.path.to_path_buf(),
            line: position(self.text, span.start).0,
        }
    }

    /// The error for a known key's value, at the byte where the key starts.
    fn bad_value(&self, name: &str, at: usize) -> ConfigError {
        let key = KEYS.iter().find(|k| k.name == name).unwrap_or(&KEYS[0]);
        ConfigError::BadValue {
            path: self.path.to_path_buf(),
            line: position(self.text, at).0,
            key: key.name,
            want: key.want,
        }
    }

    /// A value `convert` accepts; anything else is a bad value on its line.
    fn parsed_value<R, T>(
        &self,
        name: &'static str,
        raw: Option<Spanned<R>>,
        convert: impl FnOnce(&R) -> Option<T>,
    ) -> Result<Option<Setting<T>>, ConfigError> {
        let Some(raw) = raw else { return Ok(None) };
        match convert(raw.get_ref()) {
            Some(value) => Ok(Some(Setting {
                value,
                origin: self.origin(raw.span()),
            })),
            None => Err(self.bad_value(name, raw.span().start)),
        }
    }

    /// Text, trimmed; an empty one is a mistake, not "unset".
    fn text_value(
        &self,
        name: &'static str,
        raw: Option<Spanned<String>>,
    ) -> Result<Option<Setting<String>>, ConfigError> {
        self.parsed_value(name, raw, |v| {
            Some(v.trim().to_string()).filter(|v| !v.is_empty())
        })
    }

    /// A path, relative ones taken from the file's folder.
    fn path_value(
        &self,
        name: &'static str,
        raw: Option<Spanned<String>>,
    ) -> Result<Option<Setting<PathBuf>>, ConfigError> {
        self.parsed_value(name, raw, |v| {
            let v = v.trim();
            (!v.is_empty()).then(|| match self.base {
                Some(base) if Path::new(v).is_relative() => base.join(v),
                _ => PathBuf::from(v),
            })
        })
    }
}

/// A certificate without its key (or the reverse) cannot serve HTTPS.
fn check_tls_pair(values: &Values, path: &Path) -> Result<(), ConfigError> {
    let half = match (&values.tls_cert, &values.tls_key) {
        (Some(set), None) => Some((set, "tls_cert", "tls_key")),
        (None, Some(set)) => Some((set, "tls_key", "tls_cert")),
        _ => None,
    };
    match half {
        Some((set, given, missing)) => Err(ConfigError::HalfTls {
            path: path.to_path_buf(),
            line: match &set.origin {
                Origin::File { line, .. } => *line,
                _ => 0,
            },
            given,
            missing,
        }),
        None => Ok(()),
    }
}

/// A syntax error at a byte offset, with the line shown and a hint in Chinese
/// drawn from the line itself (the parser's own words are English).
fn syntax(text: &str, path: &Path, span: Option<Range<usize>>) -> ConfigError {
    let at = span.map_or(0, |s| s.start).min(text.len());
    let (line, column) = position(text, at);
    let line_text = text.lines().nth(line - 1).unwrap_or("");
    let caret_width: usize = line_text
        .chars()
        .take(column - 1)
        .map(|c| if c.is_ascii() { 1 } else { 2 })
        .sum();
    let excerpt = format!("    {line_text}\n    {}^", " ".repeat(caret_width));
    ConfigError::Syntax {
        path: path.to_path_buf(),
        line,
        column,
        hint: hint(text, line_text, line).to_string(),
        excerpt,
    }
}

/// What is most likely wrong with a line TOML refused.
fn hint(text: &str, line_text: &str, line: usize) -> &'static str {
    let trimmed = line_text.trim();
    let key = trimmed.split('=').next().unwrap_or("").trim();
    let value = trimmed.split_once('=').map_or("", |(_, v)| v.trim());
    let earlier = text
        .lines()
        .take(line - 1)
        .any(|l| l.split('=').next().is_some_and(|k| k.trim() == key) && l.contains('='));
    if trimmed.contains(['“', '”', '‘', '’']) {
        "引号要用英文半角双引号 \"，不能用中文引号 “ ”"
    } else if trimmed.contains('＝') {
        "等号要用英文半角 =，不能用全角 ＝"
    } else if !trimmed.contains('=') && !trimmed.starts_with('[') {
        "每一项应写成“名称 = 取值”，例如“due_day = 5”；以 # 开头的行是注释"
    } else if !key.is_empty() && earlier {
        "这一项在前面已经写过一次，请删去其中一行"
    } else if !value.is_empty()
        && !value.starts_with(['"', '\'', '[', '{'])
        && !value.starts_with(|c: char| c.is_ascii_digit())
        && !matches!(value, "true" | "false")
    {
        "文字和路径要用英文双引号括起来，例如“office = \"海南省教育厅\"”"
    } else if value.starts_with('"') && value.matches('"').count() % 2 == 1 {
        "引号没有配对：文字两端各要一个英文双引号"
    } else {
        "每一项写成“名称 = 取值”，文字和路径加英文双引号，数字不加，以 # 开头的是注释"
    }
}

/// Line and column (both from 1, the column in characters) of a byte offset.
fn position(text: &str, at: usize) -> (usize, usize) {
    let before = text.get(..at).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// `您是不是要写“due_day”？` for a key written with dashes, in another case, or
/// one letter off.
fn suggest(key: &str) -> String {
    let normal = key.trim().to_lowercase().replace('-', "_");
    let close = KEYS.iter().find(|k| {
        k.name == normal || (normal.len() > 3 && strsim::levenshtein(k.name, &normal) <= 2)
    });
    close.map_or_else(String::new, |k| format!("您是不是要写“{}”？", k.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(line: usize) -> Origin {
        Origin::File {
            path: PathBuf::from("/etc/x/config.toml"),
            line,
        }
    }

    fn parsed(text: &str) -> Result<Values, ConfigError> {
        parse(text, Path::new("/etc/x/config.toml"))
    }

    #[test]
    fn every_key_read_with_its_line() {
        let text = "# 注释\noffice = \"三亚市教育局\"\ncontact = \"王芳 0898-1\"\nplan_name = \"规划\"\n\
                    tasks = \"t.txt\"\nroster = \"/r.csv\"\ninput = \"/data/input\"\noutput = \"out\"\n\
                    listen = \"0.0.0.0:8081\"\ndue_day = 7\ntls_cert = \"c.pem\"\ntls_key = \"k.pem\"\n";
        let v = parsed(text).expect("valid");
        let s = |value: &str, line| {
            Some(Setting {
                value: value.to_string(),
                origin: file(line),
            })
        };
        let p = |value: &str, line| {
            Some(Setting {
                value: PathBuf::from(value),
                origin: file(line),
            })
        };
        assert_eq!(v.office, s("三亚市教育局", 2));
        assert_eq!(v.contact, s("王芳 0898-1", 3));
        assert_eq!(v.plan_name, s("规划", 4));
        // Relative paths are the file's folder's.
        assert_eq!(v.tasks, p("/etc/x/t.txt", 5));
        assert_eq!(v.roster, p("/r.csv", 6));
        assert_eq!(v.input, p("/data/input", 7));
        assert_eq!(v.output, p("/etc/x/out", 8));
        assert_eq!(
            v.listen.map(|s| (s.value.to_string(), s.origin)),
            Some(("0.0.0.0:8081".to_string(), file(9)))
        );
        assert_eq!(
            v.due_day,
            Some(Setting {
                value: 7,
                origin: file(10)
            })
        );
        assert_eq!(v.tls_cert, p("/etc/x/c.pem", 11));
        assert_eq!(v.tls_key, p("/etc/x/k.pem", 12));
    }

    #[test]
    fn the_papers_keys_read_as_days_a_date_and_an_address() {
        let v = parsed(
            "reply_by_days = 15\nletter_date = \"2018-08-10\"\nplan_short = \"大班额\"\n\
             public_url = \"https://returns.example.org\"\n",
        )
        .expect("valid");
        assert_eq!(
            v.reply_by_days.map(|s| (s.value, s.origin)),
            Some((15, file(1)))
        );
        assert_eq!(
            v.letter_date.map(|s| s.value),
            NaiveDate::from_ymd_opt(2018, 8, 10)
        );
        assert_eq!(v.plan_short.map(|s| s.value).as_deref(), Some("大班额"));
        assert_eq!(
            v.public_url.map(|s| (s.value, s.origin)),
            Some(("https://returns.example.org/".to_string(), file(4)))
        );
        for (given, kept) in [
            ("http://10.0.0.5:8080/", Some("http://10.0.0.5:8080/")),
            (" http://10.0.0.5:8080 ", Some("http://10.0.0.5:8080/")),
            (
                "https://a.example/returns/",
                Some("https://a.example/returns/"),
            ),
            ("http://", None),
            ("ftp://a.example/", None),
            ("http://a.example/\"><script>", None),
            ("http://a.example/ x", None),
        ] {
            assert_eq!(web_address(given).as_deref(), kept, "{given}");
        }
    }

    #[test]
    fn a_file_in_the_working_folder_keeps_relative_paths() {
        let v = parse("input = \"input\"\n", Path::new(LOCAL_FILE)).expect("valid");
        assert_eq!(v.input.map(|s| s.value), Some(PathBuf::from("input")));
        let empty = parse("", Path::new("/dev/null")).expect("empty");
        assert_eq!(empty, Values::default());
    }

    /// (file text, line, column or 0, words the message must hold).
    const BROKEN: &[(&str, usize, usize, &str)] = &[
        (
            "office = 海南省教育厅\n",
            1,
            10,
            "文字和路径要用英文双引号括起来",
        ),
        (
            "due_day = 5\noffice = “海南省教育厅”\n",
            2,
            10,
            "不能用中文引号",
        ),
        ("office ＝ \"x\"\n", 1, 8, "不能用全角 ＝"),
        ("# 设置\n\ndue_day 5\n", 3, 9, "每一项应写成“名称 = 取值”"),
        ("office = \"a\"\noffice = \"b\"\n", 2, 1, "前面已经写过一次"),
        ("contact = \"王芳\ndue_day = 5\n", 1, 14, "引号没有配对"),
        (
            "due-day = 5\n",
            1,
            0,
            "不认识的设置项“due-day”。您是不是要写“due_day”？",
        ),
        (
            "\n\n[server]\nlisten = \"0.0.0.0:80\"\n",
            3,
            0,
            "不认识的设置项“server”",
        ),
        ("ofice = \"x\"\n", 1, 0, "您是不是要写“office”？"),
        (
            "colour = \"red\"\n",
            1,
            0,
            "可用的设置项：“office”（制表单位）",
        ),
        (
            "office = \"a\"\ndue_day = \"5\"\n",
            2,
            0,
            "“due_day”的取值无效，应为 1 到 31 之间的整数",
        ),
        ("due_day = 40\n", 1, 0, "应为 1 到 31 之间的整数"),
        ("due_day = 0\n", 1, 0, "“due_day”的取值无效"),
        ("due_day = -3\n", 1, 0, "“due_day”的取值无效"),
        (
            "listen = \"8080\"\n",
            1,
            0,
            "“listen”的取值无效，应为加英文双引号的“地址:端口”",
        ),
        ("\nlisten = 8080\n", 2, 0, "“listen”的取值无效"),
        ("office = \"  \"\n", 1, 0, "“office”的取值无效"),
        (
            "input = 3\n",
            1,
            0,
            "“input”的取值无效，应为加英文双引号的文件夹路径",
        ),
        (
            "tls_cert = \"c.pem\"\n",
            1,
            0,
            "“tls_cert”要与“tls_key”一起设置",
        ),
        (
            "period = \"2018-13\"\n",
            1,
            0,
            "“period”的取值无效，应为加英文双引号的月份",
        ),
        (
            "min_free_mb = -1\n",
            1,
            0,
            "“min_free_mb”的取值无效，应为 0 到 1000000 之间的整数",
        ),
        ("unit_uploads = 0\n", 1, 0, "“unit_uploads”的取值无效"),
        (
            "max_connections = \"9\"\n",
            1,
            0,
            "“max_connections”的取值无效",
        ),
        (
            "reply_by_days = 0\n",
            1,
            0,
            "“reply_by_days”的取值无效，应为 1 到 365 之间的整数",
        ),
        (
            "letter_date = \"2018-8-40\"\n",
            1,
            0,
            "“letter_date”的取值无效，应为加英文双引号的日期",
        ),
        (
            "letter_date = 2018-08-10\n",
            1,
            0,
            "“letter_date”的取值无效",
        ),
        (
            "public_url = \"10.0.0.5:8080\"\n",
            1,
            0,
            "“public_url”的取值无效，应为加英文双引号、以 http:// 或 https:// 开头的网址",
        ),
        (
            "public_url = \"http://省厅 服务器/\"\n",
            1,
            0,
            "“public_url”的取值无效",
        ),
    ];

    #[test]
    fn broken_files_name_the_line_in_chinese() {
        let mut failures = Vec::new();
        for (text, line, column, words) in BROKEN {
            let message = match parsed(text) {
                Ok(v) => format!("accepted: {v:?}"),
                Err(e) => e.to_string(),
            };
            let place = if *column > 0 {
                format!("第 {line} 行第 {column} 列")
            } else {
                format!("第 {line} 行")
            };
            let english = english_prose(&message);
            if !message.contains("/etc/x/config.toml")
                || !message.contains(&place)
                || !message.contains(words)
                || !english.is_empty()
            {
                failures.push(format!(
                    "{text:?}: want {place} and “{words}”, got {message} (English {english:?})"
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// English words outside quotes, paths and the echoed line: none may reach a user.
    fn english_prose(message: &str) -> Vec<String> {
        let mut unquoted = String::new();
        let mut quoted = false;
        // The echoed line and caret follow the first line break.
        for c in message.lines().next().unwrap_or("").chars() {
            match c {
                '“' => quoted = true,
                '”' => quoted = false,
                _ if !quoted => unquoted.push(c),
                _ => {}
            }
        }
        unquoted
            .split(|c: char| c.is_whitespace() || "：，。；（）".contains(c))
            .filter(|w| !w.contains('/') && !w.contains('.') && !w.starts_with('-'))
            .flat_map(|w| w.split(|c: char| !c.is_ascii_alphabetic()))
            .filter(|w| w.len() >= 2 && !["UTF", "HTTPS", "PEM"].contains(w))
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn syntax_error_shows_the_line_and_a_caret_under_the_column() {
        let err = parsed("office = 海南省教育厅\n").expect_err("unquoted");
        let text = err.to_string();
        assert!(
            text.ends_with("    office = 海南省教育厅\n             ^"),
            "{text}"
        );
    }

    #[test]
    fn lookup_order() {
        let dir = tempfile::tempdir().expect("dir");
        let local = dir.path().join("county-returns.toml");
        let system = dir.path().join("system.toml");
        let named = dir.path().join("named.toml");
        std::fs::write(&local, "due_day = 7\n").expect("local");
        std::fs::write(&system, "office = \"系统\"\ndue_day = 3\n").expect("system");
        std::fs::write(&named, "contact = \"某人\"\n").expect("named");
        let load = |flag: Option<&Path>, env: Option<&OsStr>| {
            Config::load(&Lookup {
                flag,
                env,
                local: &local,
                system: &system,
            })
        };
        // Working folder over /etc, key by key.
        let both = load(None, None).expect("both");
        assert_eq!(
            both.chosen,
            Chosen::Found(vec![local.clone(), system.clone()])
        );
        assert_eq!(both.values.due_day.map(|s| s.value), Some(7));
        assert_eq!(both.values.office.map(|s| s.value).as_deref(), Some("系统"));
        // The environment, then --config: the only file read.
        let env = load(None, Some(named.as_os_str())).expect("env");
        assert_eq!(env.chosen, Chosen::Env(named.clone()));
        assert_eq!(env.values.due_day, None);
        assert_eq!(env.values.contact.map(|s| s.value).as_deref(), Some("某人"));
        let flag = load(Some(Path::new("/dev/null")), Some(named.as_os_str())).expect("flag");
        assert_eq!(flag.values, Values::default());
        // An empty variable is no variable.
        assert_eq!(
            load(None, Some(OsStr::new("")))
                .expect("empty")
                .files()
                .len(),
            2
        );
        // A named file must be there; a looked-for one may not.
        let missing = dir.path().join("no.toml");
        assert_eq!(
            load(Some(&missing), None),
            Err(ConfigError::Missing {
                path: missing.clone(),
                named_by: NamedBy::Flag
            })
        );
        let err = load(None, Some(missing.as_os_str())).expect_err("env missing");
        assert!(
            err.to_string()
                .contains("由环境变量“COUNTY_RETURNS_CONFIG”指定"),
            "{err}"
        );
        std::fs::remove_file(&local).expect("rm");
        let system_only = load(None, None).expect("system only");
        assert_eq!(system_only.files(), vec![system.as_path()]);
        assert_eq!(
            system_only.values.due_day.map(|s| s.origin),
            Some(Origin::File {
                path: system.clone(),
                line: 2
            })
        );
    }

    #[test]
    fn encodings_a_bom_and_gbk() {
        let dir = tempfile::tempdir().expect("dir");
        let bom = dir.path().join("bom.toml");
        std::fs::write(&bom, "\u{feff}office = \"海口\"\n").expect("bom");
        let v = read(&bom, Some(NamedBy::Flag)).expect("bom read");
        assert_eq!(v.office.map(|s| s.value).as_deref(), Some("海口"));
        let gbk = dir.path().join("gbk.toml");
        // "office = "海口"" in GBK.
        std::fs::write(&gbk, b"office = \"\xba\xa3\xbf\xda\"\n").expect("gbk");
        assert!(matches!(
            read(&gbk, Some(NamedBy::Flag)),
            Err(ConfigError::NotUtf8 { .. })
        ));
    }

    #[test]
    fn flag_over_file_over_default() {
        let file_value = Setting {
            value: 7,
            origin: file(3),
        };
        assert_eq!(
            Setting::pick(Some(9), Some(&file_value), || 5),
            Setting {
                value: 9,
                origin: Origin::Flag
            }
        );
        assert_eq!(Setting::pick(None, Some(&file_value), || 5), file_value);
        assert_eq!(
            Setting::pick(None, None, || 5),
            Setting {
                value: 5,
                origin: Origin::Default
            }
        );
        assert_eq!(Setting::<u32>::given(None, None), None);
        assert_eq!(file(4).to_string(), "配置文件 /etc/x/config.toml 第 4 行");
    }

    #[test]
    fn the_shipped_file_is_valid_and_names_every_key() {
        let text = include_str!("../packaging/config.toml");
        let path = Path::new(SYSTEM_FILE);
        let v = parse(text, path).expect("the packaged config.toml parses");
        // Its active values are the built-in defaults but for the data folders.
        assert_eq!(v.office.map(|s| s.value).as_deref(), Some("海南省教育厅"));
        assert_eq!(v.due_day.map(|s| s.value), Some(5));
        assert_eq!(
            v.listen.map(|s| s.value.to_string()).as_deref(),
            Some("127.0.0.1:8080")
        );
        assert_eq!(
            v.input.map(|s| s.value),
            Some(PathBuf::from("/var/lib/county-returns/input"))
        );
        assert_eq!(
            v.output.map(|s| s.value),
            Some(PathBuf::from("/var/lib/county-returns/output"))
        );
        // Every key is there, set or commented out, so an office sees them all.
        for key in KEYS {
            let written = text.lines().any(|l| {
                l.trim_start_matches(['#', ' '])
                    .starts_with(&format!("{} = ", key.name))
            });
            assert!(written, "packaging/config.toml lacks {}", key.name);
        }
        // The commented examples are valid too, once uncommented.
        let uncommented: String = text
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest)
                    if KEYS
                        .iter()
                        .any(|k| rest.starts_with(&format!("{} = ", k.name))) =>
                {
                    rest
                }
                _ => l,
            })
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(
            parse(&uncommented, path).is_ok(),
            "{:?}",
            parse(&uncommented, path)
        );
    }

    #[test]
    fn every_key_is_a_field_of_the_file() {
        // A key listed but not read (or read but not listed) fails here.
        for key in KEYS {
            let value = if [
                "due_day",
                "reply_by_days",
                "min_free_mb",
                "unit_uploads",
                "unit_mb",
                "max_connections",
            ]
            .contains(&key.name)
            {
                "5"
            } else if key.name == "period" {
                "\"2018-07\""
            } else if key.name == "letter_date" {
                "\"2018-08-10\""
            } else if key.name == "public_url" {
                "\"http://10.0.0.5:8080\""
            } else if key.name == "listen" {
                "\"127.0.0.1:1\""
            } else {
                "\"x\""
            };
            let mut text = format!("{} = {value}\n", key.name);
            if key.name == "tls_cert" {
                text.push_str("tls_key = \"k\"\n");
            }
            if key.name == "tls_key" {
                text.push_str("tls_cert = \"c\"\n");
            }
            assert!(parsed(&text).is_ok(), "{}: {:?}", key.name, parsed(&text));
        }
    }
}
