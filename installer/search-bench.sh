#!/usr/bin/env bash
# Whole-process search times as a user sees them (`./gstudio search`, a fresh JVM each run: start-up, reading the
# inputs, the search, the log and the config), side by side with Galvatron's wall time on the same inputs, and the
# ratio. Galvatron's figures are the ones measured on a 2-core machine for issues 17 and 13 (v2 with its C++ DP core;
# 3.0's Python for S01, T01, T02: the faster of the two runs in conformance/v3); they are not rerun here: Galvatron's search needs packages only PyPI has (hydra-core for 3.0) and
# its compiled core. Set GALVATRON_TIMES to a file of "id seconds" lines (ids below) to put your own measurements beside ours.
# RUNS (default 3) runs per case; the median is printed. Exit code 1 if any search fails.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
RUNS="${RUNS:-3}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# llama-7b on 1 x 8 A100s, 36 GB: the public S1 case's arguments, from which most cases differ by one or two
S1="--model_size llama-7b --num_nodes 1 --num_gpus_per_node 8 --memory_constraint 36 --mixed_precision bf16
    --default_dp_type zero2 --pipeline_type pipedream_flush --sequence_parallel --sp_space tp --fine_grained_mode 1
    --search_space full"
S1="$(echo $S1)"
# S1 with one argument's value replaced: with S1 --num_nodes 2
with() { local a=" $1 "; shift; while [[ $# -gt 1 ]]; do a="$(sed -E "s/ $1 [^ ]+ / $1 $2 /" <<<"$a")"; shift 2; done; echo $a; }
# Galvatron 3.0's shipped search YAML (S01's overrides: seq 2048, 36 GB, static time profiles)
S01="$ROOT/sample-configs/galvatron3/models/gpt/scripts/search_dist.yaml"
T01="$WORK/t01/scripts/test_search.yaml"
FIX="$ROOT/engine/src/test/resources/conformance/v3/inputs/tests_fixtures"
mkdir -p "$(dirname "$T01")"
# Galvatron 3.0's own end-to-end test (tests/search_engine/test_e2e, fine-grained, 32 chunks) as its YAML
cat > "$T01" <<EOF
search_engine:
  profiling_info:
    time_profile_mode: sequence
    memory_profile_mode: sequence
    time_profiling_path: $FIX/time_sequence
    memory_profiling_path: $FIX/memory_sequence_sp
    allreduce_bandwidth_config_path: $FIX/hardware_1x8
    p2p_bandwidth_config_path: $FIX/hardware_1x8
    overlap_coe_path: $FIX/hardware_1x8
    sp_time_path: $FIX/hardware_1x8
  model_info:
    model_config_path: $FIX/tests_utils_model_configs_llama2-7b.yaml
    model_size: llama2-7b
    num_layers: 28
  common_train_info: {seq_length: 8192, sequence_parallel: true, global_memory_buffer: true}
  parallelism_info: {default_dp_type: zero2, pipeline_type: pipedream_flush, async_grad_reduce: false, mixed_precision: bf16}
  hardware_info: {num_nodes: 1, num_gpus_per_node: 8, memory_constraint: 36}
  batch_size_info: {settle_bsz: 64, settle_chunk: 32}
  options_info: {fine_grained_mode: 1, log_dir: $WORK/t01/logs, output_config_path: $WORK/t01}
EOF

# id | case | Galvatron's seconds (the lower end of its measured range) | our arguments
CASES=(
  "s1|S1 llama-7b 1x8 36GB bsz64|68|$S1 --settle_bsz 64"
  "sweep|llama-7b 2x8 sweep 16..64|342|$(with "$S1" --num_nodes 2) --min_bsz 16 --max_bsz 64"
  "layers80|80 layers 2x8|403|$(with "$S1" --num_nodes 2) --set_layernum_manually 1 --num_hidden_layers 80 --settle_bsz 64"
  "tpsp|tp+sp 1x8|411|$(with "$S1" --sp_space tp+sp) --settle_bsz 64"
  "gpt|gpt-6.7b 2x8 bsz128|111|$(with "$S1" --model_size gpt-6.7b --num_nodes 2) --settle_bsz 128"
  "swin|swin-huge 4 layer types 1x8|50|$(with "$S1" --model_size swin-huge | sed 's/ --sequence_parallel//') --settle_bsz 64"
  "bert|bert-large sequence-mode fits|18|$(with "$S1" --model_size bert-large) --time_profile_mode sequence --memory_profile_mode sequence --settle_bsz 64"
  "s1-coarse|S1 fine_grained_mode 0|3.1|$(with "$S1" --fine_grained_mode 0) --settle_bsz 64"
  "s1-3d|S1 search_space 3d|1.5|$(with "$S1" --search_space 3d) --settle_bsz 64"
  "vit|vit-huge coarse 1x4|0.8|$(with "$S1" --model_size vit-huge --num_gpus_per_node 4 --fine_grained_mode 0 | sed 's/ --sequence_parallel//') --settle_bsz 64"
  "s01|S01 Galvatron 3.0 shipped YAML|288.5|$S01 SEQ_LENGTH=2048 MEMORY_CONSTRAINT=36 search_engine.profiling_info.time_profile_mode=static LOG_DIR=$WORK/s01/logs +search_engine.options_info.output_config_path=$WORK/s01"
  "t01|T01 Galvatron 3.0 e2e test|22.85|$T01"
  "t02|T02 Galvatron 3.0 e2e test, coarse|3.35|$T01 search_engine.batch_size_info.settle_chunk=8 search_engine.options_info.fine_grained_mode=0"
  "default-sweep|default sweep (1,280 sizes), -Xmx1g|-|$S1"
)

declare -A OWN=()
if [[ -n "${GALVATRON_TIMES:-}" ]]; then
  while read -r id seconds; do [[ -n "$id" ]] && OWN["$id"]="$seconds"; done < "$GALVATRON_TIMES"
fi

./gstudio --version >/dev/null # builds the jar and records its class-data archive before anything is timed
printf '%-38s %12s %12s %9s  %s\n' "case" "Galvatron s" "ours s" "ratio" "target"
status=0
for entry in "${CASES[@]}"; do
  IFS='|' read -r id name galvatron args <<<"$entry"
  [[ -n "${OWN[$id]:-}" ]] && galvatron="${OWN[$id]}"
  opts=""
  [[ "$name" == *Xmx1g* ]] && opts="-Xmx1g"
  times=()
  for ((r = 0; r < RUNS; r++)); do
    out="$WORK/run"
    rm -rf "$out"
    start=$(date +%s%N)
    # a 3.0 YAML names its own output folders
    where=(--output_config_path "$out" --log_dir "$out/logs")
    [[ "$args" == *.yaml* ]] && where=()
    # shellcheck disable=SC2086 # the arguments are words by design
    if ! GSTUDIO_JAVA_OPTS="$opts" ./gstudio search $args "${where[@]}" >"$WORK/out" 2>&1; then
      echo "failed: $name"; sed 's/^/  /' "$WORK/out" | tail -5; status=1; continue 2
    fi
    times+=($(( ($(date +%s%N) - start) / 1000000 )))
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
  ours=$(awk -v ms="$median" 'BEGIN { printf "%.2f", ms / 1000 }')
  if [[ "$galvatron" == "-" ]]; then
    printf '%-38s %12s %12s %9s  %s\n' "$name" "-" "$ours" "-" "under 10 s in a 1 GB heap"
  else
    ratio=$(awk -v g="$galvatron" -v o="$ours" 'BEGIN { printf "%.0fx", g / o }')
    target=$(awk -v g="$galvatron" 'BEGIN { print (g >= 5 ? "100x" : "faster") }')
    printf '%-38s %12s %12s %9s  %s\n' "$name" "$galvatron" "$ours" "$ratio" "$target"
  fi
done
exit $status
