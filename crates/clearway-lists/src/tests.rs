use super::*;
use std::collections::{HashMap, HashSet};

fn read(rel: &str) -> Option<(String, Vec<u8>)> {
    let p = clearway_testdata::file(rel)?;
    Some((p.display().to_string(), std::fs::read(&p).ok()?))
}

fn load_files(rels: &[&str]) -> Option<Vec<Loaded>> {
    let files: Vec<(String, Vec<u8>)> = rels.iter().map(|r| read(r)).collect::<Option<_>>()?;
    let sources: Vec<Source> = files.iter().map(|(n, b)| Source { name: n, bytes: b }).collect();
    Some(load(&sources))
}


fn kinds(l: &Loaded, k: NameKind) -> usize {
    l.entities.iter().flat_map(|e| &e.names).filter(|n| n.kind == k).count()
}

#[test]
fn ofac_sdn_set() {
    let Some(ls) = load_files(&[
        "sanctions/ofac_sdn_2021/sdn.csv",
        "sanctions/ofac_sdn_2021/alt.csv",
        "sanctions/ofac_sdn_2021/add.csv",
        "sanctions/ofac_sdn_2021/sdn_comments.csv",
    ]) else {
        return;
    };
    assert_eq!(ls.len(), 1);
    let l = &ls[0];
    assert_eq!(l.list, "ofac-sdn");
    assert!(l.diagnostics.is_empty(), "{:?}", &l.diagnostics[..3.min(l.diagnostics.len())]);
    // sdn.csv: 8,976 rows (4,620 individuals, 406 vessels, 277 aircraft).
    assert_eq!(l.entities.len(), 8976);
    assert_eq!(l.entities.iter().filter(|e| e.schema == Schema::Person).count(), 4620);
    assert_eq!(l.entities.iter().filter(|e| e.schema == Schema::Vessel).count(), 406);
    assert_eq!(l.entities.iter().filter(|e| e.schema == Schema::Aircraft).count(), 277);
    // alt.csv: 11,910 rows (11,523 aka + 18 nka + 369 fka), less the few that repeat a name already held;
    // remarks add "a.k.a." weak aliases and a few "f.k.a.".
    assert_eq!(l.name_count(), 23391);
    assert_eq!(kinds(l, NameKind::Aka), 11535);
    assert_eq!(kinds(l, NameKind::Fka), 393);
    assert_eq!(kinds(l, NameKind::Weak), 2487);
    let bnc = l.entities.iter().find(|e| e.id == "306").unwrap();
    assert_eq!(bnc.caption(), "BANCO NACIONAL DE CUBA");
    assert!(bnc.names.iter().any(|n| n.full == "NATIONAL BANK OF CUBA" && n.kind == NameKind::Aka));
    assert!(bnc.names.iter().any(|n| n.full == "BNC" && n.kind == NameKind::Weak));
    assert_eq!(bnc.addresses[0].country.as_deref(), Some("Switzerland"));
    assert_eq!(bnc.programmes, vec!["CUBA".to_string()]);
    // add.csv: 13,837 rows, of which 2,397 are entirely `-0-` (no address known) and are not kept.
    assert_eq!(l.entities.iter().map(|e| e.addresses.len()).sum::<usize>(), 11440);
}

#[test]
fn ofac_consolidated_set() {
    let Some(ls) = load_files(&[
        "sanctions/ofac_cons_2025/cons_prim.csv",
        "sanctions/ofac_cons_2025/cons_alt.csv",
        "sanctions/ofac_cons_2025/cons_add.csv",
        "sanctions/ofac_cons_2025/cons_comments.csv",
    ]) else {
        return;
    };
    let l = &ls[0];
    assert_eq!(l.list, "ofac-cons");
    assert_eq!(l.entities.len(), 442);
    assert_eq!(l.name_count(), 1587);
    let haniya = l.entities.iter().find(|e| e.id == "9639").unwrap();
    assert_eq!(haniya.dobs, vec![PartialDate::year(1962)]);
    assert_eq!(haniya.schema, Schema::Person);
}

#[test]
fn un_consolidated() {
    let Some(ls) = load_files(&["sanctions/un/un_consolidated_2026-02-27.xml"]) else { return };
    let l = &ls[0];
    assert_eq!(l.list, "un-sc");
    assert_eq!(l.entities.len(), 1003);
    assert_eq!(l.entities.iter().filter(|e| e.schema == Schema::Person).count(), 730);
    assert_eq!(l.name_count(), 4121);
    assert_eq!(kinds(l, NameKind::Weak), 615);
    // 378 NAME_ORIGINAL_SCRIPT names (Arabic, Cyrillic ...) kept alongside, and 9 aliases in non-Latin script.
    assert_eq!(l.entities.iter().flat_map(|e| &e.names).filter(|n| n.script != Script::Latin).count(), 387);
    let badege = l.entities.iter().find(|e| e.id == "CDi.001").unwrap();
    assert_eq!(badege.caption(), "ERIC BADEGE");
    assert_eq!(badege.dobs, vec![PartialDate::year(1971)]);
    assert_eq!(badege.gender, Some(Gender::Male));
}

#[test]
fn us_csl_both_generations_and_dpl() {
    let Some(ls) = load_files(&["sanctions/us_csl/csl_2019_sample.csv"]) else { return };
    assert_eq!((ls[0].list.as_str(), ls[0].entities.len(), ls[0].name_count()), ("us-csl", 115, 276));
    let Some(ls) = load_files(&["sanctions/us_csl/consolidated_2025_sample.csv"]) else { return };
    assert_eq!((ls[0].entities.len(), ls[0].name_count()), (13, 28));
    let Some(ls) = load_files(&["sanctions/us_csl/bis_dpl_2022.txt"]) else { return };
    assert_eq!((ls[0].list.as_str(), ls[0].entities.len()), ("bis-dpl", 581));
    assert_eq!(ls[0].entities[0].caption(), "I. ASH");
}

#[test]
fn sema_eu_uk_ftm() {
    let Some(ls) = load_files(&["sanctions/ca_sema/sema-lmes_2020-04.xml"]) else { return };
    let l = &ls[0];
    assert_eq!((l.list.as_str(), l.entities.len(), l.name_count()), ("ca-sema", 1369, 1519));
    assert_eq!(l.entities.iter().filter(|e| e.schema == Schema::Person).count(), 985);
    let bagan = &l.entities[0];
    assert_eq!(bagan.names.iter().map(|n| n.full.as_str()).collect::<Vec<_>>(), ["Air Bagan", "Air Bagan Holdings Pte. Ltd.", "Air Bagan Limited"]);
    let Some(ls) = load_files(&["sanctions/eu_fsf/eu_fsf_sample_2entities.xml"]) else { return };
    assert_eq!((ls[0].list.as_str(), ls[0].entities.len(), ls[0].name_count()), ("eu-fsf", 2, 10));
    assert_eq!(ls[0].entities[0].dobs[0], PartialDate::ymd(1965, 4, 14));
    let Some(ls) = load_files(&["sanctions/uk/uk_sanctions_list_sample.xml"]) else { return };
    assert_eq!((ls[0].list.as_str(), ls[0].entities.len(), ls[0].name_count()), ("uk-fcdo", 5, 12));
    assert!(ls[0].entities.iter().any(|e| e.identifiers.iter().any(|i| i.scheme == "imo" && i.value == "9562233")));
    let Some(ls) = load_files(&["sanctions/opensanctions/yente_t1_entities.ftm.json"]) else { return };
    assert_eq!((ls[0].list.as_str(), ls[0].entities.len(), ls[0].name_count()), ("opensanctions", 7, 36));
    assert!(ls[0].entities.iter().flat_map(|e| &e.names).any(|n| n.script == Script::Cyrillic));
}

#[test]
fn bad_inputs_are_diagnosed() {
    let truncated = load(&[Source { name: "un.xml", bytes: b"<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>" }]);
    assert!(truncated[0].failed());
    assert!(truncated[0].entities.is_empty());
    let unknown = load(&[Source { name: "x.txt", bytes: b"hello world" }]);
    assert!(unknown[0].failed());
    let dup = load(&[Source { name: "sdn.csv", bytes: b"1,\"A B\",\"individual\",\"X\",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-\n1,\"C D\",\"individual\",\"X\",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-\n" }]);
    assert_eq!(dup[0].entities.len(), 1);
    assert_eq!(dup[0].diagnostics.len(), 1);
    let latin1 = load(&[Source { name: "sdn.csv", bytes: b"7,\"CAF\xC9 S.A.\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \x1a" }]);
    assert_eq!(latin1[0].entities[0].caption(), "CAF\u{C9} S.A.");
    let orphan = load(&[Source { name: "alt.csv", bytes: b"36,12,\"aka\",\"AERO\",-0- \n" }]);
    assert!(orphan[0].failed());
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = load(&[Source { name: "x", bytes: &bytes }]);
        }

        #[test]
        fn never_panics_on_xmlish(s in "<(CONSOLIDATED_LIST|data-set|export|Designations)>[<>/a-zA-Z_ =\"&;#0-9]{0,200}") {
            let _ = load(&[Source { name: "x.xml", bytes: s.as_bytes() }]);
        }

        #[test]
        fn never_panics_on_csvish(s in "[0-9]{1,3},[\"a-zA-Z ,;\n-]{0,200}") {
            let _ = load(&[Source { name: "sdn.csv", bytes: s.as_bytes() }]);
        }
    }
}

#[test]
fn dpl_ids_from_content() {
    let Some((name, bytes)) = read("sanctions/us_csl/bis_dpl_2022.txt") else { return };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let first = load_text(&name, Format::BisDplTsv, &text, Vec::new());
    // Every row its own id, none a line number.
    let ids: HashSet<&str> = first.entities.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), 581);
    assert!(first.entities.iter().all(|e| e.id.starts_with("dpl-")));
    // Rows reversed and one removed, another row's citation changed: every remaining row keeps its id.
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    lines.remove(0);
    lines.reverse();
    let changed = lines[0].replace("F.R.", "FR");
    lines[0] = &changed;
    let second = load_text(&name, Format::BisDplTsv, &format!("{header}\n{}\n", lines.join("\n")), Vec::new());
    assert_eq!(second.entities.len(), 580);
    let by_id: HashMap<&str, &Entity> = first.entities.iter().map(|e| (e.id.as_str(), e)).collect();
    for e in &second.entities {
        let old = by_id.get(e.id.as_str()).unwrap_or_else(|| panic!("{} ({}) lost its id", e.id, e.caption()));
        assert_eq!((old.caption(), &old.addresses), (e.caption(), &e.addresses));
    }
    assert!(!second.entities.iter().any(|e| e.id == first.entities[0].id));
    // Identical rows: the second gets a suffix.
    let dup = format!("{header}\n{}\n{}\n", text.lines().nth(1).unwrap_or(""), text.lines().nth(1).unwrap_or(""));
    let d = load_text(&name, Format::BisDplTsv, &dup, Vec::new());
    assert_eq!(d.entities.len(), 2);
    assert_eq!(d.entities[1].id, format!("{}-2", d.entities[0].id));
}
