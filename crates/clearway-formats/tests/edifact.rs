//! EDIFACT reader, CUSCAR mapping, writers and CUSRES, against the shared samples and generated data.

use clearway_core::{AgencyCountry, Filing, Mode, Role, Severity};
use clearway_formats::edifact::{self, Tokenizer};
use clearway_formats::{Interchange, MessageFormat};
use proptest::prelude::*;

const EPOCH: chrono::DateTime<chrono::Utc> = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;

fn sample(name: &str) -> Option<Vec<u8>> {
    let p = clearway_testdata::file(&format!("messages/edifact/{name}"))?;
    std::fs::read(p).ok()
}

fn filings(ic: &Interchange) -> Vec<&Filing> {
    ic.messages.iter().filter(|m| m.accepted()).flat_map(|m| m.filings.iter().map(|p| &p.filing)).collect()
}

fn roles(f: &Filing) -> Vec<(Role, String)> {
    f.parties.iter().map(|p| (p.role, p.name.clone())).collect()
}

#[test]
fn d95b_cuscar_sample_maps_despite_wrong_unt() {
    let Some(bytes) = sample("edifact-d95b-cuscar-sample-NO-LICENSE.edi") else {
        return;
    };
    let ic = edifact::read(&bytes);
    assert_eq!(ic.format, MessageFormat::Edifact);
    assert_eq!(ic.sender.as_deref(), Some("SENDER"));
    assert_eq!(ic.recipient.as_deref(), Some("RECIPIENT"));
    assert_eq!(ic.control_ref.as_deref(), Some("SRC-000001"));
    // The wrong UNT count is an envelope error naming the UNT segment.
    let unt = ic
        .diagnostics
        .iter()
        .find(|d| d.message.contains("UNT segment count 313"))
        .unwrap_or_else(|| panic!("no UNT count diagnostic: {:#?}", ic.diagnostics));
    assert_eq!(unt.severity, Severity::Error);
    assert_eq!(unt.location.path.as_deref(), Some("segment 31 UNT, element 1"));
    assert_eq!(unt.location.line, Some(31));
    assert!(unt.message.contains("30 segments"), "{}", unt.message);
    assert!(ic.diagnostics.iter().any(|d| d.message.contains("UNT reference \"DOCREF1234\"")));
    // The cargo still goes through.
    assert_eq!(ic.messages.len(), 1);
    let m = &ic.messages[0];
    assert!(m.accepted(), "{:#?}", m.diagnostics);
    assert_eq!(m.reference, "MREF123456");
    assert_eq!((m.line, m.segment), (2, 2));
    let fs = filings(&ic);
    assert_eq!(fs.len(), 1);
    let f = fs[0];
    assert_eq!(f.id, "DOCV373MOB909999");
    assert_eq!(f.mode, Mode::Marine);
    // First port of arrival GBPME (Portsmouth): lodged with GB, not defaulted to US (issue 20 class 3).
    assert_eq!(f.country, AgencyCountry::parse("GB").unwrap());
    let r = roles(f);
    assert!(r.contains(&(Role::Declarant, String::new())), "{r:?}");
    assert!(r.contains(&(Role::Manufacturer, "A PERSON, TEST ADDRESS, TOWN, POSTCODE".into())));
    assert!(r.contains(&(Role::Consignee, "ANOTHER PERSON, A COMPANY, SOMEWHERE".into())));
    assert!(r.contains(&(Role::Consignor, "ANOTHER DIFFERENT PERSON, ANOTHER COMPANY, SOMEWHERE ELSE".into())));
    assert_eq!(f.party(Role::Consignee).and_then(|p| p.ids.first()).map(|i| i.value.as_str()), Some("MOB00995"));
    assert_eq!(f.goods.len(), 1);
    let g = &f.goods[0];
    assert_eq!(g.description, "FREETEXT DESC, DETAILS");
    assert_eq!(g.packages, Some(2880));
    assert_eq!(g.gross_kg, Some(55814.0));
    assert_eq!(g.containers, ["EQ123456"]);
    assert_eq!(f.equipment.len(), 1);
    assert_eq!(f.equipment[0].number, "EQ123456");
    assert_eq!(f.itinerary.place_of_loading.as_deref(), Some("CRMOB"));
    assert_eq!(f.itinerary.place_of_discharge.as_deref(), Some("GBPME"));
    assert_eq!(f.itinerary.first_port_of_arrival.as_deref(), Some("GBPME"));
    let c = f.conveyance.as_ref().expect("conveyance");
    assert_eq!(c.vessel_name.as_deref(), Some("TEST SHIP"));
    assert_eq!(c.voyage.as_deref(), Some("TRANS1234"));
    assert_eq!(f.times.filed_at.map(|t| t.to_rfc3339()).as_deref(), Some("2019-10-21T08:52:00+00:00"));
    assert_eq!(f.times.arrival.map(|t| t.to_rfc3339()).as_deref(), Some("2019-10-29T03:30:00+00:00"));
    // The whole input still becomes records: one rejected envelope record plus the filing.
    let recs = ic.into_records(&bytes);
    assert_eq!(recs.len(), 2);
    assert!(recs[0].outcome.is_err() && recs[1].outcome.is_ok());
}

#[test]
fn d03b_ace_truck_manifest_maps() {
    let Some(bytes) = sample("edifact-d03b-cuscar-cbp-ace-truck-NO-LICENSE.edi") else {
        return;
    };
    let ic = edifact::read(&bytes);
    assert!(!ic.diagnostics.iter().any(|d| d.severity == Severity::Error), "{:#?}", ic.diagnostics);
    assert_eq!(ic.messages.len(), 1);
    let m = &ic.messages[0];
    assert_eq!(m.kind, "CUSCAR");
    assert!(m.accepted(), "{:#?}", m.diagnostics);
    let fs = filings(&ic);
    assert_eq!(fs.len(), 1);
    let f = fs[0];
    assert_eq!(f.id, "LOCKKH041122106");
    assert_eq!(f.mode, Mode::Highway);
    assert_eq!(f.country, AgencyCountry::US);
    let r = roles(f);
    assert!(r.contains(&(Role::Carrier, String::new())), "{r:?}");
    assert!(r.contains(&(Role::Driver, "AADLER KEN".into())));
    assert!(r.contains(&(Role::Consignee, "KATHY SMITH".into())));
    assert!(r.contains(&(Role::ImporterOfRecord, "KATHY SMITH".into())));
    assert!(r.contains(&(Role::Consignor, "KATHY SMITH".into())));
    let carrier = f.party(Role::Carrier).expect("carrier");
    assert_eq!(carrier.id("SCAC"), Some("LOCK"));
    assert_eq!(carrier.address.as_ref().and_then(|a| a.city.as_deref()), Some("RESTON"));
    assert_eq!(f.party(Role::Consignee).and_then(|p| p.country.as_deref()), Some("US"));
    assert_eq!(f.equipment.len(), 1);
    assert_eq!(f.equipment[0].number, "10000325");
    assert_eq!(f.equipment[0].seals, ["SEALEQUNO001"]);
    assert_eq!(f.goods.len(), 1);
    let g = &f.goods[0];
    assert_eq!(g.description, "IRON COIL SHEET METAL");
    assert_eq!(g.packages, Some(158));
    assert_eq!(g.package_type.as_deref(), Some("COL"));
    assert_eq!(g.gross_kg, Some(750.0));
    assert_eq!(f.itinerary.first_port_of_arrival.as_deref(), Some("0901"));
    assert_eq!(f.itinerary.place_of_loading.as_deref(), Some("U0107"));
    assert_eq!(f.conveyance.as_ref().and_then(|c| c.plate.as_deref()), Some("10000324"));
    assert_eq!(f.times.arrival.map(|t| t.to_rfc3339()).as_deref(), Some("2004-12-30T12:00:00+00:00"));
    assert_eq!(f.times.departure.map(|t| t.to_rfc3339()).as_deref(), Some("2004-12-30T00:00:00+00:00"));
}

#[test]
fn non_cuscar_samples_are_rejected_cleanly() {
    for (name, kind) in [
        ("edifact-d04b-baplie-stowage-plan.edi", "BAPLIE"),
        ("edifact-d95b-coprar-container-discharge-loading.edi", "COPRAR"),
        ("edifact-d00b-iftsta-transport-status.edi", "IFTSTA"),
    ] {
        let Some(bytes) = sample(name) else { return };
        let ic = edifact::read(&bytes);
        assert_eq!(ic.messages.len(), 1, "{name}");
        let m = &ic.messages[0];
        assert_eq!(m.kind, kind);
        assert!(!m.accepted());
        assert!(m.filings.is_empty());
        let want = format!("not a cargo filing: {kind}; only the CUSCAR cargo report is screened");
        assert!(
            m.diagnostics.iter().any(|d| d.severity == Severity::Error && d.message == want),
            "{:#?}",
            m.diagnostics
        );
    }
}

#[test]
fn cusres_parses_back_and_names_the_message() {
    let Some(bytes) = sample("edifact-d95b-cuscar-sample-NO-LICENSE.edi") else {
        return;
    };
    let ic = edifact::read(&bytes);
    let resp = edifact::cusres(&ic, &ic.messages[0], EPOCH);
    let mut tk = Tokenizer::new(&resp);
    let segs: Vec<_> = (&mut tk).collect();
    assert!(tk.diagnostics.is_empty(), "{:?}", tk.diagnostics);
    let unb = segs.iter().find(|s| s.tag == b"UNB").expect("UNB");
    assert_eq!(unb.text(2, 1), "RECIPIENT");
    assert_eq!(unb.text(3, 1), "SENDER");
    let bgm = segs.iter().find(|s| s.tag == b"BGM").expect("BGM");
    assert_eq!(bgm.text(1, 1), "962");
    assert_eq!(bgm.text(2, 1), "MREF123456");
    // The UNT count error points at segment 30 of the message (UNT).
    let rffs: Vec<_> = segs.iter().filter(|s| s.tag == b"RFF" && s.text(1, 3) == "30").collect();
    assert!(!rffs.is_empty());
    assert_eq!(rffs[0].text(1, 2), "MREF123456");
    assert!(segs.iter().any(|s| s.tag == b"ERC" && s.text(1, 1) == "CTL"));
    assert!(segs.iter().any(|s| s.tag == b"FTX" && s.text(4, 1).contains("UNT segment count 313")));
    // The response's own envelope is sound.
    let back = edifact::read(&resp);
    assert!(back.diagnostics.is_empty(), "{:#?}", back.diagnostics);
    assert_eq!(back.messages[0].kind, "CUSRES");

    // A rejected message gets 961 and the type error.
    if let Some(b) = sample("edifact-d04b-baplie-stowage-plan.edi") {
        let ic = edifact::read(&b);
        let resp = edifact::cusres(&ic, &ic.messages[0], EPOCH);
        let segs: Vec<_> = Tokenizer::new(&resp).collect();
        assert!(segs.iter().any(|s| s.tag == b"BGM" && s.text(1, 1) == "961" && s.text(2, 1) == "1"));
        assert!(segs.iter().any(|s| s.tag == b"ERC" && s.text(1, 1) == "TYP"));
    }
}

const GOOD: &str = "UNB+UNOC:3+S+R+261102:1200+REF1'\nUNH+M1+CUSCAR:D:03B:UN'\nBGM+85+B1+9'\nCNI+1+BILL1'\nNAD+CN+++ACME ?+ SONS'\nGID+1+2:CT'\nFTX+AAA+++WIDGETS'\nUNT+7+M1'\nUNH+M2+CUSCAR:D:03B:UN'\nBGM+85+B2+9'\nCNI+1+BILL2'\nUNT+4+M2'\nUNZ+2+REF1'\n";

#[test]
fn good_interchange_is_clean() {
    let ic = edifact::read(GOOD.as_bytes());
    assert!(ic.diagnostics.is_empty(), "{:#?}", ic.diagnostics);
    let fs = filings(&ic);
    assert_eq!(fs.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(), ["BILL1", "BILL2"]);
    assert_eq!(fs[0].parties[0].name, "ACME + SONS");
}

#[test]
fn truncated_interchange() {
    let cut = &GOOD.as_bytes()[..GOOD.find("UNT+4").unwrap_or(0) + 3];
    let ic = edifact::read(cut);
    assert_eq!(ic.messages.len(), 2);
    assert!(ic.messages[0].accepted());
    assert!(!ic.messages[1].accepted());
    assert!(ic.messages[1].diagnostics.iter().any(|d| d.message.contains("truncated")));
    assert!(ic.diagnostics.iter().any(|d| d.message.contains("no UNZ")));
    assert!(ic.diagnostics.iter().any(|d| d.message.contains("no segment terminator")));
}

#[test]
fn bad_release_at_end() {
    let mut s = GOOD.trim_end().to_string();
    s.push('?');
    let ic = edifact::read(s.as_bytes());
    let d = ic.diagnostics.iter().find(|d| d.message.contains("release character")).expect("release diagnostic");
    assert_eq!(d.severity, Severity::Error);
    assert_eq!(filings(&ic).len(), 2);
}

#[test]
fn junk_is_reported_and_skipped() {
    let s = GOOD.replace("GID+1", "\u{1}\u{2}\u{fffd}'GID+1");
    let ic = edifact::read(s.as_bytes());
    assert!(ic.diagnostics.iter().any(|d| d.message.contains("not an EDIFACT segment") && d.location.line == Some(6)));
    assert_eq!(filings(&ic).len(), 2);
    let ic = edifact::read(b"\x00\xff\xfe garbage");
    assert!(ic.messages.is_empty());
    assert!(ic.diagnostics.iter().any(|d| d.severity == Severity::Error));
    let ic = edifact::read(b"");
    assert!(ic.diagnostics.iter().any(|d| d.message.contains("no EDIFACT segments")));
}

#[test]
fn unz_count_and_reference_wrong() {
    let s = GOOD.replace("UNZ+2+REF1", "UNZ+5+REF9");
    let ic = edifact::read(s.as_bytes());
    let d = ic.diagnostics.iter().find(|d| d.message.contains("UNZ count")).expect("count");
    assert_eq!(d.location.path.as_deref(), Some("segment 13 UNZ, element 1"));
    assert_eq!(d.location.line, Some(13));
    assert!(ic.diagnostics.iter().any(|d| d.message.contains("UNZ reference")));
    assert_eq!(filings(&ic).len(), 2);
}

#[test]
fn mixed_line_ends_and_one_line() {
    let crlf = GOOD.replacen('\n', "\r\n", 5);
    let ic = edifact::read(crlf.as_bytes());
    assert!(ic.diagnostics.is_empty(), "{:#?}", ic.diagnostics);
    assert_eq!(ic.messages[1].line, 9);
    let one = GOOD.replace('\n', "");
    let ic = edifact::read(one.as_bytes());
    assert!(ic.diagnostics.is_empty());
    assert_eq!((ic.messages[1].line, ic.messages[1].segment), (1, 9));
}

#[test]
fn wrong_character_set_and_unknown_qualifier() {
    let s = GOOD.replace("UNOC", "UNOA").replace("WIDGETS", "WIDGÉTS").replace("NAD+CN", "NAD+XQ");
    let ic = edifact::read(s.as_bytes());
    assert!(ic.diagnostics.iter().any(|d| d.message.contains("character set")));
    let m = &ic.messages[0];
    assert!(m.accepted());
    let p = &m.filings[0];
    assert!(p.filing.parties.is_empty());
    assert!(p.diagnostics.iter().any(|d| d.message.contains("unknown party qualifier \"XQ\"")
        && d.location.path.as_deref() == Some("segment 5 NAD, element 1, component 1")));
}

#[test]
fn una_custom_separators() {
    let s = "UNA|*.! ~UNB*UNOC|3*S*R*1*X~UNH*1*CUSCAR|D|03B|UN~CNI*1*A!*B~UNT*3*1~UNZ*1*X~";
    let ic = edifact::read(s.as_bytes());
    assert!(ic.diagnostics.is_empty(), "{:#?}", ic.diagnostics);
    assert_eq!(filings(&ic)[0].id, "A*B");
}

/// The fields the writer carries (see the module docs), normalised for comparison.
fn carried(f: &Filing) -> Filing {
    let mut f = f.clone();
    f.version = 1;
    f.kind = Default::default();
    f.resubmits = None;
    f.cargo = None;
    f.fast = false;
    for p in &mut f.parties {
        // An address round-trips when it holds more than a country (NAD has one country, the party's).
        if p.address
            .as_ref()
            .is_some_and(|a| a.street.is_none() && a.city.is_none() && a.subdivision.is_none() && a.postcode.is_none())
        {
            p.address = None;
        }
        for i in &mut p.ids {
            i.issuer = None;
        }
    }
    for g in &mut f.goods {
        g.quantity = None;
        g.quantity_unit = None;
        g.net_kg = None;
        g.value = None;
        g.currency = None;
        g.radioactive.clear();
    }
    if let Some(c) = &mut f.conveyance {
        c.vin = None;
        c.containers_on_board = None;
        if f.mode == Mode::Air {
            c.voyage = None;
        } else {
            c.flight = None;
        }
        if *c == Default::default() {
            f.conveyance = None;
        }
    }
    f
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    #[test]
    fn synth_round_trip(seed in any::<u64>()) {
        let cfg = clearway_synth::Config { count: 200, seed, start: "2026-11-02T00:00:00Z".parse().unwrap(), days: 1 };
        let fs: Vec<Filing> = clearway_synth::Generator::new(cfg).collect();
        let bytes = edifact::write_cuscar(&fs, "SENDER:ZZ", "CBSA", "C1");
        let ic = edifact::read(&bytes);
        prop_assert!(ic.diagnostics.is_empty(), "{:#?}", ic.diagnostics);
        prop_assert_eq!(ic.messages.len(), fs.len());
        for (m, f) in ic.messages.iter().zip(&fs) {
            prop_assert!(m.accepted(), "{:#?}", m.diagnostics);
            prop_assert_eq!(m.filings.len(), 1);
            let got = &m.filings[0];
            prop_assert!(got.diagnostics.is_empty(), "{:#?}", got.diagnostics);
            prop_assert_eq!(carried(&got.filing), carried(f));
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let ic = edifact::read(&bytes);
        for m in &ic.messages {
            let _ = edifact::cusres(&ic, m, EPOCH);
        }
    }

    #[test]
    fn edifact_like_bytes_never_panic(parts in proptest::collection::vec(
        prop_oneof![Just("UNA:+.? '"), Just("UNB+UNOA:1+S+R+1+X'"), Just("UNH+1+CUSCAR:D:03B:UN'"), Just("CNI+1'"),
            Just("NAD+CN+1:2:3+++N'"), Just("GID+1+x:y'"), Just("MEA+AAE+G+KGM:1,5'"), Just("?"), Just("'"), Just("+"),
            Just(":"), Just("UNT+3+1'"), Just("UNZ+1+X'"), Just("DTM+137:2026:203'"), Just("EQD+CN'"), Just("SEL+S'"),
            Just("\r\n"), Just("\u{e9}"), Just("TDT+20+V+3+++++::::'")], 0..60)) {
        let s: String = parts.concat();
        let ic = edifact::read(s.as_bytes());
        for m in &ic.messages {
            let _ = edifact::cusres(&ic, m, EPOCH);
        }
    }
}
