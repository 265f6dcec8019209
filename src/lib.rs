//! county-returns: consolidates the monthly progress returns of Hainan's cities and
//! counties against the tasks of the plan to eliminate over-sized classes.
//!
//! The pipeline, one module each:
//! 1. [`catalogue`] parses the responsibility table into tasks with deadline dates;
//! 2. [`roster`] says which units must report on which tasks;
//! 3. [`intake`] reads every return of a period folder, whatever its drift;
//! 4. [`check`] gives every expected (unit, task) a verdict by SPEC §4;
//! 5. [`report`] lays the verdicts and problems out as the consolidated workbook,
//!    [`feedback`] as one 督办单 per unit; [`look`] is the look they, the template
//!    and the annotated copy share.
//!
//! [`serve`] collects a period's returns over the web and consolidates them the same way;
//! it hands the office the month's [`papers`] in one zip and the [`remind`] texts
//! for the units still owing their return.

pub mod annotate;
pub mod catalogue;
pub mod check;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod digest;
pub mod feedback;
pub mod inspect;
pub mod intake;
pub mod look;
pub mod manual;
pub mod monthly;
pub mod os;
pub mod papers;
pub mod period;
pub mod pipeline;
pub mod problem;
pub mod remind;
pub mod report;
pub mod roster;
pub mod save;
pub mod serve;
pub mod table;
pub mod template;

#[cfg(test)]
mod messages;
