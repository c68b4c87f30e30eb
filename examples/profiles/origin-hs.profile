# Origin × HS combinations.

profile OHS-001 "Apparel and footwear from origins with preference-fraud history" {
  owner        "HQ risk management / origin unit"
  valid        2020-01-01 to 2027-12-31
  review       2027-03-31
  when         hs_chapter in [61, 62, 64] and origin in @apparel_risk_origins
  lane         yellow 30%
  weight       15
  cap          20
  reason       "Apparel or footwear from an origin on the preference-fraud watch list"
  instructions "Check the certificate of origin and the manufacturer's address; compare the origin with the place of loading"
}

profile OHS-002 "Lithium batteries by air" {
  owner        "Dangerous goods desk"
  valid        2020-01-01 to 2027-12-31
  review       2027-03-31
  modes        air
  kind         security
  when         hs6 in @battery_hs6 and not dangerous
  lane         red 100%
  weight       45
  reason       "Lithium batteries by air without a UN dangerous-goods number"
  instructions "Verify UN 3480/3481 marking, packing instruction and state of charge; hold until compliant"
}
