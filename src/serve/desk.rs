//! One period's desk: its folder planned as `run` plans it, the store its
//! uploads go into, what the log says was stored and refused, and the board's
//! consolidation. The server opens the desk of each month it collects (and of
//! the month before, for late returns) when a request first needs it.

use std::path::Path;
use std::sync::Arc;

use super::board::Board;
use super::log::{Line, Refusals, Uploads};
use super::store::Store;
use crate::inspect::Inspection;
use crate::intake::Reader;
use crate::period::Month;
use crate::pipeline::PeriodPlan;
use crate::roster::Roster;

pub struct Desk {
    /// The folder and how it is consolidated.
    pub plan: Arc<PeriodPlan>,
    pub store: Store,
    /// The uploads stored this period.
    pub uploads: Uploads,
    /// The attempts that stored nothing.
    pub refusals: Refusals,
    pub board: Board,
}

impl Desk {
    /// The desk of a planned period folder (made when missing), with what
    /// `lines` of the upload log say of it.
    ///
    /// # Errors
    /// When the folder cannot be made or listed.
    pub fn open(plan: PeriodPlan, lines: &[Line], roster: &Roster) -> std::io::Result<Self> {
        std::fs::create_dir_all(&plan.input)?;
        let store = Store::open(&plan.input, plan.period, plan.due_day)?;
        let period = plan.period.month.to_string();
        Ok(Self {
            uploads: Uploads::from_log(lines, &period, &plan.input, roster),
            refusals: Refusals::from_log(lines, &period),
            store,
            plan: Arc::new(plan),
            board: Board::default(),
        })
    }

    pub fn month(&self) -> Month {
        self.plan.period.month
    }

    pub fn dir(&self) -> &Path {
        &self.plan.input
    }

    /// A file of the folder as its unit knows it: the name its computer gave
    /// the file and when it was sent (a return filled on the form: when it was
    /// submitted), else the name it is stored under.
    pub fn shown_name(&self, file: &str) -> String {
        match self.uploads.by_file(file) {
            Some(r) if r.online => format!(
                "{}（{} 提交）",
                super::log::FILLED_ONLINE,
                super::calendar::local_time(r.time)
            ),
            Some(r) if !r.client_name.is_empty() => format!(
                "{}（{} 上传）",
                r.client_name,
                super::calendar::local_time(r.time)
            ),
            _ => file.to_string(),
        }
    }

    /// The check of a stored file of the period folder. Blocking.
    pub fn inspect(&self, reader: Reader, file: &str) -> Inspection {
        crate::inspect::inspect(
            reader,
            &self.plan.input.join(file),
            self.plan.period,
            self.plan.due_day,
        )
    }
}
