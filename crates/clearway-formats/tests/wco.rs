//! WCO DM XML reader and response writer, against the shared CDS samples and hostile input.

use clearway_core::{AgencyCountry, Direction, FilingKind, Mode, Role, Severity, Stage};
use clearway_formats::wco;
use proptest::prelude::*;

fn sample(name: &str) -> Option<Vec<u8>> {
    let p = clearway_testdata::file(&format!("messages/wco-dm-xml/{name}"))?;
    std::fs::read(p).ok()
}

fn warnings(ic: &clearway_formats::Interchange) -> Vec<String> {
    ic.messages
        .iter()
        .flat_map(|m| {
            m.diagnostics
                .iter()
                .chain(m.filings.iter().flat_map(|f| f.diagnostics.iter()))
        })
        .map(|d| d.to_string())
        .collect()
}

#[test]
fn import_declaration_maps() {
    let Some(bytes) = sample("hmrc-cds-import-declaration-TT_IM001b.xml") else {
        return;
    };
    let ic = wco::read(&bytes);
    assert_eq!(ic.messages.len(), 1);
    let m = &ic.messages[0];
    assert!(m.accepted(), "{:?}", m.diagnostics);
    let f = &m.filings[0].filing;
    assert_eq!(f.id, "TT_IM01b_v1.7_220322_1");
    assert_eq!(f.direction, Direction::Import);
    assert_eq!(f.stage, Stage::Arrival);
    assert_eq!(f.kind, FilingKind::AdvanceCargo);
    assert_eq!(f.mode, Mode::Marine);
    // Lodged with HMRC: the administration is GB (issue 20 class 3), not "defaulted to US".
    assert_eq!(f.country, AgencyCountry::parse("GB").unwrap());
    assert!(
        !m.filings[0]
            .diagnostics
            .iter()
            .any(|d| d.message.contains("defaulted")),
        "{:?}",
        m.filings[0].diagnostics
    );
    let exp = f.party(Role::Exporter).unwrap();
    assert_eq!(exp.name, "US Clipper Inc.");
    assert_eq!(exp.country.as_deref(), Some("US"));
    let addr = exp.address.as_ref().unwrap();
    assert_eq!(addr.city.as_deref(), Some("New York"));
    assert_eq!(addr.street.as_deref(), Some("1 Shaver Street"));
    assert_eq!(addr.postcode.as_deref(), Some("NY1 234"));
    let imp = f.party(Role::ImporterOfRecord).unwrap();
    assert_eq!(imp.id("EORI"), Some("GB553202734852"));
    assert_eq!(imp.country.as_deref(), Some("GB"));
    assert_eq!(
        f.party(Role::Declarant).unwrap().id("EORI"),
        Some("GB603202734852")
    );
    assert_eq!(ic.sender.as_deref(), Some("GB603202734852"));
    assert_eq!(f.goods.len(), 1);
    let g = &f.goods[0];
    assert!(g.description.starts_with("Parts for shavers"));
    assert_eq!(g.hs_code.as_deref(), Some("8510900000"));
    assert_eq!(g.gross_kg, Some(150.0));
    assert_eq!(g.net_kg, Some(100.0));
    assert_eq!(g.packages, Some(50));
    assert_eq!(g.package_type.as_deref(), Some("BX"));
    assert_eq!(g.origin.as_deref(), Some("US"));
    assert_eq!(g.value, Some(1000.0));
    assert_eq!(g.currency.as_deref(), Some("GBP"));
    assert_eq!(f.equipment.len(), 1);
    assert_eq!(f.equipment[0].number, "AD12345");
    assert!(f.is_containerised());
    assert_eq!(f.conveyance.as_ref().unwrap().imo.as_deref(), Some("12345"));
    assert_eq!(f.itinerary.place_of_discharge.as_deref(), Some("GBWLA"));
    assert_eq!(f.itinerary.first_port_of_arrival.as_deref(), Some("GBWLA"));
}

#[test]
fn export_declaration_maps() {
    let Some(bytes) = sample("hmrc-cds-export-declaration-TT_EX001a.xml") else {
        return;
    };
    let ic = wco::read(&bytes);
    let m = &ic.messages[0];
    assert!(m.accepted(), "{:?}", m.diagnostics);
    let f = &m.filings[0].filing;
    assert_eq!(f.id, "U.7847323YIPYA");
    assert_eq!(f.direction, Direction::Export);
    assert_eq!(f.stage, Stage::Export);
    assert_eq!(f.kind, FilingKind::ExportDeclaration);
    assert_eq!(f.mode, Mode::Marine);
    assert_eq!(
        f.party(Role::Exporter).unwrap().id("EORI"),
        Some("GB427168118378")
    );
    assert_eq!(
        f.party(Role::Carrier).unwrap().id("EORI"),
        Some("GB025115100010")
    );
    let c = f.party(Role::Consignee).unwrap();
    assert_eq!(c.name, "Packings Import Incorporated");
    assert_eq!(c.country.as_deref(), Some("US"));
    let g = &f.goods[0];
    assert!(g.description.starts_with("Straw envelopes"));
    assert_eq!(g.hs_code.as_deref(), Some("46021910"));
    assert_eq!((g.gross_kg, g.net_kg), (Some(10.0), Some(5.0)));
    assert_eq!((g.value, g.currency.as_deref()), (Some(200.0), Some("GBP")));
    assert_eq!(
        (g.packages, g.package_type.as_deref()),
        (Some(10), Some("PK"))
    );
    assert_eq!(f.equipment[0].number, "CONU1234567");
    assert_eq!(f.equipment[0].seals, vec!["333".to_string()]);
    assert_eq!(
        f.conveyance.as_ref().unwrap().vessel_name.as_deref(),
        Some("CSCLGLOBE")
    );
    assert_eq!(f.itinerary.place_of_loading.as_deref(), Some("GBDVR"));
    assert_eq!(f.itinerary.routing, vec!["GB", "CA", "US"]);
}

#[test]
fn responses_read_back_as_responses() {
    for name in [
        "hmrc-cds-response-01_DMSACC.xml",
        "hmrc-cds-response-07_DMSRES.xml",
    ] {
        let Some(bytes) = sample(name) else { return };
        let ic = wco::read(&bytes);
        assert_eq!(ic.messages.len(), 1, "{name}");
        let m = &ic.messages[0];
        assert!(m.accepted(), "{name}: {:?}", m.diagnostics);
        assert!(m.is_response(), "{name}");
        let parts = ic.clone().into_parts(&bytes);
        assert!(parts.records.is_empty(), "{name}: a response is not a reject");
        assert_eq!(parts.responses.len(), 1);
    }
}

fn decl(body: &str) -> String {
    format!(
        r#"<Declaration xmlns="urn:wco:datamodel:WCO:DEC-DMS:2"><FunctionalReferenceID>R1</FunctionalReferenceID><TypeCode>IMA</TypeCode><BorderTransportMeans><ModeCode>4</ModeCode></BorderTransportMeans>{body}</Declaration>"#
    )
}

#[test]
fn malformed_xml_has_path_and_line() {
    let x = decl(
        "<GoodsShipment><GovernmentAgencyGoodsItem/>\n<GovernmentAgencyGoodsItem><Commodity>\n<Description>x</Descr></Commodity></GovernmentAgencyGoodsItem></GoodsShipment>",
    );
    let ic = wco::read(x.as_bytes());
    let m = &ic.messages[0];
    assert!(!m.accepted());
    let e = m
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error)
        .unwrap();
    assert_eq!(
        e.location.path.as_deref(),
        Some("Declaration/GoodsShipment/GovernmentAgencyGoodsItem[2]/Commodity/Description")
    );
    assert_eq!(e.location.line, Some(3));
}

#[test]
fn truncated_is_an_error() {
    let Some(bytes) = sample("hmrc-cds-import-declaration-TT_IM001b.xml") else {
        return;
    };
    for cut in [10, 100, 1000, bytes.len() / 2, bytes.len() - 5] {
        let ic = wco::read(&bytes[..cut]);
        assert!(ic.messages.iter().all(|m| !m.accepted()), "cut {cut}");
    }
}

#[test]
fn undeclared_prefix_warns_and_maps() {
    let x = decl("<GoodsShipment><foo:Importer><ID>GB1234</ID></foo:Importer></GoodsShipment>");
    let ic = wco::read(x.as_bytes());
    let m = &ic.messages[0];
    assert!(m.accepted(), "{:?}", m.diagnostics);
    let p = &m.filings[0];
    assert!(
        p.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Warning && d.message.contains("`foo`"))
    );
    assert_eq!(
        p.filing.party(Role::ImporterOfRecord).unwrap().id("EORI"),
        Some("GB1234")
    );
    assert_eq!(p.filing.mode, Mode::Air);
}

#[test]
fn billion_laughs_is_not_expanded() {
    let mut dtd =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE Declaration [\n<!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        dtd.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">\n",
            format!("&{prev};").repeat(10)
        ));
    }
    dtd.push_str("<!ENTITY ext SYSTEM \"file:///etc/passwd\">\n]>\n");
    let x = format!(
        "{dtd}{}",
        decl("<GoodsShipment><Importer><Name>&lol9;&ext;&amp;</Name></Importer></GoodsShipment>")
    );
    let ic = wco::read(x.as_bytes());
    let m = &ic.messages[0];
    assert!(m.accepted(), "{:?}", m.diagnostics);
    let w = warnings(&ic).join("\n");
    assert!(
        w.contains("DOCTYPE with entity declarations ignored"),
        "{w}"
    );
    assert!(w.contains("&lol9;"), "{w}");
    let name = &m.filings[0]
        .filing
        .party(Role::ImporterOfRecord)
        .unwrap()
        .name;
    assert_eq!(name, "&");
}

#[test]
fn junk_and_empty_are_rejected() {
    for input in [
        &b""[..],
        b"\x00\xff\xfe<<>>\x01",
        b"not xml at all",
        b"<a><b></a>",
        b"<Other/>",
    ] {
        let ic = wco::read(input);
        assert!(!ic.messages.is_empty());
        assert!(
            ic.messages.iter().all(|m| !m.accepted()),
            "{:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn deep_nesting_does_not_blow_up() {
    let x = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
    let ic = wco::read(x.as_bytes());
    assert!(ic.messages.iter().all(|m| !m.accepted()));
}

fn parse_back(bytes: &[u8]) -> Vec<String> {
    let mut r = quick_xml::Reader::from_reader(bytes);
    let mut names = Vec::new();
    loop {
        match r.read_event() {
            Ok(quick_xml::events::Event::Start(e)) | Ok(quick_xml::events::Event::Empty(e)) => {
                names.push(String::from_utf8_lossy(e.local_name().as_ref()).into_owned())
            }
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("response does not parse: {e}"),
        }
    }
    names
}

#[test]
fn responses_parse_back() {
    let t = chrono::DateTime::parse_from_rfc3339("2024-05-01T10:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let ok = wco::read(decl("").as_bytes());
    let out = wco::response(&ok, &ok.messages[0], t);
    let s = String::from_utf8(out.clone()).unwrap();
    assert!(s.contains("<FunctionCode>01</FunctionCode>"));
    assert!(s.contains("<FunctionalReferenceID>R1</FunctionalReferenceID>"));
    assert!(s.contains("20240501100000Z"));
    assert!(!parse_back(&out).contains(&"Error".to_string()));

    let bad = wco::read(
        decl(
            "<GoodsShipment><GovernmentAgencyGoodsItem/><GovernmentAgencyGoodsItem><Commodity></x>",
        )
        .as_bytes(),
    );
    let out = wco::response(&bad, &bad.messages[0], t);
    let s = String::from_utf8(out.clone()).unwrap();
    assert!(s.contains("<FunctionCode>03</FunctionCode>"), "{s}");
    assert!(
        s.contains("<DocumentSectionCode>68A</DocumentSectionCode>"),
        "{s}"
    );
    assert!(s.contains("<SequenceNumeric>2</SequenceNumeric>"), "{s}");
    let names = parse_back(&out);
    assert!(names.contains(&"Error".to_string()));
    assert!(names.contains(&"ValidationCode".to_string()));
    assert!(names.contains(&"Pointer".to_string()));
    // The validation code is the diagnostic's machine code.
    assert!(
        s.contains("<ValidationCode>XML-NOT-WELL-FORMED</ValidationCode>"),
        "{s}"
    );
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let ic = wco::read(&bytes);
        for m in &ic.messages {
            parse_back(&wco::response(&ic, m, chrono::DateTime::<chrono::Utc>::UNIX_EPOCH));
        }
    }

    #[test]
    fn mutated_sample_never_panics(cut in 0usize..4000, byte in any::<u8>()) {
        let mut x = decl("<GoodsShipment><Importer><Name>A &amp; B</Name></Importer><GovernmentAgencyGoodsItem><Commodity><Description>d</Description></Commodity></GovernmentAgencyGoodsItem></GoodsShipment>").into_bytes();
        let i = cut % x.len();
        x[i] = byte;
        let _ = wco::read(&x);
    }
}

/// Issue 20 class 3: any administration, not three. A declaration lodged at a Nigerian or a British
/// office is that country's filing; a code that is no country still defaults, with a warning.
#[test]
fn any_iso_3166_administration_is_the_filings_country() {
    for (office, want) in [("NGLOS001", Some("NG")), ("GBLHR001", Some("GB")), ("CAVAN001", Some("CA")), ("XXABC001", None)] {
        let x = decl(&format!(
            "<DeclarationOffice><ID>{office}</ID></DeclarationOffice><GoodsShipment><GovernmentAgencyGoodsItem><Commodity><Description>tea</Description></Commodity></GovernmentAgencyGoodsItem></GoodsShipment>"
        ));
        let ic = wco::read(x.as_bytes());
        let m = &ic.messages[0];
        assert!(m.accepted(), "{office}: {:?}", m.diagnostics);
        let p = &m.filings[0];
        let defaulted = p.diagnostics.iter().any(|d| d.message.contains("defaulted"));
        match want {
            Some(c) => {
                assert_eq!(p.filing.country.as_str(), c, "{office}");
                assert!(!defaulted, "{office}: {:?}", p.diagnostics);
            }
            None => {
                assert_eq!(p.filing.country, wco::DEFAULT_AGENCY);
                assert!(defaulted, "{office}: {:?}", p.diagnostics);
            }
        }
    }
}
