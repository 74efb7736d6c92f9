//! Object bytes on disk: one file per blob under `<root>/<2 hex>/<32 hex>`, written once,
//! never modified, deleted when no object or part refers to it any more.
//!
//! A [`BlobWriter`] streams a body: small bodies stay in memory and end up inline in the
//! object's record; past [`INLINE_MAX`] bytes they spill to a new blob file. [`BlobWriter::finish`]
//! checks the MD5 and makes the file durable (fsync of the file and of its directory) before
//! the metadata that names it is committed. Until then a [`Blob`] owns its file: dropping it
//! (a failed or abandoned request) removes the file, so a failed upload leaves nothing.
//!
//! An SSE-KMS object's bytes are encrypted at rest: [`BlobWriter::encrypt`] makes the writer
//! encrypt every chunk with AES-256-CTR under the object's data key and a fresh IV, kept in
//! the blob's [`Segment`] (or, for a small body kept inline, in the object record). A reader
//! given the data key decrypts from any offset (CTR seeks), so ranges and part reads cost
//! nothing extra. Content-MD5 is checked against the plaintext, as the client sent it; the
//! ETag of an encrypted body is the MD5 of its MD5 and IV, so, as on S3, it is not the MD5 of
//! the data (and costs no second pass over the bytes).
//!
//! A crash between a blob's fsync and its metadata commit leaves an unreferenced file; it
//! takes space but is never read. So does a commit the store failed part-way (its record may
//! be applied, so the file is kept); the next start removes both.
//!
//! Bodies never fill the disk, so that the store (which cannot continue after running out of
//! space) never does: a body whose declared length would leave less than [`KEEP_FREE`] free is
//! refused before it is read, and one that, racing others, would bring the disk down to the
//! store's own reserve is cut short. Both fail with an "out of space" error, alone, their file
//! removed.

use std::collections::VecDeque;
use std::io::{self, SeekFrom};
use std::path::{Path, PathBuf};

use bytes::{Bytes, BytesMut};
use md5::{Digest, Md5};
use tokio::fs::File;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt, BufWriter};

use aes::Aes256;
use ctr::cipher::{KeyIvInit, StreamCipher, StreamCipherSeek};

use crate::{Result, S3Error, Segment};

/// AES-256 in counter mode, big-endian 128-bit counter.
type Cipher = ctr::Ctr128BE<Aes256>;

/// An object's data key (the plaintext of its SSE-KMS data key).
pub type DataKey = [u8; 32];

/// A cipher for `key` and `iv`, positioned at byte `offset` of the stream.
fn cipher_at(key: &DataKey, iv: &[u8; 16], offset: u64) -> Cipher {
    let mut cipher = Cipher::new(key.into(), iv.into());
    cipher.seek(offset);
    cipher
}

/// An IV from its hex (`what` names whose, for the error).
fn parse_iv(text: Option<&str>, what: &str) -> Result<Option<[u8; 16]>> {
    let Some(text) = text else {
        return Ok(None);
    };
    let mut iv = [0u8; 16];
    hex::decode_to_slice(text, &mut iv)
        .map_err(|_| S3Error::Corrupt(format!("the IV of {what}")))?;
    Ok(Some(iv))
}

fn without_key() -> S3Error {
    S3Error::Corrupt("an encrypted object was read without its data key".into())
}

/// Bodies up to this size are stored inline with their metadata (one group-committed
/// write, no file, no extra fsync).
pub const INLINE_MAX: usize = 64 * 1024;

/// Bytes handed out per read of an object.
const READ_CHUNK: usize = 256 * 1024;

/// Free space a body must leave, by its declared length, to be taken ([`BlobWriter::check_room`]).
/// The store refuses writes only below [`strata_storage::MIN_FREE_SPACE`], so uploads that fill
/// the disk fail on their own, before the client sends them, while object records, deletes and
/// DynamoDB items still go through.
pub const KEEP_FREE: u64 = 2 * strata_storage::MIN_FREE_SPACE;

/// Bytes a body may write between two readings of the free space (one `statvfs`). A body in
/// flight is cut short only if its next step would leave less than the store's own reserve:
/// that happens only to bodies racing each other for the last space (one alone was checked
/// against [`KEEP_FREE`] first), and it costs the client its connection, as the rest of its body
/// goes unread; the store running out of space instead would need a restart.
const SPACE_CHECK_STEP: u64 = 1024 * 1024;

/// The directory of blob files.
pub struct BlobDir {
    root: PathBuf,
    /// Keeps a temporary directory (`--in-memory`) alive as long as the engine.
    _temporary: Option<tempfile::TempDir>,
}

impl BlobDir {
    /// Blob files under `root`, created if missing.
    pub fn open(root: &Path) -> Result<Self> {
        std::fs::create_dir_all(root)?;
        Ok(Self {
            root: root.to_path_buf(),
            _temporary: None,
        })
    }

    /// Blob files in a new temporary directory, removed when the engine is dropped.
    pub fn temporary() -> Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("strata-objects-")
            .tempdir()?;
        Ok(Self {
            root: dir.path().to_path_buf(),
            _temporary: Some(dir),
        })
    }

    fn path(&self, id: &str) -> PathBuf {
        self.root.join(&id[..2]).join(id)
    }

    /// Starts writing a body. `inline` allows a small body to stay in memory.
    pub fn writer(&self, inline: bool) -> BlobWriter {
        BlobWriter {
            root: self.root.clone(),
            inline,
            buffer: BytesMut::new(),
            file: None,
            md5: Md5::new(),
            size: 0,
            allowance: 0,
            cipher: None,
        }
    }

    /// Removes blob files no record refers to any more. Missing files are fine (a repeated
    /// cleanup after a crash).
    pub async fn remove(&self, ids: impl IntoIterator<Item = String>) {
        for id in ids {
            let path = self.path(&id);
            if let Err(err) = tokio::fs::remove_file(&path).await
                && err.kind() != std::io::ErrorKind::NotFound
            {
                tracing::warn!(path = %path.display(), %err, "cannot remove an unused object file");
            }
        }
    }

    /// Every blob file's id (files whose names are not blob ids are left alone).
    pub fn ids(&self) -> Result<Vec<String>> {
        let mut ids = Vec::new();
        for shard in std::fs::read_dir(&self.root)? {
            let shard = shard?;
            if !shard.file_type()?.is_dir() {
                continue;
            }
            for file in std::fs::read_dir(shard.path())? {
                let name = file?.file_name().to_string_lossy().into_owned();
                if name.len() == 32 && name.bytes().all(|b| b.is_ascii_hexdigit()) {
                    ids.push(name);
                }
            }
        }
        Ok(ids)
    }

    /// Opens `len` bytes from `start` of an object made of `segments` (or of `inline`).
    /// Every file is opened now, so a concurrent overwrite that removes them later does not
    /// cut the read short.
    /// `key` is the object's data key, needed when its bytes are encrypted (inline ones under
    /// `inline_iv`).
    pub async fn reader(
        &self,
        inline: Bytes,
        inline_iv: Option<&str>,
        segments: &[Segment],
        start: u64,
        len: u64,
        key: Option<&DataKey>,
    ) -> Result<ObjectReader> {
        if segments.is_empty() {
            let end = (start + len).min(inline.len() as u64);
            let start = start.min(end);
            let mut bytes = inline.slice(start as usize..end as usize);
            if let Some(iv) = parse_iv(inline_iv, "inline bytes")? {
                let key = key.ok_or_else(without_key)?;
                let mut plain = bytes.to_vec();
                cipher_at(key, &iv, start).apply_keystream(&mut plain);
                bytes = plain.into();
            }
            return Ok(ObjectReader {
                inline: Some(bytes),
                files: VecDeque::new(),
            });
        }
        let mut files = VecDeque::new();
        let (mut skip, mut left) = (start, len);
        for segment in segments {
            if left == 0 {
                break;
            }
            if skip >= segment.size {
                skip -= segment.size;
                continue;
            }
            let cipher = match parse_iv(segment.iv.as_deref(), &segment.blob)? {
                None => None,
                Some(iv) => Some(cipher_at(key.ok_or_else(without_key)?, &iv, skip)),
            };
            let mut file = File::open(self.path(&segment.blob)).await?;
            if skip > 0 {
                file.seek(SeekFrom::Start(skip)).await?;
            }
            let take = (segment.size - skip).min(left);
            files.push_back((file, take, cipher));
            left -= take;
            skip = 0;
        }
        Ok(ObjectReader {
            inline: None,
            files,
        })
    }
}

/// A body being written.
pub struct BlobWriter {
    root: PathBuf,
    inline: bool,
    buffer: BytesMut,
    file: Option<(BufWriter<File>, PendingFile)>,
    md5: Md5,
    size: u64,
    /// Bytes the file may still take before the free space is read again.
    allowance: u64,
    /// Encrypts what is written (SSE-KMS), with the IV the segment (or record) keeps.
    cipher: Option<(Cipher, [u8; 16])>,
}

impl BlobWriter {
    /// Encrypts the body at rest under `key` with a fresh random IV.
    pub fn encrypt(mut self, key: &DataKey) -> Result<Self> {
        let mut iv = [0u8; 16];
        getrandom::fill(&mut iv).map_err(|e| S3Error::Io(io::Error::other(e.to_string())))?;
        self.cipher = Some((cipher_at(key, &iv, 0), iv));
        Ok(self)
    }

    /// Appends a chunk of the body.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<()> {
        self.md5.update(chunk);
        self.size += chunk.len() as u64;
        if let Some((cipher, _)) = &mut self.cipher {
            let mut sealed = chunk.to_vec();
            cipher.apply_keystream(&mut sealed);
            return self.write_stored(&sealed).await;
        }
        self.write_stored(chunk).await
    }

    /// Appends bytes as they are to be stored.
    async fn write_stored(&mut self, chunk: &[u8]) -> Result<()> {
        if self.file.is_none() {
            if self.inline && self.buffer.len() + chunk.len() <= INLINE_MAX {
                self.buffer.extend_from_slice(chunk);
                return Ok(());
            }
            self.spill().await?;
        }
        self.make_room(chunk.len())?;
        let (file, _) = self.file.as_mut().expect("spilled above");
        file.write_all(chunk).await?;
        Ok(())
    }

    /// Refuses, before any of it is read, a body of `len` bytes (its declared length) that
    /// would leave the disk with less than [`KEEP_FREE`] free, so the client need not send it.
    /// A body that will stay inline is the store's to refuse.
    pub fn check_room(&self, len: u64) -> Result<()> {
        if self.inline && len <= INLINE_MAX as u64 {
            return Ok(());
        }
        self.room_above(KEEP_FREE, len)
    }

    /// Refuses `len` more bytes of file if they could leave the disk with less than the store's
    /// reserve free, reading the free space once per [`SPACE_CHECK_STEP`].
    fn make_room(&mut self, len: usize) -> Result<()> {
        let len = len as u64;
        if len > self.allowance {
            let step = len.max(SPACE_CHECK_STEP);
            self.room_above(strata_storage::MIN_FREE_SPACE, step)?;
            self.allowance = step;
        }
        self.allowance -= len;
        Ok(())
    }

    /// Whether `len` bytes fit on the disk leaving `keep` free (yes if the system cannot tell).
    fn room_above(&self, keep: u64, len: u64) -> Result<()> {
        // One cheap `statvfs`, not worth a blocking-pool hop.
        match strata_storage::free_space(&self.root) {
            Some(free) if free < keep.saturating_add(len) => Err(S3Error::Io(io::Error::new(
                io::ErrorKind::StorageFull,
                format!(
                    "the disk is nearly full: {free} bytes free, {len} more would leave less than {keep}"
                ),
            ))),
            _ => Ok(()),
        }
    }

    /// Moves what is buffered to a new blob file.
    async fn spill(&mut self) -> Result<()> {
        self.make_room(self.buffer.len())?;
        let id = uuid::Uuid::new_v4().simple().to_string();
        let dir = self.root.join(&id[..2]);
        tokio::fs::create_dir_all(&dir).await?;
        let path = dir.join(&id);
        let file = File::create_new(&path).await?;
        let pending = PendingFile {
            id,
            path: Some(path),
        };
        let mut file = BufWriter::with_capacity(READ_CHUNK, file);
        file.write_all(&self.buffer).await?;
        self.buffer = BytesMut::new();
        self.file = Some((file, pending));
        Ok(())
    }

    /// Ends the body: checks it against `expected_md5` (Content-MD5) and makes its file
    /// durable.
    pub async fn finish(mut self, expected_md5: Option<&[u8]>) -> Result<Blob> {
        let md5: [u8; 16] = self.md5.clone().finalize().into();
        if expected_md5.is_some_and(|expected| expected != md5) {
            return Err(S3Error::BadDigest);
        }
        if self.file.is_none() && !self.inline {
            self.spill().await?;
        }
        let data = match self.file.take() {
            None => BlobData::Inline(self.buffer.split().freeze()),
            Some((mut file, pending)) => {
                file.flush().await?;
                file.get_mut().sync_all().await?;
                let dir = pending.path.as_deref().and_then(Path::parent);
                if let Some(dir) = dir {
                    File::open(dir).await?.sync_all().await?;
                }
                BlobData::File(pending)
            }
        };
        Ok(Blob {
            data,
            size: self.size,
            md5,
            iv: self.cipher.map(|(_, iv)| iv),
        })
    }
}

/// A body written and verified, not yet named by any record.
pub struct Blob {
    data: BlobData,
    pub size: u64,
    pub md5: [u8; 16],
    /// The IV of an encrypted body.
    iv: Option<[u8; 16]>,
}

/// Where a committed blob's bytes are: inline in the record (encrypted under `inline_iv` when
/// set) or in the segment of its file.
pub(crate) struct Placed {
    pub inline: Bytes,
    pub inline_iv: Option<String>,
    pub segments: Vec<Segment>,
}

enum BlobData {
    Inline(Bytes),
    File(PendingFile),
}

impl Blob {
    /// A single-part ETag: the hex MD5 of the body; for an encrypted one the MD5 of that MD5
    /// and the IV, which no one can tell from the data's.
    pub fn etag(&self) -> String {
        match self.iv {
            None => hex::encode(self.md5),
            Some(iv) => {
                let mut digest = Md5::new();
                digest.update(self.md5);
                digest.update(iv);
                hex::encode(digest.finalize())
            }
        }
    }

    /// Hands the blob to the record about to be committed: its inline bytes or its file's
    /// segment. From here on the caller removes the file if the commit fails.
    pub(crate) fn into_parts(self) -> Placed {
        let iv = self.iv.map(hex::encode);
        match self.data {
            BlobData::Inline(inline) => Placed {
                inline,
                inline_iv: iv,
                segments: Vec::new(),
            },
            BlobData::File(mut pending) => {
                pending.path = None;
                let segment = Segment {
                    blob: pending.id.clone(),
                    size: self.size,
                    iv,
                };
                Placed {
                    inline: Bytes::new(),
                    inline_iv: None,
                    segments: vec![segment],
                }
            }
        }
    }
}

/// A blob file that no record names yet; removed when dropped unless kept.
struct PendingFile {
    id: String,
    /// `None` once the file is kept.
    path: Option<PathBuf>,
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            // Blocking, but only on the failure path and for one unlink.
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Reads an object's bytes in chunks.
pub struct ObjectReader {
    inline: Option<Bytes>,
    /// Each file still to read, the bytes to take from it, and its decryption.
    files: VecDeque<(File, u64, Option<Cipher>)>,
}

impl ObjectReader {
    /// The next chunk, or `None` at the end.
    pub async fn next_chunk(&mut self) -> Result<Option<Bytes>> {
        if let Some(inline) = self.inline.take() {
            return Ok((!inline.is_empty()).then_some(inline));
        }
        while let Some((file, left, cipher)) = self.files.front_mut() {
            if *left == 0 {
                self.files.pop_front();
                continue;
            }
            let want = (*left).min(READ_CHUNK as u64) as usize;
            let mut buf = BytesMut::zeroed(want);
            let read = file.read(&mut buf).await?;
            if read == 0 {
                return Err(S3Error::Corrupt(
                    "an object file is shorter than its record".into(),
                ));
            }
            buf.truncate(read);
            if let Some(cipher) = cipher {
                cipher.apply_keystream(&mut buf);
            }
            *left -= read as u64;
            return Ok(Some(buf.freeze()));
        }
        Ok(None)
    }
}
