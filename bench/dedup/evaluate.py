#!/usr/bin/env python3
"""Pairwise precision, recall and F1 of a pairs file against a ground truth.

    evaluate.py --truth truth.csv --pairs pairs.csv [--min-score S] [--json]
                [--examples N --register register.csv]

truth.csv: id,person (records with the same person are one human being).
pairs.csv: id_a,id_b[,score]: the pairs a tool judged to be one person (order and
duplicates do not matter). With --examples, prints N false positives and N false
negatives with their records, for reading.
"""

import argparse
import csv
import json
import random
import sys
from collections import defaultdict


def read_truth(path):
    person = {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            person[row["id"]] = row["person"]
    return person


def true_pairs(person):
    groups = defaultdict(list)
    for rid, p in person.items():
        groups[p].append(rid)
    pairs = set()
    for ids in groups.values():
        ids.sort()
        for i in range(len(ids)):
            for j in range(i + 1, len(ids)):
                pairs.add((ids[i], ids[j]))
    return pairs


def read_pairs(path, min_score=None):
    pairs = set()
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if min_score is not None and float(row["score"]) < min_score:
                continue
            a, b = row["id_a"], row["id_b"]
            pairs.add((a, b) if a < b else (b, a))
    return pairs


def scores(found, truth):
    tp = len(found & truth)
    fp = len(found - truth)
    fn = len(truth - found)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "true_pairs": len(truth),
        "found_pairs": len(found),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": precision,
        "recall": recall,
        "f1": f1,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--truth", required=True)
    ap.add_argument("--pairs", required=True)
    ap.add_argument("--min-score", type=float)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--examples", type=int, default=0)
    ap.add_argument("--register")
    a = ap.parse_args()
    person = read_truth(a.truth)
    truth = true_pairs(person)
    found = read_pairs(a.pairs, a.min_score)
    s = scores(found, truth)
    if a.json:
        print(json.dumps(s))
    else:
        print(
            "precision {precision:.4f} recall {recall:.4f} F1 {f1:.4f} "
            "({tp} right, {fp} wrong, {fn} missed of {true_pairs})".format(**s)
        )
    if a.examples and a.register:
        with open(a.register, newline="", encoding="utf-8") as f:
            rec = {r["id"]: r for r in csv.DictReader(f)}
        r = random.Random(0)
        cols = [c for c in next(iter(rec.values())).keys() if c != "id"]

        def show(kind, pairs):
            pairs = sorted(pairs)
            print(f"\n{kind} ({len(pairs)}), sample:", file=sys.stderr)
            for x, y in r.sample(pairs, min(a.examples, len(pairs))):
                print(f"  {x}: " + " | ".join(rec[x][c] for c in cols), file=sys.stderr)
                print(f"  {y}: " + " | ".join(rec[y][c] for c in cols), file=sys.stderr)
                print("", file=sys.stderr)

        show("false positives", found - truth)
        show("false negatives", truth - found)


if __name__ == "__main__":
    main()
