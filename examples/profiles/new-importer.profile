# Entity history: new importers and importers changing their line of business.

profile NI-001 "New importer with high-value goods" {
  owner        "National targeting centre"
  valid        2020-01-01 to 2027-12-31
  review       2027-06-30
  stages       pre-load pre-arrival arrival
  when         new_importer and total_value > 250000
  lane         red 50%
  weight       30
  cap          5
  reason       "First filing from this importer, and the shipment is worth more than 250,000"
  instructions "Verify the importer's registration, address and bank details; physical exam against the packing list"
}

profile NI-002 "Established importer, first time with this HS code, high value" {
  owner        "National targeting centre"
  valid        2020-01-01 to 2027-12-31
  review       2027-06-30
  when         first_hs_for_importer and importer_filings >= 5 and value > 100000
  weight       10
  reason       "The importer declares this HS-6 for the first time, for more than 100,000"
  instructions "Check that the goods fit the importer's line of business"
}

profile IH-001 "Importer with a history of findings" {
  owner        "National targeting centre"
  valid        2020-01-01 to 2027-12-31
  review       2027-06-30
  when         importer_finds >= 2 and importer_find_rate >= 0.5
  lane         red 100%
  weight       40
  reason       "Half or more of this importer's examined filings had a finding"
  instructions "Full exam; compare with the findings of earlier exams"
}
