//! Assessment bundles: one versioned, signed file holding an agency's whole assessment configuration —
//! engine configuration (lane thresholds, weights, random rates), targeting profiles with their named
//! lists and value-control table, selectivity rates, the learned model, and which optional layers run.
//!
//! Principal items: [`Bundle`] (the file), [`Payload`] (what is hashed and signed), [`Bundle::seal`]
//! (hash and sign), [`Bundle::verify`] (hash, signature, expected signer), [`Summary`] (what `bundle show`
//! prints), key files ([`SecretKey`], [`PublicKey`]).
//!
//! The file is JSON. Every configuration part is carried as its exact source text, so the hash does not
//! depend on how a JSON library orders or spaces anything: the hash is BLAKE3 over the canonical
//! serialisation of the [`Payload`] (fixed field order, strings only), hex. The signature is Ed25519
//! over `clearway-bundle/1\n` followed by that hex hash. A pipeline built from a bundle records the
//! bundle's hash as the configuration hash of every decision it makes.
//!
//! Pure: bytes in, bytes out. No files, no clock, no randomness (a key's 32 secret bytes are given).

#![deny(missing_docs)]

use ed25519_dalek::{Signer, Verifier};
use serde::{Deserialize, Serialize};

/// The format tag of this version of the file.
pub const FORMAT: &str = "clearway-bundle/1";

/// Optional layers a bundle may switch on (the engine's standard layers — data quality, deadline,
/// trusted trader, radioactive source — always run).
pub const LAYERS: [&str; 4] = ["profile", "model", "party-screening", "portal"];

/// What went wrong with a bundle.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum BundleError {
    /// Not a bundle, or a malformed one.
    #[error("not a valid bundle: {0}")]
    Malformed(String),
    /// The parts disagree (a layer switched on without its configuration, and so on).
    #[error("inconsistent bundle: {0}")]
    Inconsistent(String),
    /// A key file that cannot be read.
    #[error("bad key: {0}")]
    Key(String),
}

/// One configuration file carried in the bundle: its name (relative to the bundle source) and its text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextFile {
    /// Relative name (`profiles/valuation.profile`, `lists/risky_origins.csv`).
    pub name: String,
    /// Exact text.
    pub text: String,
}

/// A profile file, and whether it is the harmonised profile every partner's bundle includes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileFile {
    /// Relative name and text.
    #[serde(flatten)]
    pub file: TextFile,
    /// Part of the harmonised (shared) targeting, not the agency's own.
    #[serde(default)]
    pub harmonised: bool,
}

/// Who made the bundle and for what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Short name (`example-profile-heavy`).
    pub name: String,
    /// The bundle's own version (`2026.1`).
    pub version: String,
    /// The agency or unit that owns it.
    pub agency: String,
    /// What it is for.
    #[serde(default)]
    pub description: String,
}

/// Everything that is hashed and signed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Payload {
    /// Always [`FORMAT`].
    pub format: String,
    /// Names and versions.
    pub manifest: Manifest,
    /// Optional layers that run, from [`LAYERS`], in this order.
    pub layers: Vec<String>,
    /// Engine configuration JSON (thresholds, random rates, weight overrides); `None` = the defaults.
    pub config: Option<TextFile>,
    /// Profile files.
    pub profiles: Vec<ProfileFile>,
    /// Named lists the profiles use (`lists/NAME.csv`).
    pub lists: Vec<TextFile>,
    /// The value-control table.
    pub value_control: Option<TextFile>,
    /// Selectivity rates (JSON periods).
    pub selectivity: Option<TextFile>,
    /// The learned model (the JSON model file).
    pub model: Option<TextFile>,
}

/// An Ed25519 signature over the bundle hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signature {
    /// [`PublicKey::id`] of the signer.
    pub key_id: String,
    /// The signer's public key, hex.
    pub public_key: String,
    /// The signature, hex.
    pub signature: String,
}

/// A bundle file: the payload, its hash and (when sealed with a key) the signature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bundle {
    /// The configuration.
    #[serde(flatten)]
    pub payload: Payload,
    /// BLAKE3 of the canonical payload, hex (64 characters).
    pub hash: String,
    /// Ed25519 signature of the hash.
    pub signature: Option<Signature>,
}

/// The result of checking a bundle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verification {
    /// The hash recomputed from the payload.
    pub hash: String,
    /// It equals the recorded one.
    pub hash_ok: bool,
    /// The bundle carries a signature.
    pub signed: bool,
    /// The signature is valid for the embedded public key.
    pub signature_ok: bool,
    /// The signer's key id.
    pub key_id: Option<String>,
    /// `Some(true)` when an expected key was given and it signed the bundle.
    pub trusted: Option<bool>,
}

impl Verification {
    /// Intact and validly signed (and by the expected key, when one was given).
    pub fn ok(&self) -> bool {
        self.hash_ok && self.signed && self.signature_ok && self.trusted != Some(false)
    }

    /// Why not [`ok`](Self::ok), in words.
    pub fn problem(&self) -> Option<String> {
        if !self.hash_ok {
            Some(format!(
                "contents changed after sealing (hash is {})",
                self.hash
            ))
        } else if !self.signed {
            Some("not signed".into())
        } else if !self.signature_ok {
            Some("signature does not match".into())
        } else if self.trusted == Some(false) {
            Some(format!(
                "signed by key {}, not by the expected key",
                self.key_id.as_deref().unwrap_or("?")
            ))
        } else {
            None
        }
    }
}

fn canonical(p: &Payload) -> Vec<u8> {
    // Strings, bools and vectors in declaration order only: serde_json's output is fixed.
    serde_json::to_vec(p).unwrap_or_default()
}

fn message(hash: &str) -> Vec<u8> {
    format!("{FORMAT}\n{hash}").into_bytes()
}

impl Payload {
    /// The hash of this payload (BLAKE3, hex).
    pub fn hash(&self) -> String {
        blake3::hash(&canonical(self)).to_hex().to_string()
    }

    /// The parts agree: known layers, each switched-on layer has its configuration, no configuration
    /// without its layer, profile ids unique per file name.
    pub fn check(&self) -> Result<(), BundleError> {
        if self.format != FORMAT {
            return Err(BundleError::Malformed(format!(
                "format {:?}, want {FORMAT:?}",
                self.format
            )));
        }
        if self.manifest.name.trim().is_empty() || self.manifest.version.trim().is_empty() {
            return Err(BundleError::Inconsistent(
                "the manifest needs a name and a version".into(),
            ));
        }
        for l in &self.layers {
            if !LAYERS.contains(&l.as_str()) {
                return Err(BundleError::Inconsistent(format!(
                    "unknown layer {l:?} (known: {})",
                    LAYERS.join(", ")
                )));
            }
        }
        let on = |l: &str| self.layers.iter().any(|x| x == l);
        let has_profiles = !self.profiles.is_empty();
        if on("profile") != has_profiles {
            return Err(BundleError::Inconsistent(if has_profiles {
                "profiles are included but the profile layer is not switched on".into()
            } else {
                "the profile layer is switched on but no profile is included".into()
            }));
        }
        if !has_profiles
            && (self.selectivity.is_some()
                || !self.lists.is_empty()
                || self.value_control.is_some())
        {
            return Err(BundleError::Inconsistent(
                "selectivity, lists and value control need profiles".into(),
            ));
        }
        if on("model") != self.model.is_some() {
            return Err(BundleError::Inconsistent(
                "the model layer is switched on exactly when a model is included".into(),
            ));
        }
        let mut names: Vec<&str> = self
            .profiles
            .iter()
            .map(|p| p.file.name.as_str())
            .chain(self.lists.iter().map(|l| l.name.as_str()))
            .collect();
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(BundleError::Inconsistent(format!(
                "{} is included twice",
                w[0]
            )));
        }
        Ok(())
    }

    /// Whether an optional layer is switched on.
    pub fn runs(&self, layer: &str) -> bool {
        self.layers.iter().any(|l| l == layer)
    }
}

impl Bundle {
    /// Check the payload, hash it and, with a key, sign the hash.
    pub fn seal(payload: Payload, key: Option<&SecretKey>) -> Result<Bundle, BundleError> {
        payload.check()?;
        let hash = payload.hash();
        let signature = key.map(|k| {
            let sig = k.0.sign(&message(&hash));
            let public = PublicKey(k.0.verifying_key());
            Signature {
                key_id: public.id(),
                public_key: hex(public.0.as_bytes()),
                signature: hex(&sig.to_bytes()),
            }
        });
        Ok(Bundle {
            payload,
            hash,
            signature,
        })
    }

    /// Read a bundle file (structure and consistency only; see [`verify`](Self::verify)).
    pub fn from_json(bytes: &[u8]) -> Result<Bundle, BundleError> {
        let b: Bundle =
            serde_json::from_slice(bytes).map_err(|e| BundleError::Malformed(e.to_string()))?;
        b.payload.check()?;
        Ok(b)
    }

    /// The file's bytes (pretty JSON, so a review diff reads line by line).
    pub fn to_json(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).unwrap_or_default();
        v.push(b'\n');
        v
    }

    /// Recompute the hash, check the signature and, when given, that `expected` signed it.
    pub fn verify(&self, expected: Option<&PublicKey>) -> Verification {
        let hash = self.payload.hash();
        let hash_ok = hash == self.hash;
        let (signed, signature_ok, key_id, signer) = match &self.signature {
            None => (false, false, None, None),
            Some(s) => {
                let key = unhex::<32>(&s.public_key)
                    .and_then(|b| ed25519_dalek::VerifyingKey::from_bytes(&b).ok());
                let sig =
                    unhex::<64>(&s.signature).map(|b| ed25519_dalek::Signature::from_bytes(&b));
                let ok = match (&key, sig) {
                    (Some(k), Some(sig)) => {
                        k.verify(&message(&self.hash), &sig).is_ok()
                            && PublicKey(*k).id() == s.key_id
                    }
                    _ => false,
                };
                (true, ok, Some(s.key_id.clone()), key)
            }
        };
        let trusted = expected.map(|e| signature_ok && signer.is_some_and(|k| k == e.0));
        Verification {
            hash,
            hash_ok,
            signed,
            signature_ok,
            key_id,
            trusted,
        }
    }

    /// The short, printable description of the bundle.
    pub fn summary(&self) -> Summary {
        let p = &self.payload;
        Summary {
            name: p.manifest.name.clone(),
            version: p.manifest.version.clone(),
            agency: p.manifest.agency.clone(),
            description: p.manifest.description.clone(),
            hash: self.hash.clone(),
            key_id: self.signature.as_ref().map(|s| s.key_id.clone()),
            layers: p.layers.clone(),
            config: p.config.as_ref().map(|f| f.name.clone()),
            profiles: p
                .profiles
                .iter()
                .map(|f| FileSummary::of(&f.file, f.harmonised))
                .collect(),
            lists: p.lists.iter().map(|f| FileSummary::of(f, false)).collect(),
            value_control: p.value_control.as_ref().map(|f| FileSummary::of(f, false)),
            selectivity: p.selectivity.as_ref().map(|f| FileSummary::of(f, false)),
            model: p.model.as_ref().map(|f| FileSummary::of(f, false)),
        }
    }
}

/// One carried file, described.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileSummary {
    /// Relative name.
    pub name: String,
    /// Bytes of text.
    pub bytes: usize,
    /// BLAKE3 of the text, first 16 hex digits.
    pub blake3: String,
    /// A harmonised profile file.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub harmonised: bool,
}

impl FileSummary {
    fn of(f: &TextFile, harmonised: bool) -> Self {
        FileSummary {
            name: f.name.clone(),
            bytes: f.text.len(),
            blake3: blake3::hash(f.text.as_bytes()).to_hex()[..16].to_string(),
            harmonised,
        }
    }
}

/// What `clearway bundle show` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    #[allow(missing_docs)]
    pub name: String,
    #[allow(missing_docs)]
    pub version: String,
    #[allow(missing_docs)]
    pub agency: String,
    #[allow(missing_docs)]
    pub description: String,
    /// The bundle hash (= the configuration hash of its decisions).
    pub hash: String,
    /// Signer's key id.
    pub key_id: Option<String>,
    /// Optional layers that run.
    pub layers: Vec<String>,
    /// Engine configuration file, when not the defaults.
    pub config: Option<String>,
    #[allow(missing_docs)]
    pub profiles: Vec<FileSummary>,
    #[allow(missing_docs)]
    pub lists: Vec<FileSummary>,
    #[allow(missing_docs)]
    pub value_control: Option<FileSummary>,
    #[allow(missing_docs)]
    pub selectivity: Option<FileSummary>,
    #[allow(missing_docs)]
    pub model: Option<FileSummary>,
}

/// An Ed25519 signing key.
pub struct SecretKey(ed25519_dalek::SigningKey);

/// An Ed25519 public key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PublicKey(ed25519_dalek::VerifyingKey);

const SECRET_HEAD: &str = "# clearway bundle signing key (Ed25519 secret seed, hex) — keep private";
const PUBLIC_HEAD: &str = "# clearway bundle public key (Ed25519, hex)";

impl SecretKey {
    /// From 32 secret bytes (the caller draws them from the operating system).
    pub fn from_seed(seed: [u8; 32]) -> Self {
        SecretKey(ed25519_dalek::SigningKey::from_bytes(&seed))
    }

    /// A secret key file's text.
    pub fn parse(text: &str) -> Result<Self, BundleError> {
        Ok(Self::from_seed(key_line::<32>(text, "secret")?))
    }

    /// The text of the secret key file.
    pub fn to_text(&self) -> String {
        format!("{SECRET_HEAD}\n{}\n", hex(self.0.as_bytes()))
    }

    /// Its public key.
    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }
}

impl PublicKey {
    /// A public key file's text.
    pub fn parse(text: &str) -> Result<Self, BundleError> {
        let b = key_line::<32>(text, "public")?;
        ed25519_dalek::VerifyingKey::from_bytes(&b)
            .map(PublicKey)
            .map_err(|e| BundleError::Key(e.to_string()))
    }

    /// The text of the public key file.
    pub fn to_text(&self) -> String {
        format!("{PUBLIC_HEAD}\n{}\n", hex(self.0.as_bytes()))
    }

    /// A short id: the first 16 hex digits of BLAKE3 over the key bytes.
    pub fn id(&self) -> String {
        blake3::hash(self.0.as_bytes()).to_hex()[..16].to_string()
    }
}

fn key_line<const N: usize>(text: &str, what: &str) -> Result<[u8; N], BundleError> {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or("");
    unhex::<N>(line).ok_or_else(|| {
        BundleError::Key(format!(
            "a {what} key file holds one line of {} hex digits",
            2 * N
        ))
    })
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    let s = s.trim();
    if s.len() != 2 * N || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; N];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload() -> Payload {
        Payload {
            format: FORMAT.into(),
            manifest: Manifest {
                name: "t".into(),
                version: "1".into(),
                agency: "test".into(),
                description: String::new(),
            },
            layers: vec!["profile".into()],
            config: Some(TextFile {
                name: "config.json".into(),
                text: r#"{"red_at": 50}"#.into(),
            }),
            profiles: vec![ProfileFile {
                file: TextFile {
                    name: "profiles/a.profile".into(),
                    text: "profile A { when value > 1 weight 10 reason \"x\" }".into(),
                },
                harmonised: false,
            }],
            lists: vec![],
            value_control: None,
            selectivity: None,
            model: None,
        }
    }

    #[test]
    fn seal_round_trip_verify() {
        let key = SecretKey::from_seed([7; 32]);
        let b = Bundle::seal(payload(), Some(&key)).unwrap();
        assert_eq!(b.hash.len(), 64);
        let back = Bundle::from_json(&b.to_json()).unwrap();
        assert_eq!(back, b);
        let v = back.verify(Some(&key.public()));
        assert!(v.ok(), "{v:?}");
        let other = SecretKey::from_seed([8; 32]).public();
        let v = back.verify(Some(&other));
        assert_eq!(v.trusted, Some(false));
        assert!(v.problem().unwrap().contains("not by the expected key"));
    }

    #[test]
    fn tampering_is_found() {
        let key = SecretKey::from_seed([7; 32]);
        let mut b = Bundle::seal(payload(), Some(&key)).unwrap();
        b.payload.profiles[0].file.text.push(' ');
        let v = b.verify(None);
        assert!(!v.hash_ok && !v.ok());
        // Re-hashing without the key leaves the old signature, which no longer matches.
        b.hash = b.payload.hash();
        let v = b.verify(None);
        assert!(v.hash_ok && !v.signature_ok);
        // A signature swapped in from another key is valid for that key only.
        let b2 = Bundle::seal(b.payload.clone(), Some(&SecretKey::from_seed([9; 32]))).unwrap();
        assert!(b2.verify(None).ok());
        assert_eq!(b2.verify(Some(&key.public())).trusted, Some(false));
    }

    #[test]
    fn unsigned_is_not_ok() {
        let b = Bundle::seal(payload(), None).unwrap();
        assert_eq!(b.verify(None).problem().as_deref(), Some("not signed"));
    }

    #[test]
    fn inconsistent_parts_are_refused() {
        let mut p = payload();
        p.layers.clear();
        assert!(matches!(
            Bundle::seal(p, None),
            Err(BundleError::Inconsistent(_))
        ));
        let mut p = payload();
        p.layers.push("model".into());
        assert!(matches!(
            Bundle::seal(p, None),
            Err(BundleError::Inconsistent(_))
        ));
        let mut p = payload();
        p.layers.push("magic".into());
        assert!(
            Bundle::seal(p, None)
                .unwrap_err()
                .to_string()
                .contains("unknown layer")
        );
    }

    #[test]
    fn key_files_round_trip() {
        let k = SecretKey::from_seed([3; 32]);
        let k2 = SecretKey::parse(&k.to_text()).unwrap();
        assert_eq!(k.public(), k2.public());
        assert_eq!(PublicKey::parse(&k.public().to_text()).unwrap(), k.public());
        assert!(PublicKey::parse("nothing").is_err());
    }

    #[test]
    fn hash_depends_on_every_part() {
        let base = payload().hash();
        let mut p = payload();
        p.profiles[0].harmonised = true;
        assert_ne!(p.hash(), base);
        let mut p = payload();
        p.manifest.version = "2".into();
        assert_ne!(p.hash(), base);
    }
}
