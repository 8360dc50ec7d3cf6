//! Files too large to hold in memory — a call's recording runs to a hundred megabytes — go in
//! and out of the attachment store a chunk at a time. Going in, the bytes are hashed as they
//! are written under a temporary name (a file in the store's `.incoming` directory, or an
//! object under `incoming/` written as a multipart upload) and moved under their key once
//! whole; a refusal or a failure deletes the temporary, so nothing half-written is ever found
//! under a key (a node killed mid-upload leaves its temporary behind, never a keyed file).
//! Going out, a byte range of a file is read as a stream, which is how a browser's audio
//! element asks for a recording it seeks in.

use std::ops::Range;
use std::path::Path;

use bytes::Bytes;
use futures_util::stream::{self, BoxStream};
use futures_util::{Stream, StreamExt};
use object_store::path::Path as ObjectPath;
use object_store::{GetOptions, GetRange, ObjectStore, WriteMultipart};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use super::{io, local_path, Backend, Files};
use crate::{StoreError, StoreResult};

/// How much is read from a local file per chunk going out.
const READ_CHUNK: usize = 64 * 1024;
/// Parts of a multipart upload in flight at once: with the 5 MiB parts S3 requires, what one
/// upload holds in memory.
const PARTS_IN_FLIGHT: usize = 2;

/// A file kept from a stream: its key and its length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub key: String,
    pub size: u64,
}

/// Why a streamed file was not kept (nothing of it was).
#[derive(Debug)]
pub enum Refused<E> {
    /// The source failed (the sender's connection broke, its provider answered an error).
    Source(E),
    /// More than the `max` bytes allowed.
    TooLarge { max: u64 },
    /// Not a byte.
    Empty,
}

/// A byte range of a kept file, as a stream.
pub struct Opened {
    /// The whole file's length.
    pub size: u64,
    /// The bytes the stream carries.
    pub range: Range<u64>,
    pub body: BoxStream<'static, StoreResult<Bytes>>,
}

impl std::fmt::Debug for Opened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Opened")
            .field("size", &self.size)
            .field("range", &self.range)
            .finish_non_exhaustive()
    }
}

/// A range the file cannot give: the HTTP edge answers 416 with the file's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsatisfiable {
    pub size: u64,
}

/// A range as a request names it (`bytes=a-b`, `bytes=a-`, `bytes=-n`), before the file's
/// size is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    /// From `start` through `end` inclusive, or to the end.
    From { start: u64, end: Option<u64> },
    /// The last `n` bytes.
    Last(u64),
}

impl Wanted {
    /// The bytes of a file of `size` this range names; `None` when it names none of them.
    pub fn within(self, size: u64) -> Option<Range<u64>> {
        let r = match self {
            Wanted::From { start, end } => start..end.map_or(size, |e| e.saturating_add(1)),
            Wanted::Last(n) => size.saturating_sub(n)..size,
        };
        let r = r.start..r.end.min(size);
        (r.start < r.end).then_some(r)
    }
}

impl Files {
    /// Keeps what `chunks` yields, at most `max` bytes, holding one chunk (one upload part on
    /// S3) in memory at a time; see the module documentation. The outer error is the store's
    /// own (the disk, the bucket); the inner one says why the file was refused.
    pub async fn put_stream<S, E>(
        &self,
        chunks: S,
        max: u64,
    ) -> StoreResult<Result<Kept, Refused<E>>>
    where
        S: Stream<Item = Result<Bytes, E>> + Send,
        E: Send,
    {
        match &self.backend {
            Backend::Local(dir) => put_local_stream(dir, chunks, max).await,
            Backend::S3(store, _) => put_s3_stream(store.as_ref(), chunks, max).await,
        }
    }

    /// The bytes of `key` that `wanted` names (the whole file without it), as a stream.
    pub async fn open(
        &self,
        key: &str,
        wanted: Option<Wanted>,
    ) -> StoreResult<Result<Opened, Unsatisfiable>> {
        let key = Self::checked(key)?;
        match &self.backend {
            Backend::Local(dir) => open_local(&local_path(dir, key), wanted).await,
            Backend::S3(store, _) => open_s3(store.clone(), key, wanted).await,
        }
    }
}

/// What a stream of chunks comes to while it is written somewhere.
struct Tally {
    hasher: Sha256,
    size: u64,
}

impl Tally {
    fn new() -> Self {
        Tally {
            hasher: Sha256::new(),
            size: 0,
        }
    }

    /// Counts `chunk`; `false` once the total passes `max`.
    fn add(&mut self, chunk: &[u8], max: u64) -> bool {
        self.size = self.size.saturating_add(chunk.len() as u64);
        self.hasher.update(chunk);
        self.size <= max
    }

    fn key(self) -> String {
        hex::encode(self.hasher.finalize())
    }
}

async fn put_local_stream<S, E>(
    dir: &Path,
    chunks: S,
    max: u64,
) -> StoreResult<Result<Kept, Refused<E>>>
where
    S: Stream<Item = Result<Bytes, E>> + Send,
{
    let incoming = dir.join(".incoming");
    tokio::fs::create_dir_all(&incoming)
        .await
        .map_err(|e| io("creating the attachment directory", e))?;
    let tmp = incoming.join(uuid::Uuid::new_v4().to_string());
    let written = async {
        let mut f = tokio::fs::File::create(&tmp)
            .await
            .map_err(|e| io("writing an attachment", e))?;
        let mut tally = Tally::new();
        let mut chunks = std::pin::pin!(chunks);
        while let Some(chunk) = chunks.next().await {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => return Ok(Err(Refused::Source(e))),
            };
            if !tally.add(&chunk, max) {
                return Ok(Err(Refused::TooLarge { max }));
            }
            f.write_all(&chunk)
                .await
                .map_err(|e| io("writing an attachment", e))?;
        }
        if tally.size == 0 {
            return Ok(Err(Refused::Empty));
        }
        f.sync_all()
            .await
            .map_err(|e| io("writing an attachment", e))?;
        Ok(Ok(tally))
    };
    let tally = match written.await {
        Ok(Ok(tally)) => tally,
        Ok(Err(why)) => {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Ok(Err(why));
        }
        Err(e) => {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(e);
        }
    };
    let size = tally.size;
    let key = tally.key();
    let path = local_path(dir, &key);
    let placed = async {
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            // Kept already (the same recording uploaded twice): the copy goes.
            return tokio::fs::remove_file(&tmp).await;
        }
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        tokio::fs::rename(&tmp, &path).await
    };
    if let Err(e) = placed.await {
        let _ = tokio::fs::remove_file(&tmp).await;
        return Err(io("writing an attachment", e));
    }
    Ok(Ok(Kept { key, size }))
}

fn s3_error(what: &str, e: object_store::Error) -> StoreError {
    StoreError::Config(format!("{what}: {e}"))
}

async fn put_s3_stream<S, E>(
    store: &dyn ObjectStore,
    chunks: S,
    max: u64,
) -> StoreResult<Result<Kept, Refused<E>>>
where
    S: Stream<Item = Result<Bytes, E>> + Send,
{
    let tmp = ObjectPath::from(format!("incoming/{}", uuid::Uuid::new_v4()));
    let upload = store
        .put_multipart(&tmp)
        .await
        .map_err(|e| s3_error("writing an attachment", e))?;
    let mut w = WriteMultipart::new(upload);
    let mut tally = Tally::new();
    let mut chunks = std::pin::pin!(chunks);
    let refused = loop {
        let Some(chunk) = chunks.next().await else {
            break (tally.size == 0).then_some(Refused::Empty);
        };
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => break Some(Refused::Source(e)),
        };
        if !tally.add(&chunk, max) {
            break Some(Refused::TooLarge { max });
        }
        if let Err(e) = w.wait_for_capacity(PARTS_IN_FLIGHT).await {
            let _ = w.abort().await;
            return Err(s3_error("writing an attachment", e));
        }
        w.write(&chunk);
    };
    if let Some(why) = refused {
        let _ = w.abort().await;
        return Ok(Err(why));
    }
    w.finish()
        .await
        .map_err(|e| s3_error("writing an attachment", e))?;
    let size = tally.size;
    let key = tally.key();
    let path = ObjectPath::from(key.as_str());
    if store.head(&path).await.is_err() {
        // A server-side copy: the bytes do not come back through this node.
        store
            .copy(&tmp, &path)
            .await
            .map_err(|e| s3_error("writing an attachment", e))?;
    }
    // A temporary left by a failed delete is only space; the key's object is whole.
    let _ = store.delete(&tmp).await;
    Ok(Ok(Kept { key, size }))
}

async fn open_local(
    path: &Path,
    wanted: Option<Wanted>,
) -> StoreResult<Result<Opened, Unsatisfiable>> {
    let mut f = match tokio::fs::File::open(path).await {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(StoreError::NotFound("file"))
        }
        Err(e) => return Err(io("reading an attachment", e)),
    };
    let size = f
        .metadata()
        .await
        .map_err(|e| io("reading an attachment", e))?
        .len();
    let range = match wanted {
        None => 0..size,
        Some(w) => match w.within(size) {
            Some(r) => r,
            None => return Ok(Err(Unsatisfiable { size })),
        },
    };
    f.seek(std::io::SeekFrom::Start(range.start))
        .await
        .map_err(|e| io("reading an attachment", e))?;
    let left = range.end - range.start;
    let body = stream::unfold((f, left), |(mut f, left)| async move {
        if left == 0 {
            return None;
        }
        let want = usize::try_from(left).unwrap_or(usize::MAX).min(READ_CHUNK);
        let mut buf = vec![0u8; want];
        match f.read(&mut buf).await {
            // The file got shorter under us: the stream ends with an error, not silently short.
            Ok(0) => Some((
                Err(StoreError::Corrupt("an attachment ended early".into())),
                (f, 0),
            )),
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(Bytes::from(buf)), (f, left - n as u64)))
            }
            Err(e) => Some((Err(io("reading an attachment", e)), (f, 0))),
        }
    })
    .boxed();
    Ok(Ok(Opened { size, range, body }))
}

async fn open_s3(
    store: std::sync::Arc<dyn ObjectStore>,
    key: &str,
    wanted: Option<Wanted>,
) -> StoreResult<Result<Opened, Unsatisfiable>> {
    let path = ObjectPath::from(key);
    let not_found = |e| match e {
        object_store::Error::NotFound { .. } => StoreError::NotFound("file"),
        e => s3_error("reading an attachment", e),
    };
    let size = store.head(&path).await.map_err(not_found)?.size;
    let range = match wanted {
        None => 0..size,
        Some(w) => match w.within(size) {
            Some(r) => r,
            None => return Ok(Err(Unsatisfiable { size })),
        },
    };
    let opts = GetOptions {
        range: Some(GetRange::Bounded(range.clone())),
        ..GetOptions::default()
    };
    let got = store.get_opts(&path, opts).await.map_err(not_found)?;
    let body = got
        .into_stream()
        .map(|r| r.map_err(|e| s3_error("reading an attachment", e)))
        .boxed();
    Ok(Ok(Opened { size, range, body }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> std::path::PathBuf {
        std::env::temp_dir().join(format!("bl-files-{}", uuid::Uuid::new_v4()))
    }

    fn chunks(parts: &[&[u8]]) -> impl Stream<Item = Result<Bytes, String>> + Send {
        let parts: Vec<Result<Bytes, String>> = parts
            .iter()
            .map(|p| Ok(Bytes::copy_from_slice(p)))
            .collect();
        stream::iter(parts)
    }

    async fn read_all(o: Opened) -> StoreResult<Vec<u8>> {
        let mut out = Vec::new();
        let mut body = o.body;
        while let Some(c) = body.next().await {
            out.extend_from_slice(&c?);
        }
        Ok(out)
    }

    #[tokio::test]
    async fn a_stream_is_kept_under_the_hash_of_its_bytes() -> Result<(), Box<dyn std::error::Error>>
    {
        let d = dir();
        let files = Files::new(&d);
        let kept = files
            .put_stream(chunks(&[b"RIFF", b"....", b"WAVEdata"]), 100)
            .await?
            .map_err(|e| format!("{e:?}"))?;
        assert_eq!(kept.size, 16);
        assert_eq!(kept.key, Files::key(b"RIFF....WAVEdata"));
        assert_eq!(files.get(&kept.key).await?, b"RIFF....WAVEdata");
        // The same bytes again: the same key, and no temporary left behind.
        let again = files
            .put_stream(chunks(&[b"RIFF....WAVEdata"]), 100)
            .await?
            .map_err(|e| format!("{e:?}"))?;
        assert_eq!(again, kept);
        assert_eq!(std::fs::read_dir(d.join(".incoming"))?.count(), 0);
        let _ = std::fs::remove_dir_all(d);
        Ok(())
    }

    #[tokio::test]
    async fn a_refused_stream_leaves_nothing() -> Result<(), Box<dyn std::error::Error>> {
        let d = dir();
        let files = Files::new(&d);
        let long = files.put_stream(chunks(&[b"12345", b"67890"]), 8).await?;
        assert!(
            matches!(long, Err(Refused::TooLarge { max: 8 })),
            "{long:?}"
        );
        let empty = files.put_stream(chunks(&[]), 8).await?;
        assert!(matches!(empty, Err(Refused::Empty)), "{empty:?}");
        let broken = stream::iter(vec![
            Ok(Bytes::from_static(b"1234")),
            Err("the sender hung up".to_owned()),
        ]);
        let cut = files.put_stream(broken, 8).await?;
        assert!(matches!(cut, Err(Refused::Source(ref s)) if s == "the sender hung up"));
        assert_eq!(std::fs::read_dir(d.join(".incoming"))?.count(), 0);
        assert!(files.get(&Files::key(b"1234")).await.is_err());
        let _ = std::fs::remove_dir_all(d);
        Ok(())
    }

    #[tokio::test]
    async fn a_range_of_a_file_is_read() -> Result<(), Box<dyn std::error::Error>> {
        let d = dir();
        let files = Files::new(&d);
        // Longer than one read chunk, so a range crosses chunks.
        let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let key = files.put(&bytes).await?;
        let whole = files
            .open(&key, None)
            .await?
            .map_err(|e| format!("{e:?}"))?;
        assert_eq!((whole.size, whole.range.clone()), (200_000, 0..200_000));
        assert_eq!(read_all(whole).await?, bytes);
        let mid = files
            .open(
                &key,
                Some(Wanted::From {
                    start: 65_000,
                    end: Some(140_000),
                }),
            )
            .await?
            .map_err(|e| format!("{e:?}"))?;
        assert_eq!(read_all(mid).await?, &bytes[65_000..=140_000]);
        let tail = files
            .open(&key, Some(Wanted::Last(10)))
            .await?
            .map_err(|e| format!("{e:?}"))?;
        assert_eq!(read_all(tail).await?, &bytes[199_990..]);
        let past = files
            .open(
                &key,
                Some(Wanted::From {
                    start: 200_000,
                    end: None,
                }),
            )
            .await?;
        assert!(matches!(past, Err(Unsatisfiable { size: 200_000 })));
        let _ = std::fs::remove_dir_all(d);
        Ok(())
    }

    #[test]
    fn a_wanted_range_is_clipped_to_the_file() {
        let from = |start, end| Wanted::From { start, end };
        assert_eq!(from(0, None).within(10), Some(0..10));
        assert_eq!(from(2, Some(4)).within(10), Some(2..5));
        assert_eq!(from(2, Some(400)).within(10), Some(2..10));
        assert_eq!(from(10, None).within(10), None);
        assert_eq!(from(5, Some(3)).within(10), None);
        assert_eq!(Wanted::Last(3).within(10), Some(7..10));
        assert_eq!(Wanted::Last(30).within(10), Some(0..10));
        assert_eq!(Wanted::Last(0).within(10), None);
        assert_eq!(from(0, None).within(0), None);
    }
}
