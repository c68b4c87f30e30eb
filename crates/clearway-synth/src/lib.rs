//! Synthetic filings.
