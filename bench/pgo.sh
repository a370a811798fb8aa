#!/usr/bin/env bash
# A profile-guided build of newsdex: the release build, optimised with the profile of a
# training run, so that the compiler lays out and inlines the paths indexing and searching
# actually take. The binary behaves exactly as the plain release build (same articles, same
# entities, same output); it is only faster (see README, Performance).
#
#   bench/pgo.sh          builds target/pgo/release/newsdex (two release builds: about ten
#                          minutes on two cores)
#
# The training run indexes the BBC corpus from ../shared/corpora (with entities, without, with
# the rules, with commits every 300 articles so that commits and merges are in the profile, and
# once more unchanged), then runs the bench's queries on it. Without ../shared, it trains on
# sample_corpus/ alone, which is too small to show every path: the script says so. The Reuters
# slice, which bench/run.sh measures, is left out of training on purpose.
# Needs the llvm-profdata of rustc's own LLVM: the rustup component llvm-tools, installed here
# when missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
cd "$top"

sysroot=$(rustc --print sysroot)
host=$(rustc -vV | sed -n 's/^host: //p')
profdata="$sysroot/lib/rustlib/$host/bin/llvm-profdata"
if [ ! -x "$profdata" ]; then
  echo "installing the rustup component llvm-tools (for llvm-profdata)..." >&2
  rustup component add llvm-tools >&2 || true
fi
if [ ! -x "$profdata" ]; then
  echo "pgo.sh: $profdata is missing and 'rustup component add llvm-tools' did not install it" >&2
  exit 2
fi

profiles="$top/target/pgo-profiles"
rm -rf "$profiles"
mkdir -p "$profiles"
echo "building the instrumented binary..." >&2
RUSTFLAGS="-Cprofile-generate=$profiles" CARGO_TARGET_DIR="$top/target/pgo-gen" \
  cargo build --release --quiet
trainer="$top/target/pgo-gen/release/newsdex"

corpus="$top/../shared/corpora/bbc"
if [ ! -d "$corpus" ]; then
  echo "$corpus is absent: training on sample_corpus/ alone, too small to profile every path" >&2
  corpus="$top/sample_corpus"
fi
echo "training on $corpus..." >&2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
index="$scratch/index"
index_corpus() { # extra index arguments...: indexes the corpus, stops the script if that fails
  "$trainer" --index "$index" index "$corpus" --quiet --threads 2 "$@" >/dev/null 2>"$scratch/stderr" \
    || { cat "$scratch/stderr" >&2; exit 1; }
}
train_index() { # extra index arguments...: the same into a new index
  rm -rf "$index"
  index_corpus "$@"
}
train_index
train_index --no-entities
train_index --extractor rules
train_index --commit-every 300
train_index --commit-every 300 --no-entities
train_index
index_corpus # again, every file unchanged
grep -hv '^#' "$here"/queries/*.txt >"$scratch/queries.txt"
"$trainer" --index "$index" batch "$scratch/queries.txt" --format jsonl >/dev/null || true
for query in oil '"prime minister"' 'blair AND brown'; do
  "$trainer" --index "$index" search "$query" --format json >/dev/null 2>&1 || true
  "$trainer" --index "$index" facets "$query" --by person >/dev/null 2>&1 || true
done

"$profdata" merge -o "$scratch/merged.profdata" "$profiles"
# Named by its content: cargo rebuilds when its flags change, not when a file they name does.
merged="$profiles/merged-$(sha256sum "$scratch/merged.profdata" | cut -c1-16).profdata"
mv "$scratch/merged.profdata" "$merged"
echo "building the optimised binary..." >&2
RUSTFLAGS="-Cprofile-use=$merged" CARGO_TARGET_DIR="$top/target/pgo" cargo build --release --quiet
echo "$top/target/pgo/release/newsdex"
