//! ANSI ASC X12: the 309 Customs Manifest (004010) read into [`Filing`](clearway_core::Filing)s, and
//! written back; 997 and 355 responses.
//!
//! Principal items:
//!
//! * [`Tokenizer`] / [`tokenize`]: zero-copy [`Segment`]s over `&[u8]`, each with its 1-based number
//!   and line. The ISA header gives the [`Delimiters`] (element separator at byte 4, component
//!   separator ISA16, segment terminator after it); line ends after terminators (CR, LF, CRLF, mixed)
//!   are skipped; the ISA11 repetition separator of 5010 is noted and otherwise ignored.
//! * [`read`]: one interchange → [`Interchange`](crate::Interchange). The envelope is checked — SE01
//!   segment count, SE02 = ST02, GE01 transaction count, GE02 = GS06, IEA01 group count, IEA02 =
//!   ISA13, missing trailers, stray or trailing segments, truncation — and problems become
//!   error diagnostics in `Interchange::diagnostics` naming the place (`segment 623 SE, element 1`,
//!   with the line); the cargo of complete transaction sets still maps. A transaction set without SE
//!   is rejected; a set other than 309 is rejected with "not a cargo filing: 310 (freight receipt)";
//!   a 997, 999, 355 or 824 is read back as a response (no filing, no reject). A bare transaction set
//!   (ST..SE without ISA/GS/IEA) is read with the delimiters its ST shows, with a warning. Never panics.
//! * The 309 mapping (Clearway's): one filing per bill of lading (M11 loop); marine, import, US,
//!   pre-arrival. M10 → carrier SCAC (a carrier party), vessel name, voyage, IMO (M10-04 when a valid
//!   IMO number); P4 → first port of arrival (CBP Schedule D code through the small table in
//!   [`codes::SCHEDULE_D`], else a UN/LOCODE as is, else a warning) and arrival date; GS04/GS05 →
//!   `times.filed_at`; M11 → id, place of loading (Schedule K table [`codes::SCHEDULE_K`] or
//!   UN/LOCODE), and bill totals used only when there is no N10; N1/N3/N4 → parties
//!   ([`codes::ROLE_CODES`]: SH consignor, CN consignee, N1/N2 notify party, ...; `N1*FS` final
//!   destination → place of discharge); VID → equipment (initial + number, seals VID04–08, size-type
//!   VID09, `E` in VID10 empty); N10 → goods (N10-01 packages, N10-02 description with its
//!   continuation lines joined, N10-05 HS code, N10-06 value in USD, N10-07/08 gross weight in kg or
//!   pounds), in the container of the VID above; H1 → UN number. Unmapped codes are warnings.
//! * [`write_309`] (one transaction set per filing; see its docs for what round-trips), [`ack_997`]
//!   and [`response_355`]. Their output reads back with [`tokenize`] and [`read`].

pub mod codes;
mod read;
mod tokenizer;
mod write;

pub use read::{bare_delimiters, read};
pub use tokenizer::{Delimiters, Elements, Segment, Tokenizer, tokenize, trimmed};
pub use write::{DESCRIPTION_CHUNK, ack_997, response_355, write_309};
