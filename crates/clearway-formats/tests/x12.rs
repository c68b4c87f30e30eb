//! X12: the 309 sample mapped, envelope checks, non-manifests rejected, responses parse back, bad
//! input, and property tests (write_309 → read round trip; arbitrary bytes never panic).

use clearway_core::{Filing, Role, Severity};
use clearway_formats::Interchange;
use clearway_formats::x12::{self, Segment, ack_997, read, response_355, tokenize, write_309};
use proptest::prelude::*;

const EPOCH: chrono::DateTime<chrono::Utc> = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;

fn sample(name: &str) -> Option<Vec<u8>> {
    let p = clearway_testdata::file(&format!("messages/x12/{name}"))?;
    std::fs::read(p).ok()
}

fn errors(ic: &Interchange) -> Vec<String> {
    ic.diagnostics.iter().filter(|d| d.severity == Severity::Error).map(|d| d.to_string()).collect()
}

fn filings(ic: &Interchange) -> Vec<&Filing> {
    ic.messages.iter().flat_map(|m| m.filings.iter().map(|p| &p.filing)).collect()
}

const M309: &str = "x12-004010-309-customs-manifest-ocean.edi";

/// The sample with SE01 set to `count`.
fn with_se01(bytes: &[u8], count: &str) -> Vec<u8> {
    let s = String::from_utf8_lossy(bytes);
    let i = s.find("SE*").expect("sample has SE");
    let j = i + s[i + 3..].find('*').expect("SE02") + 3;
    format!("{}SE*{count}{}", &s[..i], &s[j..]).into_bytes()
}

#[test]
fn sample_309_maps_bills() {
    let Some(bytes) = sample(M309) else { return };
    let ic = read(&bytes);
    assert_eq!(ic.sender.as_deref(), Some("XXXX"));
    assert_eq!(ic.control_ref.as_deref(), Some("000002910"));
    assert_eq!(ic.messages.len(), 1);
    let m = &ic.messages[0];
    assert!(m.accepted(), "{:?}", m.diagnostics);
    assert_eq!((m.kind.as_str(), m.reference.as_str(), m.line, m.segment), ("309", "3899", 3, 3));
    let fs = filings(&ic);
    // The sample holds ten bills (LX 1..10); the first two share a bill number.
    assert_eq!(fs.len(), 10);
    assert_eq!(fs[0].id, "99XXZ999999X");
    assert_eq!(fs[1].id, "99XXZ999999X");
    assert_eq!(fs[2].id, "99XXZ020301X");
    assert!(m.filings[1].diagnostics.iter().any(|d| d.message.contains("more than once")));
    for f in &fs {
        assert_eq!(f.itinerary.first_port_of_arrival.as_deref(), Some("USJAX"));
        assert_eq!(f.itinerary.place_of_loading.as_deref(), Some("BRSSZ"));
        assert_eq!(f.itinerary.place_of_discharge.as_deref(), Some("USJAX"));
        let c = f.conveyance.as_ref().expect("conveyance");
        assert_eq!(c.vessel_name.as_deref(), Some("MONTE CERVANTES"));
        assert_eq!(c.voyage.as_deref(), Some("320N"));
        assert_eq!(c.imo.as_deref(), Some("9283186"));
        assert_eq!(f.times.arrival.map(|a| a.to_rfc3339()), Some("2023-06-20T00:00:00+00:00".into()));
        assert_eq!(f.party(Role::Carrier).and_then(|p| p.id("SCAC")), Some("XXXX"));
    }
    // Bill 1: tires.
    let f = fs[0];
    let sh = f.party(Role::Consignor).expect("shipper");
    assert_eq!(sh.name, "XXXX DO BRASIL INDUSTRIA E C");
    assert_eq!(sh.country.as_deref(), Some("BR"));
    assert_eq!(sh.address.as_ref().and_then(|a| a.city.as_deref()), Some("SANTO ANDRE"));
    assert_eq!(f.party(Role::Consignee).map(|p| p.name.as_str()), Some("XXXX XXXX NORTH AMERICA"));
    assert_eq!(f.party(Role::NotifyParty).map(|p| p.name.as_str()), Some("V ALEXANDER & CO"));
    assert_eq!(f.equipment.len(), 1);
    assert_eq!(f.equipment[0].number, "HASU5044950");
    assert_eq!(f.equipment[0].seals, ["MLBR3014246"]);
    assert_eq!(f.equipment[0].size_type.as_deref(), Some("45G1"));
    assert_eq!(f.goods.len(), 1);
    let g = &f.goods[0];
    assert_eq!(g.hs_code.as_deref(), Some("401120"));
    assert_eq!(g.packages, Some(390));
    assert_eq!(g.gross_kg, Some(14404.0));
    assert_eq!(g.containers, ["HASU5044950"]);
    assert!(g.description.starts_with("01 CONTAINER 40 HC CONTAINING 390 UNITS  WITH: . 4011.20.00 TRUCK TIRES"));
    // Bill 2: orange oil in two isotanks, UN 2319.
    let f = fs[1];
    assert_eq!(f.party(Role::Consignor).map(|p| p.name.as_str()), Some("CITROSUCO S/A AGROINDUSTRIA"));
    assert_eq!(f.equipment.iter().map(|e| e.number.as_str()).collect::<Vec<_>>(), ["BGBU5086915", "BGBU5109230"]);
    assert_eq!(f.equipment[0].seals, ["128105", "128130"]);
    assert_eq!(f.goods.len(), 2);
    assert!(f.goods.iter().all(|g| g.un_number.as_deref() == Some("2319") && g.hs_code.as_deref() == Some("330112")));
    assert_eq!(f.goods[1].containers, ["BGBU5109230"]);
    // Bill 3: five isotanks, all hazmat.
    assert_eq!(fs[2].equipment.len(), 5);
    assert_eq!(fs[2].goods.iter().filter(|g| g.un_number.as_deref() == Some("2319")).count(), 5);
    // Bill 4: coffee.
    assert_eq!(fs[3].goods[0].hs_code.as_deref(), Some("090111"));
    // Bill 10: an "XXXXXX" commodity code is dropped with a warning.
    assert!(m.filings[9].diagnostics.iter().any(|d| d.message.contains("XXXXXX")));
    let hazmat: Vec<&str> = fs.iter().filter(|f| f.goods.iter().any(|g| g.un_number.is_some())).map(|f| f.id.as_str()).collect();
    assert_eq!(hazmat, ["99XXZ999999X", "99XXZ020301X"]);
}

#[test]
fn sample_309_se01_is_wrong_and_reported() {
    let Some(bytes) = sample(M309) else { return };
    // The sample's own SE01 (622) does not match its 295 segments.
    let ic = read(&bytes);
    let errs = errors(&ic);
    assert_eq!(errs.len(), 1, "{errs:?}");
    let d = &ic.diagnostics[0];
    assert_eq!(d.location.path.as_deref(), Some("segment 297 SE, element 1"));
    assert_eq!(d.location.line, Some(297));
    assert!(d.message.contains("295"), "{}", d.message);
    // Corrected in memory: clean.
    let ic = read(&with_se01(&bytes, "295"));
    assert!(errors(&ic).is_empty(), "{:?}", errors(&ic));
    // Tampered: reported, bills still map.
    let ic = read(&with_se01(&bytes, "14"));
    assert_eq!(errors(&ic).len(), 1);
    assert_eq!(filings(&ic).len(), 10);
    assert!(ic.messages[0].accepted());
    let recs = ic.clone().into_records(&bytes);
    assert_eq!(recs.iter().filter(|r| r.outcome.is_err()).count(), 1);
    assert_eq!(recs.iter().filter(|r| r.outcome.is_ok()).count(), 10);
    // The 997 says accepted with errors (count).
    let ack = ack_997(&ic, EPOCH);
    let segs = tokenize(&ack).expect("997 tokenizes").collect::<Vec<_>>();
    let ak5 = segs.iter().find(|s| s.id() == b"AK5").expect("AK5");
    assert_eq!((ak5.element(1), ak5.element(2)), (&b"E"[..], &b"4"[..]));
    // AK1 names the acknowledged group by its own GS01 and GS06 (`GS*SO*...*2910*X*004010`).
    assert_eq!(ic.groups.iter().map(|g| (g.id.as_str(), g.control.as_str(), g.segment)).collect::<Vec<_>>(), [("SO", "2910", 2)]);
    let ak1 = segs.iter().find(|s| s.id() == b"AK1").expect("AK1");
    assert_eq!((ak1.element(1), ak1.element(2)), (&b"SO"[..], &b"2910"[..]));
}

/// Two functional groups: one 997 transaction set per group, each AK1 naming its own group.
#[test]
fn ack_997_acknowledges_each_functional_group() {
    let Some(bytes) = sample(M309) else { return };
    let text = String::from_utf8(with_se01(&bytes, "295")).unwrap();
    let (gs, ge_end) = (text.find("GS*").unwrap(), text.find("GE*1*2910~").unwrap() + "GE*1*2910~".len());
    let second = text[gs..ge_end].replace("*2910*X*004010~", "*2911*X*004010~").replace("GE*1*2910~", "GE*1*2911~").replace("ST*309*3899~", "ST*309*3900~").replace("SE*295*3899~", "SE*295*3900~");
    let two = format!("{}\n{second}{}", &text[..ge_end], &text[ge_end..]).replace("IEA*1*", "IEA*2*");
    let ic = read(two.as_bytes());
    assert!(errors(&ic).is_empty(), "{:?}", errors(&ic));
    assert_eq!(ic.groups.iter().map(|g| g.control.as_str()).collect::<Vec<_>>(), ["2910", "2911"]);
    assert_eq!(ic.messages.len(), 2);
    let ack = ack_997(&ic, EPOCH);
    let segs = tokenize(&ack).expect("997 tokenizes").collect::<Vec<_>>();
    let of = |id: &[u8]| segs.iter().filter(|s| s.id() == id).collect::<Vec<_>>();
    assert_eq!(of(b"ST").len(), 2);
    let ak1: Vec<_> = of(b"AK1").iter().map(|s| s.element(2).to_vec()).collect();
    assert_eq!(ak1, [b"2910".to_vec(), b"2911".to_vec()]);
    let ak2: Vec<_> = of(b"AK2").iter().map(|s| s.element(2).to_vec()).collect();
    assert_eq!(ak2, [b"3899".to_vec(), b"3900".to_vec()]);
    assert!(of(b"AK9").iter().all(|s| s.element(1) == b"A" && s.element(2) == b"1"));
    let ge = of(b"GE");
    assert_eq!(ge[0].element(1), b"2", "the FA group holds two 997 sets");
}

#[test]
fn other_transaction_sets_rejected() {
    for (name, kind) in [("x12-004010-310-freight-receipt-ocean.edi", "310"), ("x12-004010-315-container-status.edi", "315")] {
        let Some(bytes) = sample(name) else { return };
        let ic = read(&bytes);
        assert_eq!(ic.messages.len(), 1);
        let m = &ic.messages[0];
        assert_eq!(m.kind, kind);
        assert!(!m.accepted());
        assert!(m.filings.is_empty());
        assert!(m.diagnostics[0].message.starts_with(&format!("not a cargo filing: {kind} (")), "{}", m.diagnostics[0].message);
        assert_eq!(m.diagnostics[0].location.path.as_deref(), Some("segment 3 ST, element 1"));
        let recs = ic.clone().into_records(&bytes);
        assert!(recs.iter().all(|r| r.outcome.is_err()));
        let resp = response_355(&ic, m, EPOCH);
        let text = String::from_utf8_lossy(&resp);
        assert!(text.contains(&format!("K1*REJECTED*{kind}")), "{text}");
        assert!(text.contains("MESSAGE-NOT-FILING*"), "{text}");
    }
    // The 310 sample's control numbers disagree everywhere.
    let Some(bytes) = sample("x12-004010-310-freight-receipt-ocean.edi") else { return };
    let ic = read(&bytes);
    let paths: Vec<_> = ic.diagnostics.iter().filter_map(|d| d.location.path.clone()).collect();
    assert_eq!(
        paths,
        ["segment 48 SE, element 1", "segment 48 SE, element 2", "segment 49 GE, element 2", "segment 50 IEA, element 2"]
    );
}

fn seg<'a>(segs: &'a [Segment<'a>], id: &[u8]) -> Vec<&'a Segment<'a>> {
    segs.iter().filter(|s| s.id() == id).collect()
}

#[test]
fn responses_parse_back() {
    let Some(bytes) = sample(M309) else { return };
    let ic = read(&with_se01(&bytes, "295"));
    let ack = ack_997(&ic, EPOCH);
    let segs: Vec<_> = tokenize(&ack).expect("997").collect();
    assert_eq!(seg(&segs, b"AK1")[0].element(2), b"2910");
    assert_eq!(seg(&segs, b"AK2")[0].element(2), b"3899");
    assert_eq!(seg(&segs, b"AK5")[0].element(1), b"A");
    assert_eq!(seg(&segs, b"AK9")[0].raw, b"AK9*A*1*1*1");
    let back = read(&ack);
    assert!(errors(&back).is_empty(), "{:?}", errors(&back));
    assert_eq!(back.messages[0].kind, "997");
    assert_eq!(back.sender.as_deref(), Some("XXXXXXXX"));
    assert_eq!(back.recipient.as_deref(), Some("XXXX"));

    let resp = response_355(&ic, &ic.messages[0], EPOCH);
    let back = read(&resp);
    assert!(errors(&back).is_empty(), "{:?}", errors(&back));
    assert_eq!(back.messages[0].kind, "355");
    let segs: Vec<_> = tokenize(&resp).expect("355").collect();
    assert_eq!(seg(&segs, b"K1")[0].element(1), b"ACCEPTED");
    assert_eq!(seg(&segs, b"N9").iter().filter(|s| s.element(1) == b"BM").count(), 10);
    assert_eq!(seg(&segs, b"M10")[0].element(5), b"MONTE CERVANTES");

    // A mix: one 309 and one 310 → partly accepted.
    let Some(other) = sample("x12-004010-310-freight-receipt-ocean.edi") else { return };
    let mut f = filings(&ic).into_iter().cloned().collect::<Vec<_>>();
    f.truncate(1);
    let mine = String::from_utf8_lossy(&write_309(&f, "ME", "YOU", 7)).into_owned();
    let other = String::from_utf8_lossy(&other).into_owned();
    let st310 = &other[other.find("ST*310").expect("ST")..other.find("GE*").expect("GE")];
    let mixed = mine.replace("GE*1*7", &format!("{st310}GE*2*7"));
    let ic = read(mixed.as_bytes());
    assert_eq!(ic.messages.len(), 2);
    let ack = ack_997(&ic, EPOCH);
    let segs: Vec<_> = tokenize(&ack).expect("997").collect();
    let ak5: Vec<_> = seg(&segs, b"AK5").iter().map(|s| s.raw.to_vec()).collect();
    assert_eq!(ak5, [b"AK5*A".to_vec(), b"AK5*R*1".to_vec()]);
    assert_eq!(seg(&segs, b"AK9")[0].raw, b"AK9*P*2*2*1");
}

const ISA: &str = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *230525*2048*U*00401*000000007*0*P*>~";

fn small() -> String {
    format!(
        "{ISA}\nGS*SO*S*R*20230525*2048*7*X*004010~\nST*309*0001~\nM10*ABCD*O*US*9283186*SHIP*1N~\nP4*1803*20230620~\nLX*1~\nM11*BL1*35177*1*PKG*100*K~\nN1*SH*ACME~\nN4*X**1*DE~\nVID*2B*MSCU*1234565*S1****22G1*L~\nN10*1*BOXES***847130*10*K*100~\nH1*UN1234~\nSE*11*0001~\nGE*1*7~\nIEA*1*000000007~\n"
    )
}

#[test]
fn small_interchange_is_clean() {
    let ic = read(small().as_bytes());
    assert!(ic.diagnostics.is_empty(), "{:?}", ic.diagnostics);
    let f = filings(&ic);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].goods[0].un_number.as_deref(), Some("1234"));
    assert_eq!(f[0].goods[0].containers, ["MSCU1234565"]);
}

#[test]
fn bad_input() {
    let s = small();
    // Truncated in the middle of the transaction set: rejected message, envelope errors, no panic.
    let cut = &s.as_bytes()[..s.find("H1").unwrap_or(0) + 3];
    let ic = read(cut);
    assert_eq!(ic.messages.len(), 1);
    assert!(!ic.messages[0].accepted());
    assert!(ic.messages[0].diagnostics[0].message.contains("no SE trailer"));
    assert!(errors(&ic).iter().any(|e| e.contains("no IEA")));
    assert!(errors(&ic).iter().any(|e| e.contains("no terminator")));
    // Every prefix reads without panicking.
    for n in 0..s.len() {
        let _ = read(&s.as_bytes()[..n]);
    }
    // Junk.
    let ic = read(b"hello world\n");
    assert!(ic.messages.is_empty());
    assert!(errors(&ic)[0].contains("does not start with an ISA"));
    assert!(!errors(&read(b"")).is_empty());
    assert!(!errors(&read(b"\x00\xff\xfe")).is_empty());
    // Short ISA.
    let ic = read(&s.as_bytes()[..60]);
    assert!(errors(&ic)[0].contains("short ISA"), "{:?}", errors(&ic));
    // Mixed line ends: same result, lines counted.
    let mixed = s.replacen("~\n", "~\r\n", 3).replacen("~\n", "~", 2);
    let ic = read(mixed.as_bytes());
    assert!(ic.diagnostics.is_empty(), "{:?}", ic.diagnostics);
    assert_eq!(filings(&ic).len(), 1);
    assert_eq!(ic.messages[0].line, 3);
    // Missing IEA: envelope error, the cargo still maps.
    let ic = read(s.replace("IEA*1*000000007~\n", "").as_bytes());
    assert_eq!(errors(&ic).len(), 1);
    assert!(errors(&ic)[0].contains("no IEA"));
    assert_eq!(filings(&ic).len(), 1);
    // Missing SE: the next GE closes it; rejected.
    let ic = read(s.replace("SE*11*0001~\n", "").as_bytes());
    assert!(!ic.messages[0].accepted());
    // Missing GE, stray segments, data after IEA.
    let ic = read(s.replace("GE*1*7~\n", "").as_bytes());
    assert!(errors(&ic).iter().any(|e| e.contains("no GE")));
    let ic = read(format!("{s}junk~").as_bytes());
    assert!(errors(&ic).iter().any(|e| e.contains("after the IEA")));
    assert_eq!(filings(&ic).len(), 1);
    // GE and IEA counts and controls wrong.
    let ic = read(s.replace("GE*1*7", "GE*2*8").replace("IEA*1*000000007", "IEA*3*9").as_bytes());
    let paths: Vec<_> = ic.diagnostics.iter().filter_map(|d| d.location.path.clone()).collect();
    assert_eq!(
        paths,
        ["segment 14 GE, element 1", "segment 14 GE, element 2", "segment 15 IEA, element 1", "segment 15 IEA, element 2"]
    );
    // Other delimiters: '|' elements, '^' components, newline terminator.
    let other = s.replace('~', "").replace('*', "|").replace("|>", "|^");
    let ic = read(other.as_bytes());
    assert!(ic.diagnostics.is_empty(), "{:?}", ic.diagnostics);
    assert_eq!(filings(&ic).len(), 1);
}

fn synth(seed: u64) -> Vec<Filing> {
    clearway_synth::Generator::new(clearway_synth::Config {
        count: 200,
        seed,
        start: "2026-11-02T00:00:00Z".parse().unwrap_or_default(),
        days: 1,
    })
    .filter(|f| f.mode == clearway_core::Mode::Marine)
    .collect()
}

/// Goods in the order write_309 puts them: those in no listed container, then per equipment.
fn writer_order(f: &Filing) -> Vec<clearway_core::GoodsItem> {
    let inside = |g: &clearway_core::GoodsItem| g.containers.first().is_some_and(|c| f.equipment.iter().any(|e| &e.number == c));
    let mut out: Vec<_> = f.goods.iter().filter(|g| !inside(g)).cloned().collect();
    let mut seen: Vec<&str> = Vec::new();
    for e in &f.equipment {
        if seen.contains(&e.number.as_str()) {
            continue;
        }
        seen.push(&e.number);
        out.extend(f.goods.iter().filter(|g| g.containers.first() == Some(&e.number)).cloned());
    }
    out
}

fn check_round_trip(orig: &[Filing]) {
    let bytes = write_309(orig, "CLEARWAY", "CBP", 42);
    let ic = read(&bytes);
    assert!(ic.diagnostics.is_empty(), "{:?}", ic.diagnostics);
    assert_eq!(ic.messages.len(), orig.len());
    for (m, o) in ic.messages.iter().zip(orig) {
        assert!(m.accepted(), "{:?}", m.diagnostics);
        assert_eq!(m.filings.len(), 1);
        let f = &m.filings[0].filing;
        assert_eq!(f.id, o.id);
        let roles = |f: &Filing| {
            f.parties.iter().map(|p| (p.role, p.name.clone(), p.country.clone())).collect::<Vec<_>>()
        };
        let mut want = roles(o);
        if o.party(Role::Carrier).is_none() && f.party(Role::Carrier).is_some() {
            want.push((Role::Carrier, String::new(), None));
        }
        assert_eq!(roles(f), want, "{}", o.id);
        for (a, b) in f.parties.iter().zip(&o.parties) {
            let (aa, ba) = (a.address.clone().unwrap_or_default(), b.address.clone().unwrap_or_default());
            assert_eq!((aa.street, aa.city, aa.subdivision, aa.postcode), (ba.street, ba.city, ba.subdivision, ba.postcode));
        }
        let want = writer_order(o);
        assert_eq!(f.goods.len(), want.len(), "{}", o.id);
        for (g, w) in f.goods.iter().zip(&want) {
            assert_eq!(g.description, w.description.trim());
            assert_eq!(g.hs_code, w.hs_code);
            assert_eq!(g.packages, w.packages);
            assert_eq!(g.gross_kg, w.gross_kg);
            assert_eq!(g.un_number, w.un_number);
            if w.currency.as_deref() == Some("USD") {
                assert_eq!(g.value, w.value);
            }
            let first = w.containers.first().filter(|c| o.equipment.iter().any(|e| &e.number == *c));
            assert_eq!(g.containers.first(), first);
        }
        assert_eq!(f.equipment.len(), o.equipment.len());
        for (e, w) in f.equipment.iter().zip(&o.equipment) {
            assert_eq!((&e.number, &e.size_type, e.empty), (&w.number, &w.size_type, w.empty));
            assert_eq!(e.seals, w.seals.iter().take(5).cloned().collect::<Vec<_>>());
        }
        let conv = |c: Option<&clearway_core::Conveyance>| {
            c.map(|c| (c.vessel_name.clone(), c.voyage.clone(), c.imo.clone().filter(|i| clearway_core::codes::is_valid_imo(i))))
                .filter(|t| *t != (None, None, None))
        };
        assert_eq!(conv(f.conveyance.as_ref()), conv(o.conveyance.as_ref()));
        assert_eq!(f.itinerary.place_of_loading, o.itinerary.place_of_loading);
        assert_eq!(f.itinerary.place_of_discharge, o.itinerary.place_of_discharge);
        assert_eq!(f.itinerary.first_port_of_arrival, o.itinerary.first_port_of_arrival);
        assert_eq!(f.times.arrival.map(|a| a.date_naive()), o.times.arrival.map(|a| a.date_naive()));
    }
}

#[test]
fn synth_round_trip_fixed_seed() {
    let fs = synth(11);
    assert!(fs.len() > 40);
    check_round_trip(&fs);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn write_read_round_trip(seed in any::<u64>()) {
        check_round_trip(&synth(seed));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = read(&bytes);
    }

    #[test]
    fn mutated_interchanges_never_panic(pos in 0usize..400, byte in any::<u8>(), cut in 0usize..400) {
        let mut s = small().into_bytes();
        if pos < s.len() {
            s[pos] = byte;
        }
        s.truncate(cut.max(1) + 100);
        let ic = read(&s);
        let _ = ack_997(&ic, EPOCH);
        for m in &ic.messages {
            let _ = response_355(&ic, m, EPOCH);
        }
    }
}

#[test]
fn tokenizer_counts_segments() {
    let Some(bytes) = sample(M309) else { return };
    let t = x12::tokenize(&bytes).expect("ISA");
    assert_eq!(t.delimiters().element, b'*');
    assert_eq!(t.count(), 299);
}
