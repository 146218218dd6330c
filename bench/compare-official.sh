#!/usr/bin/env bash
# The fair side-by-side of the SimMIM training step (bench/README.md, "The fair protocol"): the official code on
# Debian's PyTorch with OpenBLAS (pthread build) and OMP_WAIT_POLICY=PASSIVE, against `mimscale bench train`, run
# alternately (official first) so both see the same machine. Refuses to report a ratio when the official process's own
# matmul peak is below half of MimScale's: then its BLAS, not the model code, decides the comparison.
#
#   bash bench/compare-official.sh CHECKOUT MODEL BATCH STEPS WARMUP THREADS ROUNDS [NORM_TARGET_WINDOW]
#   e.g. bash bench/compare-official.sh /tmp/official simmim-a 16 200 20 2 2
#        bash bench/compare-official.sh /tmp/official swinv2-tiny 8 3 1 2 2 47
#   MODE=forward IMG=224 WINDOW=14 bash bench/compare-official.sh /tmp/official swinv2-tiny 8 10 2 2 2
#        (the classifier forward, eval and no_grad, against `mimscale bench forward`; IMG/WINDOW also apply to train)
# CHECKOUT: microsoft/Swin-Transformer at f82860b (`git archive f82860b models optimizer.py | tar -x -C DIR` is enough).
# Setup once: apt-get install python3-torch libopenblas0-pthread (bash bench/compare-official.sh checks both).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 7 ] || { sed -n 2,13p "$0"; exit 2; }
mode=${MODE:-train}
case "$mode" in train|forward) ;; *) echo "error: MODE must be train or forward, not '$mode'"; exit 2;; esac
checkout=$1 model=$2 batch=$3 steps=$4 warmup=$5 threads=$6 rounds=$7 window=${8:-}
dpkg -s python3-torch > /dev/null 2>&1 || { echo "error: python3-torch is not installed (apt-get install python3-torch)"; exit 1; }
blas=$(readlink -f /etc/alternatives/libblas.so.3-x86_64-linux-gnu 2>/dev/null || true)
case "$blas" in *openblas-pthread*) ;; *) echo "error: libblas.so.3 is '$blas', not OpenBLAS (pthread): apt-get install libopenblas0-pthread"; exit 1;; esac
targets=(); [ -n "$window" ] && targets=(--norm-target-window "$window")
[ "$mode" = forward ] && [ -n "$window" ] && { echo "error: NORM_TARGET_WINDOW applies to MODE=train only"; exit 2; }
sizes=(); [ -n "${IMG:-}" ] && sizes+=(--img "$IMG"); [ -n "${WINDOW:-}" ] && sizes+=(--window "$WINDOW")
official=(); ours=(); opeak=(); mpeak=()
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" | head -1; }
for r in $(seq 1 "$rounds"); do
  o=$(OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/official_step.py --mode "$mode" --checkout "$checkout" --model "$model" --batch "$batch" \
        --steps "$steps" --warmup "$warmup" --threads "$threads" "${sizes[@]}" "${targets[@]}" 2> /dev/null)
  echo "$o"
  m=$(bash scripts/mimscale bench "$mode" --model "$model" --batch "$batch" --steps "$steps" --warmup "$warmup" --threads "$threads" "${sizes[@]}" "${targets[@]}")
  echo "$m"
  official+=("$(echo "$o" | field 'images\/s')"); opeak+=("$(echo "$o" | field 'matmul peak GFLOP\/s')")
  ours+=("$(echo "$m" | field 'images\/s')"); mpeak+=("$(echo "$m" | field 'matmul peak GFLOP\/s')")
done
echo
echo "| round | official img/s | MimScale img/s | ratio | official matmul peak | MimScale matmul peak |"
echo "|---|---|---|---|---|---|"
refuse=0
for i in "${!official[@]}"; do
  ratio=$(awk -v a="${ours[$i]}" -v b="${official[$i]}" 'BEGIN { printf "%.2f", a / b }')
  echo "| $((i + 1)) | ${official[$i]} | ${ours[$i]} | $ratio | ${opeak[$i]} | ${mpeak[$i]} |"
  awk -v o="${opeak[$i]}" -v m="${mpeak[$i]}" 'BEGIN { exit !(o < 0.5 * m) }' && refuse=1
done
uptime
if [ "$refuse" = 1 ]; then
  echo "refused: in some round the official process's matmul peak is below half of MimScale's, so its BLAS (not the model code) decides the ratio; check libopenblas0-pthread and that nothing else ran"
  exit 1
fi
