//! Binary spectrum files: Canberra CNF and ORTEC SPC.

use crate::{Diagnostic, Format, SpectrumFile};

/// Whether the bytes look like an ORTEC SPC file (integer or real format).
pub fn looks_like_spc(b: &[u8]) -> bool {
    b.len() >= 256 && b.len() % 128 == 0 && matches!(u16::from_le_bytes([b[0], b[1]]), 1 | 2) && b[2] == 0
}

/// Whether the bytes look like a Canberra CNF file.
pub fn looks_like_cnf(b: &[u8]) -> bool {
    b.len() >= 0x200 && b.len() % 0x200 == 0 && b[0] == 0 && b[1] == 0x01
}

/// Read a Canberra CNF file.
pub fn read_cnf(_b: &[u8]) -> (SpectrumFile, Vec<Diagnostic>) {
    let f = SpectrumFile::new(Format::Cnf);
    (f, vec![Diagnostic::error("", "CNF files are not read yet")])
}

/// Read an ORTEC SPC file.
pub fn read_spc(_b: &[u8]) -> (SpectrumFile, Vec<Diagnostic>) {
    let f = SpectrumFile::new(Format::Spc);
    (f, vec![Diagnostic::error("", "SPC files are not read yet")])
}
