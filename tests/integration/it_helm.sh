#!/usr/bin/env bash
# The Helm chart (helm/paxflow): lints and renders with the default values and with every option on
# (tests/data/helm/values-full.yaml), checks the rendered manifests for what operating paxflow
# relies on, and checks that helm rejects values that the schema or the templates forbid.
# Needs no cluster and no broker; helm comes from scripts/helm.sh (built once, then cached).
# Usage: tests/integration/it_helm.sh [PATH_TO_PAXFLOW]   (the argument is ignored)
# The checks are single-quoted and eval'ed inside check(), on purpose.
# shellcheck disable=SC2016
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CHART="$ROOT/helm/paxflow"
FULL="$ROOT/tests/data/helm/values-full.yaml"
WORK=$(mktemp -d "/tmp/paxflow-it-helm.XXXXXX")
[ -n "${KEEP_WORK:-}" ] || trap 'rm -rf "$WORK"' EXIT

failures=0
fail() { echo "not ok - $*"; failures=$((failures + 1)); }
pass() { echo "ok - $*"; }
# check DESCRIPTION COMMAND...: ok when the command succeeds.
check() {
  local what=$1; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}

HELM=$("$ROOT/scripts/helm.sh") || { echo "FAIL: scripts/helm.sh could not provide helm" >&2; exit 1; }
pass "helm $("$HELM" version --template '{{.Version}}') from scripts/helm.sh"

# docs KIND FILE: the rendered documents of that kind, separated by '---' lines.
docs() {
  awk -v kind="$1" '
    /^---/ { if (doc ~ "\nkind: " kind "\n") printf "%s---\n", doc; doc = "\n"; next }
    { doc = doc $0 "\n" }
    END { if (doc ~ "\nkind: " kind "\n") printf "%s---\n", doc }' "$2"
}
count() { docs "$1" "$2" | grep -c "^kind: $1\$" || true; }
has() { grep -qE -- "$2" <<< "$1"; }   # has TEXT REGEX
lacks() { ! grep -qE -- "$2" <<< "$1"; }

# --- lint --------------------------------------------------------------------------------------
check "helm lint --strict, default values" "$HELM" lint --strict --quiet "$CHART"
check "helm lint --strict, values-full.yaml" "$HELM" lint --strict --quiet "$CHART" -f "$FULL"

# --- default render ----------------------------------------------------------------------------
"$HELM" template px "$CHART" --namespace screening > "$WORK/default.yaml" \
  || { echo "FAIL: helm template with the default values" >&2; exit 1; }
pass "helm template, default values"
D="$WORK/default.yaml"
sts=$(docs StatefulSet "$D"); cm=$(docs ConfigMap "$D")

check "default: one StatefulSet" [ "$(count StatefulSet "$D")" = 1 ]
check "default: volumeClaimTemplates for the state, mounted at state.dir" \
  eval 'has "$sts" "^  volumeClaimTemplates:" && has "$sts" "^        name: state$" &&
        has "$sts" "- name: state" && has "$sts" "mountPath: /var/lib/paxflow/state$" &&
        has "$cm" "^    state.dir = /var/lib/paxflow/state$"'
check "default: podManagementPolicy Parallel, 3 replicas, headless serviceName" \
  eval 'has "$sts" "^  podManagementPolicy: Parallel$" && has "$sts" "^  replicas: 3$" &&
        has "$sts" "^  serviceName: px-paxflow-headless$"'
check "default: group.instance.id from POD_NAME (downward API metadata.name)" \
  eval 'has "$sts" "^            - group.instance.id=\\\$\(POD_NAME\)$" &&
        grep -A3 -- "- name: POD_NAME$" <<< "$sts" | grep -q "fieldPath: metadata.name"'
check "default: worker runs with --config from the ConfigMap" \
  eval 'has "$sts" "^            - run$" && has "$sts" "^            - --config$" &&
        has "$sts" "/etc/paxflow/config/paxflow.conf" && has "$sts" "name: px-paxflow-config$"'
check "default: liveness GET /livez, readiness GET /readyz on the metrics port 9464" \
  eval 'grep -A3 "livenessProbe:" <<< "$sts" | grep -q "path: /livez" &&
        grep -A3 "readinessProbe:" <<< "$sts" | grep -q "path: /readyz" &&
        has "$sts" "containerPort: 9464$" && has "$sts" "port: metrics$"'
check "default: non-root, read-only root fs, no privilege escalation, capabilities drop ALL" \
  eval 'has "$sts" "runAsNonRoot: true" && has "$sts" "readOnlyRootFilesystem: true" &&
        has "$sts" "allowPrivilegeEscalation: false" && grep -A1 "drop:" <<< "$sts" | grep -q -- "- ALL"'
check "default: resources set" eval 'has "$sts" "^          resources:$" && has "$sts" "memory: 2Gi"'
check "default: PodDisruptionBudget with maxUnavailable 1" \
  eval '[ "$(count PodDisruptionBudget "$D")" = 1 ] && docs PodDisruptionBudget "$D" | grep -q "^  maxUnavailable: 1$"'
check "default: headless Service and metrics Service" \
  eval 'docs Service "$D" | grep -q "clusterIP: None" && docs Service "$D" | grep -q "name: px-paxflow-metrics$"'
check "default: pseudonymisation key mounted from Secret px-paxflow-key, secret.file points at it" \
  eval 'has "$sts" "secretName: px-paxflow-key$" && has "$cm" "^    secret.file = /etc/paxflow/secret/secret$"'
check "default: no Secret created (no default key in values)" [ "$(count Secret "$D")" = 0 ]
check "default: no ScaledObject" [ "$(count ScaledObject "$D")" = 0 ]
check "default: no ServiceMonitor" [ "$(count ServiceMonitor "$D")" = 0 ]
# conf TEXT: the lines of paxflow.conf in a rendered ConfigMap, without comments.
conf() { awk '/^  paxflow.conf: \|$/ { on = 1; next } on && /^(  [^ ]|---)/ { on = 0 } on && !/^    #/' <<< "$1"; }
# The settings `paxflow run` accepts, from its own --help (the table in workers/config.c).
if [ -x "${1:-}" ]; then
  keys=$("$1" run --help | sed -n 's/^  --\([a-z][a-z0-9.]*\) .*/\1/p' | sed 's/\./\\./g' | paste -sd'|')
else
  keys='brokers|topic\.prefix|group\.id|state\.dir|secret\.file|alert\.band|processing\.guarantee|commit\.interval\.ms|history\.retention\.days|store\.cache\.mb|max\.message\.bytes|log\.level'
fi
check "default: config keys are settings of paxflow run" \
  eval '[ "$(conf "$cm" | wc -l)" -ge 12 ] && ! conf "$cm" | grep -vE "^    ($keys|kafka\.[a-z0-9._]+) = [^ ]" | grep -q .'
check "default: integers printed as integers (max.message.bytes = 1048576)" \
  has "$cm" "^    max.message.bytes = 1048576$"

# --- full render -------------------------------------------------------------------------------
"$HELM" template px "$CHART" --namespace screening -f "$FULL" > "$WORK/full.yaml" \
  || { echo "FAIL: helm template with values-full.yaml" >&2; exit 1; }
pass "helm template, values-full.yaml"
F="$WORK/full.yaml"
sts=$(docs StatefulSet "$F"); cm=$(docs ConfigMap "$F"); so=$(docs ScaledObject "$F")
partitions=$(awk '/^partitions:/ { print $2 }' "$FULL")
max=$(sed -n 's/^  maxReplicaCount: \([0-9]*\)$/\1/p' <<< "$so")

check "full: one ScaledObject (keda.sh/v1alpha1) on the StatefulSet" \
  eval '[ "$(count ScaledObject "$F")" = 1 ] && has "$so" "^apiVersion: keda.sh/v1alpha1$" &&
        grep -A2 "scaleTargetRef:" <<< "$so" | grep -q "kind: StatefulSet"'
check "full: maxReplicaCount ($max) <= partitions ($partitions), capped from keda.maxReplicas 24" \
  eval '[ -n "$max" ] && [ "$max" -le "$partitions" ] && [ "$max" = "$partitions" ]'
check "full: kafka triggers on the group's lag on both event topics" \
  eval '[ "$(grep -c "type: kafka" <<< "$so")" = 2 ] && has "$so" "consumerGroup: \"hub1-screening\"" &&
        has "$so" "topic: \"hub1.events.api\"" && has "$so" "topic: \"hub1.events.pnr\""'
check "full: KEDA TriggerAuthentication from the TLS and SASL Secrets" \
  eval '[ "$(count TriggerAuthentication "$F")" = 1 ] && has "$so" "name: px-paxflow-kafka$"'
check "full: StatefulSet leaves replicas to KEDA" lacks "$sts" "^  replicas:"
check "full: one ServiceMonitor on the metrics port" \
  eval '[ "$(count ServiceMonitor "$F")" = 1 ] && docs ServiceMonitor "$F" | grep -q "port: metrics" &&
        docs ServiceMonitor "$F" | grep -q "release: kube-prometheus-stack"'
check "full: TLS Secret mounted, ssl.*.location point into it, security.protocol SASL_SSL" \
  eval 'has "$sts" "secretName: hub1-kafka-client-tls$" && has "$sts" "mountPath: /etc/paxflow/tls$" &&
        has "$cm" "^    kafka.ssl.ca.location = /etc/paxflow/tls/ca.crt$" &&
        has "$cm" "^    kafka.ssl.key.location = /etc/paxflow/tls/tls.key$" &&
        has "$cm" "^    kafka.security.protocol = SASL_SSL$" && has "$cm" "^    kafka.sasl.mechanism = SCRAM-SHA-512$"'
check "full: SASL credentials from the Secret via env, passed as -X flags" \
  eval 'has "$sts" "- sasl.username=\\\$\(KAFKA_SASL_USERNAME\)$" && has "$sts" "- sasl.password=\\\$\(KAFKA_SASL_PASSWORD\)$" &&
        grep -A4 "name: KAFKA_SASL_PASSWORD$" <<< "$sts" | grep -q "name: hub1-kafka-scram$" &&
        has "$sts" "- ssl.key.password=\\\$\(KAFKA_SSL_KEY_PASSWORD\)$"'
check "full: kafka map as kafka.<name> lines" \
  eval 'has "$cm" "^    kafka.client.id = paxflow-hub1$" && has "$cm" "^    kafka.fetch.max.bytes = 52428800$"'
check "full: rules in the ConfigMap, mounted, path in PAXFLOW_RULES_FILE" \
  eval 'has "$cm" "^  rules.pfr: \|$" && has "$sts" "mountPath: /etc/paxflow/rules$" &&
        grep -A1 "name: PAXFLOW_RULES_FILE$" <<< "$sts" | grep -q "/etc/paxflow/rules/rules.pfr"'
check "full: pseudonymisation key from the existing Secret" \
  eval 'has "$sts" "secretName: hub1-paxflow-key$" && has "$cm" "secret.file = /etc/paxflow/secret/pseudonymisation.key$" &&
        [ "$(count Secret "$F")" = 0 ]'

# --- secrets never land in a ConfigMap ---------------------------------------------------------
# Secret values given to the chart (which then creates the Secrets) must appear only base64-encoded
# in Secret objects: never in a ConfigMap, never in plain text anywhere.
KEY=key-sentinel-0123456789abcdef
SASL_USER=user-sentinel-4711
PASS=pass-sentinel-0815
"$HELM" template px "$CHART" --set sasl.enabled=true --set "secret.value=$KEY" \
  --set "sasl.username=$SASL_USER" --set "sasl.password=$PASS" > "$WORK/secrets.yaml"
S="$WORK/secrets.yaml"
check "secrets: chart-created key and SASL Secrets render" [ "$(count Secret "$S")" = 2 ]
check "secrets: no secret value in plain text anywhere" \
  eval '! grep -qE "$KEY|$SASL_USER|$PASS" "$S"'
check "secrets: no secret value (plain or base64) in any ConfigMap" \
  eval '! docs ConfigMap "$S" | grep -qE "$KEY|$SASL_USER|$PASS|$(printf %s "$KEY" | base64 -w0)|$(printf %s "$PASS" | base64 -w0)"'
check "secrets: no credential setting in any ConfigMap (full and secrets renders)" \
  eval '! cat "$F" "$S" | docs ConfigMap /dev/stdin | grep -qiE "password|sasl\.username|jaas|\.pem ="'

# --- rejected values ---------------------------------------------------------------------------
# reject WHAT PATTERN VALUES-YAML [schema]: helm template must fail, naming the problem; for
# schema errors helm lint must fail too. (helm lint only logs a template's `fail` as INFO, by
# design, so the cross-value checks of _helpers.tpl are seen by template/install/upgrade only.)
reject() {
  local what=$1 pattern=$2 kind=${4:-template} f="$WORK/bad-$RANDOM.yaml"
  printf '%s\n' "$3" > "$f"
  if "$HELM" template px "$CHART" -f "$f" > "$WORK/out" 2> "$WORK/err"; then
    fail "rejects $what (helm template accepted it)"; return
  fi
  if ! grep -qiE -- "$pattern" "$WORK/err"; then
    fail "rejects $what (error does not match /$pattern/: $(head -c 300 "$WORK/err"))"; return
  fi
  if [ "$kind" = schema ] && "$HELM" lint --quiet "$CHART" -f "$f" > /dev/null 2>&1; then
    fail "rejects $what (helm lint accepted it)"; return
  fi
  pass "rejects $what"
}
reject "config.alert.band: FOO (schema enum)" "alert.band" $'config:\n  alert.band: FOO' schema
reject "config.log.level: verbose (schema enum)" "log.level" $'config:\n  log.level: verbose' schema
reject "config.commit.interval.ms: 0 (schema range)" "commit.interval.ms" $'config:\n  commit.interval.ms: 0' schema
reject "config.store.cache.mb: \"64\" (schema type)" "store.cache.mb" $'config:\n  store.cache.mb: "64"' schema
reject "an unknown config key (additionalProperties)" "state.dir|additional" $'config:\n  state.dir: /data' schema
reject "an unknown top-level value (additionalProperties)" "replica|additional" 'replica: 2' schema
reject "an empty image.repository" "repository" $'image:\n  repository: ""' schema
reject "a password in the kafka map" "kafka|password|propertyNames|not" $'kafka:\n  sasl.password: hunter2' schema
reject "a secret.value shorter than 16 bytes" "secret|value|length" $'secret:\n  value: short' schema
reject "metrics.port below 1024 (non-root)" "metrics|port|minimum" $'metrics:\n  port: 80' schema
reject "securityContext.readOnlyRootFilesystem: false" "readOnlyRootFilesystem" \
  $'securityContext:\n  readOnlyRootFilesystem: false' schema
reject "replicas above partitions with KEDA (template fail)" "replicas \(13\) must not exceed partitions \(12\)" \
  $'partitions: 12\nreplicas: 13\nkeda:\n  enabled: true'
reject "keda.minReplicas above partitions (template fail)" "keda.minReplicas \(8\) must not exceed partitions \(6\)" \
  $'keda:\n  enabled: true\n  minReplicas: 8\n  maxReplicas: 10'
reject "replicas above partitions without KEDA (template fail)" "must not exceed partitions" 'replicas: 7'
reject "tls.enabled without tls.existingSecret (template fail)" "tls.existingSecret" $'tls:\n  enabled: true'
reject "sasl.enabled without credentials (template fail)" "sasl.existingSecret" $'sasl:\n  enabled: true'

if [ "$failures" -ne 0 ]; then
  echo "FAIL: $failures helm check(s) failed (KEEP_WORK=1 keeps $WORK)" >&2
  exit 1
fi
echo "all helm checks passed"
