//! Arbitrary bytes as OFAC CSV parts, CSL CSV and BIS DPL TSV (after a valid header): no panic, termination.

#![no_main]

use clearway_lists::{Source, load};
use libfuzzer_sys::fuzz_target;

const CSL: &[u8] = b"_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice,start_date,end_date,standard_order,license_requirement,license_policy,call_sign,vessel_type,gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,source_list_url,alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,source_information_url,ids\n";
const DPL: &[u8] = b"\"Name\"\t\"Street_Address\"\t\"City\"\t\"State\"\t\"Country\"\t\"Postal_Code\"\t\"Effective_Date\"\n";

fuzz_target!(|data: &[u8]| {
    let mut csl = CSL.to_vec();
    csl.extend_from_slice(data);
    let mut dpl = DPL.to_vec();
    dpl.extend_from_slice(data);
    let mut sdn = b"1,\"A\",\"individual\",\"X\",-0-,-0-,-0-,-0-,-0-,-0-,-0-,\"".to_vec();
    sdn.extend_from_slice(data);
    let _ = load(&[
        Source { name: "sdn.csv", bytes: &sdn },
        Source { name: "alt.csv", bytes: data },
        Source { name: "csl.csv", bytes: &csl },
        Source { name: "dpl.txt", bytes: &dpl },
    ]);
});
