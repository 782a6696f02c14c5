#!/usr/bin/env bash
# Side-by-side timing of Mycelium and the PyTorch reference (../shared/bench/torch_node_regression.py)
# on the same node-regression work, run back to back so that both see the same machine load.
# Not part of CI. Needs: apt-get install -y python3-torch python3-numpy libopenblas0-pthread; a JDK 21+
# as $JAVA (default: java). Without OpenBLAS, Debian's PyTorch (BLAS_INFO=generic) runs on the reference
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
epochs="${EPOCHS:-20}"
java="${JAVA:-java}"
jar="$here/target/mycelium-0.1.0.jar"
[ -f "$jar" ] || (cd "$here" && mvn -B -DskipTests package)
[ -f "$ref" ] || { echo "PyTorch reference not found: $ref (set TORCH_REF)" >&2; exit 2; }

cores=$(nproc)
torch_ms() { /usr/bin/python3 "$ref" "$epochs" "$1" "${2:-1}" | sed -n 's/.*sec_per_epoch=\([0-9.]*\).*/\1/p' | awk '{printf "%.2f", $1 * 1000}'; }

echo "PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'), $epochs epochs, one thread and $cores threads"
t_batched=$(torch_ms batched 1)
t_dsgd=$(torch_ms dsgd 1)
t_batched_n=$(torch_ms batched "$cores")
t_dsgd_n=$(torch_ms dsgd "$cores")
echo "Mycelium ($("$java" -version 2>&1 | head -1))"
out=$("$java" -Xmx16g --add-modules jdk.incubator.vector -jar "$jar" bench node-regression --epochs "$epochs" --scale "${SCALE:-10000,100000,1000000}")
echo "$out"
# the figure before "ms/epoch" on the benchmark's line for a scheme and thread count
ms() { echo "$out" | awk -v s="node-regression $1 " -v t="$2" 'index($0, s) == 1 && index($0, t) { for (i = 2; i <= NF; i++) if ($i == "ms/epoch") print $(i-1) }'; }
row() { printf "%-50s %10s %10s %7.1fx\n" "$1" "$2" "$3" "$(echo "$2 / $3" | bc -l)"; }
echo
printf "%-50s %10s %10s %8s\n" "work (ms/epoch)" "PyTorch" "Mycelium" "speedup"
row "centralized SGD, batched (torch 'batched'), 1 thread" "$t_batched" "$(ms sgd '1 thread')"
row "per-node copies D-SGD (torch 'dsgd'), 1 thread" "$t_dsgd" "$(ms d-sgd '1 thread')"
row "D-AMSGrad (more work) vs torch 'dsgd', 1 thread" "$t_dsgd" "$(ms d-amsgrad '1 thread')"
if [ "$cores" -gt 1 ]; then
  row "centralized SGD, $cores threads each" "$t_batched_n" "$(ms sgd "$cores threads")"
  row "per-node copies D-SGD, $cores threads each" "$t_dsgd_n" "$(ms d-sgd "$cores threads")"
  row "D-AMSGrad vs torch 'dsgd', $cores threads each" "$t_dsgd_n" "$(ms d-amsgrad "$cores threads")"
fi
