//! Which month the server collects. The calendar is looked at on every request,
//! never by a timer: the day after the due date the next request finds the next
//! period, and the server moves on without a restart.
//!
//! The month M being collected is the one whose due date (day `due_day` of month
//! M+1, the month's last day when it is shorter) is the first on or after today:
//! on 2018-08-03 with the due day 5, 2018-07; on 2018-08-06, 2018-08.

use std::time::Instant;

use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, TimeZone, Utc};

use crate::period::Month;

/// The environment variable that starts the clock at another time: tests of the
/// real binary only (`2018-08-05T23:59:57`, local time). Read once, by `cli`.
pub const NOW_VAR: &str = "COUNTY_RETURNS_NOW";

/// Where the time comes from.
#[derive(Debug, Clone, Copy)]
pub enum Calendar {
    /// The machine's clock.
    System,
    /// A clock that read `start` when the process began, and runs on from there
    /// at the machine's pace ([`NOW_VAR`]).
    Shifted { start: DateTime<Utc>, at: Instant },
}

impl Calendar {
    /// The calendar [`NOW_VAR`] asks for: `None` when it is not set, an error
    /// (in Chinese) when it is not a local time `YYYY-MM-DDTHH:MM:SS`.
    ///
    /// # Errors
    /// A value that is not such a time.
    pub fn shifted(value: &str) -> Result<Self, String> {
        let start = NaiveDateTime::parse_from_str(value.trim(), "%Y-%m-%dT%H:%M:%S")
            .ok()
            .and_then(|t| Local.from_local_datetime(&t).earliest())
            .ok_or_else(|| {
                format!(
                    "环境变量 {NOW_VAR} 的取值“{value}”无效：应为本地时间，例如 2018-08-05T23:59:57"
                )
            })?;
        Ok(Self::Shifted {
            start: start.with_timezone(&Utc),
            at: Instant::now(),
        })
    }

    /// Now.
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Self::System => Utc::now(),
            Self::Shifted { start, at } => {
                *start + chrono::TimeDelta::from_std(at.elapsed()).unwrap_or_default()
            }
        }
    }

    /// Today's date, local time.
    pub fn today(&self) -> NaiveDate {
        self.now().with_timezone(&Local).date_naive()
    }
}

/// A time as the office reads it: `2018-08-03 10:02:03`, local time.
pub fn local_time(time: DateTime<Utc>) -> String {
    time.with_timezone(&Local)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// The month being collected on `today`, returns due on day `due_day` of the next month.
pub fn current_period(today: NaiveDate, due_day: u32) -> Month {
    let previous = Month::of(today).previous();
    let due = previous
        .end()
        .and_then(|end| crate::period::returns_due(end, due_day));
    match due {
        Some(due) if today <= due => previous,
        _ => Month::of(today),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn the_month_whose_due_date_comes_first() {
        let cases = [
            // SPEC §10.1's two examples.
            ("2018-08-03", 5, "2018-07"),
            ("2018-08-10", 5, "2018-08"),
            // The due date itself still belongs to the month before; the day after moves on.
            ("2018-08-05", 5, "2018-07"),
            ("2018-08-06", 5, "2018-08"),
            ("2018-08-01", 5, "2018-07"),
            ("2018-07-31", 5, "2018-07"),
            // Over the new year.
            ("2019-01-04", 5, "2018-12"),
            ("2019-01-06", 5, "2019-01"),
            // A due day past the month's end is its last day.
            ("2019-03-01", 31, "2019-02"),
            ("2019-02-28", 31, "2019-01"),
            ("2019-03-31", 31, "2019-02"),
            ("2019-04-01", 31, "2019-03"),
            // Due on the 1st.
            ("2018-08-01", 1, "2018-07"),
            ("2018-08-02", 1, "2018-08"),
        ];
        for (today, due_day, want) in cases {
            assert_eq!(
                current_period(day(today), due_day).to_string(),
                want,
                "{today} due day {due_day}"
            );
        }
    }

    #[test]
    fn a_shifted_clock_runs_on_from_its_start() {
        let calendar = Calendar::shifted("2018-08-05T23:59:59").expect("valid");
        assert_eq!(calendar.today(), day("2018-08-05"));
        let first = calendar.now();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        // It runs on: a second later it is the next day.
        assert!(calendar.now() > first);
        assert_eq!(calendar.today(), day("2018-08-06"));
        assert_eq!(
            Calendar::shifted("2018-08-05").expect_err("no time"),
            "环境变量 COUNTY_RETURNS_NOW 的取值“2018-08-05”无效：应为本地时间，例如 2018-08-05T23:59:57"
        );
    }
}
