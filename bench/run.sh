#!/usr/bin/env bash
# Indexing throughput of newsdex against the peers a user would pick instead, measured in one
# run on this machine:
#   newsdex index (full pipeline: read, parse, dates, sources, furniture, entities, index)
#   newsdex index --no-entities
#   newsdex index --extractor rules (entities by the rules: faster, less accurate, see README)
#   tantivy-cli (plain tantivy, title+body, the same text newsdex indexed), installed from
#     crates.io into bench/.tools on first use
#   SQLite FTS5 through Python's sqlite3, the same text
# Prints one table: seconds, articles/s, MB/s of text, peak RSS (MiB, /usr/bin/time) and its
# anonymous part (bench/peak_anon.py; the rest is pages of memory-mapped files), index size (MB, 10^6
# bytes, like the text) and its ratio to the text, and the ratios of throughput newsdex/peer;
# then query latencies (median, p99) per kind of query (bench/latency.py). Each indexer runs
# ROUNDS times (default 3), the five in turn, so that the machine's drift touches them alike;
# the table gives each one's median run (its seconds and memory), the range of its seconds
# and the size of the index its last round wrote, and the ratios come from the medians.
#
#   bench/run.sh [CORPUS_DIR]     default: the Reuters slice from ../shared/corpora, unpacked
#                                  into bench/.data on first use
#   ROUNDS=1 bench/run.sh DIR      one round (a million articles take about 20 minutes each)
#   NEWSDEX=target/pgo/release/newsdex bench/run.sh
#                                  measures that binary instead of building one (bench/pgo.sh
#                                  makes this one)
#   BENCH_SMOKE=1 bench/run.sh     CI's smoke run: sample_corpus/, the debug build, no
#                                  tantivy-cli; checks that the suite runs, its figures mean nothing
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
work="$here/.work"
tools="$here/.tools"
threads=${THREADS:-2}
mkdir -p "$work" "$tools"

smoke=${BENCH_SMOKE:-}
rounds=${ROUNDS:-3}
[ -z "$smoke" ] || rounds=1
case "$rounds" in
  '' | *[!0-9]* | 0) echo "ROUNDS must be a whole number of rounds, at least 1, not '$rounds'" >&2; exit 2 ;;
esac
corpus=${1:-}
if [ -n "$smoke" ] && [ -z "$corpus" ]; then
  corpus="$top/sample_corpus"
fi
if [ -z "$corpus" ]; then
  tarball="$top/../shared/corpora/reuters-news-2006-2008.tar.gz"
  if [ ! -f "$tarball" ]; then
    echo "skipping: $tarball is absent; give a corpus folder as argument" >&2
    exit 0
  fi
  corpus="$here/.data/reuters-news"
  if [ ! -d "$corpus" ]; then
    mkdir -p "$here/.data"
    tar xzf "$tarball" -C "$here/.data"
  fi
fi

if [ -n "${NEWSDEX:-}" ]; then
  [ -f "$NEWSDEX" ] && [ -x "$NEWSDEX" ] || { echo "NEWSDEX=$NEWSDEX is not an executable" >&2; exit 2; }
  newsdex=$(cd "$(dirname "$NEWSDEX")" && pwd)/$(basename "$NEWSDEX")
  echo "measuring $newsdex" >&2
elif [ -n "$smoke" ]; then
  echo "smoke run: debug build, no tantivy-cli" >&2
  (cd "$top" && cargo build --quiet)
  newsdex="$top/target/debug/newsdex"
else
  echo "building newsdex (release)..." >&2
  (cd "$top" && cargo build --release --quiet)
  newsdex="$top/target/release/newsdex"
fi
if [ -z "$smoke" ] && [ ! -x "$tools/bin/tantivy" ]; then
  echo "installing tantivy-cli into $tools (first run only)..." >&2
  # Its own lock file first; that one pins traitobject 0.1.0, which rustc 1.95 refuses (E0119),
  # so then the newest versions its manifest allows (traitobject 0.1.1 builds).
  cargo install tantivy-cli --locked --root "$tools" --quiet 2>"$work/install.log" \
    || { echo "tantivy-cli's locked dependencies do not build here; installing it unlocked" >&2;
         cargo install tantivy-cli --root "$tools" --quiet; }
fi
tantivy="$tools/bin/tantivy"

# The peers read docs.jsonl, which this script writes moments before them: the corpus's files
# are read once first too, so that no indexer's figure is the disk's. On this machine's virtual
# disk, 200,000 files of the scale corpus read cold cost newsdex without entities 39% more
# time than read from the page cache (37.9 s against 27.3, two runs each).
warm_started=$(date +%s)
find "$corpus" -type f -print0 | xargs -0 cat >/dev/null 2>&1 || true
echo "read the corpus once into the page cache ($(($(date +%s) - warm_started)) s)" >&2

measure() { # command...: prints "seconds peak_kb peak_anon_kb"
  local log="$work/time.log" anon="$work/anon.log"
  python3 "$here/peak_anon.py" "$anon" /usr/bin/time -f "%e %M" -o "$log" "$@" >/dev/null 2>"$work/stderr.log" \
    || { cat "$work/stderr.log" >&2; exit 1; }
  echo "$(cat "$log") $(cut -d' ' -f1 "$anon")"
}
size_mb() { du -sb "$1" | awk '{printf "%.2f", $1 / 1e6}'; }

fresh_measure() { # index-path command...: measure into an index path removed first
  rm -rf "$1"
  shift
  measure "$@"
}
export_docs() { # The same text for the peers: what newsdex indexed (title and body, furniture removed).
  "$newsdex" --index "$work/newsdex-noent" search --limit 100000000 --format jsonl --fields title,body \
    >"$work/docs.jsonl" 2>/dev/null || true
}
tantivy_meta() {
  mkdir -p "$work/tantivy"
  cat >"$work/tantivy/meta.json" <<'META'
{"index_settings":{"docstore_compression":"lz4","docstore_blocksize":16384},"segments":[],"schema":[
{"name":"title","type":"text","options":{"indexing":{"record":"position","fieldnorms":true,"tokenizer":"en_stem"},"stored":true,"fast":false}},
{"name":"body","type":"text","options":{"indexing":{"record":"position","fieldnorms":true,"tokenizer":"en_stem"},"stored":true,"fast":false}}],
"opstamp":0}
META
}

full=() noent=() rules=() tv=() fts=()
for round in $(seq "$rounds"); do
  [ "$rounds" = 1 ] || echo "round $round of $rounds..." >&2
  full+=("$(fresh_measure "$work/newsdex" "$newsdex" --index "$work/newsdex" index "$corpus" --quiet --threads "$threads")")
  noent+=("$(fresh_measure "$work/newsdex-noent" "$newsdex" --index "$work/newsdex-noent" index "$corpus" --quiet --threads "$threads" --no-entities)")
  rules+=("$(fresh_measure "$work/newsdex-rules" "$newsdex" --index "$work/newsdex-rules" index "$corpus" --quiet --threads "$threads" --extractor rules)")
  [ "$round" != 1 ] || export_docs
  if [ -z "$smoke" ]; then
    rm -rf "$work/tantivy"
    tantivy_meta
    tv+=("$(measure sh -c "\"$tantivy\" index -i \"$work/tantivy\" -t $threads < \"$work/docs.jsonl\"")")
  else
    tv+=("0 0 0")
  fi
  fts+=("$(fresh_measure "$work/fts5.sqlite" python3 "$here/fts5_index.py" "$work/docs.jsonl" "$work/fts5.sqlite")")
done
median() { # "seconds kb anon" lines: the median line by seconds, then the min and max seconds
  printf '%s\n' "$@" | sort -n -k1,1 | awk '{a[NR]=$0; s[NR]=$1} END {print a[int((NR+1)/2)], s[1], s[NR]}'
}
read -r full_s full_kb full_anon full_min full_max < <(median "${full[@]}")
read -r noent_s noent_kb noent_anon noent_min noent_max < <(median "${noent[@]}")
read -r rules_s rules_kb rules_anon rules_min rules_max < <(median "${rules[@]}")
read -r tv_s tv_kb tv_anon tv_min tv_max < <(median "${tv[@]}")
read -r fts_s fts_kb fts_anon fts_min fts_max < <(median "${fts[@]}")

articles=$(wc -l <"$work/docs.jsonl")
text_mb=$(python3 -c "
import json,sys
n=0
for line in open(sys.argv[1], encoding='utf-8'):
    d=json.loads(line); n+=len((d['title'] or '').encode())+len((d['body'] or '').encode())
print(f'{n/1e6:.2f}')" "$work/docs.jsonl")

row() { # label seconds kb anon_kb index_mb min_seconds max_seconds
  python3 - "$@" "$articles" "$text_mb" <<'PY'
import sys
label, secs, kb, anon, path_mb, lo, hi, articles, text_mb = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], float(sys.argv[6]), float(sys.argv[7]), int(sys.argv[8]), float(sys.argv[9])
print(f"{label:<28} {secs:>8.2f} {f'{lo:.2f}-{hi:.2f}':>12} {articles/secs:>11.0f} {text_mb/secs:>7.1f} {kb/1024:>7.0f} {anon/1024:>8.0f} {path_mb:>9} {float(path_mb)/text_mb:>10.2f}x")
PY
}
echo "corpus: $corpus; $articles articles, $text_mb MB of title+body text; $threads threads; median of $rounds rounds"
printf '%-28s %8s %12s %11s %7s %7s %8s %9s %11s\n' "indexer" "seconds" "range s" "articles/s" "MB/s" "RSS MB" "anon MB" "index MB" "index/text"
row "newsdex (full pipeline)" "$full_s" "$full_kb" "$full_anon" "$(size_mb "$work/newsdex")" "$full_min" "$full_max"
row "newsdex --no-entities" "$noent_s" "$noent_kb" "$noent_anon" "$(size_mb "$work/newsdex-noent")" "$noent_min" "$noent_max"
row "newsdex --extractor rules" "$rules_s" "$rules_kb" "$rules_anon" "$(size_mb "$work/newsdex-rules")" "$rules_min" "$rules_max"
[ -n "$smoke" ] || row "tantivy-cli" "$tv_s" "$tv_kb" "$tv_anon" "$(size_mb "$work/tantivy")" "$tv_min" "$tv_max"
row "sqlite fts5 (python)" "$fts_s" "$fts_kb" "$fts_anon" "$(size_mb "$work/fts5.sqlite")" "$fts_min" "$fts_max"
python3 - "$full_s" "$noent_s" "$rules_s" "$tv_s" "$fts_s" <<'PY'
import sys
full, noent, rules, tv, fts = (max(float(x), 0.01) for x in sys.argv[1:])
peers = [("fts5", fts)] if tv <= 0.01 else [("tantivy-cli", tv), ("fts5", fts)]
print("ratios of throughput: " + ", ".join(
    f"full/{name} {t/full:.2f}x, no-entities/{name} {t/noent:.2f}x, rules/{name} {t/rules:.2f}x"
    for name, t in peers))
PY

echo
echo "query latency, in process, 30 queries per kind, top 10 (bench/latency.py):"
if [ -n "$smoke" ]; then
  python3 "$here/latency.py" "$newsdex" "$work/newsdex" - - -
else
  python3 "$here/latency.py" "$newsdex" "$work/newsdex" "$tantivy" "$work/tantivy" "$work/fts5.sqlite"
fi
