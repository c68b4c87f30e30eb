//! The ingest loop's promises: an input whose `Read` fails stops the run before the batch holding it
//! commits (batches committed before stay); an interchange's envelope errors are stored once, against
//! the interchange, and never as a rejected filing beside the same cargo screened.

use clearway_core::Filing;
use clearway_service::ingest::{self, Acked, EnvelopeOutcome, IngestOptions, Input};
use clearway_service::{PipelineOptions, ServiceError, build_pipeline, open_store};
use std::io::Read;
use std::time::Duration;

fn filings(count: usize, seed: u64) -> Vec<Filing> {
    clearway_synth::Generator::new(clearway_synth::Config {
        count,
        seed,
        start: "2026-11-02T00:00:00Z".parse().unwrap(),
        days: 1,
    })
    .filter(|f| f.version == 1)
    .collect()
}

fn jsonl(filings: &[Filing]) -> Vec<u8> {
    let mut out = Vec::new();
    for f in filings {
        serde_json::to_writer(&mut out, f).unwrap();
        out.push(b'\n');
    }
    out
}

/// Gives `bytes`, then (after `wait`) fails as a cut body or a client that hung up does.
struct Failing {
    bytes: std::io::Cursor<Vec<u8>>,
    wait: Duration,
}

impl Read for Failing {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.bytes.read(buf)?;
        if n > 0 {
            return Ok(n);
        }
        std::thread::sleep(self.wait);
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "client hung up",
        ))
    }
}

struct Run {
    result: Result<ingest::IngestReport, ServiceError>,
    acked: Vec<String>,
    stored: u64,
    rejects: usize,
}

fn run(db: &str, inputs: Vec<Input>, batch: usize) -> Run {
    let mut store = open_store(db).unwrap();
    let screener = build_pipeline(store.as_mut(), &PipelineOptions::default()).unwrap();
    drop(store);
    let mut acked = Vec::new();
    let result = ingest::run(
        inputs,
        &screener,
        &|| open_store(db),
        &IngestOptions {
            batch,
            respond: None,
        },
        &mut |a| match a {
            Acked::Decision { decision, .. } => acked.push(decision.filing_id.clone()),
            Acked::Rejected { input, .. } => acked.push(format!("rejected {}", input.line)),
        },
        &|_| {},
    );
    let mut store = open_store(db).unwrap();
    let stats = store.stats().unwrap();
    let rejects = store.rejects(100).unwrap().len();
    Run {
        result,
        acked,
        stored: stats.versions,
        rejects,
    }
}

#[test]
fn a_read_error_stops_the_run_and_stores_nothing_of_its_batch() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db").display().to_string();
    let fs = filings(40, 5);
    let mut body = jsonl(&fs[..6]);
    body.extend_from_slice(b"{\"id\": \"CUT-1\", \"vers"); // the body is cut mid-record
    let inputs = vec![
        Input {
            name: "first".into(),
            source: Box::new(std::io::Cursor::new(jsonl(&fs[6..10]))),
        },
        Input {
            name: "http".into(),
            source: Box::new(Failing {
                bytes: std::io::Cursor::new(body),
                wait: Duration::ZERO,
            }),
        },
    ];
    let r = run(&db, inputs, 1000);
    match r.result {
        Err(ServiceError::Input { input, source }) => {
            assert_eq!(input, "http");
            assert_eq!(source.kind(), std::io::ErrorKind::ConnectionReset);
        }
        other => panic!("expected an input error, got {other:?}"),
    }
    assert!(r.acked.is_empty(), "nothing acknowledged: {:?}", r.acked);
    assert_eq!(
        r.stored, 0,
        "the batch holding the failed input is not committed"
    );
    assert_eq!(r.rejects, 0, "no reject of the truncated bytes");
}

#[test]
fn batches_committed_before_a_read_error_stay_and_were_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db").display().to_string();
    let fs = filings(40, 6);
    let inputs = vec![
        Input {
            name: "first".into(),
            source: Box::new(std::io::Cursor::new(jsonl(&fs[..5]))),
        },
        Input {
            name: "http".into(),
            // Fails only after the first two batches had time to commit.
            source: Box::new(Failing {
                bytes: std::io::Cursor::new(Vec::new()),
                wait: Duration::from_millis(600),
            }),
        },
    ];
    let r = run(&db, inputs, 2);
    assert!(
        matches!(r.result, Err(ServiceError::Input { .. })),
        "{:?}",
        r.result.map(|_| ())
    );
    let ids: Vec<String> = fs[..4].iter().map(|f| f.id.clone()).collect();
    assert_eq!(r.acked, ids, "the two committed batches were acknowledged");
    assert_eq!(
        r.stored, 4,
        "committed batches stay; the fifth filing, cut with the failed input, does not"
    );
    assert_eq!(r.rejects, 0);
}

/// A generated CUSCAR interchange with the first message's UNT count off by one.
fn cuscar_with_wrong_unt(fs: &[Filing]) -> Vec<u8> {
    let text = String::from_utf8(clearway_formats::edifact::write_cuscar(
        fs, "SENDER", "CUSTOMS", "77",
    ))
    .unwrap();
    let at = text.find("UNT+").unwrap() + 4;
    let end = at + text[at..].find('+').unwrap();
    let n: u32 = text[at..end].parse().unwrap();
    format!("{}{}{}", &text[..at], n + 1, &text[end..]).into_bytes()
}

#[test]
fn envelope_errors_are_stored_once_against_the_interchange_not_as_a_rejected_filing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db").display().to_string();
    let fs = filings(12, 7);
    let edi = cuscar_with_wrong_unt(&fs[..3]);
    let input = || {
        vec![Input {
            name: "m.edi".into(),
            source: Box::new(std::io::Cursor::new(edi.clone())),
        }]
    };
    let r = run(&db, input(), 1000);
    let report = r.result.unwrap();
    assert_eq!(report.decisions, 3, "the cargo is screened");
    assert_eq!(report.rejected, 0, "no filing is rejected");
    assert_eq!(
        r.acked.len(),
        3,
        "one acknowledgement per filing, none for the envelope"
    );
    assert_eq!(report.interchanges.len(), 1);
    let ic = &report.interchanges[0];
    assert_eq!(ic.envelope, EnvelopeOutcome::Errors);
    assert_eq!(ic.control_ref.as_deref(), Some("77"));
    assert!(ic.stored);
    assert!(
        ic.diagnostics
            .iter()
            .any(|d| d.code() == clearway_core::diagnostic::code::EDI_UNT_COUNT),
        "{:?}",
        ic.diagnostics
    );
    assert!(
        report.has_errors(),
        "envelope errors make the run's outcome an error"
    );
    let mut store = open_store(&db).unwrap();
    let rejects = store.rejects(10).unwrap();
    assert_eq!(rejects.len(), 1, "stored once");
    assert_eq!(rejects[0].source, "m.edi [interchange 77]");
    assert_eq!(rejects[0].raw, edi, "the whole interchange");
    assert_eq!(rejects[0].diagnostics, ic.diagnostics);
    drop(store);
    // Again: the same envelope is not stored twice, the filings are duplicates.
    let r = run(&db, input(), 1000);
    let report = r.result.unwrap();
    assert_eq!(report.duplicates, 3);
    assert!(!report.interchanges[0].stored);
    assert_eq!(r.rejects, 1);
}

#[test]
fn responses_come_after_commit_dated_no_earlier_than_asked() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db").display().to_string();
    let fs = filings(12, 8);
    let edi = cuscar_with_wrong_unt(&fs[..2]);
    let mut store = open_store(&db).unwrap();
    let screener = build_pipeline(store.as_mut(), &PipelineOptions::default()).unwrap();
    drop(store);
    let asked: chrono::DateTime<chrono::Utc> = "2099-01-02T03:04:00Z".parse().unwrap();
    let report = ingest::run(
        vec![Input {
            name: "m.edi".into(),
            source: Box::new(std::io::Cursor::new(edi)),
        }],
        &screener,
        &|| open_store(&db),
        &IngestOptions {
            batch: 1000,
            respond: Some(asked),
        },
        &mut |_| {},
        &|_| {},
    )
    .unwrap();
    assert_eq!(report.responses.len(), 2, "one CUSRES per message");
    for r in &report.responses {
        assert!(
            r.body.contains("990102:0304"),
            "dated as asked (later than the commit): {}",
            r.body
        );
    }
    let first = &report.responses[0].body;
    assert!(
        first.contains("BGM+962"),
        "the message is accepted: {first}"
    );
    assert!(first.contains("ERC+"), "with its envelope error: {first}");
    assert!(
        !report.responses[1].body.contains("ERC+"),
        "the other message is clean"
    );
    assert_eq!(report.responded[0].envelope_errors, 1);
}
