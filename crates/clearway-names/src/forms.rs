//! Legal forms, person titles and name particles: the vocabulary the normaliser treats as symbols.
//! Facts drawn from rigour's org-type and stopword tables (opensanctions/rigour, MIT), written here as
//! folded token sequences (lower case, Latin, punctuation removed) mapped to a generic legal-form symbol.

/// A generic legal form. Variants of one form compare equal; different forms compare as a mild difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum LegalForm {
    /// Limited liability (Ltd, LLC, GmbH, OOO, SARL, BV, s.r.o., Pty Ltd ...).
    Llc,
    /// Joint-stock / public company (JSC, AG, SA, SpA, NV, PLC, PAO, SA de CV ...).
    Jsc,
    /// Corporation / incorporated.
    Corp,
    /// Company (Co, Cia, Cie).
    Co,
    /// Limited partnership / limited liability partnership.
    Lp,
    /// Cooperative.
    Coop,
    /// Foundation / trust.
    Foundation,
}

impl LegalForm {
    pub fn as_str(self) -> &'static str {
        match self {
            LegalForm::Llc => "LLC",
            LegalForm::Jsc => "JSC",
            LegalForm::Corp => "CORP",
            LegalForm::Co => "CO",
            LegalForm::Lp => "LP",
            LegalForm::Coop => "COOP",
            LegalForm::Foundation => "FOUNDATION",
        }
    }
}

use LegalForm::*;

/// Folded token sequences and their form. Longest match wins.
pub const LEGAL_FORMS: &[(&str, LegalForm)] = &[
    ("llc", Llc), ("l l c", Llc), ("ltd", Llc), ("limited", Llc), ("ltda", Llc), ("limitada", Llc),
    ("limited liability company", Llc), ("limited liability co", Llc), ("limited liability partnership", Lp),
    ("co ltd", Llc), ("company limited", Llc), ("co limited", Llc), ("pte ltd", Llc), ("pty ltd", Llc), ("pvt ltd", Llc),
    ("private limited", Llc), ("private limited company", Llc), ("sdn bhd", Llc), ("bhd", Llc),
    ("gmbh", Llc), ("gesellschaft mit beschrankter haftung", Llc), ("ooo", Llc), ("tov", Llc), ("too", Llc),
    ("obshchestvo s ogranichennoi otvetstvennostiu", Llc), ("obshchestvo s ogranichennoy otvetstvennostyu", Llc), ("obshchestvo s ogranichennoi otvetstvennostyu", Llc),
    ("tovarystvo z obmezhenoiu vidpovidalnistiu", Llc), ("sarl", Llc), ("s a r l", Llc), ("srl", Llc), ("s r l", Llc),
    ("sro", Llc), ("s r o", Llc), ("spol s r o", Llc), ("bv", Llc), ("b v", Llc), ("kft", Llc), ("doo", Llc), ("d o o", Llc),
    ("sp z o o", Llc), ("spzoo", Llc), ("aps", Llc), ("ehf", Llc), ("eood", Llc), ("ood", Llc), ("sociedad de responsabilidad limitada", Llc),
    ("societe a responsabilite limitee", Llc), ("societa a responsabilita limitata", Llc), ("yoak", Llc), ("mchj", Llc),
    ("jsc", Jsc), ("ojsc", Jsc), ("cjsc", Jsc), ("pjsc", Jsc), ("ao", Jsc), ("oao", Jsc), ("zao", Jsc), ("pao", Jsc), ("aat", Jsc), ("pat", Jsc),
    ("joint stock company", Jsc), ("open joint stock company", Jsc), ("closed joint stock company", Jsc),
    ("public joint stock company", Jsc), ("joint stock co", Jsc), ("aktsionernoe obshchestvo", Jsc), ("aktsionernoye obshchestvo", Jsc),
    ("publichnoe aktsionernoe obshchestvo", Jsc), ("otkrytoe aktsionernoe obshchestvo", Jsc), ("zakrytoe aktsionernoe obshchestvo", Jsc),
    ("ag", Jsc), ("aktiengesellschaft", Jsc), ("sa", Jsc), ("s a", Jsc), ("sas", Jsc), ("s a s", Jsc), ("spa", Jsc), ("s p a", Jsc),
    ("nv", Jsc), ("n v", Jsc), ("ab", Jsc), ("as", Jsc), ("a s", Jsc), ("asa", Jsc), ("oyj", Jsc), ("oy", Jsc), ("plc", Jsc), ("p l c", Jsc),
    ("public limited company", Jsc), ("sa de cv", Jsc), ("s a de c v", Jsc), ("sab de cv", Jsc), ("s a b de c v", Jsc),
    ("sapi de cv", Jsc), ("s de rl de cv", Llc), ("s de r l de c v", Llc), ("s de rl", Llc), ("kk", Jsc), ("kabushiki kaisha", Jsc),
    ("tbk", Jsc), ("ad", Jsc), ("a d", Jsc), ("dd", Jsc), ("d d", Jsc), ("sociedad anonima", Jsc), ("societe anonyme", Jsc),
    ("naamloze vennootschap", Jsc), ("aktiebolag", Jsc), ("aktieselskab", Jsc), ("se", Jsc),
    ("corp", Corp), ("corporation", Corp), ("inc", Corp), ("incorporated", Corp), ("incorporation", Corp),
    ("co", Co), ("company", Co), ("cia", Co), ("compania", Co), ("companhia", Co), ("cie", Co), ("compagnie", Co),
    ("lp", Lp), ("l p", Lp), ("limited partnership", Lp), ("llp", Lp), ("l l p", Lp), ("gmbh co kg", Lp), ("kg", Lp), ("ohg", Lp),
    ("coop", Coop), ("cooperative", Coop), ("cooperativa", Coop), ("eg", Coop),
    ("foundation", Foundation), ("stiftung", Foundation), ("fundacion", Foundation), ("fondation", Foundation),
];

/// Person titles and honorifics dropped from person names (`Mr`, `Dr`, `Monsieur` ...).
pub const TITLES: &[&str] = &[
    "mr", "mrs", "ms", "miss", "mister", "mx", "dr", "doctor", "prof", "professor", "sir", "dame", "madam", "madame", "mme",
    "monsieur", "mlle", "herr", "frau", "senor", "senora", "senorita", "sr", "sra", "srta", "don", "dona", "lord", "lady", "rev",
    "reverend", "hon", "honorable", "gen", "general", "col", "colonel", "capt", "captain", "maj", "major", "lt", "mullah", "maulavi",
    "maulvi", "mawlawi", "qari", "president", "presidente", "minister", "judge", "jr", "snr", "sr", "ii", "iii",
];

/// Particles that join name parts (low weight, not dropped): `al`, `bin`, `de`, `van` ...
pub const PARTICLES: &[&str] = &[
    "al", "el", "ul", "al", "bin", "ben", "ibn", "bint", "binti", "abu", "abou", "abd", "de", "da", "di", "del", "della", "der", "den",
    "van", "von", "la", "le", "du", "dos", "das", "do", "y", "e", "ould", "st", "of", "the", "and", "und", "et",
];

/// Very common given-name and family-name tokens across the lists: they say less about identity.
pub const COMMON: &[&str] = &[
    "mohammad", "mohammed", "muhammad", "mohamed", "muhammed", "mohamad", "ahmad", "ahmed", "ali", "abdul", "abdullah", "abdallah",
    "hassan", "hasan", "hussein", "husain", "husayn", "hussain", "ibrahim", "omar", "umar", "khalid", "yusuf", "mahmoud", "mahmud",
    "abdel", "abdel", "salem", "saleh", "said", "saeed", "rahman", "aziz", "karim", "haji", "sheikh", "shaykh", "mullah", "khan",
    "john", "james", "david", "michael", "robert", "william", "maria", "jose", "juan", "carlos", "luis", "kim", "lee", "li", "wang",
    "zhang", "chen", "liu", "park", "nguyen", "singh", "kumar", "vladimir", "sergei", "sergey", "alexander", "aleksandr", "andrei",
    "international", "trading", "group", "holding", "holdings", "industries", "industrial", "general", "national", "bank",
    "enterprises", "enterprise", "services", "service", "investment", "investments", "company", "global", "shipping", "import",
    "export", "development", "management", "engineering", "technology", "technologies", "systems", "solutions", "partners",
    "logistics", "energy", "oil", "gas", "petroleum", "construction", "commercial", "united", "new", "first", "star", "royal",
];
