//! AFL++ target: any bytes, as a return file, through the whole intake of one file.
//! Run it as fuzz/README.md says.

use county_returns::catalogue::Catalogue;
use county_returns::intake::read_return;
use county_returns::intake::workbook::Limits;

fn main() {
    let Ok(catalogue) = Catalogue::embedded() else { return };
    // Smaller bounds than a run's, so each execution stays fast.
    let limits = Limits { max_file_bytes: 1 << 20, max_inflated_bytes: 64 << 20, max_cells: 200_000 };
    afl::fuzz!(|data: &[u8]| {
        let _ = read_return(data.to_vec(), &catalogue, &limits, "fuzz.xlsx");
    });
}
