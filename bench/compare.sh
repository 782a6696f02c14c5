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

torch_ms() { /usr/bin/python3 "$ref" "$epochs" "$1" 1 | sed -n 's/.*sec_per_epoch=\([0-9.]*\).*/\1/p' | awk '{printf "%.2f", $1 * 1000}'; }

echo "PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'), one thread, $epochs epochs"
t_batched=$(torch_ms batched)
t_dsgd=$(torch_ms dsgd)
echo "Mycelium ($("$java" -version 2>&1 | head -1))"
out=$("$java" -Xmx16g -jar "$jar" bench node-regression --epochs "$epochs" --scale "${SCALE:-10000,100000,1000000}")
echo "$out"
m_sgd=$(echo "$out" | awk '/node-regression sgd /{print $(NF-1)}')
m_dsgd=$(echo "$out" | awk '/node-regression d-sgd /{print $(NF-1)}')
m_dams=$(echo "$out" | awk '/node-regression d-amsgrad /{print $(NF-1)}')
echo
printf "%-44s %10s %10s %8s\n" "work (ms/epoch)" "PyTorch" "Mycelium" "speedup"
printf "%-44s %10s %10s %7.1fx\n" "centralized SGD, batched (torch 'batched')" "$t_batched" "$m_sgd" "$(echo "$t_batched / $m_sgd" | bc -l)"
printf "%-44s %10s %10s %7.1fx\n" "per-node copies D-SGD (torch 'dsgd')" "$t_dsgd" "$m_dsgd" "$(echo "$t_dsgd / $m_dsgd" | bc -l)"
printf "%-44s %10s %10s %7.1fx\n" "D-AMSGrad (more work) vs torch 'dsgd'" "$t_dsgd" "$m_dams" "$(echo "$t_dsgd / $m_dams" | bc -l)"
