#!/usr/bin/env bash
# bench/policy.sh creates N_GROUPS (default 500) parameter groups on a
# throw-away control-plane lab and times `rdsctl policy check` over all of
# them against the equivalent AWS CLI loop: describe-db-parameter-groups,
# then describe-db-parameters --source user for each group. It prints both
# times and the ratio. Targets: rdsctl under 5 s, at least 30x faster than
# the loop. It exits 1 when a target is missed or the two disagree on what
# they read, or when a run under 30% throttling finds anything else.
#
#   bench/policy.sh
#   N_GROUPS=100 bench/policy.sh
#   RDSCTL=/path/to/rdsctl bench/policy.sh     # skip the build
#   AWS_SAMPLE=25 bench/policy.sh              # time the AWS CLI loop over the
#                                              # first 25 groups and scale it up
#
# The AWS CLI starts a Python interpreter per call (about 0.5 s on an idle
# machine, several seconds on a loaded one), so the full loop over 500
# groups can take many minutes; AWS_SAMPLE says so in the output when used.
set -euo pipefail
cd "$(dirname "$0")/.."

GROUPS_N=${N_GROUPS:-500}
work=$(mktemp -d)
lab_dir="$work/lab"

rdsctl=${RDSCTL:-}
if [ -z "$rdsctl" ]; then
  rdsctl="$work/rdsctl"
  go build -o "$rdsctl" ./cmd/rdsctl
fi
command -v aws >/dev/null || { echo "bench: the AWS CLI (aws) is required" >&2; exit 1; }

cleanup() {
  "$rdsctl" lab down --dir "$lab_dir" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

endpoint=$("$rdsctl" lab up --detach --port 0 --no-engine --dir "$lab_dir" 2>/dev/null | head -n1)
export AWS_ENDPOINT_URL_RDS="$endpoint" AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 \
  AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_CONFIG_FILE=/dev/null \
  AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true AWS_PAGER= AWS_DEFAULT_OUTPUT=json

# The fleet: every group sets the four policy parameters; every tenth one
# violates the policy (wait_timeout 900). RDS (and the lab) allow 100 DB
# parameter groups per region, so the groups are spread over as many
# regions as that takes and checked in one run with --regions; that needs
# a lab that keys its state by region (issue 13).
all_regions=(us-east-1 us-west-2 eu-west-1 eu-central-1 ap-southeast-1 ap-northeast-1 sa-east-1 ca-central-1)
n_regions=$(((GROUPS_N + 99) / 100))
regions=("${all_regions[@]:0:$n_regions}")
regions_csv=$(IFS=,; echo "${regions[*]}")
echo "bench: creating $GROUPS_N parameter groups in ${#regions[@]} region(s): $regions_csv" >&2
for ((i = 1; i <= GROUPS_N; i++)); do
  printf 'fleet-%04d %s\n' "$i" "${regions[$(((i - 1) / 100))]}"
done | xargs -P 4 -L 1 sh -c '
  export AWS_REGION=$2
  out=$("$0" params create "$1" --family mariadb10.11 2>&1 >/dev/null) || { echo "bench: $1 ($2): $out" >&2; exit 1; }
  wt=300; case "$1" in *0) wt=900 ;; esac
  out=$("$0" params set "$1" wait_timeout=$wt interactive_timeout=$wt require_secure_transport=1 --yes 2>&1 >/dev/null) ||
    { echo "bench: $1 ($2): $out" >&2; exit 1; }
' "$rdsctl"
want_bad=$((GROUPS_N / 10))

cat >"$work/policy.yaml" <<'YAML'
version: 1
groups: ["fleet-*"]
rules:
  - parameter: wait_timeout
    max: 600
  - parameter: interactive_timeout
    same_as: wait_timeout
  - parameter: require_secure_transport
    equals: "ON"
  - applied: true
YAML

# rdsctl: one run to warm the page cache, then the timed one.
"$rdsctl" policy check -f "$work/policy.yaml" --regions "$regions_csv" -o json >/dev/null 2>&1 || true
start=$(date +%s%N)
set +e
"$rdsctl" policy check -f "$work/policy.yaml" --regions "$regions_csv" -o json >"$work/rdsctl.json" 2>/dev/null
rc=$?
set -e
end=$(date +%s%N)
t_rdsctl=$(python3 -c "print(($end - $start) / 1e9)")
read -r n_groups n_bad < <(python3 -c '
import json, sys
fs = json.load(open(sys.argv[1]))["findings"]
print(len({(f["region"], f["group"]) for f in fs}), len({(f["region"], f["group"]) for f in fs if f["status"] == "violation"}))' "$work/rdsctl.json")
if [ "$rc" != 3 ] || [ "$n_groups" != "$GROUPS_N" ] || [ "$n_bad" != "$want_bad" ]; then
  echo "bench: rdsctl exited $rc over $n_groups groups with $n_bad violating, want 3, $GROUPS_N and $want_bad" >&2
  exit 1
fi

# The same check under 30% throttling (fixed seed): the SDK's retryer
# absorbs AWS's Throttling errors and the findings are exactly the same.
curl -fsS -X POST -d '{"code":"Throttling","rate":0.3,"seed":13}' "$endpoint/_lab/faults" >/dev/null
start=$(date +%s%N)
set +e
"$rdsctl" policy check -f "$work/policy.yaml" --regions "$regions_csv" -o json >"$work/throttled.json" 2>/dev/null
rc_t=$?
set -e
end=$(date +%s%N)
curl -fsS -X DELETE "$endpoint/_lab/faults" >/dev/null
t_throttled=$(python3 -c "print(($end - $start) / 1e9)")
n_throttled=$(grep -c '"code":"Throttling"' "$lab_dir/requests.jsonl" || true)
if [ "$rc_t" != 3 ] || ! cmp -s "$work/rdsctl.json" "$work/throttled.json"; then
  echo "bench: under 30% throttling rdsctl exited $rc_t and its findings differ from the unthrottled run's" >&2
  diff "$work/rdsctl.json" "$work/throttled.json" | head -20 >&2
  exit 1
fi

# The AWS CLI loop reads the same: the groups, then each one's user-set
# parameters (the check itself left to the reader).
echo "bench: timing the AWS CLI loop over $GROUPS_N groups (this takes a while)" >&2
start=$(date +%s%N)
names=""
for r in "${regions[@]}"; do
  for g in $(aws --endpoint-url "$endpoint" --region "$r" rds describe-db-parameter-groups \
    --query 'DBParameterGroups[?starts_with(DBParameterGroupName, `fleet-`)].DBParameterGroupName' --output text); do
    names="$names $r/$g"
  done
done
n_names=$(echo "$names" | wc -w)
if [ "$n_names" != "$GROUPS_N" ]; then
  echo "bench: the AWS CLI listed $n_names groups, want $GROUPS_N" >&2
  exit 1
fi
listed=$(date +%s%N)
sample=${AWS_SAMPLE:-$GROUPS_N}
n_aws=0
for rg in $names; do
  [ "$n_aws" -ge "$sample" ] && break
  aws --endpoint-url "$endpoint" --region "${rg%%/*}" rds describe-db-parameters --db-parameter-group-name "${rg#*/}" --source user >/dev/null
  n_aws=$((n_aws + 1))
done
end=$(date +%s%N)
# Scaled to every group when sampled: the listing once, the per-group
# calls in proportion.
t_aws=$(python3 -c "print(($listed - $start) / 1e9 + ($end - $listed) / 1e9 * $GROUPS_N / $n_aws)")
if [ "$n_aws" != "$GROUPS_N" ]; then
  echo "bench: AWS CLI loop timed over $n_aws of $GROUPS_N groups and scaled up (AWS_SAMPLE)" >&2
fi

python3 - "$t_rdsctl" "$t_aws" "$GROUPS_N" "$n_bad" "$n_aws" "$regions_csv" "$t_throttled" "$n_throttled" <<'PY'
import sys
t_r, t_a, n, bad, sampled, regions = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
t_t, n_t = float(sys.argv[7]), sys.argv[8]
ratio = t_a / t_r
print(f"policy check over {n} parameter groups ({bad} violating) in {regions}, 4 rules")
print(f"  rdsctl policy check: {t_r:8.2f} s (target < 5 s)")
print(f"  under 30% throttling:{t_t:8.2f} s, same findings ({n_t} calls throttled and retried)")
note = "" if sampled == n else f" (timed over {sampled} groups, scaled to {n})"
print(f"  aws cli loop:        {t_a:8.2f} s{note}")
print(f"  ratio:               {ratio:8.1f}x faster (target >= 30x)")
ok = t_r < 5 and ratio >= 30
print("  result:              " + ("PASS" if ok else "FAIL"))
sys.exit(0 if ok else 1)
PY
