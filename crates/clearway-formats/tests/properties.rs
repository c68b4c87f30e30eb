//! Property tests: arbitrary bytes never panic and the readers always terminate; generated filings
//! survive a JSON round trip through every reader.

use std::io::{BufReader, Cursor};

use chrono::{DateTime, Utc};
use clearway_core::{
    Address, AgencyCountry, CargoType, Conveyance, Direction, Equipment, Filing, FilingKind, FilingStatus, GoodsItem,
    Identifier, Itinerary, Mode, Party, RadioactiveContent, Role, Stage, Times,
};
use clearway_formats::{CsvRecords, JsonRecords, Record, parse_filing_json, records};
use proptest::collection::vec;
use proptest::option::of;
use proptest::prelude::*;
use proptest::sample::select;

fn text() -> impl Strategy<Value = String> {
    prop_oneof![3 => "[A-Za-z0-9 .,;:/-]{0,16}", 1 => any::<String>()]
}

/// Decimals with at most 12 significant digits: these survive serde_json's float parsing exactly.
fn num() -> impl Strategy<Value = f64> {
    (-1_000_000_000_000i64..1_000_000_000_000).prop_map(|c| c as f64 / 100.0)
}

fn time() -> impl Strategy<Value = DateTime<Utc>> {
    (0i64..4_102_444_800).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap_or_default())
}

fn address() -> impl Strategy<Value = Address> {
    (of(text()), of(text()), of(text()), of(text()), of(text())).prop_map(
        |(street, city, subdivision, postcode, country)| Address { street, city, subdivision, postcode, country },
    )
}

fn identifier() -> impl Strategy<Value = Identifier> {
    (text(), text(), of(text())).prop_map(|(scheme, value, issuer)| Identifier { scheme, value, issuer })
}

fn party() -> impl Strategy<Value = Party> {
    (select(Role::ALL.to_vec()), text(), of(address()), of(text()), vec(identifier(), 0..3))
        .prop_map(|(role, name, address, country, ids)| Party { role, name, address, country, ids })
}

fn goods() -> impl Strategy<Value = GoodsItem> {
    let a = (text(), of(text()), of(num()), of(text()), of(any::<u32>()), of(text()), of(num()));
    let b = (
        of(num()),
        of(num()),
        of(text()),
        of(text()),
        of(text()),
        vec(text(), 0..3),
        vec((text(), num()).prop_map(|(nuclide, activity_bq)| RadioactiveContent { nuclide, activity_bq, consent_ref: None, recipient_authorization: None, notified_at: None }), 0..2),
    );
    (a, b).prop_map(
        |(
            (description, hs_code, quantity, quantity_unit, packages, package_type, gross_kg),
            (net_kg, value, currency, origin, un_number, containers, radioactive),
        )| GoodsItem {
            description,
            hs_code,
            quantity,
            quantity_unit,
            packages,
            package_type,
            gross_kg,
            net_kg,
            value,
            currency,
            origin,
            un_number,
            containers,
            radioactive,
            export: None,
        },
    )
}

fn equipment() -> impl Strategy<Value = Equipment> {
    (text(), of(text()), vec(text(), 0..3), any::<bool>()).prop_map(|(number, size_type, seals, empty)| Equipment {
        number,
        size_type,
        seals,
        empty,
    })
}

fn conveyance() -> impl Strategy<Value = Conveyance> {
    (of(text()), of(text()), of(text()), of(text()), of(text()), of(text()), of(any::<bool>())).prop_map(
        |(vessel_name, imo, flight, plate, vin, voyage, containers_on_board)| Conveyance {
            vessel_name,
            imo,
            flight,
            plate,
            vin,
            voyage,
            containers_on_board,
        },
    )
}

fn itinerary() -> impl Strategy<Value = Itinerary> {
    (of(text()), of(text()), of(text()), vec(text(), 0..4)).prop_map(
        |(place_of_loading, place_of_discharge, first_port_of_arrival, routing)| Itinerary {
            place_of_loading,
            place_of_discharge,
            first_port_of_arrival,
            routing,
        },
    )
}

fn times() -> impl Strategy<Value = Times> {
    (of(time()), of(time()), of(time()), of(time())).prop_map(|(filed_at, loading, departure, arrival)| Times {
        filed_at,
        loading,
        departure,
        arrival,
    })
}

fn filing() -> impl Strategy<Value = Filing> {
    let head = (
        text(),
        any::<u32>(),
        select(vec![
            FilingKind::AdvanceCargo,
            FilingKind::HouseBill,
            FilingKind::MasterBill,
            FilingKind::ConveyanceReport,
            FilingKind::ExportDeclaration,
        ]),
        select(vec![FilingStatus::Original, FilingStatus::Amendment, FilingStatus::Cancellation]),
        of(text()),
        select(vec![Mode::Marine, Mode::Air, Mode::Rail, Mode::Highway]),
        select(vec![Direction::Import, Direction::Export, Direction::InTransit]),
        select(vec![AgencyCountry::CA, AgencyCountry::US, AgencyCountry::MX, AgencyCountry::parse("GB").unwrap(), AgencyCountry::parse("NG").unwrap()]),
        select(vec![Stage::PreLoad, Stage::PreArrival, Stage::Arrival, Stage::Export]),
        of(select(vec![CargoType::Containerised, CargoType::Bulk, CargoType::BreakBulk])),
        any::<bool>(),
    );
    let body = (vec(party(), 0..4), vec(goods(), 0..3), vec(equipment(), 0..3), of(conveyance()), itinerary(), times());
    (head, body).prop_map(
        |(
            (id, version, kind, status, resubmits, mode, direction, country, stage, cargo, fast),
            (parties, goods, equipment, conveyance, itinerary, times),
        )| Filing {
            id,
            version,
            kind,
            status,
            resubmits,
            mode,
            direction,
            country,
            stage,
            cargo,
            fast,
            parties,
            goods,
            equipment,
            conveyance,
            itinerary,
            times,
            export: None,
        },
    )
}

/// Bytes that look enough like JSON or CSV to reach deep into the scanners.
fn jsonish() -> impl Strategy<Value = Vec<u8>> {
    vec(select(b"{}[]\",:\\\n\r \t0123456789aeilnrstu-.e\xff\xc3".to_vec()), 0..512)
}

fn filings(rs: &[Record]) -> Vec<Filing> {
    rs.iter().filter_map(|r| r.outcome.as_ref().ok().map(|p| p.filing.clone())).collect()
}

proptest! {

    #[test]
    fn arbitrary_bytes_never_panic_and_terminate(bytes in vec(any::<u8>(), 0..2048)) {
        let limit = bytes.len() + 2;
        let _ = parse_filing_json(&bytes);
        prop_assert!(JsonRecords::new(&bytes[..]).take(limit).count() < limit);
        prop_assert!(JsonRecords::new(&bytes[..]).with_max_record_bytes(16).take(limit).count() < limit);
        prop_assert!(CsvRecords::new(&bytes[..]).take(limit).count() < limit);
        prop_assert!(records(Cursor::new(bytes.clone())).take(limit).count() < limit);
    }

    #[test]
    fn jsonish_bytes_never_panic_and_terminate(bytes in jsonish()) {
        let limit = bytes.len() + 2;
        let _ = parse_filing_json(&bytes);
        for r in JsonRecords::new(&bytes[..]).with_max_record_bytes(64).take(limit) {
            // Every error record carries an error diagnostic with a line.
            if let Err(d) = &r.outcome {
                prop_assert!(d.iter().any(|d| d.severity == clearway_core::Severity::Error));
                prop_assert!(d.iter().all(|d| d.location.line.is_some()));
            }
        }
        prop_assert!(JsonRecords::new(&bytes[..]).take(limit).count() < limit);
        let mut csv = b"id,mode,direction,country,stage,description,gross_kg\n".to_vec();
        csv.extend_from_slice(&bytes);
        prop_assert!(CsvRecords::new(&csv[..]).take(csv.len()).count() < csv.len());
    }

    #[test]
    fn mutated_filings_never_panic(f in filing(), edits in vec((any::<prop::sample::Index>(), any::<u8>()), 1..6), cut in any::<prop::sample::Index>()) {
        let mut bytes = serde_json::to_vec(&f).unwrap_or_default();
        for (at, b) in edits {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        let _ = parse_filing_json(&bytes);
        let truncated = &bytes[..cut.index(bytes.len() + 1)];
        let _ = parse_filing_json(truncated);
        let limit = bytes.len() + 2;
        prop_assert!(JsonRecords::new(truncated).take(limit).count() < limit);
    }

    #[test]
    fn generated_filing_round_trips(f in filing()) {
        let json = serde_json::to_vec(&f).unwrap_or_default();
        let parsed = parse_filing_json(&json);
        prop_assert!(parsed.is_ok(), "{:?}", parsed.err());
        if let Ok(p) = parsed {
            prop_assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
            prop_assert_eq!(p.filing, f);
        }
    }

    #[test]
    fn generated_filings_round_trip_through_the_streams(fs in vec(filing(), 0..4)) {
        let compact: Vec<String> = fs.iter().map(|f| serde_json::to_string(f).unwrap_or_default()).collect();
        let pretty: Vec<String> = fs.iter().map(|f| serde_json::to_string_pretty(f).unwrap_or_default()).collect();
        let lines = compact.join("\n");
        let pretty_lines = pretty.join("\n");
        let array = format!("[\n{}\n]", pretty.join(",\n"));
        for input in [lines, pretty_lines, array] {
            let rs: Vec<Record> = JsonRecords::new(input.as_bytes()).collect();
            prop_assert_eq!(&filings(&rs), &fs, "{}", input);
            prop_assert_eq!(rs.len(), fs.len());
            // A tiny buffer sends every record through the scanner instead of the in-place parse.
            let scanned: Vec<Record> = JsonRecords::new(BufReader::with_capacity(7, input.as_bytes())).collect();
            prop_assert_eq!(&filings(&scanned), &fs);
            prop_assert_eq!(
                scanned.iter().map(|r| (r.line, &r.raw)).collect::<Vec<_>>(),
                rs.iter().map(|r| (r.line, &r.raw)).collect::<Vec<_>>()
            );
            let rs: Vec<Record> = records(Cursor::new(input.into_bytes())).collect();
            prop_assert_eq!(&filings(&rs), &fs);
        }
    }
}
