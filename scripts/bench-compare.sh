#!/usr/bin/env bash
# Side-by-side performance comparison of loraflow against llama.cpp, PyTorch + OpenBLAS and numpy + OpenBLAS,
# on identical random weights (../shared/tools/make_bench_model.py). Results: docs/benchmarks.md.
#
#   scripts/bench-compare.sh [STEP ...]      STEP: setup build models infer residency fusion fusioncmp gemm train memory report  (default: all)
#
# Everything it writes goes under /tmp (never into the repository):
#   /tmp/lf_perf           isolated copy of the repository, built once (mvn package -DskipTests)
#   /tmp/bench/...         models (HF BF16, HF F32 copy, GGUF BF16/Q8_0/F32), logs
#   /tmp/llamacpp          node-llama-cpp scratch folder (llama.cpp's prebuilt CPU backend from the npm package)
#   $OUT (/tmp/bench/results/results.jsonl)   one JSON line per run: step, engine, config, run, load average, result
#
# Engines are always run in ALTERNATION (A, B, A, B, ...) because memory bandwidth on this machine type moves by
# about ±30 % between runs; every run is recorded, none is averaged away. Each run records the 1-minute load
# average just before it starts. Before each step the script waits (at most QUIET_WAIT seconds) for the load
# average to drop below QUIET_LOAD.
#
# Installs assumed (as root, after `apt-get update`), done by `setup`:
#   apt-get install -y rsync python3-numpy python3-sentencepiece python3-torch libopenblas0-openmp python3-threadpoolctl
#   (cd /tmp/llamacpp && npm install node-llama-cpp)
#
# The invocations behind docs/benchmarks.md, in order (runs per engine as given; default RUNS=2):
#   scripts/bench-compare.sh setup build models
#   RUNS=3 scripts/bench-compare.sh infer
#   RUNS=3 scripts/bench-compare.sh fusion
#   scripts/bench-compare.sh gemm
#   scripts/bench-compare.sh train
#   RUNS=1 scripts/bench-compare.sh memory
#   RUNS=3 OUT=/tmp/bench/results-fusion2 scripts/bench-compare.sh fusion          # second fusion pass
#   # a later commit changed training only: clean build of it, then train/memory again with that jar
#   mkdir -p /tmp/lf_perf_head && git archive COMMIT | tar -x -C /tmp/lf_perf_head
#   (cd /tmp/lf_perf_head && JAVA_HOME=$JDK PATH=$JDK/bin:$PATH mvn -B -ntp -q package -DskipTests)
#   LF_DIR=/tmp/lf_perf_head OUT=/tmp/bench/results-head TRAIN_MODELS=stories110m scripts/bench-compare.sh train
#   LF_DIR=/tmp/lf_perf_head OUT=/tmp/bench/results-head TRAIN_MODELS=tinyllama RUNS=1 scripts/bench-compare.sh train
#   LF_DIR=/tmp/lf_perf_head OUT=/tmp/bench/results-head RUNS=1 scripts/bench-compare.sh memory
#   OUT=/tmp/bench/results scripts/bench-compare.sh report     # (and for each OUT above)
# The latest passes (top of docs/benchmarks.md, session 4; pass 2 at commit 4abe9c0):
#   OUT=/tmp/bench/results-s4 RUNS=2 QUIET_LOAD=2.0 QUIET_WAIT=120 scripts/bench-compare.sh build infer residency
#   OUT=/tmp/bench/results-s4b RUNS=2 QUIET_LOAD=2.0 QUIET_WAIT=120 scripts/bench-compare.sh build infer
#   OUT=/tmp/bench/results-s4b RUNS=1 QUIET_LOAD=2.0 QUIET_WAIT=60 scripts/bench-compare.sh fusioncmp gemm
#   OUT=/tmp/bench/results-s4b RUNS=1 QUIET_LOAD=2.0 QUIET_WAIT=60 TRAIN_MODELS=stories110m scripts/bench-compare.sh train
#   OUT=/tmp/bench/results-s4 scripts/bench-compare.sh report   (and for results-s4b)
# The session 3 pass (commit e78a7c1):
#   OUT=/tmp/bench/results-s3 RUNS=2 QUIET_LOAD=2.0 QUIET_WAIT=120 scripts/bench-compare.sh build infer
#   OUT=/tmp/bench/results-s3 RUNS=1 QUIET_LOAD=2.0 QUIET_WAIT=120 scripts/bench-compare.sh gemm
#   OUT=/tmp/bench/results-s3 RUNS=2 QUIET_LOAD=2.0 QUIET_WAIT=120 TRAIN_MODELS=stories110m scripts/bench-compare.sh train
#   OUT=/tmp/bench/results-s3 RUNS=1 QUIET_LOAD=2.0 QUIET_WAIT=120 TRAIN_MODELS=tinyllama scripts/bench-compare.sh train
#   OUT=/tmp/bench/results-s3 RUNS=1 QUIET_LOAD=2.0 QUIET_WAIT=60 scripts/bench-compare.sh fusioncmp
#   OUT=/tmp/bench/results-s3 scripts/bench-compare.sh report
# The pass before (commit 69e1e6b):
#   OUT=/tmp/bench/results-s2 RUNS=2 QUIET_LOAD=2.0 scripts/bench-compare.sh build infer
#   OUT=/tmp/bench/results-s2 RUNS=1 QUIET_LOAD=2.0 scripts/bench-compare.sh gemm
#   OUT=/tmp/bench/results-s2 RUNS=2 QUIET_LOAD=2.0 TRAIN_MODELS=stories110m scripts/bench-compare.sh train
#   # its two fusion-overhead runs were the `bench ... --compare-fusion` command of step_fusioncmp, run by hand
#   # (step_fusioncmp was added to this script afterwards)
set -euo pipefail

REPO=${REPO:-$(cd "$(dirname "$0")/.." && pwd)}
SHARED=${SHARED:-$REPO/../shared}
JDK=${JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA=$JDK/bin/java
LF_DIR=${LF_DIR:-/tmp/lf_perf}
LF_JAR=$LF_DIR/cli/target/loraflow.jar
JMH_JAR=$LF_DIR/bench/target/benchmarks.jar
B=${BENCH_DIR:-/tmp/bench}
TINY=$B/tinyllama
STORIES=$B/stories110m
NODEDIR=${NODEDIR:-/tmp/llamacpp}
OUT=${OUT:-$B/results}
RUNS=${RUNS:-2}                 # runs per engine and configuration, alternated
THREADS=2
QUIET_LOAD=${QUIET_LOAD:-1.5}
QUIET_WAIT=${QUIET_WAIT:-600}
PY=/usr/bin/python3
# Debian's OpenBLAS is pinned to the Haswell kernels on this machine type by OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE
# (see the environment notes); for the numpy and PyTorch baselines both are unset in that command alone, so
# OpenBLAS picks its own AVX-512 kernel (threadpoolctl reports which: "Cooperlake" on this machine).
NOPIN=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)

mkdir -p "$B" "$OUT"
RESULTS=$OUT/results.jsonl

load1() { cut -d' ' -f1 /proc/loadavg; }

wait_quiet() {
  local waited=0
  while awk -v l="$(load1)" -v q="$QUIET_LOAD" 'BEGIN{exit !(l>=q)}' && [ "$waited" -lt "$QUIET_WAIT" ]; do
    sleep 15; waited=$((waited + 15))
  done
  echo "== $(date +%T) load $(cat /proc/loadavg) (waited ${waited}s)" >&2
}

# /proc/stat: busy jiffies (user+nice+system+irq+softirq) and steal jiffies, whole machine
cpu_jiffies() { awk '/^cpu /{print $2+$3+$4+$7+$8, $9}' /proc/stat; }

# timed STEP ENGINE CONFIG RUN -- CMD...: runs CMD (stdout -> its JSON result), records one line with the
# 1-minute load average before the run and "others_cores": CPU used by OTHER processes during the run, in cores
# (machine busy time minus this command's own user+sys, over wall time; 0 = nobody else ran), and steal.
timed() {
  local step=$1 eng=$2 cfg=$3 run=$4; shift 5
  local l; l=$(load1)
  local tmp; tmp=$(mktemp -d)
  read -r b0 s0 < <(cpu_jiffies)
  local TIMEFORMAT='%R %U %S'
  { time "$@" > "$tmp/out" ; } 2> "$tmp/time" || echo '{"error":"exit code '$?'"}' >> "$tmp/out"
  read -r b1 s1 < <(cpu_jiffies)
  local R U S; read -r R U S < <(tail -1 "$tmp/time")
  local others steal
  others=$(awk -v b="$((b1 - b0))" -v u="$U" -v s="$S" -v r="$R" 'BEGIN{o=(b/100-u-s)/r; if(o<0)o=0; printf "%.2f", o}')
  steal=$(awk -v d="$((s1 - s0))" -v r="$R" 'BEGIN{printf "%.2f", d/100/r}')
  local j; j=$(grep -E '^\{' "$tmp/out" | tail -1); j=${j:-null}
  rm -rf "$tmp"
  printf '{"step":"%s","engine":"%s","config":"%s","run":%s,"load1":%s,"others_cores":%s,"steal_cores":%s,"wall_s":%s,"time":"%s","result":%s}\n' \
    "$step" "$eng" "$cfg" "$run" "$l" "$others" "$steal" "$R" "$(date +%T)" "$j" | tee -a "$RESULTS"
}

# record STEP ENGINE CONFIG RUN LOAD RESULT_JSON (for results computed outside `timed`)
record() {
  printf '{"step":"%s","engine":"%s","config":"%s","run":%s,"load1":%s,"time":"%s","result":%s}\n' \
    "$1" "$2" "$3" "$4" "$5" "$(date +%T)" "$6" | tee -a "$RESULTS"
}

# last JSON object printed on stdout of a command (stderr goes to a log)
last_json() { grep -E '^\{' | tail -1; }

# keep a model file in the page cache so no run pays for disk reads (whether an engine maps or reads the weights)
warm() { cat "$@" > /dev/null; }

lf() { "$JAVA" -jar "$LF_JAR" "$@" 2>>"$OUT/loraflow.stderr.log"; }

lf_bench() { # STEP CONFIG RUN MODEL_DIR [extra bench flags]
  local step=$1 cfg=$2 run=$3 model=$4; shift 4
  warm "$model"/*.safetensors
  timed "$step" loraflow "$cfg" "$run" -- lf bench --model "$model" --threads $THREADS --json "$@"
}

llamacpp() { (cd "$NODEDIR" && node llamacpp_bench.mjs "$1" $THREADS 64 2>>"$OUT/llamacpp.stderr.log"); }

llamacpp_bench() { # STEP CONFIG RUN GGUF
  warm "$4"
  timed "$1" llama.cpp "$2" "$3" -- llamacpp "$4"
}

step_setup() {
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q rsync python3-numpy python3-sentencepiece \
    python3-torch libopenblas0-openmp python3-threadpoolctl
  mkdir -p "$NODEDIR"
  cp "$SHARED/tools/llamacpp_bench.mjs" "$NODEDIR/"
  (cd "$NODEDIR" && { [ -f package.json ] || npm init -y >/dev/null; } && npm install node-llama-cpp)
}

step_build() {
  rsync -a --delete --exclude target --exclude .git "$REPO/" "$LF_DIR/"
  git -C "$REPO" rev-parse --short HEAD | tee "$OUT/commit.txt"
  git -C "$REPO" status --short > "$OUT/worktree-status.txt"
  (cd "$LF_DIR" && JAVA_HOME=$JDK PATH=$JDK/bin:$PATH mvn -B -ntp -q package -DskipTests)
  "$JAVA" -version 2>&1 | head -1 > "$OUT/java-version.txt"
}

step_models() {
  [ -f "$TINY/hf/model.safetensors" ] || \
    $PY "$SHARED/tools/make_bench_model.py" tinyllama-1.1b "$TINY" --gguf-kinds bf16,q8_0,f32 --skip-bin
  [ -f "$STORIES/hf/model.safetensors" ] || \
    $PY "$SHARED/tools/make_bench_model.py" stories110m "$STORIES" --gguf-kinds bf16 --skip-bin
  # loraflow's F32 run needs the SAME weights as the F32 GGUF: make_bench_model.py writes HF only in BF16, and
  # `make-model --dtype f32` / `merge` cannot produce those weights, so widen the BF16 safetensors to F32 here
  # (exact: every BF16 value is representable in F32; tensor order and names unchanged).
  [ -f "$TINY/hf-f32/model.safetensors" ] || $PY - "$TINY/hf" "$TINY/hf-f32" <<'EOF'
import json, os, shutil, struct, sys
import numpy as np
src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst, exist_ok=True)
for f in os.listdir(src):
    if f != "model.safetensors":
        shutil.copy(os.path.join(src, f), dst)
p = os.path.join(src, "model.safetensors")
with open(p, "rb") as fh:
    n = struct.unpack("<Q", fh.read(8))[0]; h = json.loads(fh.read(n))
mm = np.memmap(p, dtype=np.uint8, mode="r"); base = 8 + n
items = sorted(((k, v) for k, v in h.items() if k != "__metadata__"), key=lambda kv: kv[1]["data_offsets"][0])
nh, off = {}, 0
if "__metadata__" in h: nh["__metadata__"] = h["__metadata__"]
for k, v in items:
    assert v["dtype"] == "BF16", (k, v["dtype"])
    size = (v["data_offsets"][1] - v["data_offsets"][0]) * 2
    nh[k] = {"dtype": "F32", "shape": v["shape"], "data_offsets": [off, off + size]}; off += size
hb = json.dumps(nh, separators=(",", ":")).encode()
hb += b" " * (-len(hb) % 8)
tmp = os.path.join(dst, "model.safetensors.tmp")
with open(tmp, "wb") as out:
    out.write(struct.pack("<Q", len(hb))); out.write(hb)
    for k, v in items:
        a, b = v["data_offsets"]
        out.write((mm[base + a:base + b].view(np.uint16).astype(np.uint32) << 16).tobytes())
os.replace(tmp, os.path.join(dst, "model.safetensors"))
print("wrote", dst, off, "bytes of F32 weights")
EOF
}

# 1. decode and prefill on tinyllama-1.1b: loraflow BF16 / Q8_0 / F32 vs llama.cpp BF16 / Q8_0 / F32 GGUF
step_infer() {
  wait_quiet
  for r in $(seq 1 "$RUNS"); do
    lf_bench infer BF16 "$r" "$TINY/hf"
    llamacpp_bench infer BF16 "$r" "$TINY/tinyllama-1.1b-bf16.gguf"
    lf_bench infer Q8_0 "$r" "$TINY/hf" --quantize q8_0
    llamacpp_bench infer Q8_0 "$r" "$TINY/tinyllama-1.1b-q8_0.gguf"
    lf_bench infer F32 "$r" "$TINY/hf-f32"
    llamacpp_bench infer F32 "$r" "$TINY/tinyllama-1.1b-f32.gguf"
  done
}

# 1b. how the weights are held: loraflow reads them into memory by default (2 MiB pages) or maps them (--mmap);
# llama.cpp maps them by default, and reads them into memory with useMmap: false (a copy of the shared script
# with that one option changed, written under $NODEDIR)
llamacpp_nommap() { (cd "$NODEDIR" && node llamacpp_bench_nommap.mjs "$1" $THREADS 64 2>>"$OUT/llamacpp.stderr.log"); }

step_residency() {
  sed 's/llama.loadModel({modelPath})/llama.loadModel({modelPath, useMmap: false})/' "$SHARED/tools/llamacpp_bench.mjs" \
    > "$NODEDIR/llamacpp_bench_nommap.mjs"
  grep -q 'useMmap: false' "$NODEDIR/llamacpp_bench_nommap.mjs" || { echo "llamacpp_bench.mjs changed: cannot set useMmap" >&2; exit 1; }
  wait_quiet
  for r in $(seq 1 "$RUNS"); do
    for d in BF16:hf:bf16 F32:hf-f32:f32; do
      IFS=: read -r cfg dir kind <<< "$d"
      local gguf="$TINY/tinyllama-1.1b-$kind.gguf"
      lf_bench residency "$cfg in-memory" "$r" "$TINY/$dir"
      llamacpp_bench residency "$cfg mmap" "$r" "$gguf"
      lf_bench residency "$cfg mmap" "$r" "$TINY/$dir" --mmap
      warm "$gguf"
      timed residency llama.cpp "$cfg in-memory" "$r" -- llamacpp_nommap "$gguf"
    done
  done
}

# 2. fusion overhead on tinyllama BF16 decode: base / static (2 random adapters, weights 1/2) / per-token gate
step_fusion() {
  wait_quiet
  for r in $(seq 1 "$RUNS"); do
    lf_bench fusion base "$r" "$TINY/hf"
    lf_bench fusion static "$r" "$TINY/hf" --random-adapters 2 --adapter-rank 16
    lf_bench fusion gate "$r" "$TINY/hf" --random-adapters 2 --adapter-rank 16 --random-gate
  done
}

# 2b. the same overhead measured in ONE process: base / static / gate / merged decoding interleaved round by round
#     (drift between runs cancels); one JSON line per run with per-variant medians and per-round ratios to base
step_fusioncmp() {
  wait_quiet
  for r in $(seq 1 "$RUNS"); do
    lf_bench fusioncmp compare "$r" "$TINY/hf" --random-adapters 2 --adapter-rank 16 --compare-fusion \
      --rounds 30 --tokens-per-round 8
  done
}

# 3. GEMM: JMH (matvec per dtype, 2048³ F32 GEMM, FMA peak, memory bandwidth) vs numpy sgemm 2048³ (OpenBLAS)
numpy_sgemm() {
  "${NOPIN[@]}" OMP_NUM_THREADS=$THREADS OPENBLAS_NUM_THREADS=$THREADS $PY - <<'EOF'
import json, time
import numpy as np
from threadpoolctl import threadpool_info
n = 2048
rng = np.random.default_rng(0)
a = rng.standard_normal((n, n), dtype=np.float32); b = rng.standard_normal((n, n), dtype=np.float32)
c = a @ b
ts = []
for _ in range(10):
    t0 = time.perf_counter(); c = a @ b; ts.append(time.perf_counter() - t0)
ts.sort()
blas = [(d["internal_api"], d.get("version"), d.get("architecture"), d["num_threads"]) for d in threadpool_info() if d["user_api"] == "blas"]
print(json.dumps({"sgemm_2048_gflops_best": round(2 * n ** 3 / ts[0] / 1e9, 1),
                  "sgemm_2048_gflops_median": round(2 * n ** 3 / ts[len(ts) // 2] / 1e9, 1),
                  "numpy": np.__version__, "blas": blas}))
EOF
}

jmh() { # RUN
  "$JAVA" --add-modules jdk.incubator.vector -jar "$JMH_JAR" "MatMulKernelBenchmark|BaselineFmaPeak|BaselineMemoryBandwidth" \
    -f 1 -wi 3 -i 5 -rf json -rff "$OUT/jmh-run$1.json" > "$OUT/jmh-run$1.txt" 2>&1
  $PY - "$OUT/jmh-run$1.json" <<'EOF'
import json, sys
out = {}
for b in json.load(open(sys.argv[1])):
    name = b["benchmark"].rsplit(".", 1)[1]
    tag = name + ("[" + b["params"]["dtype"] + "]" if "dtype" in b.get("params", {}) else "")
    for k, v in b.get("secondaryMetrics", {}).items():
        if k in ("gflops", "gigabytes") and v["score"] > 0:
            out[tag + ":" + k] = round(v["score"], 1)
print(json.dumps(out))
EOF
}

step_gemm() {
  wait_quiet
  for r in $(seq 1 "$RUNS"); do
    timed gemm loraflow-jmh all "$r" -- jmh "$r"
    timed gemm numpy-openblas sgemm2048 "$r" -- numpy_sgemm
  done
}

torch_bench() { # HF_DIR WHAT
  "${NOPIN[@]}" $PY "$SHARED/tools/torch_bench.py" "$1" --threads $THREADS --what "$2" 2>>"$OUT/torch.stderr.log" \
    | tee -a "$OUT/torch.stdout.log" | sed -n 's/^RESULT //p' | tail -1
}

# 4a. gate-training throughput, batch 4 x 128, 2 adapters of rank 16: loraflow bench-train vs torch_bench --what train
step_train() {
  wait_quiet
  for m in ${TRAIN_MODELS:-stories110m tinyllama}; do
    local dir=$B/$m/hf
    for r in $(seq 1 "$RUNS"); do
      warm "$dir"/*.safetensors
      timed train loraflow "$m" "$r" -- \
        lf bench-train --model "$dir" --batch 4 --seq-len 128 --adapters 2 --adapter-rank 16 --threads $THREADS --reps 3 --json
      timed train pytorch "$m" "$r" -- torch_bench "$dir" train
    done
  done
}

# 4b. training memory on tinyllama, batch 4 x 512, with and without --recompute (peak RSS)
step_memory() {
  wait_quiet
  for r in $(seq 1 "$RUNS"); do
    timed memory loraflow seq512-recompute "$r" -- lf bench-train --model "$TINY/hf" --batch 4 --seq-len 512 \
      --adapters 2 --adapter-rank 16 --threads $THREADS --reps 1 --json --recompute
    timed memory loraflow seq512-plain "$r" -- lf bench-train --model "$TINY/hf" --batch 4 --seq-len 512 \
      --adapters 2 --adapter-rank 16 --threads $THREADS --reps 1 --json
  done
}

# Markdown tables (one row per run, engines paired by run number) from $RESULTS, as in docs/benchmarks.md
step_report() {
  $PY - "$RESULTS" <<'EOF'
import json, sys, statistics as st
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def f(x, d=1): return "–" if x is None else f"{x:.{d}f}"
def res(r, k): return (r.get("result") or {}).get(k)
def cond(r): return f'{r["load1"]:.2f} / {r.get("others_cores", 0):.2f}'
by = {}
for r in rows: by.setdefault(r["step"], []).append(r)

if "infer" in by:
    print("### 1. Decode / prefill, tinyllama-1.1b, 2 threads\n")
    print("| run | weights | loraflow decode | llama.cpp decode | ratio (target ≥ 0.9) | loraflow prefill | llama.cpp prefill | loraflow decode GB/s | loraflow peak RSS MB | load before (lf / lc) / others' cores |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    I = by["infer"]
    for cfg in ("BF16", "Q8_0", "F32"):
        for run in sorted({r["run"] for r in I}):
            a = [r for r in I if r["engine"] == "loraflow" and r["config"] == cfg and r["run"] == run]
            b = [r for r in I if r["engine"] == "llama.cpp" and r["config"] == cfg and r["run"] == run]
            if not a or not b: continue
            a, b = a[0], b[0]
            print(f'| {run} | {cfg} | {f(res(a,"decode_tok_s"),2)} | {f(res(b,"decode_tok_s"),2)} | {res(a,"decode_tok_s")/res(b,"decode_tok_s"):.2f} | {f(res(a,"prefill_tok_s"))} | {f(res(b,"prefill_tok_s"))} | {f(res(a,"decode_gb_s"))} | {f(res(a,"peak_rss_mb"),0)} | {a["load1"]:.2f} / {b["load1"]:.2f} ; {a["others_cores"]:.2f} / {b["others_cores"]:.2f} |')
    print()
if "residency" in by:
    print("### 1b. Weights read into memory vs mapped, tinyllama-1.1b, 2 threads\n")
    print("| run | weights | engine | held | decode tok/s | prefill tok/s | load (wall s of the run) | peak RSS MB | load before / others' cores |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in by["residency"]:
        cfg, held = r["config"].split(" ", 1)
        print(f'| {r["run"]} | {cfg} | {r["engine"]} | {held} | {f(res(r,"decode_tok_s"),2)} | {f(res(r,"prefill_tok_s"))} | {f(res(r,"load_ms") and res(r,"load_ms")/1000,1)} s ({r["wall_s"]}) | {f(res(r,"peak_rss_mb"),0)} | {cond(r)} |')
    print()
if "fusion" in by:
    print("### 2. Fusion overhead\n")
    F = by["fusion"]
    print("| run | base decode | static decode | gate decode | gate/base | static/base | base / static / gate prefill | peak RSS MB base / static / gate | load before / others' cores |")
    print("|---|---|---|---|---|---|---|---|---|")
    for run in sorted({r["run"] for r in F}):
        d = {r["config"]: r for r in F if r["run"] == run}
        if len(d) < 3: continue
        b, s, g = d["base"], d["static"], d["gate"]
        print(f'| {run} | {f(res(b,"decode_tok_s"),2)} | {f(res(s,"decode_tok_s"),2)} | {f(res(g,"decode_tok_s"),2)} | {res(g,"decode_tok_s")/res(b,"decode_tok_s"):.2f} | {res(s,"decode_tok_s")/res(b,"decode_tok_s"):.2f} | {f(res(b,"prefill_tok_s"))} / {f(res(s,"prefill_tok_s"))} / {f(res(g,"prefill_tok_s"))} | {f(res(b,"peak_rss_mb"),0)} / {f(res(s,"peak_rss_mb"),0)} / {f(res(g,"peak_rss_mb"),0)} | {b["load1"]:.2f}–{g["load1"]:.2f} / {max(x["others_cores"] for x in (b,s,g)):.2f} |')
    print()
if "gemm" in by:
    print("### 3. GEMM and kernel ceilings (JMH) vs numpy sgemm 2048³\n")
    G = by["gemm"]
    print("| run | JMH FMA peak GFLOP/s | JMH GEMM 2048³ GFLOP/s | GEMM / FMA peak (target ≥ 0.60) | numpy+OpenBLAS sgemm best / median | loraflow / OpenBLAS best (target ≥ 0.8) | memory bandwidth GB/s | matvec GB/s F32 / BF16 / F16 / Q8_0 | load before / others' cores |")
    print("|---|---|---|---|---|---|---|---|---|")
    for run in sorted({r["run"] for r in G}):
        j = [r for r in G if r["run"] == run and r["engine"] == "loraflow-jmh"][0]; n = [r for r in G if r["run"] == run and r["engine"] == "numpy-openblas"][0]
        a, b = j["result"], n["result"]
        print(f'| {run} | {a["fma:gflops"]} | {a["gemm:gflops"]} | {a["gemm:gflops"]/a["fma:gflops"]:.2f} | {b["sgemm_2048_gflops_best"]} / {b["sgemm_2048_gflops_median"]} | {a["gemm:gflops"]/b["sgemm_2048_gflops_best"]:.2f} ({a["gemm:gflops"]/b["sgemm_2048_gflops_median"]:.2f} vs median) | {a["sum:gigabytes"]} | {a["matvec[F32]:gigabytes"]} / {a["matvec[BF16]:gigabytes"]} / {a["matvec[F16]:gigabytes"]} / {a["matvec[Q8_0]:gigabytes"]} | {j["load1"]:.2f} / {max(j["others_cores"], n["others_cores"]):.2f} |')
    print(f'\nBLAS used by numpy: {G[-1]["result"].get("blas")}\n')
if "train" in by:
    print("### 4a. Gate training, batch 4 × 128, 2 adapters rank 16\n")
    T = by["train"]
    print("| model | run | loraflow tok/s best / median | PyTorch tok/s best / median | ratio best (target ≥ 1.0) | loraflow peak RSS MB | load before (lf / pt) / others' cores |")
    print("|---|---|---|---|---|---|---|")
    for m in ("stories110m", "tinyllama"):
        for run in sorted({r["run"] for r in T}):
            a = [r for r in T if r["config"] == m and r["run"] == run and r["engine"] == "loraflow"]
            b = [r for r in T if r["config"] == m and r["run"] == run and r["engine"] == "pytorch"]
            if not a or not b: continue
            a, b = a[0], b[0]; x, y = a["result"] or {}, b["result"] or {}
            ratio = f'{x["train_tok_s_best"]/y["train_tok_s_best"]:.2f}' if x.get("train_tok_s_best") and y.get("train_tok_s_best") else "–"
            print(f'| {m} | {run} | {f(x.get("train_tok_s_best"))} / {f(x.get("train_tok_s_median"))} | {f(y.get("train_tok_s_best"))} / {f(y.get("train_tok_s_median"))} | {ratio} | {f(x.get("peak_rss_mb"),0)} | {a["load1"]:.2f} / {b["load1"]:.2f} ; {a["others_cores"]:.2f} / {b["others_cores"]:.2f} |')
    print()
if "memory" in by:
    print("### 4b. Training memory, tinyllama-1.1b, batch 4 × 512\n")
    print("| run | mode | peak RSS MB | tok/s | fwd+bwd s | wall s | load before / others' cores |")
    print("|---|---|---|---|---|---|---|")
    for r in by["memory"]:
        x = r["result"] or {}
        print(f'| {r["run"]} | {r["config"]} | {f(x.get("peak_rss_mb"),0)} | {f(x.get("train_tok_s_best"))} | {f(x.get("fwd_bwd_s_best"),1)} | {r["wall_s"]} | {r["load1"]:.2f} / {r["others_cores"]:.2f} |' + (f' {x["error"]}' if "error" in x else ""))
    print()
EOF
}

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(setup build models infer residency fusion fusioncmp gemm train memory report)
for s in "${steps[@]}"; do
  echo "== step $s ($(date +%T), load $(cat /proc/loadavg))" >&2
  "step_$s"
done
