#!/usr/bin/env bash
# Side-by-side timing of Mycelium and PyTorch (bench/torch_node_regression.py) on the same node-regression
# training work, for any GCNN widths: for every shape and scheme the two run back to back, in ROUNDS
# interleaved rounds, so both see the same machine load; each figure is the best of its rounds.
# Not part of CI. Needs: apt-get install -y python3-torch python3-numpy libopenblas0-pthread; Mycelium runs
# through ./mycelium (which builds when needed and finds a JDK 21+).
# Environment: SHAPES (space-separated width lists, default "10,32,1 10,24,1 16,64,64,1"), SCHEMES (default
# "sgd d-sgd d-amsgrad"), ROUNDS (default 3), EPOCHS (default 20), THREADS (default 1: one thread each, as
# the reference), NODES/SAMPLES/BATCH (default 100/1000/100).
set -euo pipefail
blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || true)
case "$blas" in
  *openblas*|*mkl*|*blis*) ;;
  *) echo "compare.sh: libblas.so.3 is '$blas', not an optimized BLAS; PyTorch would be measured unfairly slow." >&2
     echo "compare.sh: install libopenblas0-pthread (or set ALLOW_REFERENCE_BLAS=1 to go on anyway)" >&2
     [ "${ALLOW_REFERENCE_BLAS:-0}" = 1 ] || exit 2 ;;
esac
here="$(cd "$(dirname "$0")/.." && pwd)"
torch_script="$here/bench/torch_node_regression.py"
mycelium="$here/mycelium"
shapes="${SHAPES:-10,32,1 10,24,1 16,64,64,1}"
schemes="${SCHEMES:-sgd d-sgd d-amsgrad}"
rounds="${ROUNDS:-3}"; epochs="${EPOCHS:-20}"; threads="${THREADS:-1}"
nodes="${NODES:-100}"; samples="${SAMPLES:-1000}"; batch="${BATCH:-100}"
/usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "compare.sh: PyTorch not found (apt-get install -y python3-torch)" >&2; exit 2; }

torch_mode() { case "$1" in sgd) echo sgd ;; d-sgd) echo dsgd ;; d-amsgrad) echo damsgrad ;;
  *) echo "compare.sh: no PyTorch counterpart for scheme '$1' (choose from sgd d-sgd d-amsgrad)" >&2; exit 2 ;; esac; }
# OpenBLAS starts its own threads whatever torch.set_num_threads says; on a busy or 2-core machine they
# fight the others: pin them to the same count.
torch_ms() { OPENBLAS_NUM_THREADS="$threads" OMP_NUM_THREADS="$threads" /usr/bin/python3 "$torch_script" --mode "$(torch_mode "$2")" \
    --epochs "$epochs" --threads "$threads" --widths "$1" --nodes "$nodes" --samples "$samples" --batch "$batch" \
  | sed -n 's/.*sec_per_epoch=\([0-9.]*\).*/\1/p' | awk '{printf "%.2f", $1 * 1000}'; }
mycelium_threads=1; [ "$threads" = 1 ] || mycelium_threads=all
results=$(mktemp); trap 'rm -f "$results"' EXIT

echo "PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)') and Mycelium; $epochs epochs, $threads thread(s) each,"
echo "n=$nodes, $samples samples, B=$batch; best of $rounds interleaved rounds; load at start: $(uptime | sed 's/.*load average: //')"
for r in $(seq "$rounds"); do
  for shape in $shapes; do
    for s in $schemes; do echo "torch $shape $s $(torch_ms "$shape" "$s")" >> "$results"; done
    err=$(mktemp)
    out=$("$mycelium" bench node-regression --widths "$shape" --nodes "$nodes" --samples "$samples" --batch "$batch" \
          --epochs "$epochs" --rounds 1 --threads "$mycelium_threads" --schemes "$(echo $schemes | tr ' ' ',')" --scale none 2>"$err") \
      || { echo "compare.sh: the Mycelium benchmark failed:" >&2; cat "$err" >&2; rm -f "$err"; exit 1; }
    rm -f "$err"
    for s in $schemes; do
      line=$(echo "$out" | awk -v s="node-regression $s " 'index($0, s) == 1')
      ms=$(echo "$line" | awk '{ for (i = 2; i <= NF; i++) if ($i == "ms/epoch") print $(i-1) }')
      peak=$(echo "$line" | sed -n 's/.* = \([0-9]*\)% of .*FMA peak.*/\1/p')
      echo "mycelium $shape $s $ms ${peak:-?}" >> "$results"
    done
    echo "round $r $shape: $(grep -c . "$results") figures so far"
  done
done
best() { awk -v w="$1" -v sh="$2" -v s="$3" '$1 == w && $2 == sh && $3 == s { print $4 }' "$results" | sort -g | head -1; }
peak_of_best() { awk -v sh="$1" -v s="$2" '$1 == "mycelium" && $2 == sh && $3 == s { print $4, $5 }' "$results" | sort -g | head -1 | awk '{print $2}'; }
echo
printf "%-16s %-10s %12s %12s %8s %14s\n" "shape" "scheme" "PyTorch ms" "Mycelium ms" "speedup" "% FMA peak"
for shape in $shapes; do
  for s in $schemes; do
    t=$(best torch "$shape" "$s"); m=$(best mycelium "$shape" "$s")
    printf "%-16s %-10s %12s %12s %7.1fx %14s\n" "${shape//,/->}" "$s" "$t" "$m" "$(echo "$t / $m" | bc -l)" "$(peak_of_best "$shape" "$s")"
  done
done
echo "load at end: $(uptime | sed 's/.*load average: //')"
