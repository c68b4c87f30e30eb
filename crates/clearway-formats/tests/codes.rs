//! Every diagnostic a reader gives carries a machine code from `clearway_core::diagnostic::code`.

use std::io::Cursor;

use clearway_core::Diagnostic;
use clearway_core::diagnostic::code;
use clearway_formats::{Record, records};
use proptest::prelude::*;

fn all_diagnostics(recs: &[Record]) -> Vec<&Diagnostic> {
    let mut out = Vec::new();
    for r in recs {
        match &r.outcome {
            Ok(p) => out.extend(&p.diagnostics),
            Err(d) => out.extend(d),
        }
    }
    out
}

fn check(input: &[u8]) {
    let recs: Vec<Record> = records(Cursor::new(input.to_vec())).collect();
    for d in all_diagnostics(&recs) {
        assert!(
            code::ALL.contains(&d.code()),
            "diagnostic without a known code: {d:?}\ninput: {:?}",
            String::from_utf8_lossy(input)
        );
    }
    if let Some(ic) = clearway_formats::read_interchange(input) {
        for d in ic.diagnostics.iter().chain(ic.messages.iter().flat_map(|m| &m.diagnostics)) {
            assert!(code::ALL.contains(&d.code()), "{d:?}");
        }
    }
}

const INPUTS: &[&str] = &[
    "{\"id\":1,\"mode\":\"boat\",\"x\":2}\n{\"id\":\"A\"\n[1,2]\nnot json\n",
    "[{\"id\":\"A\",\"mode\":\"air\",\"direction\":\"import\",\"country\":\"CA\",\"stage\":\"arrival\",\"goods\":{\"packages\":\"3\"}}, 5",
    "id,mode,direction,country,stage,bogus\nA,air,import,CA,arrival\nB,ship,import,CA,arrival,1,2\n\"C,air",
    "UNA:+.? '\nUNB+UNOA:1+S+R+1+X'\nUNH+1+CUSCAR:D:03B:UN'\nNAD+ZZ+1'\nLOC+99+X'\nDTM+137:20XX:102'\nUNT+9+2'\nUNH+2+PAXLST:D:03B:UN'\nUNT+2+2'\nUNE+1+Q'\nUNZ+5+Y'\n",
    "UNB+UNOA:1+S+R+1+X'\nUNH+1+CUSCAR:D:03B:UN'\nBGM+85+B'\nMEA+AAE+G+XXX:1'",
    "ISA*00*          *00*          *ZZ*S              *ZZ*R              *260101*1200*U*00401*000000001*0*P*>~\nGS*SO*S*R*20260101*1200*1*X*004010~\nST*309*1~\nM10*X~\nP4*9999*2026~\nM11*B1*99999~\nN1*ZZ*X~\nN10*1*D****~\nH1*XX~\nSE*99*2~\nST*310*3~\nSE*2*3~\nGE*5*9~\nIEA*3*2~\nXX*1~",
    "<Declaration><TypeCode>ZZZ</TypeCode><BorderTransportMeans><ModeCode>0</ModeCode></BorderTransportMeans><IssueDateTime><DateTimeString>x</DateTimeString></IssueDateTime><bad:X/><!DOCTYPE x>&foo;</Declaration><More/>",
    "<Declaration><GoodsShipment>",
    "<x:Declaration xmlns:x=\"urn:other\"/>",
];

#[test]
fn fixtures_diagnostics_have_codes() {
    for input in INPUTS {
        check(input.as_bytes());
    }
}

proptest! {
    #[test]
    fn mutated_inputs_diagnostics_have_codes(which in 0..INPUTS.len(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut b = INPUTS[which].as_bytes().to_vec();
        let i = at.index(b.len());
        b[i] = byte;
        check(&b);
    }
}
