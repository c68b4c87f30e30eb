//! Party screening by name. Principal types: [`NormName`] (a normalised name: typed tokens with weights),
//! [`score()`] / [`Explained`] (the scorer: aligned name parts, asymmetric penalties, qualifiers),
//! [`Index`] (candidate generation by token, phonetic and character n-gram keys) and [`ofac_parity`]
//! (a score that behaves like OFAC's Sanctions List Search).

pub mod forms;
pub mod given;
pub mod normalize;
pub mod scripts;
pub mod translit;

pub use normalize::{Keyed, Kind, NormName, Token, fold, normalize, phonetic};
pub mod countries;
pub mod index;
pub mod ofac;
pub mod score;

pub use countries::country_code;
pub use index::{Hit, Index, Listed, Query, entity_facts};
pub use ofac::ofac_parity;
pub use score::{Aligned, Explained, Facts, qualify, score, score_names};
pub mod eval;
pub mod layer;
pub use layer::{BandConfig, Bands, PartyScreening, Remembered, party_fingerprint};
