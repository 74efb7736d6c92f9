#!/usr/bin/env bash
# Builds the libFuzzer targets on stable Rust (no cargo-fuzz, no sanitizers) and runs
# each for SECONDS (default 60), seeding its corpus from seeds/<target>/.
#
#   fuzz/run.sh [SECONDS] [TARGET...]      # no TARGET: every target, one after another
#
# Exits non-zero on the first target that crashes (panic, timeout, OOM), printing the
# reproducer; replay one with `target/$TRIPLE/release/<target> <file>`.
set -euo pipefail
cd "$(dirname "$0")"

SECONDS_PER_TARGET="${1:-60}"
shift || true
ALL_TARGETS=(expression policy number dynamodb_item export_import sigv4 cfn_template server_requests)
TARGETS=("$@")
if [ "${#TARGETS[@]}" -eq 0 ]; then
    TARGETS=("${ALL_TARGETS[@]}")
fi

# What cargo-fuzz passes, minus `-Zsanitizer=address` (nightly only). `--target` keeps
# RUSTFLAGS off build scripts and proc macros, which must not be instrumented (they
# would not link without the libFuzzer runtime).
TRIPLE="$(rustc -vV | sed -n 's/^host: //p')"
export RUSTFLAGS="--cfg fuzzing -Cpasses=sancov-module \
-Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
-Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares \
-Cdebug-assertions -Coverflow-checks"
export CARGO_TARGET_DIR="$PWD/target"
cargo build --release --locked --target "$TRIPLE" --bins
BIN_DIR="$CARGO_TARGET_DIR/$TRIPLE/release"

for target in "${TARGETS[@]}"; do
    if [ ! -x "$BIN_DIR/$target" ]; then
        echo "unknown target: $target (have: ${ALL_TARGETS[*]})" >&2
        exit 2
    fi
    corpus="corpus/$target"
    artifacts="artifacts/$target"
    mkdir -p "$corpus" "$artifacts"
    if [ -d "seeds/$target" ]; then
        cp -n "seeds/$target"/* "$corpus"/ 2>/dev/null || true
    fi
    echo "=== $target: ${SECONDS_PER_TARGET}s"
    log="$artifacts/last-run.log"
    dict=()
    if [ -f "dicts/$target.dict" ]; then
        dict=(-dict="dicts/$target.dict")
    fi
    set +e
    "$BIN_DIR/$target" "$corpus" "${dict[@]}" \
        -max_total_time="$SECONDS_PER_TARGET" \
        -rss_limit_mb=2048 \
        -timeout=10 \
        -print_final_stats=1 \
        -artifact_prefix="$artifacts/" \
        2>&1 | tee "$log" | grep -E '^#[0-9]+\s+(INITED|DONE|pulse)|^(==|stat::|Done)|panicked|ERROR|Test unit written'
    status="${PIPESTATUS[0]}"
    set -e
    if [ "$status" -ne 0 ]; then
        echo "!!! $target failed (exit $status); full log: fuzz/$log" >&2
        grep -E 'panicked|ERROR|SUMMARY' "$log" | head -5 >&2 || true
        reproducer="$(sed -n 's/.*Test unit written to //p' "$log" | tail -1)"
        if [ -n "$reproducer" ]; then
            echo "reproducer: fuzz/$reproducer" >&2
            echo "replay:     fuzz/target/$TRIPLE/release/$target fuzz/$reproducer" >&2
            echo "minimize:   fuzz/target/$TRIPLE/release/$target -minimize_crash=1 -runs=10000 fuzz/$reproducer" >&2
        fi
        exit 1
    fi
done
