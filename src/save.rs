//! Writing files so that a failed or killed run leaves what was there before.
//!
//! [`save_atomic`] and [`write_atomic`] write one file: into a temporary file beside
//! the target, synced, then renamed over it. [`Outputs`] writes a run's files as
//! one: each is [`Staged`] as a temporary file; then a commit record listing them is
//! written, the moment the new set exists; the temporary files are renamed into
//! place and the record is removed. A run that fails or is killed before the record
//! is written leaves the old files (its temporary files are removed, or by the next
//! run's [`recover`]); killed after, the next run's [`recover`] finishes the renames.
//! Every writer of the pipeline saves through here; this module imports nothing of it.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// How temporary files begin: hidden, so no folder listing takes them for returns.
pub const TEMP_PREFIX: &str = ".county-returns-";
const TEMP_SUFFIX: &str = ".tmp";
/// The commit record of an [`Outputs`], in the folder it was made for.
const RECORD: &str = ".county-returns-commit";

/// Writes `bytes` to `target` through a temporary file in the same folder, so the
/// target is either the old file or the whole new one.
///
/// # Errors
/// When the folder cannot be created or written, or the target is locked (open in Excel).
pub fn save_atomic(bytes: &[u8], target: &Path) -> std::io::Result<()> {
    write_atomic(target, |out| out.write_all(bytes))
}

/// Like [`save_atomic`], with the content streamed by `write` instead of held whole.
///
/// # Errors
/// As [`save_atomic`], and whatever `write` returns.
pub fn write_atomic(
    target: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let temp = stage_file(target, true, write)?;
    std::fs::rename(&temp, target).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })?;
    sync_folder(folder_of(target));
    Ok(())
}

/// Writes a temporary file beside `target`, synced to disk, and gives its path.
fn stage_file(
    target: &Path,
    shared: bool,
    write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> std::io::Result<PathBuf> {
    let dir = folder_of(target);
    std::fs::create_dir_all(dir)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX);
    // A temp file is private (0600), which a secret keeps from the start; the
    // workbook is for the office to share.
    #[cfg(unix)]
    if shared {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let temp = builder.tempfile_in(dir)?;
    let (file, path) = temp.keep().map_err(|e| e.error)?;
    let written = (|| {
        let mut out = BufWriter::new(file);
        write(&mut out)?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()
    })();
    match written {
        Ok(()) => Ok(path),
        Err(e) => {
            let _ = std::fs::remove_file(&path);
            Err(e)
        }
    }
}

pub(crate) fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Makes a folder's new entries durable (a rename is only on disk once its folder is).
pub(crate) fn sync_folder(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// A file's new content written beside it, waiting to be put in place by
/// [`Outputs::commit`]. Dropped unused, it leaves nothing behind.
pub struct Staged {
    temp: PathBuf,
    target: PathBuf,
    placed: bool,
}

impl Staged {
    /// Writes `target`'s new content to a temporary file beside it.
    ///
    /// # Errors
    /// When the folder cannot be created or written, or `write` fails.
    pub fn write(
        target: &Path,
        write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
    ) -> std::io::Result<Self> {
        Ok(Self {
            temp: stage_file(target, true, write)?,
            target: target.to_path_buf(),
            placed: false,
        })
    }

    /// Like [`Staged::bytes`], for a secret: readable by its owner only (0600
    /// on Unix) from the moment it is written.
    ///
    /// # Errors
    /// As [`Staged::write`].
    pub fn private_bytes(target: &Path, bytes: &[u8]) -> std::io::Result<Self> {
        Ok(Self {
            temp: stage_file(target, false, |out| out.write_all(bytes))?,
            target: target.to_path_buf(),
            placed: false,
        })
    }

    /// Like [`Staged::write`], with the bytes held whole.
    ///
    /// # Errors
    /// As [`Staged::write`].
    pub fn bytes(target: &Path, bytes: &[u8]) -> std::io::Result<Self> {
        Self::write(target, |out| out.write_all(bytes))
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.placed {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// A run's files, written all together or not at all.
pub struct Outputs {
    /// Where the commit record goes (the workbook's folder).
    home: PathBuf,
    /// In the order they are to be put in place.
    staged: Vec<Staged>,
}

impl Outputs {
    /// Outputs whose commit record is kept in `home`.
    pub fn new(home: &Path) -> Self {
        Self {
            home: home.to_path_buf(),
            staged: Vec::new(),
        }
    }

    /// Adds a staged file; it is put in place with the others at [`Outputs::commit`].
    pub fn add(&mut self, staged: Staged) {
        self.staged.push(staged);
    }

    /// Puts every staged file in place. The commit record is written first: from
    /// then on the new set exists, and a run killed during the renames has them
    /// finished by the next run's [`recover`].
    ///
    /// # Errors
    /// When the record cannot be written (nothing is replaced then) or a rename
    /// fails (the record stays, and the next run finishes the job).
    pub fn commit(mut self) -> std::io::Result<()> {
        // A rename that cannot succeed is found before anything is replaced.
        if let Some(s) = self.staged.iter().find(|s| s.target.is_dir()) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::IsADirectory,
                format!("{} is a folder", s.target.display()),
            ));
        }
        let record: String = self
            .staged
            .iter()
            .map(|s| {
                format!(
                    "{}\t{}\n",
                    absolute(&s.temp).display(),
                    absolute(&s.target).display()
                )
            })
            .collect();
        let record_path = self.home.join(RECORD);
        save_atomic(record.as_bytes(), &record_path)?;
        // From here the temporary files belong to the record, whatever happens.
        let pairs: Vec<(PathBuf, PathBuf)> = self
            .staged
            .iter_mut()
            .map(|s| {
                s.placed = true;
                (s.temp.clone(), s.target.clone())
            })
            .collect();
        finish(&pairs)?;
        std::fs::remove_file(&record_path)?;
        sync_folder(&self.home);
        Ok(())
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Renames each staged file whose temporary file still exists, in order.
fn finish(staged: &[(PathBuf, PathBuf)]) -> std::io::Result<()> {
    for (temp, target) in staged {
        if temp.exists() {
            std::fs::rename(temp, target)?;
            sync_folder(folder_of(target));
        }
    }
    Ok(())
}

/// What a killed run left in `dir`, set right: an [`Outputs`] committed but not
/// finished is finished; temporary files of any unfinished write are removed.
/// Gives how many files were put in place.
///
/// # Errors
/// When the folder cannot be read or a rename fails.
pub fn recover(dir: &Path) -> std::io::Result<usize> {
    let record_path = dir.join(RECORD);
    let mut finished = 0;
    if let Ok(record) = std::fs::read_to_string(&record_path) {
        let staged: Vec<(PathBuf, PathBuf)> = record
            .lines()
            .filter_map(|line| line.split_once('\t'))
            .map(|(temp, target)| (PathBuf::from(temp), PathBuf::from(target)))
            .collect();
        finished = staged.iter().filter(|(temp, _)| temp.exists()).count();
        finish(&staged)?;
        std::fs::remove_file(&record_path)?;
    }
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            for entry in entries.filter_map(Result::ok) {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX) {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
            Ok(finished)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(finished),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_dropped_leave_nothing_and_committed_replace_all() {
        let dir = tempfile::tempdir().expect("dir");
        let (a, b) = (dir.path().join("a.txt"), dir.path().join("sub/b.txt"));
        std::fs::write(&a, "old").expect("old");
        {
            let mut outputs = Outputs::new(dir.path());
            outputs.add(Staged::bytes(&a, b"new").expect("stage"));
            outputs.add(Staged::bytes(&b, b"new").expect("stage"));
        }
        assert_eq!(std::fs::read_to_string(&a).expect("a"), "old");
        assert!(!b.exists());
        let leftovers = std::fs::read_dir(dir.path())
            .expect("dir")
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            })
            .count();
        assert_eq!(leftovers, 0);

        let mut outputs = Outputs::new(dir.path());
        outputs.add(Staged::bytes(&a, b"new").expect("stage"));
        outputs.add(Staged::bytes(&b, b"new").expect("stage"));
        outputs.commit().expect("commit");
        assert_eq!(std::fs::read_to_string(&a).expect("a"), "new");
        assert_eq!(std::fs::read_to_string(&b).expect("b"), "new");
        assert!(!dir.path().join(RECORD).exists());
    }

    #[test]
    fn recover_finishes_a_committed_set_and_clears_the_rest() {
        let dir = tempfile::tempdir().expect("dir");
        let target = dir.path().join("out.xlsx");
        std::fs::write(&target, "old").expect("old");
        // A run killed after its record was written, before the rename.
        let temp = dir.path().join(".county-returns-abc.tmp");
        std::fs::write(&temp, "new").expect("temp");
        let record = format!("{}\t{}\n", temp.display(), target.display());
        std::fs::write(dir.path().join(RECORD), record).expect("record");
        // And an unfinished write of another run.
        std::fs::write(dir.path().join(".county-returns-xyz.tmp"), "half").expect("stray");
        assert_eq!(recover(dir.path()).expect("recover"), 1);
        assert_eq!(std::fs::read_to_string(&target).expect("target"), "new");
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["out.xlsx"]);
    }
}
