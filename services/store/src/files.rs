//! The attachment store every channel shares: the bytes of the files that come with messages
//! (a mail's attachments, a Telegram document, a call's recording), kept under their SHA-256 in
//! a local directory by default. Content addressing makes a write idempotent — a mail read
//! twice stores its files once — and lets the database row that names a file be written in the
//! message's transaction after the bytes are safely on disk: a crash between the two leaves at
//! worst an unreferenced file, never a row without its bytes.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::{StoreError, StoreResult};

/// Files kept under `dir/ab/cd/<sha256>`.
#[derive(Debug, Clone)]
pub struct Files {
    dir: PathBuf,
}

impl Files {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Files { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The hex SHA-256 of `bytes`: the key a file is kept under.
    pub fn key(bytes: &[u8]) -> String {
        hex::encode(Sha256::digest(bytes))
    }

    fn path(&self, key: &str) -> StoreResult<PathBuf> {
        if key.len() != 64 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::NotFound("file"));
        }
        Ok(self.dir.join(&key[..2]).join(&key[2..4]).join(key))
    }

    /// Keeps `bytes` and returns their key. Written to a temporary name, flushed and renamed,
    /// so a reader never sees half a file and a crash leaves none.
    pub async fn put(&self, bytes: &[u8]) -> StoreResult<String> {
        let key = Self::key(bytes);
        let path = self.path(&key)?;
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            return Ok(key);
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
        Ok(key)
    }

    /// The bytes kept under `key`.
    pub async fn get(&self, key: &str) -> StoreResult<Vec<u8>> {
        let path = self.path(key)?;
        match tokio::fs::read(&path).await {
            Ok(b) => Ok(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(StoreError::NotFound("file")),
            Err(e) => Err(io("reading an attachment", e)),
        }
    }
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
