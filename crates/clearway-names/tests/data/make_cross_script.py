#!/usr/bin/env python3
"""Regenerate cross_script_pairs.csv: cross-script positive pairs for `clearway names eval`.

From the UN Security Council consolidated list in the shared data (individuals whose record gives a
NAME_ORIGINAL_SCRIPT: that name beside the Latin FIRST..FOURTH_NAME), plus cross_script_hand.csv (Hangul
written by hand for the list's DPRK Latin names, and well-known names in the other scripts).
Entities are left out: their Latin names are mostly translations, not transliterations.

    python3 crates/clearway-names/tests/data/make_cross_script.py [DATA_DIR]

DATA_DIR defaults to $CLEARWAY_DATA, then ../shared/data beside the repository.
"""
import csv
import os
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
data = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CLEARWAY_DATA", os.path.join(HERE, "../../../../../shared/data"))
un = os.path.join(data, "sanctions/un/un_consolidated_2026-02-27.xml")

SCRIPTS = [("arabic", 0x600, 0x6FF), ("cyrillic", 0x400, 0x52F), ("hebrew", 0x590, 0x5FF), ("han", 0x4E00, 0x9FFF), ("hangul", 0xAC00, 0xD7A3)]


def script(s):
    for name, lo, hi in SCRIPTS:
        if any(lo <= ord(c) <= hi for c in s):
            return name
    return "latin"


rows = []
root = ET.parse(un).getroot()
for ind in root.iter("INDIVIDUAL"):
    orig = (ind.findtext("NAME_ORIGINAL_SCRIPT") or "").strip()
    latin = " ".join(filter(None, [(ind.findtext(t) or "").strip() for t in ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"]]))
    if orig and latin and script(orig) != "latin":
        rows.append((orig, latin, script(orig), "UN " + (ind.findtext("REFERENCE_NUMBER") or "").strip()))
with open(os.path.join(HERE, "cross_script_hand.csv"), newline="", encoding="utf-8") as f:
    for r in csv.DictReader(f):
        rows.append((r["name1"], r["name2"], r["script"], r["source"]))
with open(os.path.join(HERE, "cross_script_pairs.csv"), "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["name1", "name2", "is_match", "schema", "quality", "script", "source"])
    for a, b, s, src in rows:
        w.writerow([a, b, "true", "Person", "", s, src])
print(f"{len(rows)} pairs", file=sys.stderr)
