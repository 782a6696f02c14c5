#!/usr/bin/env bash
# Side-by-side timing of Mycelium and the PyTorch reference (../shared/bench/torch_node_regression.py, and
# bench/torch_damsgrad.py for D-AMSGrad)
# on the same node-regression work, run back to back so that both see the same machine load.
# Not part of CI. Needs: apt-get install -y python3-torch python3-numpy libopenblas0-pthread; Mycelium
# runs through ./mycelium (which builds when needed and finds a JDK 21+). ROUNDS (default 3), EPOCHS
# (default 20) and SCALE (graph sizes, or none) are read from the environment. Without OpenBLAS, Debian's PyTorch (BLAS_INFO=generic) runs on the reference
# BLAS and is about 8x slower than the published reference timings, which would flatter Mycelium.
set -euo pipefail
blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || true)
case "$blas" in
  *openblas*|*mkl*|*blis*) ;;
  *) echo "compare.sh: libblas.so.3 is '$blas', not an optimized BLAS; PyTorch would be measured unfairly slow." >&2
     echo "compare.sh: install libopenblas0-pthread (or set ALLOW_REFERENCE_BLAS=1 to go on anyway)" >&2
     [ "${ALLOW_REFERENCE_BLAS:-0}" = 1 ] || exit 2 ;;
esac
here="$(cd "$(dirname "$0")/.." && pwd)"
ref="${TORCH_REF:-$here/../shared/bench/torch_node_regression.py}"
dams="$here/bench/torch_damsgrad.py"   # D-AMSGrad in PyTorch, written here: the reference script times D-SGD only
epochs="${EPOCHS:-20}"
mycelium="$here/mycelium"
[ -f "$ref" ] || { echo "PyTorch reference not found: $ref (set TORCH_REF)" >&2; exit 2; }

cores=$(nproc)
rounds="${ROUNDS:-3}"
# OpenBLAS starts its own threads whatever torch.set_num_threads says; on a busy or 2-core machine they
# fight the others and a "1 thread" run took 60-300 ms instead of 47: pin them to the same count.
torch_ms() { OPENBLAS_NUM_THREADS="${2:-1}" OMP_NUM_THREADS="${2:-1}" /usr/bin/python3 "$ref" "$epochs" "$1" "${2:-1}" | sed -n 's/.*sec_per_epoch=\([0-9.]*\).*/\1/p' | awk '{printf "%.2f", $1 * 1000}'; }
torch_dams_ms() { OPENBLAS_NUM_THREADS="$1" OMP_NUM_THREADS="$1" /usr/bin/python3 "$dams" "$epochs" "$1" | sed -n 's/.*sec_per_epoch=\([0-9.]*\).*/\1/p' | awk '{printf "%.2f", $1 * 1000}'; }
min() { printf '%s\n' "$@" | sort -g | head -1; }

# This VM's timings move a lot from run to run (the same run can take twice as long), so both sides
# run $rounds times, interleaved, and each figure is the best of its rounds.
echo "PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)') and Mycelium; $epochs epochs, one thread and $cores threads, best of $rounds rounds"
tb=(); td=(); ta=(); tbn=(); tdn=(); tan=(); outs=()
for r in $(seq "$rounds"); do
  tb+=("$(torch_ms batched 1)"); td+=("$(torch_ms dsgd 1)"); ta+=("$(torch_dams_ms 1)")
  if [ "$cores" -gt 1 ]; then tbn+=("$(torch_ms batched "$cores")"); tdn+=("$(torch_ms dsgd "$cores")"); tan+=("$(torch_dams_ms "$cores")"); fi
  scale=none; [ "$r" = "$rounds" ] && scale="${SCALE:-10000,100000,1000000}"
  err=$(mktemp)
  out=$(MYCELIUM_JAVA_OPTS=-Xmx20g "$mycelium" bench node-regression --epochs "$epochs" --scale "$scale" 2>"$err") \
    || { echo "compare.sh: the Mycelium benchmark failed:" >&2; cat "$err" >&2; rm -f "$err"; exit 1; }
  rm -f "$err"
  echo "round $r: torch batched ${tb[-1]} ms, dsgd ${td[-1]} ms, d-amsgrad ${ta[-1]} ms"; echo "$out"
  outs+=("$out")
done
# the best figure before "ms/epoch" on the benchmark's lines for a scheme and thread count
ms() { for o in "${outs[@]}"; do echo "$o" | awk -v s="node-regression $1 " -v t="$2" 'index($0, s) == 1 && index($0, t) { for (i = 2; i <= NF; i++) if ($i == "ms/epoch") print $(i-1) }'; done | sort -g | head -1; }
row() { printf "%-50s %10s %10s %7.1fx\n" "$1" "$2" "$3" "$(echo "$2 / $3" | bc -l)"; }
t_batched=$(min "${tb[@]}"); t_dsgd=$(min "${td[@]}"); t_dams=$(min "${ta[@]}")
echo
printf "%-50s %10s %10s %8s\n" "work (ms/epoch, best of $rounds)" "PyTorch" "Mycelium" "speedup"
row "centralized SGD, batched (torch 'batched'), 1 thread" "$t_batched" "$(ms sgd '1 thread')"
row "per-node copies D-SGD (torch 'dsgd'), 1 thread" "$t_dsgd" "$(ms d-sgd '1 thread')"
row "D-AMSGrad (torch_damsgrad.py), 1 thread" "$t_dams" "$(ms d-amsgrad '1 thread')"
row "D-AMSGrad (more work) vs torch 'dsgd', 1 thread" "$t_dsgd" "$(ms d-amsgrad '1 thread')"
if [ "$cores" -gt 1 ]; then
  t_batched_n=$(min "${tbn[@]}"); t_dsgd_n=$(min "${tdn[@]}"); t_dams_n=$(min "${tan[@]}")
  row "centralized SGD, $cores threads each" "$t_batched_n" "$(ms sgd "$cores threads")"
  row "per-node copies D-SGD, $cores threads each" "$t_dsgd_n" "$(ms d-sgd "$cores threads")"
  row "D-AMSGrad, $cores threads each" "$t_dams_n" "$(ms d-amsgrad "$cores threads")"
  row "centralized SGD, ours $cores threads vs torch's 1" "$t_batched" "$(ms sgd "$cores threads")"
  row "D-SGD, ours $cores threads vs torch's 1" "$t_dsgd" "$(ms d-sgd "$cores threads")"
  row "D-AMSGrad, ours $cores threads vs torch's 1" "$t_dams" "$(ms d-amsgrad "$cores threads")"
fi
