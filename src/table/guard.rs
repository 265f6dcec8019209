//! The reading libraries may panic on a hostile file (calamine's arithmetic on a
//! corrupt dimension, umya's on a broken part). A panic inside [`quietly`] is caught
//! and given back as its message, so that one bad file becomes its own problem row
//! or a fallback instead of stopping the run; the program's panic hook asks
//! [`in_guard`] and stays quiet there. An out-of-memory abort is not a panic: the
//! readers' bounds ([`super::format::Limits`]) keep that from happening.

use super::format::OpenError;

thread_local! {
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether this thread is inside [`quietly`]: the panic hook stays quiet there,
/// since the panic becomes a problem row or a fallback instead.
pub fn in_guard() -> bool {
    GUARDED.with(std::cell::Cell::get)
}

/// Runs a reader, a panic inside it turned into the file's [`OpenError::ReaderFailed`].
///
/// # Errors
/// The reader's own error, or the panic's message as [`OpenError::ReaderFailed`].
pub fn read_guarded<T>(read: impl FnOnce() -> Result<T, OpenError>) -> Result<T, OpenError> {
    quietly(read).unwrap_or_else(|reason| Err(OpenError::ReaderFailed(reason)))
}

/// Runs `run`, a panic inside it caught and given back as its message, with the
/// panic hook quiet: for library code that may panic on a file, whose caller has
/// something better to do than stop (list the file's problem, or fall back).
///
/// # Errors
/// The panic's message, when `run` panicked.
pub fn quietly<T>(run: impl FnOnce() -> T) -> Result<T, String> {
    let outer = in_guard();
    GUARDED.with(|g| g.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run));
    // A guard inside a guard (a zip member read inside the zip's) leaves it on.
    GUARDED.with(|g| g.set(outer));
    result.map_err(|panic| {
        panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_while_reading_becomes_the_files_problem() {
        let result: Result<(), OpenError> = read_guarded(|| panic!("no entry found for key"));
        assert_eq!(
            result,
            Err(OpenError::ReaderFailed("no entry found for key".into()))
        );
        assert!(!in_guard());
    }

    #[test]
    fn a_guard_inside_a_guard_keeps_the_outer_one() {
        let inner = quietly(|| {
            let _ = quietly(|| panic!("inner"));
            in_guard()
        });
        assert_eq!(inner, Ok(true));
        assert!(!in_guard());
    }
}
