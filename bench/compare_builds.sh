#!/usr/bin/env bash
# Old build against new build on one machine, in one session: builds two git refs side by side (each ref's tree
# exported with `git archive`, sharing this checkout's node_modules) and runs the benches for each alternately, the
# order flipping every round, so that a host whose speed drifts (other processes, thermal) hits both builds alike.
# Run it on a quiet machine.
#
# Usage: bash bench/compare_builds.sh OLD_REF NEW_REF [--rounds N] [--kernels] [--dir DIR] [--keep] [-- TRAIN_ARGS…]
#   --rounds N   rounds of (old, new) / (new, old) (default 3)
#   --kernels    also run the kernel bench (`npm run bench`'s kernels part) each round
#   --dir DIR    where the two builds and the logs go (default: a new directory under /tmp)
#   --keep       keep the two builds afterwards (the logs and results always stay in DIR)
#   TRAIN_ARGS   passed to bench:train (default: --batch 16)
# Both builds share the autotune cache (~/.cache/webtune/autotune.json, or WEBTUNE_AUTOTUNE_CACHE), so they run the
# same tuned kernel choices; WEBTUNE_<SETTING> variables reach both.
set -euo pipefail

usage() { sed -n '2,14p' "$0" >&2; exit 2; }
[ $# -ge 2 ] || usage
OLD_REF=$1 NEW_REF=$2
shift 2
ROUNDS=3 KERNELS=0 DIR="" KEEP=0
TRAIN_ARGS=(--batch 16)
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) ROUNDS=$2; shift 2 ;;
    --kernels) KERNELS=1; shift ;;
    --dir) DIR=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --) shift; TRAIN_ARGS=("$@"); break ;;
    *) echo "compare_builds: unknown option $1" >&2; usage ;;
  esac
done
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || { echo "compare_builds: --rounds takes a positive integer, got '$ROUNDS'" >&2; exit 2; }

ROOT=$(git rev-parse --show-toplevel)
[ -d "$ROOT/node_modules" ] || { echo "compare_builds: $ROOT/node_modules is missing: run npm install first" >&2; exit 2; }
for ref in "$OLD_REF" "$NEW_REF"; do
  git -C "$ROOT" rev-parse --verify --quiet "$ref^{commit}" >/dev/null || { echo "compare_builds: '$ref' is not a commit" >&2; exit 2; }
done
DIR=${DIR:-$(mktemp -d /tmp/webtune-compare.XXXXXX)}
mkdir -p "$DIR/logs"

cleanup() {
  [ "$KEEP" = 1 ] || rm -rf "$DIR/old" "$DIR/new"
}
trap cleanup EXIT

for side in old new; do
  ref=$([ $side = old ] && echo "$OLD_REF" || echo "$NEW_REF")
  echo "== building $side ($ref: $(git -C "$ROOT" rev-parse --short "$ref")) in $DIR/$side"
  rm -rf "$DIR/$side"
  mkdir -p "$DIR/$side"
  git -C "$ROOT" archive "$ref" | tar -x -C "$DIR/$side"
  ln -s "$ROOT/node_modules" "$DIR/$side/node_modules"
  # The export has no .git: the build records the ref's commit from WEBTUNE_SOURCE_COMMIT (scripts/build.mjs).
  commit=$(git -C "$ROOT" rev-parse "$ref^{commit}")
  if ! (cd "$DIR/$side" && WEBTUNE_SOURCE_COMMIT=$commit node scripts/build.mjs >"$DIR/logs/build-$side.log" 2>&1); then
    echo "build of $side failed: $DIR/logs/build-$side.log" >&2
    exit 1
  fi
done

# One bench run of one side: its log, and its results under results/<side>/r<round>.
run_side() {
  local side=$1 round=$2
  local out="$DIR/results/$side/r$round"
  mkdir -p "$out"
  echo "-- round $round: $side"
  (cd "$DIR/$side" && node dist/bench/train.js "${TRAIN_ARGS[@]}" --out "$out") >"$DIR/logs/train-$side-r$round.log" 2>&1
  grep -E '^(train|inference) ' "$DIR/logs/train-$side-r$round.log" | sed "s/^/   $side: /" || true
  if [ "$KERNELS" = 1 ]; then
    (cd "$DIR/$side" && node dist/bench/kernels.js --out "$out") >"$DIR/logs/kernels-$side-r$round.log" 2>&1
    echo "   $side: kernel bench → $DIR/logs/kernels-$side-r$round.log"
  fi
}

for ((r = 1; r <= ROUNDS; r++)); do
  if ((r % 2)); then order=(old new); else order=(new old); fi
  for side in "${order[@]}"; do run_side "$side" "$r"; done
done

echo
echo "== summary: ms per training step, round by round; logs and JSON results in $DIR"
for side in old new; do
  printf '%s:' "$side"
  for ((r = 1; r <= ROUNDS; r++)); do
    printf ' %s' "$(grep -m1 -oE '^train [0-9]+×[0-9]+: [0-9.]+ ms/step' "$DIR/logs/train-$side-r$r.log" | grep -oE '[0-9.]+ ms' || echo '?')"
  done
  echo
done
