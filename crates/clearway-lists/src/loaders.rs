//! Loaders for the XML, CSV/TSV and JSON lists.

use clearway_core::Diagnostic;
use std::collections::{HashMap, HashSet};

use crate::model::{Address, Entity, Gender, NameKind, Schema, clean};
use crate::text::parse_date;
use crate::xml::Element;

fn dup(seen: &mut HashSet<String>, list: &str, id: &str, line: u64, diags: &mut Vec<Diagnostic>) -> bool {
    if seen.insert(id.to_string()) {
        return false;
    }
    diags.push(Diagnostic::warning(format!("{list}:{line}"), format!("duplicated id {id}; later record ignored")).at_line(line, None));
    true
}

/// UN Security Council consolidated list (`CONSOLIDATED_LIST`).
pub fn un(root: &Element, diags: &mut Vec<Diagnostic>) -> Vec<Entity> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (group, item, schema, alias_tag, addr_tag) in [
        ("INDIVIDUALS", "INDIVIDUAL", Schema::Person, "INDIVIDUAL_ALIAS", "INDIVIDUAL_ADDRESS"),
        ("ENTITIES", "ENTITY", Schema::Organization, "ENTITY_ALIAS", "ENTITY_ADDRESS"),
    ] {
        let Some(g) = root.child(group) else { continue };
        for x in g.children(item) {
            let id = x.text_of("REFERENCE_NUMBER").or(x.text_of("DATAID")).unwrap_or("").to_string();
            if id.is_empty() {
                diags.push(Diagnostic::warning(format!("un:{}", x.line), "record without REFERENCE_NUMBER or DATAID").at_line(x.line, None));
                continue;
            }
            if dup(&mut seen, "un", &id, x.line, diags) {
                continue;
            }
            let mut e = Entity::new("un-sc", id, schema);
            let parts: Vec<&str> = ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"].iter().filter_map(|t| x.text_of(t)).collect();
            e.add_name(&parts.join(" "), NameKind::Primary);
            if let Some(n) = x.text_of("NAME_ORIGINAL_SCRIPT") {
                e.add_name(n, NameKind::Aka);
            }
            for a in x.children(alias_tag) {
                let Some(n) = a.text_of("ALIAS_NAME") else { continue };
                let kind = match a.text_of("QUALITY").unwrap_or("").to_ascii_lowercase().as_str() {
                    "low" => NameKind::Weak,
                    "f.k.a." => NameKind::Fka,
                    _ => NameKind::Aka,
                };
                e.add_name(n, kind);
            }
            e.gender = x.text_of("GENDER").and_then(Gender::parse);
            if let Some(n) = x.child("NATIONALITY") {
                for v in n.children("VALUE") {
                    e.add_nationality(&v.text);
                }
            }
            if let Some(t) = x.text_of("UN_LIST_TYPE") {
                e.add_programme(t);
            }
            e.listed_on = x.text_of("LISTED_ON").and_then(parse_date);
            for d in x.children("INDIVIDUAL_DATE_OF_BIRTH") {
                let kind = d.text_of("TYPE_OF_DATE").unwrap_or("");
                let date = if let (Some(a), Some(b)) = (d.text_of("FROM_YEAR"), d.text_of("TO_YEAR")) {
                    parse_date(a).map(|mut p| {
                        p.to_year = parse_date(b).map(|q| q.year).filter(|y| *y > p.year);
                        p
                    })
                } else {
                    d.text_of("DATE").or(d.text_of("YEAR")).and_then(parse_date)
                };
                if let Some(mut p) = date {
                    p.circa |= kind.eq_ignore_ascii_case("APPROXIMATELY");
                    e.add_dob(p);
                }
            }
            for d in x.children("INDIVIDUAL_DOCUMENT") {
                let Some(num) = d.text_of("NUMBER") else { continue };
                let t = d.text_of("TYPE_OF_DOCUMENT").unwrap_or("").to_ascii_lowercase();
                let scheme = if t.contains("passport") { "passport" } else if t.contains("national") { "national-id" } else { "other" };
                e.add_identifier(scheme, num, d.text_of("ISSUING_COUNTRY").or(d.text_of("COUNTRY_OF_ISSUE")));
            }
            for a in x.children(addr_tag) {
                let text: Vec<&str> = ["STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE"].iter().filter_map(|t| a.text_of(t)).collect();
                let country = a.text_of("COUNTRY").map(clean);
                if !text.is_empty() || country.is_some() {
                    e.addresses.push(Address { text: clean(&text.join(", ")), country });
                }
            }
            e.remarks = x.text_of("COMMENTS1").map(clean);
            out.push(e);
        }
    }
    out
}

/// Canada's Consolidated Autonomous Sanctions List (SEMA / JVCFOA), flat `<record>`s.
pub fn sema(root: &Element, diags: &mut Vec<Diagnostic>) -> Vec<Entity> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (i, r) in root.children("record").enumerate() {
        let country = r.text_of("Country").unwrap_or("");
        let item = r.text_of("Item").unwrap_or("");
        let schedule = r.text_of("Schedule").unwrap_or("");
        let base = if item.is_empty() { format!("row{}", i + 1) } else { format!("{country}/{schedule}/{item}") };
        let id = base.clone();
        if dup(&mut seen, "sema", &id, r.line, diags) {
            continue;
        }
        let (schema, primary) = match r.text_of("Entity") {
            Some(ent) => (Schema::Organization, ent.to_string()),
            None => {
                let given = r.text_of("GivenName").unwrap_or("");
                let last = r.text_of("LastName").unwrap_or("");
                (Schema::Person, format!("{given} {last}"))
            }
        };
        if clean(&primary).is_empty() {
            diags.push(Diagnostic::warning(format!("sema:{}", r.line), "record without a name").at_line(r.line, None));
            continue;
        }
        let mut e = Entity::new("ca-sema", id, schema);
        e.add_name(&primary, NameKind::Primary);
        if let Some(a) = r.text_of("Aliases") {
            for n in split_aliases(a) {
                e.add_name(&n, NameKind::Aka);
            }
        }
        if let Some(d) = r.text_of("DateOfBirth").and_then(parse_date) {
            e.add_dob(d);
        }
        // "Burma / Birmanie": the English half.
        let c = country.split(" / ").next().unwrap_or(country);
        if !c.is_empty() {
            e.add_programme(&format!("SEMA {c}"));
            if schema == Schema::Person {
                e.add_nationality(c);
            } else {
                e.addresses.push(Address { text: String::new(), country: Some(clean(c)) });
            }
        }
        e.remarks = r.text_of("Title").map(clean);
        out.push(e);
    }
    out
}

/// Split a comma-separated alias field, keeping legal-form tails (`X, Ltd.`) with their name.
pub fn split_aliases(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for piece in s.split([',', ';']).map(str::trim).filter(|p| !p.is_empty()) {
        let bare: String = piece.chars().filter(|c| c.is_alphanumeric()).collect();
        let tail = bare.len() <= 4 && piece.split_whitespace().count() <= 2 && !out.is_empty();
        if tail {
            if let Some(last) = out.last_mut() {
                last.push_str(", ");
                last.push_str(piece);
            }
        } else {
            out.push(piece.to_string());
        }
    }
    out
}

/// EU Financial Sanctions Files XML 1.1 (`export` / `sanctionEntity`).
pub fn eu(root: &Element, diags: &mut Vec<Diagnostic>) -> Vec<Entity> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for s in root.children("sanctionEntity") {
        let id = s.attr("euReferenceNumber").filter(|v| !v.is_empty()).or(s.attr("logicalId")).unwrap_or("").to_string();
        if id.is_empty() || dup(&mut seen, "eu", &id, s.line, diags) {
            continue;
        }
        let schema = match s.child("subjectType").and_then(|t| t.attr("code")) {
            Some(c) => Schema::parse(c),
            None => Schema::Unknown,
        };
        let mut e = Entity::new("eu-fsf", id, schema);
        for (i, n) in s.children("nameAlias").enumerate() {
            let whole = n.attr("wholeName").unwrap_or("");
            let name = if whole.trim().is_empty() {
                [n.attr("firstName"), n.attr("middleName"), n.attr("lastName")].iter().flatten().cloned().collect::<Vec<_>>().join(" ")
            } else {
                whole.to_string()
            };
            let kind = if i == 0 {
                NameKind::Primary
            } else if n.attr("strong") == Some("false") {
                NameKind::Weak
            } else {
                NameKind::Aka
            };
            let before = e.names.len();
            e.add_name(&name, kind);
            if e.names.len() > before {
                if let Some(l) = n.attr("nameLanguage").filter(|l| !l.is_empty()) {
                    e.names[before].lang = Some(l.to_ascii_lowercase());
                }
            }
            if e.gender.is_none() {
                e.gender = n.attr("gender").and_then(Gender::parse);
            }
        }
        for r in s.children("regulation") {
            if let Some(p) = r.attr("programme") {
                e.add_programme(p);
            }
            if e.listed_on.is_none() {
                e.listed_on = r.attr("publicationDate").and_then(parse_date);
            }
        }
        for b in s.children("birthdate") {
            let d = match b.attr("birthdate").filter(|v| !v.is_empty()) {
                Some(v) => parse_date(v),
                None => b.attr("year").and_then(parse_date).map(|mut p| {
                    p.month = b.attr("monthOfYear").and_then(|m| m.parse().ok()).filter(|m| (1..=12).contains(m));
                    p.day = b.attr("dayOfMonth").and_then(|m| m.parse().ok()).filter(|m| (1..=31).contains(m));
                    p
                }),
            };
            if let Some(mut d) = d {
                d.circa |= b.attr("circa") == Some("true");
                e.add_dob(d);
            }
        }
        for c in s.children("citizenship") {
            if let Some(v) = c.attr("countryIso2Code").filter(|v| v.len() == 2 && *v != "00") {
                e.add_nationality(v);
            }
        }
        for i in s.children("identification") {
            let scheme = match i.attr("identificationTypeCode").unwrap_or("") {
                "passport" => "passport",
                "id" => "national-id",
                "regnumber" => "registration",
                "fiscalcode" | "tax" => "tax-id",
                "imo" => "imo",
                _ => "other",
            };
            let country = i.attr("countryIso2Code").filter(|c| c.len() == 2 && *c != "00");
            e.add_identifier(scheme, i.attr("number").unwrap_or(""), country);
        }
        for a in s.children("address") {
            let text: Vec<&str> = ["street", "city", "region", "zipCode"].iter().filter_map(|k| a.attr(k)).filter(|v| !v.is_empty()).collect();
            let country = a.attr("countryIso2Code").filter(|c| c.len() == 2 && *c != "00").map(str::to_string);
            e.addresses.push(Address { text: clean(&text.join(", ")), country });
        }
        out.push(e);
    }
    out
}

/// UK Sanctions List XML (`Designations` / `Designation`).
pub fn uk(root: &Element, diags: &mut Vec<Diagnostic>) -> Vec<Entity> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for d in root.children("Designation") {
        let Some(id) = d.text_of("UniqueID") else {
            diags.push(Diagnostic::warning(format!("uk:{}", d.line), "designation without UniqueID").at_line(d.line, None));
            continue;
        };
        if dup(&mut seen, "uk", id, d.line, diags) {
            continue;
        }
        let schema = match d.text_of("IndividualEntityShip").unwrap_or("") {
            "Individual" => Schema::Person,
            "Ship" => Schema::Vessel,
            _ => Schema::Organization,
        };
        let mut e = Entity::new("uk-fcdo", id, schema);
        if let Some(ns) = d.child("Names") {
            for n in ns.children("Name") {
                let parts: Vec<&str> = ["Name1", "Name2", "Name3", "Name4", "Name5", "Name6"].iter().filter_map(|t| n.text_of(t)).collect();
                let t = n.text_of("NameType").unwrap_or("").to_ascii_lowercase();
                let weak = n.text_of("AliasStrength").is_some_and(|s| s.to_ascii_lowercase().contains("weak") || s.to_ascii_lowercase().contains("low"));
                let kind = if t == "primary name" {
                    NameKind::Primary
                } else if weak {
                    NameKind::Weak
                } else {
                    NameKind::Aka
                };
                e.add_name(&parts.join(" "), kind);
            }
        }
        if let Some(ns) = d.child("NonLatinNames") {
            for n in ns.children("NonLatinName") {
                if let Some(t) = n.text_of("NameNonLatinScript") {
                    e.add_name(t, NameKind::Aka);
                }
            }
        }
        if let Some(r) = d.text_of("RegimeName") {
            e.add_programme(r);
        }
        e.listed_on = d.text_of("DateDesignated").and_then(parse_date);
        e.remarks = d.text_of("OtherInformation").map(clean);
        let mut dobs = Vec::new();
        d.descendants("DOB", &mut dobs);
        for x in dobs {
            if let Some(p) = parse_date(&x.text) {
                e.add_dob(p);
            }
        }
        let mut v = Vec::new();
        d.descendants("Nationality", &mut v);
        for x in v {
            e.add_nationality(&x.text);
        }
        let mut g = Vec::new();
        d.descendants("Gender", &mut g);
        e.gender = g.first().and_then(|x| Gender::parse(&x.text));
        let mut p = Vec::new();
        d.descendants("PassportNumber", &mut p);
        for x in p {
            e.add_identifier("passport", &x.text, None);
        }
        let mut n = Vec::new();
        d.descendants("NationalIdentifierNumber", &mut n);
        for x in n {
            e.add_identifier("national-id", &x.text, None);
        }
        let mut imo = Vec::new();
        d.descendants("IMONumber", &mut imo);
        for x in imo {
            e.add_identifier("imo", x.text.trim().trim_start_matches("IMO"), None);
        }
        if let Some(addrs) = d.child("Addresses") {
            for a in addrs.children("Address") {
                let text: Vec<&str> = (1..=6).filter_map(|i| a.text_of(&format!("AddressLine{i}"))).collect();
                e.addresses.push(Address { text: clean(&text.join(", ")), country: a.text_of("AddressCountry").map(clean) });
            }
        }
        out.push(e);
    }
    out
}

/// US Consolidated Screening List CSV, both header generations (with and without `_id`).
pub fn csl(text: &str, diags: &mut Vec<Diagnostic>) -> Vec<Entity> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            diags.push(Diagnostic::error("csl:1", format!("unreadable header: {e}")));
            return Vec::new();
        }
    };
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let (c_id, c_source, c_num, c_type, c_prog, c_name, c_addr, c_start, c_alt, c_cit, c_dob, c_nat, c_ids, c_rem) = (
        col("_id"),
        col("source"),
        col("entity_number"),
        col("type"),
        col("programs"),
        col("name"),
        col("addresses"),
        col("start_date"),
        col("alt_names"),
        col("citizenships"),
        col("dates_of_birth"),
        col("nationalities"),
        col("ids"),
        col("remarks"),
    );
    if c_name.is_none() || c_source.is_none() {
        diags.push(Diagnostic::error("csl:1", "not a Consolidated Screening List header (want source and name columns)"));
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i as u64 + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                diags.push(Diagnostic::warning(format!("csl:{line}"), format!("unreadable row: {e}")).at_line(line, None));
                continue;
            }
        };
        let get = |c: Option<usize>| c.and_then(|c| rec.get(c)).map(str::trim).unwrap_or("");
        let name = get(c_name);
        if name.is_empty() {
            diags.push(Diagnostic::warning(format!("csl:{line}"), "row without a name").at_line(line, None));
            continue;
        }
        let source = get(c_source);
        let id = [get(c_id), get(c_num)].into_iter().find(|s| !s.is_empty()).map(str::to_string).unwrap_or_else(|| format!("row{line}"));
        if dup(&mut seen, "csl", &id, line, diags) {
            continue;
        }
        let schema = match get(c_type).to_ascii_lowercase().as_str() {
            "individual" => Schema::Person,
            "entity" => Schema::Organization,
            "vessel" => Schema::Vessel,
            "aircraft" => Schema::Aircraft,
            _ => Schema::Unknown,
        };
        let mut e = Entity::new("us-csl", id, schema);
        e.add_name(name, NameKind::Primary);
        for a in get(c_alt).split(';') {
            e.add_name(a, NameKind::Aka);
        }
        // Source name: "Denied Persons List (DPL) - Bureau of Industry and Security" → "DPL".
        let short = source.find('(').and_then(|a| source[a + 1..].find(')').map(|b| &source[a + 1..a + 1 + b])).unwrap_or(source);
        e.add_programme(short);
        for p in get(c_prog).split(';') {
            e.add_programme(p);
        }
        for a in get(c_addr).split(';').map(str::trim).filter(|a| !a.is_empty()) {
            let country = a.rsplit(',').next().map(clean).filter(|c| c.len() >= 2);
            e.addresses.push(Address { text: clean(a), country });
        }
        for d in get(c_dob).split(';') {
            if let Some(d) = parse_date(d) {
                e.add_dob(d);
            }
        }
        for n in get(c_cit).split(';').chain(get(c_nat).split(';')) {
            e.add_nationality(n);
        }
        for x in get(c_ids).split(';').map(str::trim).filter(|x| !x.is_empty()) {
            // "Passport, A1234, IR, ..." — type, number, country.
            let parts: Vec<&str> = x.split(',').map(str::trim).collect();
            if parts.len() >= 2 {
                let t = parts[0].to_ascii_lowercase();
                let scheme = if t.contains("passport") { "passport" } else if t.contains("imo") { "imo" } else if t.contains("tax") { "tax-id" } else { "other" };
                e.add_identifier(scheme, parts[1], parts.get(2).copied().filter(|c| !c.is_empty()));
            }
        }
        e.listed_on = parse_date(get(c_start));
        let rem = get(c_rem);
        if !rem.is_empty() {
            e.remarks = Some(clean(rem));
        }
        out.push(e);
    }
    out
}

/// BIS Denied Persons List, tab-separated with a quoted header (`"Name"\t"Street_Address"...`).
pub fn dpl(text: &str, diags: &mut Vec<Diagnostic>) -> Vec<Entity> {
    let mut rdr = csv::ReaderBuilder::new().delimiter(b'\t').flexible(true).from_reader(text.as_bytes());
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            diags.push(Diagnostic::error("dpl:1", format!("unreadable header: {e}")));
            return Vec::new();
        }
    };
    let col = |name: &str| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
    let (c_name, c_street, c_city, c_state, c_country, c_post, c_eff, c_fr) = (
        col("Name"),
        col("Street_Address"),
        col("City"),
        col("State"),
        col("Country"),
        col("Postal_Code"),
        col("Effective_Date"),
        col("FR_Citation"),
    );
    if c_name.is_none() {
        diags.push(Diagnostic::error("dpl:1", "no Name column"));
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut seen_ids: HashMap<String, u32> = HashMap::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i as u64 + 2;
        let Ok(rec) = rec else {
            diags.push(Diagnostic::warning(format!("dpl:{line}"), "unreadable row").at_line(line, None));
            continue;
        };
        let get = |c: Option<usize>| c.and_then(|c| rec.get(c)).map(str::trim).unwrap_or("");
        let name = get(c_name);
        if name.is_empty() {
            diags.push(Diagnostic::warning(format!("dpl:{line}"), "row without a name").at_line(line, None));
            continue;
        }
        // The DPL has no ids: a row is its name, address and effective date (the same person may appear
        // at several addresses, each a row). The id is a hash of those, so it stays when rows are added,
        // removed or reordered, or when the row's other columns (expiry, last update, action, citation)
        // change; identical rows get `-2`, `-3` ... in file order.
        let id = dpl_id(&[name, get(c_street), get(c_city), get(c_state), get(c_country), get(c_post), get(c_eff)]);
        let n = seen_ids.entry(id.clone()).or_insert(0u32);
        *n += 1;
        let id = if *n == 1 { id } else { format!("{id}-{n}") };
        let mut e = Entity::new("bis-dpl", id, Schema::Unknown);
        e.add_name(name, NameKind::Primary);
        let text: Vec<&str> = [get(c_street), get(c_city), get(c_state), get(c_post)].into_iter().filter(|s| !s.is_empty()).collect();
        let country = get(c_country);
        e.addresses.push(Address { text: clean(&text.join(", ")), country: (!country.is_empty()).then(|| country.to_string()) });
        e.listed_on = parse_date(get(c_eff)).map(|mut d| {
            // MM/DD/YYYY in this file: swap the day-first reading.
            if let (Some(m), Some(dd)) = (d.month, d.day) {
                if dd <= 12 {
                    d.month = Some(dd);
                    d.day = Some(m);
                }
            }
            d
        });
        e.add_programme("DPL");
        let fr = get(c_fr);
        if !fr.is_empty() {
            e.remarks = Some(clean(fr));
        }
        out.push(e);
    }
    out
}

/// A DPL row's id: `dpl-` and 16 hex digits of a 64-bit FNV-1a hash over its fields, each upper-cased
/// with runs of white space as one space, separated by a unit separator.
fn dpl_id(fields: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |b: u8| h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    for f in fields {
        for (k, w) in f.split_whitespace().enumerate() {
            if k > 0 {
                eat(b' ');
            }
            for c in w.chars().flat_map(char::to_uppercase) {
                let mut buf = [0u8; 4];
                c.encode_utf8(&mut buf).bytes().for_each(&mut eat);
            }
        }
        eat(0x1f);
    }
    format!("dpl-{h:016x}")
}

/// OpenSanctions FollowTheMoney JSON lines.
pub fn ftm(text: &str, diags: &mut Vec<Diagnostic>) -> Vec<Entity> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (i, line) in text.lines().enumerate() {
        let ln = i as u64 + 1;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                diags.push(Diagnostic::warning(format!("ftm:{ln}"), format!("not JSON: {e}")).at_line(ln, None));
                continue;
            }
        };
        let Some(id) = v.get("id").and_then(|x| x.as_str()) else {
            diags.push(Diagnostic::warning(format!("ftm:{ln}"), "entity without id").at_line(ln, None));
            continue;
        };
        if dup(&mut seen, "ftm", id, ln, diags) {
            continue;
        }
        let schema = Schema::parse(v.get("schema").and_then(|x| x.as_str()).unwrap_or(""));
        let props = v.get("properties").cloned().unwrap_or_default();
        let strs = |k: &str| -> Vec<String> {
            props.get(k).and_then(|x| x.as_array()).map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect()).unwrap_or_default()
        };
        let mut e = Entity::new("opensanctions", id, schema);
        if let Some(c) = v.get("caption").and_then(|x| x.as_str()) {
            e.add_name(c, NameKind::Primary);
        }
        for n in strs("name") {
            e.add_name(&n, if e.names.is_empty() { NameKind::Primary } else { NameKind::Aka });
        }
        for n in strs("alias") {
            e.add_name(&n, NameKind::Aka);
        }
        for n in strs("previousName") {
            e.add_name(&n, NameKind::Fka);
        }
        for n in strs("weakAlias") {
            e.add_name(&n, NameKind::Weak);
        }
        for d in strs("birthDate") {
            if let Some(d) = parse_date(&d) {
                e.add_dob(d);
            }
        }
        for c in strs("nationality").iter().chain(strs("citizenship").iter()).chain(strs("country").iter()) {
            e.add_nationality(c);
        }
        e.gender = strs("gender").first().and_then(|g| Gender::parse(g));
        for (k, scheme) in [("registrationNumber", "registration"), ("taxNumber", "tax-id"), ("imoNumber", "imo"), ("passportNumber", "passport"), ("idNumber", "national-id")] {
            for x in strs(k) {
                e.add_identifier(scheme, &x, None);
            }
        }
        for t in strs("program").iter().chain(strs("programId").iter()) {
            e.add_programme(t);
        }
        if let Some(ds) = v.get("datasets").and_then(|x| x.as_array()) {
            for d in ds.iter().filter_map(|d| d.as_str()) {
                e.add_programme(d);
            }
        }
        e.listed_on = strs("createdAt").first().and_then(|d| parse_date(d));
        out.push(e);
    }
    out
}
