#!/usr/bin/env bash
# LoRA-Flow on stories260K: the shared "max" adapter (stories about Max the dog), a "beach" adapter trained here
# with train-lora, and gates trained on 200 target stories that need both (Max at the beach). Prints the dev loss
# of every fusion method. Usage: scripts/stories260k-gate-experiment.sh [WORK_DIR] (needs the built jar, JDK 25).
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
lf() { "$java" -jar cli/target/loraflow.jar "$@"; }
model=../shared/models/stories260K
max=../shared/adapters/stories260K-max

names=(Sue Tim Lily Ben Anna Tom Mia Sam)
things=(shell ball boat fish rock bird)
feelings=(happy glad excited)
# story WHO PRONOUN SEED: a beach story about WHO
story() {
  local who=$1 he=$2 i=$3
  local thing=${things[$(( i % ${#things[@]} ))]} other=${things[$(( (i / 3 + 1) % ${#things[@]} ))]}
  local feel=${feelings[$(( i % ${#feelings[@]} ))]}
  printf '%s went to the beach. %s saw the sea and the sand. %s found a big %s and a small %s. %s was very %s at the beach.' \
    "$who" "$he" "$he" "$thing" "$other" "$who" "$feel"
}
# beach adapter data: other children at the beach
: > "$work/beach.jsonl"
for i in $(seq 0 199); do
  who=${names[$(( i % ${#names[@]} ))]}
  printf '{"prompt": "Once upon a time, there was a little girl named %s.", "response": "%s"}\n' "$who" "$(story "$who" She "$i")" >> "$work/beach.jsonl"
done
# target data: Max the dog at the beach (train 200, dev 50, disjoint seeds)
target() {
  local from=$1 count=$2 file=$3
  : > "$file"
  for i in $(seq "$from" $(( from + count - 1 ))); do
    printf '{"prompt": "Once upon a time, there was a brave dog named Max.", "response": "%s"}\n' "$(story Max He "$i")" >> "$file"
  done
}
target 0 200 "$work/target-train.jsonl"
target 1000 50 "$work/target-dev.jsonl"

[ -d "$work/beach" ] || lf train-lora --model "$model" --data "$work/beach.jsonl" --out "$work/beach" --rank 4 --alpha 8 --epochs 3 --lr 5e-3
# the task adapter goes last: the released recipe starts the gate from "last adapter only"
loras=(--lora "max=$max" --lora "beach=$work/beach")
lf train-gate --model "$model" "${loras[@]}" --data "$work/target-train.jsonl" --dev "$work/target-dev.jsonl" --out "$work/gate.safetensors"
lf train-gate --model "$model" "${loras[@]}" --data "$work/target-train.jsonl" --dev "$work/target-dev.jsonl" --out "$work/static.safetensors" --static
lf search-weights --model "$model" "${loras[@]}" --data "$work/target-train.jsonl" --out "$work/lorahub.json" --budget 40 > /dev/null

loss() { lf eval --model "$model" "$@" --data "$work/target-dev.jsonl" --metric loss | awk '/mean loss/ {print $3}'; }
{
  echo "| method | dev loss (nats/token) |"
  echo "|---|---|"
  echo "| base model | $(loss "${loras[@]}" --mode base) |"
  echo "| max adapter only | $(loss "${loras[@]}" --mode single:max) |"
  echo "| beach adapter only | $(loss "${loras[@]}" --mode single:beach) |"
  echo "| average (task-level) | $(loss "${loras[@]}" --mode average) |"
  echo "| LoRA-Hub (searched, task-level) | $(loss "${loras[@]}" --weights "$work/lorahub.json") |"
  echo "| learned static (b only) | $(loss "${loras[@]}" --gate "$work/static.safetensors") |"
  echo "| LoRA-Flow (per-token gate) | $(loss "${loras[@]}" --gate "$work/gate.safetensors") |"
} | tee "$work/results.md"
