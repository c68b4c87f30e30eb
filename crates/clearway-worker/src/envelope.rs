//! One accepted input as a stream message: what the reader understood (the filing and its warnings) and
//! the raw bytes, so that a worker stores exactly what `clearway screen` would have stored.
//!
//! Headers carry what routing and diagnostics need without decoding the body (`Clearway-Source`,
//! `Clearway-Line`, `Clearway-Filing`, `Clearway-Version`, and `Nats-Msg-Id` for JetStream's duplicate
//! window). The body is `[u32 big-endian n][n bytes of meta JSON][raw bytes]`; the meta JSON holds the
//! reader's diagnostics and the filing, or `null` for the filing when the raw bytes are exactly its
//! canonical JSON (Clearway's own JSON Lines) — then the filing is parsed back from the raw bytes, not
//! sent twice.
//!
//! Decoding never panics: a body that does not decode is a [`Poison`] reason, and the worker
//! dead-letters the message after its deliveries run out.

use async_nats::HeaderMap;
use bytes::{BufMut, Bytes, BytesMut};
use clearway_core::{Diagnostic, Filing};
use clearway_formats::{Parsed, Record};
use clearway_store::InputRef;

pub const H_SOURCE: &str = "Clearway-Source";
pub const H_LINE: &str = "Clearway-Line";
pub const H_FILING: &str = "Clearway-Filing";
pub const H_VERSION: &str = "Clearway-Version";
/// Set on dead letters: why the message could not be processed.
pub const H_REASON: &str = "Clearway-Dead-Reason";
/// Set on dead letters: how many times it was delivered.
pub const H_DELIVERIES: &str = "Clearway-Deliveries";
/// Set on dead letters: the subject it was published on.
pub const H_SUBJECT: &str = "Clearway-Subject";

#[derive(serde::Serialize, serde::Deserialize)]
struct Meta {
    diagnostics: Vec<Diagnostic>,
    /// `None`: the raw bytes are the canonical JSON of the filing.
    filing: Option<Filing>,
}

/// Why a message cannot be processed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Poison(pub String);

impl std::fmt::Display for Poison {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An accepted input, ready for the stream.
pub struct Encoded {
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// The message id JetStream deduplicates on (within its duplicate window): filing, version and content.
pub fn message_id(filing: &Filing, raw: &[u8]) -> String {
    let h = blake3::hash(raw).to_hex();
    format!("{}/{}/{}", filing.id, filing.version, &h.as_str()[..32])
}

/// Encode one accepted record.
pub fn encode(input: &InputRef, raw: &[u8], parsed: &Parsed) -> Result<Encoded, serde_json::Error> {
    let canonical = serde_json::to_vec(&parsed.filing)?;
    let meta = Meta {
        diagnostics: parsed.diagnostics.clone(),
        filing: (canonical != raw).then(|| parsed.filing.clone()),
    };
    let meta = serde_json::to_vec(&meta)?;
    let mut body = BytesMut::with_capacity(4 + meta.len() + raw.len());
    body.put_u32(meta.len() as u32);
    body.put_slice(&meta);
    body.put_slice(raw);
    let mut headers = HeaderMap::new();
    headers.insert(H_SOURCE, header_safe(&input.source).as_str());
    headers.insert(H_LINE, input.line.to_string().as_str());
    headers.insert(H_FILING, header_safe(&parsed.filing.id).as_str());
    headers.insert(H_VERSION, parsed.filing.version.to_string().as_str());
    headers.insert(
        "Nats-Msg-Id",
        header_safe(&message_id(&parsed.filing, raw)).as_str(),
    );
    Ok(Encoded {
        headers,
        body: body.freeze(),
    })
}

/// Header values may not hold CR or LF.
fn header_safe(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

/// Decode a message back into the record the reader produced.
pub fn decode(headers: Option<&HeaderMap>, body: &[u8]) -> Result<(String, Record), Poison> {
    let get = |k: &str| {
        headers
            .and_then(|h| h.get(k))
            .map(|v| v.as_str().to_owned())
    };
    let source = get(H_SOURCE).unwrap_or_else(|| "stream".into());
    let line = get(H_LINE).and_then(|l| l.parse().ok()).unwrap_or(0);
    if body.len() < 4 {
        return Err(Poison(format!("body of {} bytes is too short", body.len())));
    }
    let n = u32::from_be_bytes([body[0], body[1], body[2], body[3]]) as usize;
    let Some(meta) = body.get(4..4 + n) else {
        return Err(Poison(format!(
            "meta length {n} exceeds the body ({} bytes)",
            body.len()
        )));
    };
    let raw = &body[4 + n..];
    let meta: Meta = serde_json::from_slice(meta).map_err(|e| Poison(format!("meta JSON: {e}")))?;
    let filing = match meta.filing {
        Some(f) => f,
        None => serde_json::from_slice(raw)
            .map_err(|e| Poison(format!("raw bytes are not a filing: {e}")))?,
    };
    Ok((
        source,
        Record {
            line,
            raw: raw.to_vec(),
            outcome: Ok(Parsed {
                filing,
                diagnostics: meta.diagnostics,
            }),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filing() -> Filing {
        let cfg = clearway_synth::Config {
            count: 1,
            seed: 3,
            start: "2026-11-02T00:00:00Z".parse().unwrap(),
            days: 1,
        };
        clearway_synth::Generator::new(cfg).next().unwrap()
    }

    #[test]
    fn canonical_raw_is_sent_once_and_round_trips() {
        let f = filing();
        let raw = serde_json::to_vec(&f).unwrap();
        let parsed = Parsed {
            filing: f.clone(),
            diagnostics: vec![Diagnostic::warning("x", "a warning")],
        };
        let input = InputRef {
            source: "a.jsonl".into(),
            line: 7,
        };
        let e = encode(&input, &raw, &parsed).unwrap();
        assert!(e.body.len() < raw.len() + 200, "filing sent twice");
        let (source, rec) = decode(Some(&e.headers), &e.body).unwrap();
        assert_eq!((source.as_str(), rec.line), ("a.jsonl", 7));
        assert_eq!(rec.raw, raw);
        let p = rec.outcome.unwrap();
        assert_eq!(p.filing, f);
        assert_eq!(p.diagnostics, parsed.diagnostics);
    }

    #[test]
    fn other_raw_carries_the_filing() {
        let f = filing();
        let raw = b"UNH+1+CUSCAR:D:95B:UN'".to_vec();
        let parsed = Parsed {
            filing: f.clone(),
            diagnostics: vec![],
        };
        let input = InputRef {
            source: "a.edi".into(),
            line: 1,
        };
        let e = encode(&input, &raw, &parsed).unwrap();
        let (_, rec) = decode(Some(&e.headers), &e.body).unwrap();
        assert_eq!(rec.raw, raw);
        assert_eq!(rec.outcome.unwrap().filing, f);
    }

    #[test]
    fn garbage_is_poison_not_a_panic() {
        for body in [
            &b""[..],
            b"\xff\xff\xff\xffabc",
            b"\0\0\0\x02{}",
            b"\0\0\0\x02[]xx",
        ] {
            assert!(decode(None, body).is_err());
        }
    }
}
