//! Where `strata import` and `strata query` find an export: a local directory (a copy of
//! `AWSDynamoDB/<ExportId>/`) or an `s3://bucket/prefix/AWSDynamoDB/<ExportId>/` URL, read
//! from a strata server (or any S3 endpoint speaking plain HTTP) into a temporary
//! directory. Either way every manifest is checked against its `.md5` and every data file
//! against its `md5Checksum` before anyone reads a record.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use strata_export_format::{ExportListing, md5_base64};

use crate::caller::Caller;

/// An export on local disk, checked; a downloaded one is removed when this drops.
pub struct LocalExport {
    pub dir: PathBuf,
    pub listing: ExportListing,
    _download: Option<tempfile::TempDir>,
}

const MD5_CHECKSUM: &str = "md5Checksum in manifest-files.json";
const MANIFESTS: [&str; 2] = ["manifest-summary", "manifest-files"];

/// `name`'s bytes against the MD5 `expected` (from `source`: its `.md5` file or its
/// `md5Checksum` in manifest-files.json).
fn check(name: &str, bytes: &[u8], expected: &str, source: &str) -> anyhow::Result<()> {
    if expected.trim() != md5_base64(bytes) {
        bail!("{name} does not match its {source}: the export is damaged or incomplete");
    }
    Ok(())
}

/// Opens `source`; `caller` is asked for only when the source is an S3 URL.
pub fn open(
    source: &str,
    caller: impl FnOnce() -> anyhow::Result<Caller>,
) -> anyhow::Result<LocalExport> {
    match source.strip_prefix("s3://") {
        Some(location) => download(location, &caller()?),
        None => open_local(Path::new(source)),
    }
}

fn open_local(dir: &Path) -> anyhow::Result<LocalExport> {
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))
    };
    let mut manifests = Vec::new();
    for name in MANIFESTS {
        let bytes = read(&format!("{name}.json"))?;
        check(
            &format!("{name}.json"),
            &bytes,
            &String::from_utf8_lossy(&read(&format!("{name}.md5"))?),
            ".md5 file",
        )?;
        manifests.push(bytes);
    }
    let listing = ExportListing::parse(&manifests[0], &manifests[1]).map_err(anyhow::Error::msg)?;
    for entry in &listing.files {
        let name = format!("data/{}", entry.name);
        check(&name, &read(&name)?, &entry.md5, MD5_CHECKSUM)?;
    }
    Ok(LocalExport {
        dir: dir.to_owned(),
        listing,
        _download: None,
    })
}

fn download(location: &str, caller: &Caller) -> anyhow::Result<LocalExport> {
    let (bucket, prefix) = location.split_once('/').unwrap_or((location, ""));
    let prefix = prefix.trim_end_matches('/');
    if bucket.is_empty() || !prefix.contains("AWSDynamoDB/") {
        bail!("s3://{location}: expected s3://BUCKET/[PREFIX/]AWSDynamoDB/EXPORT_ID/");
    }
    let temp = tempfile::Builder::new()
        .prefix("strata-export-")
        .tempdir()?;
    std::fs::create_dir(temp.path().join("data"))?;
    let mut manifests = Vec::new();
    for name in MANIFESTS {
        let bytes = caller.s3_get(bucket, &format!("{prefix}/{name}.json"))?;
        let md5 = caller.s3_get(bucket, &format!("{prefix}/{name}.md5"))?;
        check(
            &format!("{name}.json"),
            &bytes,
            &String::from_utf8_lossy(&md5),
            ".md5 file",
        )?;
        std::fs::write(temp.path().join(format!("{name}.json")), &bytes)?;
        std::fs::write(temp.path().join(format!("{name}.md5")), &md5)?;
        manifests.push(bytes);
    }
    let listing = ExportListing::parse(&manifests[0], &manifests[1]).map_err(anyhow::Error::msg)?;
    let bar = indicatif::ProgressBar::new(listing.files.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("downloading {bar:40} {pos}/{len} data files")
            .expect("a valid template"),
    );
    for entry in &listing.files {
        let bytes = caller.s3_get(bucket, &entry.key)?;
        check(&entry.key, &bytes, &entry.md5, MD5_CHECKSUM)?;
        std::fs::write(temp.path().join("data").join(&entry.name), bytes)?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(LocalExport {
        dir: temp.path().to_owned(),
        listing,
        _download: Some(temp),
    })
}
