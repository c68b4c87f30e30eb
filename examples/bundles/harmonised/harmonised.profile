# The harmonised profile: the criteria every partner's bundle includes unchanged (the "harmonised
# targeting" step). An EXAMPLE written for Clearway's documentation, not any agency's real rules.

profile H-001 "High-value first shipment of a new importer (harmonised)" {
  owner        "Partners' joint targeting group (example)"
  valid        2015-01-01 to 2030-12-31
  when         new_importer and total_value > 100000
  lane         yellow 50%
  weight       20
  reason       "Harmonised criterion: first filing from this importer and worth more than 100,000"
  instructions "Document check: importer registration and commercial invoice"
}

profile H-002 "Declared unit value under 1 per kg for manufactured goods (harmonised)" {
  owner        "Partners' joint targeting group (example)"
  valid        2015-01-01 to 2030-12-31
  when         hs_chapter >= 84 and hs_chapter <= 92 and unit_value_kg < 1
  weight       25
  reason       "Harmonised criterion: machinery, electronics or instruments declared at less than 1 per kg"
  instructions "Check the invoice and the goods' description against the HS code"
}
