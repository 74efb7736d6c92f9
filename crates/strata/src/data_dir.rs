//! The data directory is private to the user running strata: it holds every account's secret
//! keys (in the store), KMS key material and the objects. From start-up on, what strata
//! creates is `0600` (files) and `0700` (directories); the data directory itself is `0700`,
//! tightened from what an older strata left; one that others may write to is refused, since
//! they could plant or swap the files strata trusts.

use std::fs;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::Path;

use anyhow::{Context, bail};

/// Writes `path` whole and private (`0600`), as the data directory's secrets need: a
/// temporary file beside it, fsynced, renamed over it.
pub fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Makes what this process creates private to its user (umask `077`).
pub fn private_files() {
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
}

/// Creates `path` (mode `0700`) or checks the one there: refused when group or others may
/// write to it, tightened to `0700` (with what is inside) when they may only read.
pub fn prepare(path: &Path) -> anyhow::Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .with_context(|| format!("cannot create data directory {}", path.display()))?;
    let mode = fs::metadata(path)
        .with_context(|| format!("cannot read data directory {}", path.display()))?
        .permissions()
        .mode()
        & 0o777;
    if mode & 0o022 != 0 {
        bail!(
            "data directory {} is writable by others (mode {mode:03o}); it holds secret keys: `chmod 700 {}` it, or choose another --data-dir",
            path.display(),
            path.display()
        );
    }
    if mode != 0o700 {
        tighten(path)
            .with_context(|| format!("cannot make data directory {} private", path.display()))?;
    }
    Ok(())
}

/// `0700` for `path` and the directories in it, `0600` for its files (symbolic links are
/// left alone).
fn tighten(path: &Path) -> std::io::Result<()> {
    fs::set_permissions(path, fs::Permissions::from_mode(0o700))?;
    for entry in fs::read_dir(path)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            tighten(&entry.path())?;
        } else if kind.is_file() {
            fs::set_permissions(entry.path(), fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}
