//! Issue 20: real-shaped messages, one class of problem each (our own fixtures, written after the
//! shapes administrations send: CDS-style WCO DM declarations, 5010-style 309s, CBP-style CUSCARs).

use clearway_core::diagnostic::code;
use clearway_core::{Diagnostic, FilingStatus, Mode, Severity, Stage};
use clearway_formats::{EnvelopeStatus, Interchange, edifact, wco, x12};

fn warnings(ic: &Interchange) -> Vec<&Diagnostic> {
    ic.messages.iter().flat_map(|m| m.filings.iter().flat_map(|p| &p.diagnostics)).collect()
}

fn cds(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<md:MetaData xmlns:md="urn:wco:datamodel:WCO:DocumentMetaData-DMS:2" xmlns="urn:wco:datamodel:WCO:DEC-DMS:2">
  <md:WCODataModelVersionCode>3.6</md:WCODataModelVersionCode>
  <Declaration>
    <FunctionalReferenceID>LRN-7731</FunctionalReferenceID>
    {body}
    <GoodsShipment>
      <Importer><ID>GB553202734852</ID></Importer>
      <GovernmentAgencyGoodsItem>
        <Commodity><Description>Bolts of steel</Description>
          <Classification><ID>73181590</ID><IdentificationTypeCode>TSP</IdentificationTypeCode></Classification>
        </Commodity>
      </GovernmentAgencyGoodsItem>
    </GoodsShipment>
  </Declaration>
</md:MetaData>"#
    )
}

/// Class 1: a declaration without its border transport mode is accepted, the mode unknown, with a
/// warning naming the element.
#[test]
fn class1_missing_mode_is_a_warning() {
    let ic = wco::read(cds("<FunctionCode>9</FunctionCode><TypeCode>IMZ</TypeCode>").as_bytes());
    let m = &ic.messages[0];
    assert!(m.accepted(), "{:?}", m.diagnostics);
    let f = &m.filings[0].filing;
    assert_eq!(f.mode, Mode::Unknown);
    assert_eq!(f.goods[0].hs_code.as_deref(), Some("73181590"));
    let w = warnings(&ic);
    assert!(
        w.iter().any(|d| d.code() == code::FIELD_MISSING
            && d.location.path.as_deref() == Some("Declaration/BorderTransportMeans/ModeCode")),
        "{w:?}"
    );
}

/// Class 2: Rec. 19 modes 5, 6, 7, 9 and the declaration kinds INV, COR, GPR.
#[test]
fn class2_full_code_lists() {
    for (c, mode) in [
        ("5", Mode::Postal),
        ("6", Mode::Multimodal),
        ("7", Mode::FixedInstallation),
        ("9", Mode::OwnPropulsion),
        ("8", Mode::Marine),
    ] {
        let x = cds(&format!(
            "<TypeCode>EXA</TypeCode><BorderTransportMeans><ModeCode>{c}</ModeCode></BorderTransportMeans>"
        ));
        let ic = wco::read(x.as_bytes());
        assert!(ic.messages[0].accepted(), "{c}: {:?}", ic.messages[0].diagnostics);
        assert_eq!(ic.messages[0].filings[0].filing.mode, mode, "{c}");
    }
    for (fc, tc, status, stage) in [
        ("13", "INV", FilingStatus::Cancellation, Stage::Arrival),
        ("13", "COR", FilingStatus::Amendment, Stage::Arrival),
        ("9", "GPR", FilingStatus::Original, Stage::Arrival),
        ("1", "EXD", FilingStatus::Cancellation, Stage::Export),
    ] {
        let ic = wco::read(cds(&format!("<FunctionCode>{fc}</FunctionCode><TypeCode>{tc}</TypeCode>")).as_bytes());
        let m = &ic.messages[0];
        assert!(m.accepted(), "{tc}: {:?}", m.diagnostics);
        assert_eq!((m.filings[0].filing.status, m.filings[0].filing.stage), (status, stage), "{tc}");
    }
    // An unknown type is a warning, not a rejection.
    let ic = wco::read(cds("<TypeCode>ZZQ</TypeCode>").as_bytes());
    assert!(ic.messages[0].accepted());
    assert!(warnings(&ic).iter().any(|d| d.code() == code::CODE_UNMAPPED));
    assert_eq!(Mode::from_rec19("03"), Some(Mode::Highway));
    assert_eq!(Mode::from_rec19("x"), None);
}

/// Class 5: a SOAP submission envelope is unwrapped; a bare X12 ST..SE is X12 and gives its bills.
#[test]
fn class5_envelopes_and_wrappers() {
    let inner = cds("<TypeCode>IMA</TypeCode><BorderTransportMeans><ModeCode>1</ModeCode></BorderTransportMeans>");
    let inner = inner.trim_start_matches(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let soap = format!(
        r#"<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><sub:submitDeclarationRequest xmlns:sub="urn:example:submit">{inner}</sub:submitDeclarationRequest></soap:Body></soap:Envelope>"#
    );
    let ic = wco::read(soap.as_bytes());
    assert!(ic.messages[0].accepted(), "{:?}", ic.messages[0].diagnostics);
    assert_eq!(ic.messages[0].filings[0].filing.id, "LRN-7731");
    assert!(
        warnings(&ic).iter().any(|d| d.message.contains("wrapped in <Envelope><Body><submitDeclarationRequest>")),
        "{:?}",
        warnings(&ic)
    );

    let bare = b"ST*309*0001~\nM10*MAEU*O**9321483*MAERSK KOLKATA*123E~\nP4*2704*20260301~\nLX*1~\nM11*MAEU123456789*57035*10*PKG*1200*K~\nN1*CN*ACME IMPORTS~\nN10*10*TOYS HS 9503.00*****1200~\nSE*8*0001~\n";
    assert_eq!(clearway_formats::detect(bare), clearway_formats::Format::X12);
    let ic = x12::read(bare);
    assert_eq!(ic.envelope_status(), EnvelopeStatus::Warnings, "{:?}", ic.diagnostics);
    assert_eq!(ic.messages[0].filings.len(), 1, "{:?}", ic.messages[0].diagnostics);

    // A wrong SE count: the envelope has an error, the message is accepted, the filing warns.
    let wrong = String::from_utf8_lossy(bare).replace("SE*8*", "SE*9*");
    let parts = x12::read(wrong.as_bytes()).into_parts(wrong.as_bytes());
    assert_eq!(parts.envelope, EnvelopeStatus::Errors);
    assert!(parts.envelope_diagnostics.iter().any(|d| d.code() == code::X12_SE_COUNT));
    assert_eq!(parts.records.len(), 1);
    let p = parts.records[0].outcome.as_ref().expect("the cargo is accepted");
    assert!(p.diagnostics.iter().any(|d| d.code() == code::X12_SE_COUNT && d.severity == Severity::Warning));
}

/// Class 6: bills in N9*BM (no M11); HS codes in CUSCAR PCI or FTX, and in X12 N10 text.
#[test]
fn class6_where_the_bill_is() {
    let x = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*CBP            *260301*1200*^*00501*000000042*0*P*>~\nGS*SO*SENDER*CBP*20260301*1200*42*X*005010~\nST*309*0001~\nM10*MAEU*O**9321483*MAERSK KOLKATA*123E~\nP4*2704*20260301~\nLX*1~\nN9*BM*MAEU900000001~\nN1*SH*SHENZHEN TOYS CO~\nN1*CN*ACME IMPORTS~\nN10*10*PLUSH TOYS*****~\nLX*2~\nN9*BM*MAEU900000002~\nN1*CN*BETA LLC~\nN10*5*BICYCLES HTS 8712.00.1500*****~\nSE*13*0001~\nGE*1*42~\nIEA*1*000000042~\n";
    let ic = x12::read(x.as_bytes());
    assert!(ic.diagnostics.is_empty(), "{:?}", ic.diagnostics);
    let bills: Vec<_> = ic.messages[0].filings.iter().map(|p| p.filing.id.as_str()).collect();
    assert_eq!(bills, ["MAEU900000001", "MAEU900000002"]);
    assert_eq!(ic.messages[0].filings[1].filing.goods[0].hs_code.as_deref(), Some("8712001500"));

    let e = "UNB+UNOA:2+SENDER+CUSTOMS+260301:1200+77'UNH+1+CUSCAR:D:95B:UN'BGM+85+B1+9'TDT+20+V1+1'CNI+1+BL1'GID+1+10:CT'FTX+AAA+++PLUSH TOYS'PCI+24+MARKS 1-10+HS 950300'GID+2+5:CT'FTX+AAA+++BICYCLES HS CODE 871200'UNT+10+1'UNZ+1+77'";
    let ic = edifact::read(e.as_bytes());
    let g = &ic.messages[0].filings[0].filing.goods;
    assert_eq!(g.iter().map(|g| g.hs_code.as_deref()).collect::<Vec<_>>(), [Some("950300"), Some("871200")]);
}

/// Class 7: XML that is not well-formed is rejected with line and column, never accepted.
#[test]
fn class7_not_well_formed_is_reported() {
    for (bad, what) in [
        (cds("<TypeCode>IMA</TypeCode>").replace("</GoodsShipment>", "</GoodShipment>"), "mismatched end"),
        (format!("{}trailing text", cds("<TypeCode>IMA</TypeCode>")), "text after the root"),
        (cds("<TypeCode a=\"1\" a=\"2\">IMA</TypeCode>"), "duplicate attribute"),
        (cds("<TypeCode>IM&nbsp;A</TypeCode>"), "undeclared entity"),
    ] {
        let ic = wco::read(bad.as_bytes());
        let m = &ic.messages[0];
        assert!(!m.accepted(), "{what}");
        let d = m.diagnostics.iter().find(|d| d.severity == Severity::Error).expect("an error");
        assert!(d.code() == code::XML_NOT_WELL_FORMED || d.code() == code::XML_ENTITY, "{what}: {d:?}");
        assert!(d.location.line.is_some() && d.location.column.is_some(), "{what}: {d:?}");
    }
}

/// Class 4: dates in the forms real systems send.
#[test]
fn class4_dates() {
    let ic = wco::read(cds("<TypeCode>IMA</TypeCode><IssueDateTime><DateTimeString formatCode=\"304\">20260301101500+01</DateTimeString></IssueDateTime>").as_bytes());
    let f = &ic.messages[0].filings[0].filing;
    assert_eq!(f.times.filed_at.map(|t| t.to_rfc3339()).as_deref(), Some("2026-03-01T09:15:00+00:00"));
    let x = "ST*309*0001~\nM10*MAEU*O**9321483*V*1~\nP4*2704~\nDTM*371*20260302*1430*PT~\nLX*1~\nM11*B1~\nN10*1*BOXES~\nSE*8*0001~\n";
    let ic = x12::read(x.as_bytes());
    let f = &ic.messages[0].filings[0].filing;
    assert_eq!(f.times.arrival.map(|t| t.to_rfc3339()).as_deref(), Some("2026-03-02T22:30:00+00:00"));
}

/// Class 8: other message types are named; our own responses read back as responses.
#[test]
fn class8_other_messages_and_responses() {
    let e = "UNB+UNOA:2+S+R+260301:1200+1'UNH+1+PAXLST:D:05B:UN'BGM+250'UNT+3+1'UNZ+1+1'";
    let ic = edifact::read(e.as_bytes());
    assert!(ic.messages[0].diagnostics[0].message.starts_with("not a cargo filing: PAXLST"));
    let t = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
    let good = "UNB+UNOA:2+S+R+260301:1200+1'UNH+1+CUSCAR:D:95B:UN'BGM+85+B1+9'TDT+20+V+1'UNT+4+1'UNZ+1+1'";
    let ic = edifact::read(good.as_bytes());
    let back = edifact::read(&edifact::cusres(&ic, &ic.messages[0], t));
    assert!(back.messages[0].is_response(), "{:?}", back.messages[0].diagnostics);
    let ic = x12::read(b"ST*309*0001~\nM11*B1~\nSE*3*0001~\n");
    for bytes in [x12::ack_997(&ic, t), x12::response_355(&ic, &ic.messages[0], t)] {
        let back = x12::read(&bytes);
        assert!(back.messages.iter().all(|m| m.is_response()), "{:?}", back.messages[0].diagnostics);
        assert!(back.into_parts(&bytes).records.is_empty());
    }
    let ic = wco::read(cds("<TypeCode>IMA</TypeCode>").as_bytes());
    let back = wco::read(&wco::response(&ic, &ic.messages[0], t));
    assert!(back.messages[0].is_response());
}

/// The samples in ../shared/data/messages (when present): every declaration and manifest gives filings.
#[test]
fn shared_samples_give_filings() {
    let Some(dir) = clearway_testdata::data_dir().map(|d| d.join("messages")) else {
        eprintln!("skipped: ../shared/data not found (set CLEARWAY_DATA)");
        return;
    };
    for name in [
        "wco-dm-xml/hmrc-cds-import-declaration-TT_IM001b.xml",
        "wco-dm-xml/hmrc-cds-export-declaration-TT_EX001a.xml",
        "x12/x12-004010-309-customs-manifest-ocean.edi",
        "edifact/edifact-d03b-cuscar-cbp-ace-truck-NO-LICENSE.edi",
        "edifact/edifact-d95b-cuscar-sample-NO-LICENSE.edi",
    ] {
        let Ok(bytes) = std::fs::read(dir.join(name)) else {
            eprintln!("skipped: {name} not found");
            continue;
        };
        let ic = clearway_formats::read_interchange(&bytes).expect("a message format");
        let parts = ic.into_parts(&bytes);
        assert!(
            !parts.records.is_empty() && parts.records.iter().all(|r| r.outcome.is_ok()),
            "{name}: {:?}",
            parts.records.iter().filter_map(|r| r.outcome.as_ref().err()).collect::<Vec<_>>()
        );
    }
}
