//! TODO(edifact): reader, writers, responses.

use crate::message::Interchange;

/// Read one interchange / document.
pub fn read(_bytes: &[u8]) -> Interchange {
    unimplemented!()
}
