#!/usr/bin/env bash
# Provides a helm v3 binary for the chart tests and prints its path on stdout (progress on stderr).
# helm is built from the Go module proxy (`go install helm.sh/helm/v3/cmd/helm@VERSION`, needs Go);
# the build happens once and is cached in ${PAXFLOW_CACHE:-$HOME/.cache/paxflow}/helm-VERSION/helm.
# Usage: scripts/helm.sh            # path of the cached (or freshly built) helm
#        PAXFLOW_HELM_VERSION=v3.19.0 scripts/helm.sh
# A helm already on PATH is not used: the chart is tested against one pinned version.
set -euo pipefail
version=${PAXFLOW_HELM_VERSION:-v3.22.0}
cache=${PAXFLOW_CACHE:-$HOME/.cache/paxflow}
dir="$cache/helm-$version"
bin="$dir/helm"

if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "helm.sh: Go is needed to build helm $version (apt-get install golang-go, or Go >= 1.24)" >&2
  exit 1
fi

mkdir -p "$dir"
tmp=$(mktemp -d "$dir/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
echo "helm.sh: building helm $version from the Go module proxy (once; a few minutes)..." >&2
# GOWORK=off and our own GOFLAGS: no go.work or flags of the caller; CGO off: a static binary.
if ! GOBIN="$tmp" CGO_ENABLED=0 GOFLAGS="-buildvcs=false" GOWORK=off \
     go install -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$version" \
     "helm.sh/helm/v3/cmd/helm@$version" </dev/null >&2; then
  echo "helm.sh: go install helm.sh/helm/v3/cmd/helm@$version failed" >&2
  exit 1
fi
mv -f "$tmp/helm" "$bin"
echo "helm.sh: built $bin in $(( $(date +%s) - start )) s" >&2
echo "$bin"
