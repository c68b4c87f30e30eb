//! Country names as lists write them → ISO 3166-1 alpha-2 (facts). Unknown names give `None`.

/// (code, folded names). Names are folded like [`crate::fold`] (lower case, punctuation as spaces).
const COUNTRIES: &[(&str, &[&str])] = &[
    ("AF", &["afghanistan"]), ("AL", &["albania"]), ("DZ", &["algeria"]), ("AO", &["angola"]), ("AR", &["argentina"]),
    ("AM", &["armenia"]), ("AW", &["aruba"]), ("AU", &["australia"]), ("AT", &["austria"]), ("AZ", &["azerbaijan"]),
    ("BS", &["bahamas", "bahamas the", "the bahamas"]), ("BH", &["bahrain"]), ("BD", &["bangladesh"]), ("BB", &["barbados"]),
    ("BY", &["belarus"]), ("BE", &["belgium"]), ("BZ", &["belize"]), ("BJ", &["benin"]), ("BO", &["bolivia"]),
    ("BA", &["bosnia and herzegovina"]), ("BW", &["botswana"]), ("BR", &["brazil"]), ("BN", &["brunei"]), ("BG", &["bulgaria"]),
    ("BF", &["burkina faso"]), ("MM", &["burma", "myanmar"]), ("BI", &["burundi"]), ("KH", &["cambodia"]), ("CM", &["cameroon"]),
    ("CA", &["canada"]), ("KY", &["cayman islands"]), ("CF", &["central african republic"]), ("TD", &["chad"]), ("CL", &["chile"]),
    ("CN", &["china", "people s republic of china"]), ("CO", &["colombia"]), ("KM", &["comoros"]),
    ("CD", &["democratic republic of the congo", "congo democratic republic of the", "drc"]),
    ("CG", &["congo republic of the", "republic of the congo", "congo"]), ("CR", &["costa rica"]),
    ("CI", &["cote d ivoire", "ivory coast", "cote divoire"]), ("HR", &["croatia"]), ("CU", &["cuba"]), ("CY", &["cyprus"]),
    ("CZ", &["czech republic", "czechia"]), ("DK", &["denmark"]), ("DJ", &["djibouti"]), ("DM", &["dominica"]),
    ("DO", &["dominican republic"]), ("EC", &["ecuador"]), ("EG", &["egypt"]), ("SV", &["el salvador"]), ("GQ", &["equatorial guinea"]),
    ("ER", &["eritrea"]), ("EE", &["estonia"]), ("ET", &["ethiopia"]), ("FI", &["finland"]), ("FR", &["france"]), ("GA", &["gabon"]),
    ("GM", &["gambia", "the gambia"]), ("GE", &["georgia"]), ("DE", &["germany"]), ("GH", &["ghana"]), ("GI", &["gibraltar"]),
    ("GR", &["greece"]), ("GT", &["guatemala"]), ("GN", &["guinea"]), ("GW", &["guinea bissau"]), ("GY", &["guyana"]), ("HT", &["haiti"]),
    ("HN", &["honduras"]), ("HK", &["hong kong", "china hong kong special administrative region"]), ("HU", &["hungary"]),
    ("IS", &["iceland"]), ("IN", &["india"]), ("ID", &["indonesia"]), ("IR", &["iran", "iran islamic republic of", "islamic republic of iran"]),
    ("IQ", &["iraq"]), ("IE", &["ireland"]), ("IL", &["israel"]), ("IT", &["italy"]), ("JM", &["jamaica"]), ("JP", &["japan"]),
    ("JE", &["jersey"]), ("JO", &["jordan"]), ("KZ", &["kazakhstan"]), ("KE", &["kenya"]),
    ("KP", &["korea north", "north korea", "democratic people s republic of korea", "dprk"]),
    ("KR", &["korea south", "south korea", "republic of korea", "korea"]), ("XK", &["kosovo"]), ("KW", &["kuwait"]),
    ("KG", &["kyrgyzstan"]), ("LA", &["laos", "lao people s democratic republic"]), ("LV", &["latvia"]), ("LB", &["lebanon"]),
    ("LR", &["liberia"]), ("LY", &["libya"]), ("LI", &["liechtenstein"]), ("LT", &["lithuania"]), ("LU", &["luxembourg"]),
    ("MO", &["macau", "macao"]), ("MK", &["north macedonia", "macedonia"]), ("MY", &["malaysia"]), ("MV", &["maldives"]), ("ML", &["mali"]),
    ("MT", &["malta"]), ("MH", &["marshall islands"]), ("MR", &["mauritania"]), ("MU", &["mauritius"]), ("MX", &["mexico"]),
    ("MD", &["moldova", "republic of moldova"]), ("MN", &["mongolia"]), ("ME", &["montenegro"]), ("MA", &["morocco"]),
    ("MZ", &["mozambique"]), ("NA", &["namibia"]), ("NL", &["netherlands", "the netherlands"]), ("AN", &["netherlands antilles"]),
    ("NZ", &["new zealand"]), ("NI", &["nicaragua"]), ("NE", &["niger"]), ("NG", &["nigeria"]), ("NO", &["norway"]), ("OM", &["oman"]),
    ("PK", &["pakistan"]), ("PW", &["palau"]), ("PS", &["palestinian", "state of palestine", "palestine", "west bank", "region gaza", "gaza"]),
    ("PA", &["panama"]), ("PG", &["papua new guinea"]), ("PY", &["paraguay"]), ("PE", &["peru"]), ("PH", &["philippines"]),
    ("PL", &["poland"]), ("PT", &["portugal"]), ("QA", &["qatar"]), ("RO", &["romania"]), ("RU", &["russia", "russian federation"]),
    ("RW", &["rwanda"]), ("KN", &["saint kitts and nevis"]), ("VC", &["saint vincent and the grenadines"]), ("WS", &["samoa"]),
    ("SA", &["saudi arabia"]), ("SN", &["senegal"]), ("RS", &["serbia"]), ("SC", &["seychelles"]), ("SL", &["sierra leone"]),
    ("SG", &["singapore"]), ("SK", &["slovakia"]), ("SI", &["slovenia"]), ("SO", &["somalia"]), ("ZA", &["south africa"]),
    ("SS", &["south sudan"]), ("ES", &["spain"]), ("LK", &["sri lanka"]), ("SD", &["sudan"]), ("SE", &["sweden"]), ("CH", &["switzerland"]),
    ("SY", &["syria", "syrian arab republic"]), ("TW", &["taiwan"]), ("TJ", &["tajikistan"]),
    ("TZ", &["tanzania", "united republic of tanzania"]), ("TH", &["thailand"]), ("TT", &["trinidad and tobago"]), ("TN", &["tunisia"]),
    ("TR", &["turkey", "turkiye"]), ("TM", &["turkmenistan"]), ("UG", &["uganda"]), ("UA", &["ukraine", "region crimea", "crimea"]),
    ("AE", &["united arab emirates", "uae"]),
    ("GB", &["united kingdom", "united kingdom of great britain and northern ireland", "uk", "great britain"]),
    ("US", &["united states", "united states of america", "usa"]), ("UY", &["uruguay"]), ("UZ", &["uzbekistan"]), ("VU", &["vanuatu"]),
    ("VE", &["venezuela", "venezuela bolivarian republic of"]), ("VN", &["vietnam", "viet nam"]),
    ("VG", &["virgin islands british", "british virgin islands"]), ("YE", &["yemen"]), ("ZM", &["zambia"]), ("ZW", &["zimbabwe"]),
    ("KI", &["kiribati"]), ("TG", &["togo"]), ("PR", &["puerto rico"]), ("MC", &["monaco"]), ("SM", &["san marino"]), ("AD", &["andorra"]),
    ("FJ", &["fiji"]), ("CV", &["cabo verde", "cape verde"]), ("LS", &["lesotho"]), ("SZ", &["eswatini", "swaziland"]), ("MW", &["malawi"]),
    ("MG", &["madagascar"]), ("BT", &["bhutan"]), ("NP", &["nepal"]), ("TL", &["timor leste", "east timor"]), ("BM", &["bermuda"]),
];

/// ISO 3166-1 alpha-2 of a country name, demonym-free; accepts a two-letter code as is.
pub fn country_code(s: &str) -> Option<&'static str> {
    let t = s.trim();
    if t.len() == 2 && t.chars().all(|c| c.is_ascii_alphabetic()) {
        let up = t.to_ascii_uppercase();
        return COUNTRIES.iter().find(|(c, _)| *c == up).map(|(c, _)| *c);
    }
    // "Burma / Birmanie" → the English half.
    let t = t.split(" / ").next().unwrap_or(t);
    let f = crate::normalize::fold(t);
    COUNTRIES.iter().find(|(_, names)| names.contains(&f.as_str())).map(|(c, _)| *c)
}

#[cfg(test)]
mod tests {
    #[test]
    fn names() {
        assert_eq!(super::country_code("Korea, North"), Some("KP"));
        assert_eq!(super::country_code("Iran (Islamic Republic of)"), Some("IR"));
        assert_eq!(super::country_code("ru"), Some("RU"));
        assert_eq!(super::country_code("Burma / Birmanie"), Some("MM"));
        assert_eq!(super::country_code("Atlantis"), None);
    }
}
