//! Helpers shared by the backends: how enums and times are spelled in columns, and the checks every
//! backend applies to a batch item. Principal function: [`check_accepted`].

use chrono::{DateTime, SecondsFormat, Utc};
use clearway_core::{Filing, FilingStatus, Lane};

use crate::{Accepted, Result, StoreError};

/// A `StoreError` for stored data that cannot be read back.
pub(crate) fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Other(format!("stored data is corrupt: {what}"))
}

pub(crate) fn status_str(s: FilingStatus) -> &'static str {
    match s {
        FilingStatus::Original => "original",
        FilingStatus::Amendment => "amendment",
        FilingStatus::Cancellation => "cancellation",
    }
}

pub(crate) fn parse_status(s: &str) -> Result<FilingStatus> {
    match s {
        "original" => Ok(FilingStatus::Original),
        "amendment" => Ok(FilingStatus::Amendment),
        "cancellation" => Ok(FilingStatus::Cancellation),
        other => Err(corrupt(format_args!("unknown filing status {other:?}"))),
    }
}

pub(crate) fn parse_lane(s: &str) -> Result<Lane> {
    Lane::parse(s).ok_or_else(|| corrupt(format_args!("unknown lane {s:?}")))
}

/// RFC 3339, UTC, with as many fractional digits as needed (round-trips exactly).
pub(crate) fn fmt_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

pub(crate) fn parse_time(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| corrupt(format_args!("bad time {s:?}: {e}")))
}

/// Stored version numbers are `u32`; anything else in the column is corruption.
pub(crate) fn to_version(v: i64) -> Result<u32> {
    u32::try_from(v).map_err(|_| corrupt(format_args!("version {v} out of range")))
}

pub(crate) fn to_line(v: i64) -> Result<u64> {
    u64::try_from(v).map_err(|_| corrupt(format_args!("line {v} out of range")))
}

pub(crate) fn line_to_i64(line: u64) -> Result<i64> {
    i64::try_from(line).map_err(|_| StoreError::Other(format!("input line {line} is too large to store")))
}

/// An accepted item's decision must be the decision on that filing version. A mismatch is a caller bug;
/// it fails the whole batch (nothing of it is written).
pub(crate) fn check_accepted(a: &Accepted) -> Result<()> {
    if a.decision.filing_id != a.filing.id || a.decision.version != a.filing.version {
        return Err(StoreError::Other(format!(
            "decision is for filing {:?} version {} but the item is filing {:?} version {}",
            a.decision.filing_id, a.decision.version, a.filing.id, a.filing.version
        )));
    }
    Ok(())
}

/// `None` when `raw` is exactly the canonical JSON of `filing` (compared while serialising, without
/// building a copy); otherwise the canonical JSON, serialised into `buf`.
pub(crate) fn canonical_json<'b>(buf: &'b mut Vec<u8>, filing: &Filing, raw: &[u8]) -> Result<Option<&'b str>> {
    /// Compares the serialiser's output with `rest`; stops it at the first difference.
    struct SameAs<'r> {
        rest: &'r [u8],
    }
    impl std::io::Write for SameAs<'_> {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            match self.rest.strip_prefix(bytes) {
                Some(rest) => {
                    self.rest = rest;
                    Ok(bytes.len())
                }
                None => Err(std::io::Error::other("differs")),
            }
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut same = SameAs { rest: raw };
    if serde_json::to_writer(&mut same, filing).is_ok() && same.rest.is_empty() {
        return Ok(None);
    }
    buf.clear();
    serde_json::to_writer(&mut *buf, filing)?;
    std::str::from_utf8(buf).map(Some).map_err(|e| StoreError::Other(format!("serialised JSON is not UTF-8: {e}")))
}
