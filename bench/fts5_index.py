#!/usr/bin/env python3
"""Indexes title+body from a JSON Lines file into an SQLite FTS5 table, one transaction, and
prints the seconds it took. The peer that `bench/run.sh` compares newsdex with.

    python3 bench/fts5_index.py docs.jsonl out.sqlite
"""
import json
import sqlite3
import sys
import time


def main():
    source, target = sys.argv[1], sys.argv[2]
    started = time.perf_counter()
    db = sqlite3.connect(target)
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize='porter unicode61')")
    with open(source, encoding="utf-8") as lines, db:
        db.executemany(
            "INSERT INTO docs(title, body) VALUES (?, ?)",
            ((d.get("title") or "", d.get("body") or "") for d in map(json.loads, lines)),
        )
    db.close()
    print(f"{time.perf_counter() - started:.3f}")


if __name__ == "__main__":
    main()
