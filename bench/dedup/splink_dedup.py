#!/usr/bin/env python3
"""Splink (DuckDB) deduplication of a register in the `sprint dedup` CSV format.

    splink_dedup.py --input register.csv --output pairs.csv --config NAME --threshold P

Writes id_a,id_b,score (Splink's match_probability) for each pair with
match_probability >= P. Configurations (all trained without labels: u by random sampling,
λ from deterministic rules, m by expectation maximisation):

- basic: the columns as they come, lower-cased; Jaro-Winkler name comparisons
  (NameComparison), DateOfBirthComparison, exact nationality/sex/identifiers/phone.
  Blocking on name + birth year, identifiers, phone, full birth date.
- enhanced: what a careful Splink user would prepare first: names folded to ASCII
  (Unidecode, so Arabic and Cyrillic become Latin letters), punctuation dropped;
  nationality resolved to a code with a country table; phones and identifiers normalised;
  1 January and year-only dates treated as "year known, day unknown" (full-date column
  null, separate birth-year comparison); ForenameSurnameComparison (detects swapped
  given/family names); metaphone name keys for blocking (swapped ones too); original-script
  name compared exactly.
- enhanced_tf: enhanced with term-frequency adjustments on names (a shared "Mohamed
  Ahmed" counts for less than a shared rare name).
"""

import argparse
import logging
import re
import sys
import time
import unicodedata

import jellyfish
import pandas as pd
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
import splink.comparison_library as cl
from unidecode import unidecode

sys.path.insert(0, __import__("os").path.dirname(__file__))
from generate import NATIONALITY_FORMS  # noqa: E402  (a country-name table, as any user has)

COUNTRY = {}
for code, forms in NATIONALITY_FORMS.items():
    for f in forms:
        COUNTRY[f.lower()] = code
        COUNTRY[unidecode(f).lower()] = code


def fold(s):
    s = unidecode(s or "").lower()
    s = re.sub(r"[^a-z ]+", " ", s)
    return re.sub(r" +", " ", s).strip()


def ascii_lower(s):
    s = unicodedata.normalize("NFKD", s or "")
    return "".join(c for c in s if not unicodedata.combining(c)).lower().strip()


def phone(s):
    first = (s or "").split(";")[0]
    d = re.sub(r"\D", "", first)
    if d.startswith("0039"):
        d = d[4:]
    elif first.strip().startswith("+39"):
        d = d[2:]
    return d if len(d) >= 6 else None


def ident(s):
    v = re.sub(r"[^A-Za-z0-9]", "", s or "").upper()
    return v if len(v) >= 5 else None


def key(name):
    toks = name.split()
    return jellyfish.metaphone(toks[0]) if toks else None


def last_key(name):
    toks = name.split()
    return jellyfish.metaphone(toks[-1]) if toks else None


def nonempty(s):
    return s if isinstance(s, str) and s.strip() else None


def prepare(df, config):
    for col in ["name_original", "phone", "document_id", "cui", "sex", "nationality", "birth_date"]:
        if col not in df:
            df[col] = ""  # optional in the format (FEBRL has no phone, CUI or original script)
    out = pd.DataFrame({"unique_id": df["id"]})
    bd = df["birth_date"].fillna("")
    out["birth_year"] = bd.str[:4].where(bd.str.len() >= 4)
    if config == "basic":
        out["given_names"] = df["given_names"].fillna("").map(ascii_lower).map(nonempty)
        out["family_name"] = df["family_name"].fillna("").map(ascii_lower).map(nonempty)
        out["birth_date"] = bd.where(bd.str.len() == 10)
        out["nationality"] = df["nationality"].fillna("").str.lower().map(nonempty)
        out["sex"] = df["sex"].fillna("").str.lower().map(nonempty)
        out["document_id"] = df["document_id"].map(nonempty)
        out["cui"] = df["cui"].map(nonempty)
        out["phone"] = df["phone"].map(nonempty)
        return out
    given = df["given_names"].fillna("").map(fold)
    family = df["family_name"].fillna("").map(fold)
    out["given_names"] = given.map(nonempty)
    out["family_name"] = family.map(nonempty)
    out["full_name"] = (given + " " + family).str.strip().map(nonempty)
    out["given_key"] = given.map(key)
    out["family_key"] = family.map(last_key)
    # 1 January and year-only: the day is not known.
    full = bd.where((bd.str.len() == 10) & (~bd.str.endswith("-01-01")))
    out["birth_date"] = full
    out["nationality"] = df["nationality"].fillna("").map(
        lambda s: COUNTRY.get(s.strip().lower()) or COUNTRY.get(unidecode(s).strip().lower())
    )
    sex = df["sex"].fillna("").str.lower().str[:1]
    out["sex"] = sex.where(sex.isin(["m", "f"]))
    out["document_id"] = df["document_id"].map(ident)
    out["cui"] = df["cui"].map(ident)
    out["phone"] = df["phone"].map(phone)
    out["name_original"] = df["name_original"].map(nonempty)
    return out


def settings(config):
    if config == "basic":
        comparisons = [
            cl.NameComparison("given_names"),
            cl.NameComparison("family_name"),
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            cl.ExactMatch("birth_year"),
            cl.ExactMatch("nationality"),
            cl.ExactMatch("sex"),
            cl.ExactMatch("document_id"),
            cl.ExactMatch("cui"),
            cl.ExactMatch("phone"),
        ]
        blocking = [
            block_on("family_name", "birth_year"),
            block_on("given_names", "birth_year"),
            block_on("document_id"),
            block_on("cui"),
            block_on("phone"),
            block_on("birth_date"),
        ]
    else:
        tf = config == "enhanced_tf"
        names = cl.ForenameSurnameComparison(
            "given_names",
            "family_name",
            forename_surname_concat_col_name="full_name" if tf else None,
        )
        comparisons = [
            names,
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            cl.ExactMatch("birth_year"),
            cl.ExactMatch("nationality"),
            cl.ExactMatch("sex"),
            cl.LevenshteinAtThresholds("document_id", 1),
            cl.LevenshteinAtThresholds("cui", 1),
            cl.ExactMatch("phone"),
            cl.ExactMatch("name_original"),
        ]
        blocking = [
            block_on("given_key", "family_key"),
            block_on("given_key", "birth_year"),
            block_on("family_key", "birth_year"),
            "l.given_key = r.family_key and l.family_key = r.given_key",
            block_on("document_id"),
            block_on("cui"),
            block_on("phone"),
            block_on("birth_date"),
            block_on("name_original"),
        ]
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--input", required=True)
    ap.add_argument("--output", required=True)
    ap.add_argument("--config", choices=["basic", "enhanced", "enhanced_tf"], required=True)
    ap.add_argument("--threshold", type=float, default=0.5)
    a = ap.parse_args()
    logging.getLogger("splink").setLevel(logging.WARNING)
    started = time.time()

    df = pd.read_csv(a.input, dtype=str, keep_default_na=False)
    data = prepare(df, a.config)
    db = DuckDBAPI()
    sdf = db.register(data, dataset_display_name="register")
    linker = Linker(sdf, settings(a.config), log_level=logging.WARNING)

    t = linker.training
    if a.config == "basic":
        rules = [block_on("cui"), block_on("document_id"), block_on("given_names", "family_name", "birth_date")]
        em = [block_on("birth_date"), block_on("given_names", "family_name")]
    else:
        rules = [block_on("cui"), block_on("document_id"), block_on("full_name", "birth_date")]
        em = [block_on("birth_date"), block_on("given_key", "family_key", "birth_year")]
    t.estimate_probability_two_random_records_match(rules, recall=0.6)
    t.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    for rule in em:
        t.estimate_parameters_using_expectation_maximisation(rule)

    pred = linker.inference.predict(threshold_match_probability=a.threshold)
    res = pred.as_pandas_dataframe()  # fetched whole before any other call (duckdb 2.x)
    out = pd.DataFrame(
        {
            "id_a": res["unique_id_l"],
            "id_b": res["unique_id_r"],
            "score": res["match_probability"].map(lambda p: f"{p:.6f}"),
        }
    )
    out.to_csv(a.output, index=False)
    print(
        f"splink {a.config}: {len(df)} records, {len(out)} pairs >= {a.threshold}, "
        f"{time.time() - started:.1f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
