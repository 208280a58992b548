#!/usr/bin/env bash
# kl_fit benchmark: klgrad vs PyTorch eager vs libtorch on the same P -> Q loop.
#
#   bash bench/kl_fit_bench.sh             # n = 3, 1000, 100000
#   REPS=7 bash bench/kl_fit_bench.sh 1000 # other sizes / more repetitions
#
# The loop (all three): P = softmax(logits), logits = zeros(1, n), Q fixed,
#   loss = kl_div(log_softmax(logits, 1), Q, batchmean)   # KL(Q || P), float32
#   zero_grad; backward; Adam(lr = 0.01).step()
# with the same Q for each n: bench/torch_kl_fit.py's make_target (the tutorial's
# [0.7, 0.2, 0.1] for n = 3, else softmax of a seeded N(0, 1) vector), written to
# a file for kl_fit --target-file. A short check run (CHECK_STEPS = 100 steps,
# untimed) must give the same loss at its last step in all three, or the timings
# would not compare the same work. (The timed runs end with losses at float32
# rounding noise for n = 3 and 1000, ~1e-8 or even slightly negative, which
# cannot be compared.)
#
# Timings are microseconds per step, one thread each, median of REPS (>= 5) runs:
#   klgrad:   REPS runs of build/bin/kl_fit (each S steps from fresh logits; its
#             clock covers the steps only, not start-up and printing);
#   PyTorch:  bench/torch_kl_fit.py --reps REPS (S steps per repetition, after warm-up);
#   libtorch: bench/build_libtorch.sh (the same, in C++).
# PyTorch is needed only for its own two columns ("n/a" without it); then Q for
# n > 3 comes from a torch-free stand-in (softmax of sin(i)), and the loss check
# is skipped. OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are left as the environment
# sets them, the same for all three, and printed with the machine's load.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build"
kl_fit="$build/bin/kl_fit"
torch_py="${TORCH_PYTHON:-/usr/bin/python3}"  # the interpreter with python3-torch (docs/PARITY.md)
reps="${REPS:-5}"
check_steps=100
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(3 1000 100000)
if (( reps < 5 )); then echo "kl_fit_bench.sh: REPS must be >= 5 (got $reps)" >&2; exit 2; fi

# One thread everywhere (kl_fit itself is single-threaded; this pins BLAS/OpenMP pools).
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Steps per run: enough for >= ~0.05 s of klgrad work per run at each size.
steps_for() {
  if (( $1 <= 100 )); then echo 20000; elif (( $1 <= 10000 )); then echo 5000; else echo 300; fi
}
# Targets (us per step) from the issue, for klgrad.
target_for() {
  if (( $1 <= 3 )); then echo 2; elif (( $1 <= 1000 )); then echo 5; else echo 300; fi
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# json_field <json line> <name>: a number field of the benchmark scripts' one-line JSON.
json_field() { sed -n "s/.*\"$2\": \\([-+0-9.eEnaif]*\\).*/\\1/p" <<<"$1"; }

# ---- klgrad: build kl_fit if needed (a no-op when up to date)
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >&2
fi
cmake --build "$build" --target kl_fit -j 2 >&2

# ---- PyTorch available? (its columns and Q for n > 3)
have_torch=0
if [[ -x "$torch_py" ]] && "$torch_py" -c "import torch" 2>/dev/null; then have_torch=1; fi

# Q for kl_fit --target-file: the float32 values of make_target(n), 9 significant
# digits (they read back as the same floats).
write_target() {
  local n=$1 file=$2
  if (( have_torch )); then
    "$torch_py" - "$n" "$file" "$root/bench" <<'EOF'
import sys
sys.path.insert(0, sys.argv[3])
from torch_kl_fit import make_target
q = make_target(int(sys.argv[1]))
with open(sys.argv[2], "w") as f:
    f.write("\n".join("%.9g" % v for v in q.reshape(-1).tolist()) + "\n")
EOF
  elif (( n == 3 )); then
    echo "0.7,0.2,0.1" >"$file"
  else  # stand-in without PyTorch: softmax(sin(i)), normalized in double precision
    awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) { e[i] = exp(sin(i)); s += e[i] } for (i = 0; i < n; i++) printf "%.17g\n", e[i] / s }' >"$file"
  fi
}

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
libtorch_bin=""
if (( have_torch )); then
  libtorch_bin="$(bash "$root/bench/build_libtorch.sh" 2>"$tmp/libtorch_build.log")" || libtorch_bin=""
fi

declare -A k_us k_loss t_us t_loss l_us l_loss
for n in "${sizes[@]}"; do
  s="$(steps_for "$n")"
  write_target "$n" "$tmp/q_$n.txt"
  echo "n = $n: $s steps per run, $reps runs each ..." >&2
  : >"$tmp/k_$n"
  for ((r = 0; r < reps; r++)); do
    "$kl_fit" --target-file "$tmp/q_$n.txt" --optimizer adam --lr 0.01 --dtype float32 \
              --reduction batchmean --steps "$s" --print-every 0 |
      sed -n 's/^\([0-9.eE+-]*\) us per step.*/\1/p' >>"$tmp/k_$n"
  done
  # the check run: the loss of step CHECK_STEPS (before its update), as the PyTorch scripts report it
  k_loss[$n]="$("$kl_fit" --target-file "$tmp/q_$n.txt" --optimizer adam --lr 0.01 --dtype float32 \
                 --reduction batchmean --steps "$check_steps" --print-every "$check_steps" |
               sed -n "s/^step $check_steps loss //p")"
  k_us[$n]="$(median <"$tmp/k_$n")"
  t_us[$n]="n/a"; t_loss[$n]="n/a"; l_us[$n]="n/a"; l_loss[$n]="n/a"
  if (( have_torch )); then
    if j="$("$torch_py" "$root/bench/torch_kl_fit.py" --n "$n" --steps "$s" --threads 1 --reps "$reps" --json)"; then
      t_us[$n]="$(json_field "$j" us_per_step)"
    fi
    if j="$("$torch_py" "$root/bench/torch_kl_fit.py" --n "$n" --steps "$check_steps" --warmup 0 --reps 1 --json)"; then
      t_loss[$n]="$(json_field "$j" final_loss)"
    fi
    if [[ -n "$libtorch_bin" ]]; then
      if j="$("$libtorch_bin" --n "$n" --steps "$s" --threads 1 --reps "$reps" --json)"; then
        l_us[$n]="$(json_field "$j" us_per_step)"
      fi
      if j="$("$libtorch_bin" --n "$n" --steps "$check_steps" --threads 1 --warmup 0 --reps 1 --json)"; then
        l_loss[$n]="$(json_field "$j" final_loss)"
      fi
    fi
  fi
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---- report
ratio() { if [[ $1 == n/a || $2 == n/a ]]; then echo n/a; else awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", a / b }'; fi; }
fmt_us() { if [[ $1 == n/a ]]; then echo n/a; else awk -v a="$1" 'BEGIN { printf "%.3f", a }'; fi; }
# agree <a> <b>: float32 losses after CHECK_STEPS Adam steps (0.01 to 0.1 here).
# 1e-4 relative: the loss is a sum of n terms of the size of Q's entropy (~11.5
# for n = 1e5) that cancel down to the loss, so float32 rounding moves it by
# ~1e-7 absolute (a few ulps of the terms); PyTorch and klgrad sum differently.
agree() {
  if [[ $2 == n/a ]]; then echo n/a; return; fi
  awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; m = (b < 0 ? -b : b);
    print (d <= 1e-4 * m + 1e-6 ? "ok" : "DIFFERS") }'
}

echo
echo "kl_fit benchmark: Adam(lr=0.01), float32, KL(Q || P) batchmean, 1 thread, median of $reps runs"
echo "host: $(getconf _NPROCESSORS_ONLN) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)); $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-<unset>} OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE:-<unset>} (the same for all three)"
echo "load average (1/5/15 min): before $load_before, after $load_after"
(( have_torch )) || echo "PyTorch not found at $torch_py: its columns are n/a; Q for n > 3 is a stand-in (softmax of sin(i))"
if (( have_torch )) && [[ -z "$libtorch_bin" ]]; then
  echo "libtorch reference not built (bench/build_libtorch.sh):"; sed 's/^/  /' "$tmp/libtorch_build.log"
fi
echo
row='| %7s | %6s | %14s | %21s | %16s | %12s | %15s | %-20s | %-14s |\n'
printf "$row" n steps "klgrad us/step" "PyTorch eager us/step" "libtorch us/step" eager/klgrad libtorch/klgrad "klgrad target" "loss check"
printf "$row" ------: -----: -------------: --------------------: ---------------: -----------: --------------: -------------------- --------------
status=0  # 1 only when the losses disagree (a MISS is reported, not an error)
for n in "${sizes[@]}"; do
  t="$(target_for "$n")"
  verdict="$(awk -v a="${k_us[$n]}" -v t="$t" 'BEGIN { print (a <= t ? "PASS" : "MISS") }')"
  a1="$(agree "${k_loss[$n]}" "${t_loss[$n]}")"; a2="$(agree "${k_loss[$n]}" "${l_loss[$n]}")"
  if [[ $a1 == DIFFERS || $a2 == DIFFERS ]]; then check="DIFFERS"; status=1
  elif [[ $a1 == n/a && $a2 == n/a ]]; then check="n/a"; else check="agree"; fi
  printf "$row" "$n" "$(steps_for "$n")" "$(fmt_us "${k_us[$n]}")" \
    "$(fmt_us "${t_us[$n]}")" "$(fmt_us "${l_us[$n]}")" "$(ratio "${t_us[$n]}" "${k_us[$n]}")" \
    "$(ratio "${l_us[$n]}" "${k_us[$n]}")" "<= $t us: $verdict" "$check"
done
echo
echo "loss at step $check_steps (klgrad / PyTorch eager / libtorch):"
for n in "${sizes[@]}"; do echo "  n = $n: ${k_loss[$n]} / ${t_loss[$n]} / ${l_loss[$n]}"; done
echo "(shared machine: timings are noisy, compare them with the load average above)"
exit $status
