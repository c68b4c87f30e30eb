# Routing through transshipment hubs (diversion and origin laundering).

profile TS-001 "High-technology goods routed through a transshipment hub" {
  owner        "Export control / counter-proliferation desk"
  valid        2020-01-01 to 2027-12-31
  review       2027-01-31
  kind         security
  when         routing in @transshipment_hubs and hs6 in @chpl_hs6
  lane         red 25%
  weight       35
  cap          4
  reason       "Common High Priority List goods routed through a known transshipment hub"
  instructions "Verify the end user and the ultimate consignee; check the routing against the bill of lading; NII scan"
}

profile TS-002 "Departure country differs from origin, risky origin" {
  owner        "HQ risk management / origin unit"
  valid        2020-01-01 to 2027-12-31
  review       2027-06-30
  when         departure_country != origin and origin in @risky_origins
  weight       8
  reason       "Goods leave from a country other than their declared origin, and the origin is on the watch list"
  instructions "Check the certificate of origin against the place of loading"
}

profile TS-003 "Origin laundering: dutiable machinery, tools, instruments or paints shipped from a third country" {
  owner        "HQ risk management / origin unit"
  valid        2020-01-01 to 2027-12-31
  review       2027-06-30
  when         departure_country != origin and hs_chapter in [32, 82, 84, 90] and tax_rate >= 8
  lane         yellow 50%
  weight       30
  cap          10
  reason       "Dutiable goods of chapters 32, 82, 84 or 90 leave from a country other than their origin (duty rate 8 % or more)"
  instructions "Check the certificate of origin, the through bill of lading and the manufacturer; compare with the preferential origin claimed"
}
