#!/usr/bin/env bash
# bench/params_show.sh times `rdsctl params show G --source all -o json`
# against the AWS CLI's `aws rds describe-db-parameters` (which pages
# through the same ~570 parameters) on a throw-away control-plane lab, and
# measures rdsctl's peak RSS. Targets: rdsctl at least 10x faster, under
# 40 MB. It exits 1 when a target is missed.
#
#   bench/params_show.sh            # N=20 runs each
#   N=50 bench/params_show.sh
#   RDSCTL=/path/to/rdsctl bench/params_show.sh   # skip the build
#
# Uses hyperfine when installed (apt-get install -y hyperfine), a bash
# loop otherwise; /usr/bin/time (apt package "time") for the memory.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-20}
GROUP=bench-params
work=$(mktemp -d)
lab_dir="$work/lab"

rdsctl=${RDSCTL:-}
if [ -z "$rdsctl" ]; then
  rdsctl="$work/rdsctl"
  go build -o "$rdsctl" ./cmd/rdsctl
fi
command -v aws >/dev/null || { echo "bench: the AWS CLI (aws) is required" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is required (apt-get install -y time)" >&2; exit 1; }

cleanup() {
  "$rdsctl" lab down --dir "$lab_dir" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

endpoint=$("$rdsctl" lab up --detach --port 0 --no-engine --dir "$lab_dir" 2>/dev/null | head -n1)
# Only the lab: no profile, no config file, no instance metadata.
export AWS_ENDPOINT_URL_RDS="$endpoint" AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 \
  AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_CONFIG_FILE=/dev/null \
  AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true AWS_PAGER= AWS_DEFAULT_OUTPUT=json

"$rdsctl" params create "$GROUP" --family mariadb10.11 >/dev/null 2>&1
"$rdsctl" params set "$GROUP" wait_timeout=300 interactive_timeout=300 max_connections=500 \
  slow_query_log=1 innodb_log_buffer_size=33554432 --yes >/dev/null 2>&1

rdsctl_cmd="$rdsctl params show $GROUP --source all -o json"
aws_cmd="aws --endpoint-url $endpoint rds describe-db-parameters --db-parameter-group-name $GROUP"

# Both must describe the same parameters, or the comparison means nothing.
n_rdsctl=$($rdsctl_cmd | grep -c '"name":')
n_aws=$($aws_cmd | grep -c '"ParameterName":')
if [ "$n_rdsctl" != "$n_aws" ] || [ "$n_rdsctl" -lt 100 ]; then
  echo "bench: rdsctl shows $n_rdsctl parameters, the AWS CLI $n_aws" >&2
  exit 1
fi

# mean_seconds CMD prints the mean wall time of N runs of CMD.
mean_seconds() {
  local start end i
  start=$(date +%s%N)
  for ((i = 0; i < N; i++)); do $1 >/dev/null; done
  end=$(date +%s%N)
  echo "scale=6; ($end - $start) / $N / 1000000000" | bc -l 2>/dev/null ||
    python3 -c "print(($end - $start) / $N / 1e9)"
}

if command -v hyperfine >/dev/null; then
  hyperfine --warmup 2 --runs "$N" --export-json "$work/h.json" -N "$rdsctl_cmd" "$aws_cmd" >&2
  read -r t_rdsctl t_aws < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(r[0]["mean"], r[1]["mean"])' "$work/h.json")
else
  echo "bench: hyperfine not found; timing $N runs with a bash loop" >&2
  $rdsctl_cmd >/dev/null; $aws_cmd >/dev/null # warm up
  t_rdsctl=$(mean_seconds "$rdsctl_cmd")
  t_aws=$(mean_seconds "$aws_cmd")
fi

rss_kb=$(/usr/bin/time -v $rdsctl_cmd 2>&1 >/dev/null | awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}')

python3 - "$t_rdsctl" "$t_aws" "$rss_kb" "$n_rdsctl" "$N" <<'PY'
import sys
t_r, t_a, rss_kb, n, runs = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
ratio = t_a / t_r
mb = rss_kb / 1024
print(f"params show --source all -o json ({n} parameters, {runs} runs each)")
print(f"  rdsctl:   {t_r*1000:8.1f} ms mean")
print(f"  aws cli:  {t_a*1000:8.1f} ms mean")
print(f"  ratio:    {ratio:8.1f}x faster (target >= 10x)")
print(f"  peak RSS: {mb:8.1f} MB (target < 40 MB)")
ok = ratio >= 10 and mb < 40
print("  result:   " + ("PASS" if ok else "FAIL"))
sys.exit(0 if ok else 1)
PY
