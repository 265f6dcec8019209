//! The look every document the tool writes shares: fonts, colours, borders and
//! page setup ([`style`]), list tables whose text from returns can only be
//! written as text ([`table`], of [`cells`]), laid out for the printed page from what they
//! hold ([`layout`], on the printers' measured metrics in [`measure`]), and CSV
//! files a spreadsheet never runs as formulas ([`csv`]).
//!
//! It sits on the pipeline after [`crate::check`] (a verdict has its colour) and
//! below every writer: the consolidated workbook ([`crate::report`]), the 督办单
//! ([`crate::feedback`]), the blank return ([`crate::template`]) and the annotated
//! copy ([`crate::annotate`]). What goes on a page is theirs; how it looks is here.

pub mod cells;
pub mod csv;
pub mod layout;
pub mod measure;
pub mod style;
pub mod table;
