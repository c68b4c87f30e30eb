#!/usr/bin/env bash
# Seal the three example bundles (examples/bundles/out/). Needs a built `clearway` (CLEARWAY=path) and
# the KCS synthetic declarations (CLEARWAY_DATA, default ../shared/data).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cw="${CLEARWAY:-$root/target/release/clearway}"
data="${CLEARWAY_DATA:-$root/../shared/data}"
kcs="$data/declarations/kcs-synthetic"
mkdir -p "$here/out"
if [ ! -f "$here/model-led/model.json" ]; then
  "$cw" model train --train "$kcs/df_syn_train_eng.csv" --valid "$kcs/df_syn_valid_eng.csv" \
    --label Fraud --drop "Critical Fraud" --trees 60 --out "$here/model-led/model.json"
fi
for b in profile-heavy model-led random-value; do
  "$cw" bundle create "$here/$b" --key "$here/keys/example.key" --out "$here/out/$b.bundle.json"
done
