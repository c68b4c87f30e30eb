# Goods description that does not fit the HS chapter.

profile DM-001 "Machinery or electronics HS code with a textile description" {
  owner        "Tariff classification unit"
  valid        2020-01-01 to 2027-12-31
  review       2027-06-30
  when         hs_chapter in [84, 85] and description contains @textile_words
  lane         yellow 100%
  weight       20
  reason       "The description reads as textiles but the HS code is in chapter 84 or 85"
  instructions "Document check: reclassify from the invoice and product literature"
}

profile DM-002 "Apparel HS code with an electronics description" {
  owner        "Tariff classification unit"
  valid        2020-01-01 to 2027-12-31
  review       2027-06-30
  when         hs_chapter in [61, 62] and description contains @electronics_words
  lane         yellow 100%
  weight       20
  reason       "The description reads as electronics but the HS code is in chapter 61 or 62"
  instructions "Document check: reclassify from the invoice and product literature"
}
