# Late filing combined with a risky origin.

profile LR-001 "Late advance filing, goods from a watch-list origin" {
  owner        "National targeting centre"
  valid        2020-01-01 to 2027-12-31
  review       2027-06-30
  stages       pre-load pre-arrival arrival
  when         (late or lead_time_h < 12) and origin in @risky_origins
  lane         red 20%
  weight       20
  cap          10
  reason       "Advance data filed late (or under 12 hours ahead) for goods from a watch-list origin"
  instructions "NII scan; compare the scan image with the declared goods"
}
