"""CheckNoNewAccess against a public corpus of labelled policy pairs: quacky's mutation results (the UCSB VLab's
permissiveness analyzer, github.com/vlab-cs-ucsb/quacky, ICSE'21 and CAV'21 artefacts).

Each row of quacky's result tables names two policies and, for each direction, whether some request is allowed by
the first and not by the second ("P1 => P2": SAT) or not (UNSAT). CheckNoNewAccess(new=P1, existing=P2) must then
answer FAIL for SAT and PASS for UNSAT. Rows whose encodings disagree on a label are left out. A policy that names
a Principal is checked as a resource policy, any other as an identity policy.

Run: `.venv/bin/python benchmarks/labelled_policy_pairs.py /path/to/a/quacky/checkout` (nothing of the corpus is
kept in this repository). Prints the agreement, each disagreement, and the p50 time of a check.
"""

from __future__ import annotations

import csv
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from policies.language.access_checks import (  # noqa: E402
    IDENTITY_POLICY,
    RESOURCE_POLICY,
    PolicyCheckError,
    check_no_new_access,
)

HEADER = ["Policy 1", "Policy 2", "P1 => P2"]
LABELS = ("SAT", "UNSAT")


def labelled_pairs(corpus: Path) -> dict[tuple[str, str], tuple[str, str]]:
    """(policy 1, policy 2) -> (label of P1 => P2, label of P2 => P1), for pairs every table labels alike."""
    seen: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for table in sorted(corpus.glob("results/**/*.csv")):
        with table.open(newline="") as handle:
            rows = list(csv.reader(handle))
        if not rows or rows[0][:3] != HEADER or "P2 => P1" not in rows[0]:
            continue
        back = rows[0].index("P2 => P1")
        for row in rows[1:]:
            if len(row) > back and row[2] in LABELS and row[back] in LABELS:
                seen.setdefault((row[0], row[1]), set()).add((row[2], row[back]))
    return {pair: next(iter(labels)) for pair, labels in seen.items() if len(labels) == 1}


def main(corpus: Path) -> int:
    pairs = labelled_pairs(corpus)
    agree, times, disagreements = 0, [], []
    for (first, second), labels in sorted(pairs.items()):
        try:
            texts = ((corpus / first.lstrip("/")).read_text(), (corpus / second.lstrip("/")).read_text())
        except FileNotFoundError:
            continue
        for (new, existing), label, names in (((texts[0], texts[1]), labels[0], (first, second)),
                                              ((texts[1], texts[0]), labels[1], (second, first))):
            kind = RESOURCE_POLICY if "Principal" in new + existing else IDENTITY_POLICY
            started = time.perf_counter()
            try:
                answer = check_no_new_access(new, existing, kind).result
            except PolicyCheckError as error:
                answer = f"error: {error}"
            times.append(time.perf_counter() - started)
            expected = "FAIL" if label == "SAT" else "PASS"
            if answer == expected:
                agree += 1
            else:
                disagreements.append(f"  expected {expected}, answered {answer}: new {names[0]}, existing {names[1]}")
    total = agree + len(disagreements)
    print(f"{len(pairs)} labelled pairs, {total} directions checked: {agree} agree, {len(disagreements)} differ")
    print(*disagreements, sep="\n")
    if times:
        print(f"CheckNoNewAccess p50 {statistics.median(times) * 1000:.2f} ms, max {max(times) * 1000:.1f} ms")
    return 0 if total else 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(Path(sys.argv[1])))
