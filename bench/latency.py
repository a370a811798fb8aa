#!/usr/bin/env python3
"""Query latency of newsdex against tantivy-cli and SQLite FTS5, in process for each engine
(newsdex `batch --timings`, `tantivy bench`, Python's sqlite3), over the query files of
bench/queries/ (30 per kind): count and top 10 hits per query (top 20 values for facet
counts, every period for histograms), three rounds in one process per engine and kind, the first discarded as warm-up. Prints median and p99 in milliseconds per kind and engine.
newsdex's figure includes reading its ten hits (and their snippets); `tantivy bench` times its
search alone, then reading the ten documents in a pass of its own: the row "+10 docs" adds the
two for each query.

    python3 bench/latency.py NEWSDEX_BIN NEWSDEX_INDEX TANTIVY_BIN TANTIVY_INDEX FTS5_DB

Give `-` for TANTIVY_INDEX and FTS5_DB to time newsdex alone (the scale test's large index).
"""
import json
import pathlib
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
KINDS = ["words", "phrases", "boolean", "facet", "dates", "counts", "histogram"]
TOP = {"counts": 20}  # facet counts list the top 20 values; searches the top 10 hits
PEER_KINDS = {"words", "phrases", "boolean"}  # what tantivy-cli and FTS5 can answer
ROUNDS = 3


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def newsdex(binary, index, path, top):
    """The rounds in one `batch` process, as `tantivy bench` runs its rounds and the FTS5 loop
    keeps its connection: the first round, which opens the index and loads what the filters
    need, is the warm-up discarded."""
    queries = [q for q in path.read_text().splitlines() if q.strip() and not q.lstrip().startswith("#")]
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as rounds:
        rounds.write("\n".join(queries * ROUNDS) + "\n")
        rounds.flush()
        out = subprocess.run([binary, "--index", index, "batch", rounds.name, "--format", "jsonl", "--timings", "--top", str(top)],
                             capture_output=True, text=True, check=False).stdout
    timings = [json.loads(line)["micros"] / 1000 for line in out.splitlines()]
    return timings[len(queries):] if len(timings) == len(queries) * ROUNDS else []


def tantivy(binary, index, path):
    """Per query: tantivy-cli's search alone (count and top 10), and the search with the top 10
    documents read from its store (its FETCH STORE pass, timed apart, added), which is what
    newsdex's figure includes."""
    out = subprocess.run([binary, "bench", "-i", index, "-q", str(path), "-n", str(ROUNDS)],
                         capture_output=True, text=True, check=False).stdout
    search_part, _, fetch_part = out.partition("FETCH STORE")
    searches = [line.split("\t") for line in search_part.splitlines() if line.count("\t") == 2 and not line.startswith("query")]
    fetches = [line.split("\t") for line in fetch_part.splitlines() if line.count("\t") == 1 and not line.startswith("query")]
    per_round = len(searches) // ROUNDS
    search = [int(r[2]) / 1000 for r in searches[per_round:]]
    if len(fetches) != len(searches):
        return search, []
    with_fetch = [int(s[2]) / 1000 + int(f[1]) / 1000 for s, f in zip(searches[per_round:], fetches[per_round:])]
    return search, with_fetch


def fts5(db_path, path):
    db = sqlite3.connect(db_path)
    queries = [q for q in path.read_text().splitlines() if q.strip()]
    samples = []
    for round_ in range(ROUNDS):
        for q in queries:
            started = time.perf_counter()
            db.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", (q,)).fetchone()
            db.execute("SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT 10", (q,)).fetchall()
            if round_ > 0:
                samples.append((time.perf_counter() - started) * 1000)
    return samples


def main():
    nx_bin, nx_index, tv_bin, tv_index, fts_db = sys.argv[1:6]
    print(f"{'kind':<9} {'engine':<12} {'queries':>7} {'median ms':>10} {'p99 ms':>8}")
    for kind in KINDS:
        path = HERE / "queries" / f"{kind}.txt"
        engines = [("newsdex", newsdex(nx_bin, nx_index, path, TOP.get(kind, 10)))]
        if kind in PEER_KINDS and tv_index != "-":
            search, with_fetch = tantivy(tv_bin, tv_index, path)
            engines += [("tantivy-cli", search), ("  +10 docs", with_fetch), ("sqlite fts5", fts5(fts_db, path))]
        for name, samples in engines:
            if not samples:
                print(f"{kind:<9} {name:<12} {'-':>7} (no timings)")
                continue
            n = len(samples) // (ROUNDS - 1)
            print(f"{kind:<9} {name:<12} {n:>7} {statistics.median(samples):>10.2f} {percentile(samples, 99):>8.2f}")


if __name__ == "__main__":
    main()
