# Value control (ASYCUDA style): declared unit values outside the band of the value-control table.
# An EXAMPLE for Clearway's documentation, not any agency's real rules.

profile VC-001 "Unit value below the band minimum" {
  owner        "Valuation unit (example)"
  valid        2015-01-01 to 2030-12-31
  when         below_value_band
  lane         yellow 100%
  weight       20
  reason       "Declared unit value below the minimum of the value-control table for this HS-6 and origin"
  instructions "Request the commercial invoice and proof of payment"
}

profile VC-002 "Unit value at half the band minimum or less" {
  owner        "Valuation unit (example)"
  valid        2015-01-01 to 2030-12-31
  when         unit_value_kg < 0.5 * value_min
  lane         red 100%
  weight       40
  reason       "Declared unit value at half the table minimum or less"
  instructions "Physical exam: count and weigh; photograph labels"
}

profile VC-003 "Very high declared unit value (possible over-invoicing)" {
  owner        "Valuation unit (example)"
  valid        2015-01-01 to 2030-12-31
  when         above_value_band
  weight       15
  reason       "Declared unit value above the maximum of the value-control table"
  instructions "Check for over-invoicing (money transfer) against the importer's payments"
}
