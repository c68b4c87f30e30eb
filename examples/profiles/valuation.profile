# Valuation: declared unit values against the value-control table (value-control.csv).

profile VAL-001 "Declared unit value below the value-control band" {
  owner        "HQ risk management / valuation unit"
  valid        2020-01-01 to 2027-12-31
  review       2027-06-30
  stages       pre-load pre-arrival arrival
  when         below_value_band and value > 1000
  lane         yellow 50%
  weight       25
  cap          10
  reason       "Declared value per kg is below the value-control minimum for this HS-6 and origin"
  instructions "Request the commercial invoice, contract and proof of payment; compare with the value-control band and recent transaction values for the same goods"
}

profile VAL-002 "Electronics declared at a quarter of the band minimum or less" {
  owner        "HQ risk management / valuation unit"
  valid        2020-01-01 to 2027-12-31
  review       2027-06-30
  when         hs_chapter in [84, 85] and unit_value_kg < 0.25 * value_min
  unless       trusted
  lane         red 100%
  weight       40
  reason       "Electronics declared at 25 % or less of the minimum unit value for their HS-6 and origin"
  instructions "Physical exam: count units, read model numbers, photograph labels; check for undeclared higher-value models"
}
