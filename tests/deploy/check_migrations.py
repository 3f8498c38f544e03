#!/usr/bin/env python3
"""check_migrations.py SOURCE_DIR - migrations keep the previous version working (docs/upgrades.md).

During a rolling upgrade the previous version of a service runs on the schema the new version
migrated, so a migration may add but not take away. This flags, in every
services/*/migrations/*.sql, the statements the previous version cannot survive:

  DROP TABLE, ALTER TABLE ... DROP COLUMN, RENAME (a table, a column, an enum value),
  ALTER COLUMN ... TYPE, SET NOT NULL, DROP DEFAULT, ADD COLUMN ... NOT NULL without a DEFAULT

unless the statement carries a comment `-- upgrade-safe: <why>` (the contract step of an
expand/contract change, made once no running version uses the old shape). Each finding is
printed as FAIL file:line: statement; exit 1 when there is one.
"""

import pathlib
import re
import sys

# Clauses of ALTER TABLE (and ALTER TYPE for RENAME) the previous version cannot survive.
TABLE_RULES = [
    (re.compile(r"\bDROP\s+(COLUMN\s+)?(IF\s+EXISTS\s+)?(?!CONSTRAINT\b|DEFAULT\b|NOT\b|"
                r"IDENTITY\b|EXPRESSION\b)\w+", re.I), "drops a column"),
    (re.compile(r"\bRENAME\b", re.I), "renames"),
    (re.compile(r"\bALTER\s+(COLUMN\s+)?\w+\s+(SET\s+DATA\s+)?TYPE\b", re.I),
     "changes a column's type"),
    (re.compile(r"\bSET\s+NOT\s+NULL\b", re.I), "makes a column NOT NULL"),
    (re.compile(r"\bDROP\s+DEFAULT\b", re.I),
     "drops a default (the previous version's inserts may rely on it)"),
]
ADD_COLUMN = re.compile(r"\bADD\s+(COLUMN\s+)?(IF\s+NOT\s+EXISTS\s+)?(?!CONSTRAINT\b)(\w+)\s+"
                        r"([^,;]*)", re.I)
MARKER = re.compile(r"--\s*upgrade-safe:\s*\S", re.I)

# Landed before this check existed, and never edited since (a migration is not): each breaks
# the rule, and docs/upgrades.md ("Exceptions") says how to upgrade across it.
LANDED_BEFORE_THE_RULE = {
    "services/scoring/migrations/0003_what_documents_prove.sql":
        "issue 11: scoring.company_standing and five outlet_input columns dropped",
}


def statements(text):
    """(first line number, statement text with comments, code without comments) per statement."""
    out, buf, code, start = [], [], [], None
    for n, line in enumerate(text.splitlines(), 1):
        bare = line.split("--", 1)[0]
        if start is None and (bare.strip() or MARKER.search(line)):
            start = n
        buf.append(line)
        code.append(bare)
        if ";" in bare:
            out.append((start or n, "\n".join(buf), " ".join(code)))
            buf, code, start = [], [], None
    if "".join(code).strip():
        out.append((start, "\n".join(buf), " ".join(code)))
    return out


def findings(path):
    found = []
    for line, text, code in statements(path.read_text(encoding="utf-8")):
        if MARKER.search(text):
            continue
        why = []
        if re.match(r"\s*DROP\s+(TABLE|SCHEMA)\b", code, re.I):
            why.append("drops a table")
        elif re.match(r"\s*ALTER\s+TYPE\b.*\bRENAME\b", code, re.I | re.S):
            why.append("renames a type's value")
        elif re.match(r"\s*ALTER\s+TABLE\b", code, re.I):
            why += [w for rx, w in TABLE_RULES if rx.search(code)]
            for m in ADD_COLUMN.finditer(code):
                if re.search(r"\bNOT\s+NULL\b", m.group(4), re.I) and \
                        not re.search(r"\bDEFAULT\b", m.group(4), re.I):
                    why.append(f"adds NOT NULL column {m.group(3)} without a DEFAULT")
        if why:
            found.append((line, "; ".join(why), " ".join(code.split())[:160]))
    return found


def main():
    src = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    files = sorted(src.glob("services/*/migrations/*.sql"))
    if not files:
        print(f"FAIL no migrations under {src}/services/*/migrations")
        return 1
    bad = 0
    for f in files:
        rel = str(f.relative_to(src))
        if rel in LANDED_BEFORE_THE_RULE:
            n = len(findings(f))
            print(f"note {rel}: {n} statement(s) break the rule; landed before it "
                  f"({LANDED_BEFORE_THE_RULE[rel]}): see docs/upgrades.md, Exceptions")
            continue
        for line, why, stmt in findings(f):
            bad += 1
            print(f"FAIL {f.relative_to(src)}:{line}: {why}: {stmt}")
    print(f"check_migrations: {len(files)} migration files, {bad} statement(s) the previous "
          f"version may not survive (mark a deliberate one '-- upgrade-safe: why')")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
