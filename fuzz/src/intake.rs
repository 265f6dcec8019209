//! AFL++ target: any bytes, as a return file, through the whole intake of one file.
//! Run it as fuzz/README.md says.

use county_returns::catalogue::Catalogue;
use county_returns::intake::read_return;
use county_returns::table::workbook::Limits;

fn main() {
    let Ok(catalogue) = Catalogue::embedded() else {
        return;
    };
    // Smaller bounds than a run's, so each execution stays fast.
    let limits = Limits {
        max_file_bytes: 1 << 20,
        max_inflated_bytes: 64 << 20,
        max_cells: 200_000,
    };
    // As in a run, a panic inside a reader is caught and becomes that file's
    // problem; what the fuzzer hunts are aborts (memory) and hangs. Set
    // COUNTY_RETURNS_FUZZ_PANICS=1 to count panics as crashes too.
    if std::env::var_os("COUNTY_RETURNS_FUZZ_PANICS").is_some() {
        afl::fuzz!(|data: &[u8]| {
            let _ = read_return(data.to_vec(), &catalogue, &limits, "fuzz.xlsx", chrono::NaiveDate::MAX);
        });
    } else {
        afl::fuzz_nohook!(|data: &[u8]| {
            let _ = std::panic::catch_unwind(|| {
                read_return(data.to_vec(), &catalogue, &limits, "fuzz.xlsx", chrono::NaiveDate::MAX)
            });
        });
    }
}
