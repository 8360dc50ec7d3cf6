//! The attachment store every channel shares: the bytes of the files that come with messages
//! (a mail's attachments, a Telegram document, a call's recording), kept under their SHA-256 in
//! a local directory by default, or in an S3-compatible bucket (MinIO, Ceph, a cloud's) when one
//! is configured — several nodes then share one store. Content addressing makes a write idempotent — a mail read
//! twice stores its files once — and lets the database row that names a file be written in the
//! message's transaction after the bytes are safely on disk: a crash between the two leaves at
//! worst an unreferenced file, never a row without its bytes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use object_store::aws::AmazonS3Builder;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutPayload};
use sha2::{Digest, Sha256};

use crate::{StoreError, StoreResult};

mod stream;
pub use stream::{Kept, Opened, Refused, Unsatisfiable, Wanted};

/// An S3-compatible bucket, as the deployer configures it.
#[derive(Clone, PartialEq, Eq)]
pub struct S3Config {
    pub bucket: String,
    /// `https://s3.example.kz`, or `http://127.0.0.1:9000` for a MinIO on the same network.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key: String,
    pub secret_key: String,
}

impl std::fmt::Debug for S3Config {
    // The secret key never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("bucket", &self.bucket)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

/// Where the files live.
#[derive(Clone)]
enum Backend {
    /// `dir/ab/cd/<sha256>`.
    Local(PathBuf),
    /// `<sha256>` in a bucket.
    S3(Arc<dyn ObjectStore>, String),
}

/// The attachment store; cheap to clone.
#[derive(Clone)]
pub struct Files {
    backend: Backend,
}

impl std::fmt::Debug for Files {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.backend {
            Backend::Local(dir) => f.debug_tuple("Files::Local").field(dir).finish(),
            Backend::S3(_, bucket) => f.debug_tuple("Files::S3").field(bucket).finish(),
        }
    }
}

impl Files {
    /// Files in a local directory.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Files {
            backend: Backend::Local(dir.into()),
        }
    }

    /// Files in an S3-compatible bucket. Nothing is contacted until the first file.
    pub fn s3(config: &S3Config) -> StoreResult<Self> {
        let mut b = AmazonS3Builder::new()
            .with_bucket_name(&config.bucket)
            .with_region(&config.region)
            .with_access_key_id(&config.access_key)
            .with_secret_access_key(&config.secret_key);
        if let Some(endpoint) = &config.endpoint {
            // A bucket of one's own server is addressed by path (MinIO's default), and may be
            // reached over plain HTTP on the same network.
            b = b
                .with_endpoint(endpoint)
                .with_virtual_hosted_style_request(false)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        let store = b
            .build()
            .map_err(|e| StoreError::Config(format!("attachment bucket: {e}")))?;
        Ok(Files {
            backend: Backend::S3(Arc::new(store), config.bucket.clone()),
        })
    }

    /// The local directory, when files are kept in one.
    pub fn dir(&self) -> Option<&Path> {
        match &self.backend {
            Backend::Local(dir) => Some(dir),
            Backend::S3(..) => None,
        }
    }

    /// The hex SHA-256 of `bytes`: the key a file is kept under.
    pub fn key(bytes: &[u8]) -> String {
        hex::encode(Sha256::digest(bytes))
    }

    fn checked(key: &str) -> StoreResult<&str> {
        if key.len() != 64 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::NotFound("file"));
        }
        Ok(key)
    }

    /// Keeps `bytes` and returns their key. Locally it is written to a temporary name, flushed
    /// and renamed, so a reader never sees half a file and a crash leaves none; an S3 PUT is
    /// whole or nothing by itself.
    pub async fn put(&self, bytes: &[u8]) -> StoreResult<String> {
        let key = Self::key(bytes);
        match &self.backend {
            Backend::Local(dir) => put_local(dir, &key, bytes).await?,
            Backend::S3(store, _) => {
                let path = ObjectPath::from(key.as_str());
                if store.head(&path).await.is_err() {
                    store
                        .put(&path, PutPayload::from(bytes.to_vec()))
                        .await
                        .map_err(|e| StoreError::Config(format!("writing an attachment: {e}")))?;
                }
            }
        }
        Ok(key)
    }

    /// The bytes kept under `key`.
    pub async fn get(&self, key: &str) -> StoreResult<Vec<u8>> {
        let key = Self::checked(key)?;
        match &self.backend {
            Backend::Local(dir) => match tokio::fs::read(local_path(dir, key)).await {
                Ok(b) => Ok(b),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    Err(StoreError::NotFound("file"))
                }
                Err(e) => Err(io("reading an attachment", e)),
            },
            Backend::S3(store, _) => {
                let got = store
                    .get(&ObjectPath::from(key))
                    .await
                    .map_err(|e| match e {
                        object_store::Error::NotFound { .. } => StoreError::NotFound("file"),
                        e => StoreError::Config(format!("reading an attachment: {e}")),
                    })?;
                let bytes = got
                    .bytes()
                    .await
                    .map_err(|e| StoreError::Config(format!("reading an attachment: {e}")))?;
                Ok(bytes.to_vec())
            }
        }
    }

    /// Deletes the bytes kept under `key` (a recording whose retention ran out); one already
    /// gone is fine. The caller makes sure no other row names them.
    pub async fn delete(&self, key: &str) -> StoreResult<()> {
        let key = Self::checked(key)?;
        match &self.backend {
            Backend::Local(dir) => match tokio::fs::remove_file(local_path(dir, key)).await {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(io("deleting an attachment", e)),
            },
            Backend::S3(store, _) => match store.delete(&ObjectPath::from(key)).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(e) => Err(StoreError::Config(format!("deleting an attachment: {e}"))),
            },
        }
    }
}

fn local_path(dir: &Path, key: &str) -> PathBuf {
    dir.join(&key[..2]).join(&key[2..4]).join(key)
}

async fn put_local(dir: &Path, key: &str, bytes: &[u8]) -> StoreResult<()> {
    let path = local_path(dir, key);
    if tokio::fs::try_exists(&path).await.unwrap_or(false) {
        return Ok(());
    }
    let parent = path
        .parent()
        .ok_or_else(|| StoreError::Config("attachment directory".into()))?;
    tokio::fs::create_dir_all(parent)
        .await
        .map_err(|e| io("creating the attachment directory", e))?;
    let tmp = parent.join(format!(".{key}.{}", uuid::Uuid::new_v4()));
    let write = async {
        use tokio::io::AsyncWriteExt;
        let mut f = tokio::fs::File::create(&tmp).await?;
        f.write_all(bytes).await?;
        f.sync_all().await?;
        tokio::fs::rename(&tmp, &path).await
    };
    if let Err(e) = write.await {
        let _ = tokio::fs::remove_file(&tmp).await;
        return Err(io("writing an attachment", e));
    }
    Ok(())
}

fn io(what: &str, e: std::io::Error) -> StoreError {
    StoreError::Config(format!("{what}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_file_is_kept_once_under_its_hash() -> StoreResult<()> {
        let dir = std::env::temp_dir().join(format!("bl-files-{}", uuid::Uuid::new_v4()));
        let files = Files::new(&dir);
        let a = files.put("Өтініш.pdf".as_bytes()).await?;
        let b = files.put("Өтініш.pdf".as_bytes()).await?;
        assert_eq!(a, b);
        assert_eq!(files.get(&a).await?, "Өтініш.pdf".as_bytes());
        assert!(matches!(
            files.get("../../etc/passwd").await,
            Err(StoreError::NotFound(_))
        ));
        let _ = std::fs::remove_dir_all(dir);
        Ok(())
    }
}
