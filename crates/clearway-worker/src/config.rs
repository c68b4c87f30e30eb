//! One configuration everywhere: the files a pipeline is built from (engine configuration, reference
//! data, registry, profiles, selectivity, model, bands, portal results, bundle — whatever
//! [`PipelineOptions`] names) are packed into one set, stored once in the JetStream object store under
//! its BLAKE3 hash, and the KV key `clearway-config/current` is pointed at that hash. Workers read the
//! pointer at every batch boundary and, when it moved, unpack the set and build the new pipeline before
//! the next batch. Every decision records the pipeline's configuration hash (the engine does that);
//! heartbeats say which set and which pipeline hash each worker runs ([`crate::status`]).
//!
//! The set is generic over [`PipelineOptions`]: every option that is a path is packed (a directory
//! with all its files) and rewritten to where the worker unpacked it; other options are kept as they are.

use crate::topology::{CONFIG_BUCKET, CONFIG_KEY, config_kv};
use crate::{Result, WorkerError, nats, nats_at};
use async_nats::jetstream;
use clearway_service::PipelineOptions;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tokio::io::AsyncReadExt;

/// What the KV pointer holds.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Pointer {
    /// BLAKE3 of the packed set (the object's name).
    pub set: String,
    pub published_at: chrono::DateTime<chrono::Utc>,
    /// Files in the set.
    pub files: usize,
}

/// A packed configuration set.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigSet {
    /// The options, paths relative to the set (`{option}/{file}`).
    pub options: Value,
    pub files: BTreeMap<String, Vec<u8>>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Header {
    options: Value,
    files: Vec<(String, usize)>,
}

fn walk(dir: &Path, rel: &str, out: &mut BTreeMap<String, Vec<u8>>) -> Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.filter_map(|e| e.ok()).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let p = e.path();
        let r = format!("{rel}/{name}");
        if p.is_dir() {
            walk(&p, &r, out)?;
        } else {
            out.insert(r, std::fs::read(&p)?);
        }
    }
    Ok(())
}

impl ConfigSet {
    /// Pack the files `opts` names.
    pub fn pack(opts: &PipelineOptions) -> Result<ConfigSet> {
        let mut options =
            serde_json::to_value(opts).map_err(|e| WorkerError::Invalid(e.to_string()))?;
        let mut files = BTreeMap::new();
        if let Value::Object(map) = &mut options {
            for (key, v) in map.iter_mut() {
                let Value::String(path) = v else { continue };
                let p = PathBuf::from(&*path);
                if p.is_dir() {
                    walk(&p, key, &mut files)?;
                    *v = Value::String(key.clone());
                } else {
                    let data = std::fs::read(&p).map_err(|e| {
                        WorkerError::Invalid(format!("{key}: {}: {e}", p.display()))
                    })?;
                    let name = p
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_else(|| "file".into());
                    let r = format!("{key}/{name}");
                    files.insert(r.clone(), data);
                    *v = Value::String(r);
                }
            }
        }
        Ok(ConfigSet { options, files })
    }

    /// The set as bytes: `[u32 n][header JSON][file bytes…]`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let header = Header {
            options: self.options.clone(),
            files: self
                .files
                .iter()
                .map(|(k, v)| (k.clone(), v.len()))
                .collect(),
        };
        let h = serde_json::to_vec(&header).expect("a JSON value serialises");
        let mut out =
            Vec::with_capacity(4 + h.len() + self.files.values().map(Vec::len).sum::<usize>());
        out.extend_from_slice(&(h.len() as u32).to_be_bytes());
        out.extend_from_slice(&h);
        for v in self.files.values() {
            out.extend_from_slice(v);
        }
        out
    }

    pub fn from_bytes(b: &[u8]) -> Result<ConfigSet> {
        let bad = |m: &str| WorkerError::Invalid(format!("configuration set: {m}"));
        let n = b
            .get(..4)
            .map(|x| u32::from_be_bytes([x[0], x[1], x[2], x[3]]) as usize)
            .ok_or_else(|| bad("too short"))?;
        let h: Header = serde_json::from_slice(b.get(4..4 + n).ok_or_else(|| bad("cut header"))?)
            .map_err(|e| bad(&e.to_string()))?;
        let mut at = 4 + n;
        let mut files = BTreeMap::new();
        for (name, len) in h.files {
            if name.split('/').any(|c| c == ".." || c.is_empty()) || name.starts_with('/') {
                return Err(bad(&format!("bad file name {name:?}")));
            }
            let data = b.get(at..at + len).ok_or_else(|| bad("cut file"))?;
            files.insert(name, data.to_vec());
            at += len;
        }
        Ok(ConfigSet {
            options: h.options,
            files,
        })
    }

    /// BLAKE3 of [`ConfigSet::to_bytes`].
    pub fn hash(&self) -> String {
        blake3::hash(&self.to_bytes()).to_hex().to_string()
    }

    /// Write the files under `dir` and give the options with paths pointing there.
    pub fn unpack(&self, dir: &Path) -> Result<PipelineOptions> {
        for (name, data) in &self.files {
            let p = dir.join(name);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&p, data)?;
        }
        let mut options = self.options.clone();
        if let Value::Object(map) = &mut options {
            for v in map.values_mut() {
                if let Value::String(rel) = v {
                    *v = Value::String(dir.join(&*rel).display().to_string());
                }
            }
        }
        serde_json::from_value(options)
            .map_err(|e| WorkerError::Invalid(format!("configuration set options: {e}")))
    }
}

/// Publish a configuration: store the set (once per hash) and point `current` at it. Returns the
/// pointer and the KV revision.
pub async fn publish(js: &jetstream::Context, set: &ConfigSet) -> Result<(Pointer, u64)> {
    let bytes = set.to_bytes();
    let hash = blake3::hash(&bytes).to_hex().to_string();
    let os = object_store(js).await?;
    let mut cursor = std::io::Cursor::new(bytes);
    let mut reader = tokio::io::BufReader::new(&mut cursor);
    os.put(hash.as_str(), &mut reader).await.map_err(nats)?;
    let ptr = Pointer {
        set: hash,
        published_at: chrono::Utc::now(),
        files: set.files.len(),
    };
    let kv = config_kv(js).await?;
    let rev = kv
        .put(
            CONFIG_KEY,
            serde_json::to_vec(&ptr)
                .map_err(|e| WorkerError::Invalid(e.to_string()))?
                .into(),
        )
        .await
        .map_err(nats)?;
    Ok((ptr, rev))
}

/// The current pointer and its revision (`None`: nothing published; workers use their defaults).
pub async fn current(js: &jetstream::Context) -> Result<Option<(Pointer, u64)>> {
    let kv = config_kv(js).await?;
    match kv
        .entry(CONFIG_KEY)
        .await
        .map_err(nats_at("reading the configuration pointer"))?
    {
        Some(e) if !e.value.is_empty() => {
            let p: Pointer = serde_json::from_slice(&e.value)
                .map_err(|e| WorkerError::Invalid(format!("configuration pointer: {e}")))?;
            Ok(Some((p, e.revision)))
        }
        _ => Ok(None),
    }
}

/// Fetch a set by its hash, checking it.
pub async fn fetch(js: &jetstream::Context, hash: &str) -> Result<ConfigSet> {
    let os = object_store(js).await?;
    let mut obj = os.get(hash).await.map_err(nats)?;
    let mut bytes = Vec::new();
    obj.read_to_end(&mut bytes).await?;
    let got = blake3::hash(&bytes).to_hex().to_string();
    if got != hash {
        return Err(WorkerError::Invalid(format!(
            "configuration set {hash} reads back with hash {got}"
        )));
    }
    ConfigSet::from_bytes(&bytes)
}

async fn object_store(js: &jetstream::Context) -> Result<jetstream::object_store::ObjectStore> {
    match js.get_object_store(CONFIG_BUCKET).await {
        Ok(s) => Ok(s),
        Err(_) => js
            .create_object_store(jetstream::object_store::Config {
                bucket: CONFIG_BUCKET.into(),
                storage: jetstream::stream::StorageType::File,
                ..Default::default()
            })
            .await
            .map_err(nats),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_unpack_round_trip() {
        let src = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(src.path().join("profiles/lists")).unwrap();
        std::fs::write(src.path().join("profiles/a.profile"), "profile a").unwrap();
        std::fs::write(src.path().join("profiles/lists/l.csv"), "x\n1\n").unwrap();
        std::fs::write(src.path().join("engine.json"), "{}").unwrap();
        let opts = PipelineOptions {
            config: Some(src.path().join("engine.json")),
            profiles: Some(src.path().join("profiles")),
            lists: true,
            ..Default::default()
        };
        let set = ConfigSet::pack(&opts).unwrap();
        assert_eq!(set.files.len(), 3);
        let back = ConfigSet::from_bytes(&set.to_bytes()).unwrap();
        assert_eq!(back, set);
        let dst = tempfile::tempdir().unwrap();
        let o = back.unpack(dst.path()).unwrap();
        assert!(o.lists);
        assert_eq!(
            std::fs::read_to_string(o.profiles.unwrap().join("lists/l.csv")).unwrap(),
            "x\n1\n"
        );
        assert_eq!(std::fs::read_to_string(o.config.unwrap()).unwrap(), "{}");
        // The hash does not depend on where the files were.
        let set2 = ConfigSet::pack(&PipelineOptions {
            config: Some(dst.path().join("config/engine.json")),
            profiles: Some(dst.path().join("profiles")),
            lists: true,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(set2.hash(), set.hash());
    }

    #[test]
    fn traversal_is_refused() {
        let set = ConfigSet {
            options: serde_json::json!({}),
            files: [("../x".to_string(), vec![1u8])].into_iter().collect(),
        };
        assert!(ConfigSet::from_bytes(&set.to_bytes()).is_err());
    }
}
