#!/usr/bin/env bash
# The resident memory of wharf export and wharf import, each its own JVM as bin/wharf runs it, on 127.0.0.1 only: the
# upstream is the CNCF distribution registry holding an image with one random layer of BIG_MIB MiB and a tiny image.
# Usage: bench/bundle.sh                 512 MiB layer
#        BENCH_QUICK=1 bench/bundle.sh   64 MiB layer
# Optional: WHARF_JAR (default proxy/target/wharf.jar, built when missing), WHARF_JAVA_OPTS (default -Xmx256m).
# For each command, the peak resident memory (VmHWM, MiB) of the process with the large image and with the tiny one
# (the command's idle cost: the JVM, the storage and index opened); the difference is what the bundle's size costs.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
JAR=${WHARF_JAR:-$ROOT/proxy/target/wharf.jar}
WHARF_JAVA_OPTS=${WHARF_JAVA_OPTS--Xmx256m}
if [[ ${BENCH_QUICK:-0} == 1 ]]; then BIG_MIB=64; else BIG_MIB=512; fi
STARTED=$(date +%s)

log() { printf '[%4ss] %s\n' "$(($(date +%s) - STARTED))" "$*" >&2; }

for pkg in docker-registry curl python3; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || {
    log "installing $pkg"
    sudo=
    [[ $(id -u) == 0 ]] || sudo=sudo
    $sudo apt-get install -y -qq "$pkg" >/dev/null
  }
done
if [[ ! -f $JAR ]]; then
  log "building $JAR"
  (cd "$ROOT" && mvn -B -q package -DskipTests)
fi

TMP=$(mktemp -d /tmp/wharf-bundle-bench.XXXXXX)
REGISTRY_PID=
cleanup() {
  if [[ -n $REGISTRY_PID ]]; then
    kill -TERM "$REGISTRY_PID" 2>/dev/null || true
    wait "$REGISTRY_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$TMP/registry.yml" <<EOF
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $TMP/registry}}
http: {addr: 127.0.0.1:$PORT}
EOF
docker-registry serve "$TMP/registry.yml" >"$TMP/registry.log" 2>&1 &
REGISTRY_PID=$!
R=http://127.0.0.1:$PORT
for _ in $(seq 50); do curl -fs "$R/v2/" >/dev/null && break; sleep 0.1; done

push_blob() { # REPO FILE: prints the digest
  local digest location
  digest=sha256:$(sha256sum "$2" | cut -d' ' -f1)
  location=$(curl -fsS -D - -o /dev/null -X POST "$R/v2/$1/blobs/uploads/" | tr -d '\r' | awk 'tolower($1)=="location:" {print $2}')
  [[ $location == http* ]] || location=$R$location
  curl -fsS -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' --data-binary @"$2" "$location&digest=$digest"
  echo "$digest"
}
push_image() { # REPO TAG LAYER_FILE
  local layer config file=$TMP/${1//\//-}
  layer=$(push_blob "$1" "$3")
  printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["%s"]}}' "$layer" >"$file.config"
  config=$(push_blob "$1" "$file.config")
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":%d,"digest":"%s"},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","size":%d,"digest":"%s"}]}' \
    "$(stat -c %s "$file.config")" "$config" "$(stat -c %s "$3")" "$layer" >"$file.manifest"
  curl -fsS -o /dev/null -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
    --data-binary @"$file.manifest" "$R/v2/$1/manifests/$2"
}
log "pushing a $BIG_MIB MiB layer and a tiny one"
head -c "${BIG_MIB}M" /dev/urandom >"$TMP/big.layer"
head -c 4096 /dev/urandom >"$TMP/tiny.layer"
push_image big/app 1 "$TMP/big.layer"
push_image tiny/app 1 "$TMP/tiny.layer"
rm -f "$TMP/big.layer"

# Runs wharf ARGS... and prints its peak resident memory in MiB (VmHWM, read every 50 ms until it exits).
peak() {
  python3 - "$@" <<'EOF'
import subprocess, sys, time
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
peak = 0
while proc.poll() is None:
    try:
        with open(f"/proc/{proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
    except FileNotFoundError:
        pass
    time.sleep(0.05)
if proc.returncode != 0:
    sys.exit(f"{sys.argv[1:]} exited {proc.returncode}: {proc.stderr.read()}")
print(f"{peak / 1024:.0f}")
EOF
}
wharf() { # prints the peak MiB of java -jar wharf.jar ARGS...
  # shellcheck disable=SC2086
  peak java $WHARF_JAVA_OPTS -jar "$JAR" "$@"
}
site() { # NAME OFFLINE: writes a config file for a site and prints its path
  printf 'storage:\n  path: %s\ndefaultUpstream: up.test\nupstreams:\n  - name: up.test\n    url: %s\noffline: %s\n' \
    "$TMP/$1" "$R" "$2" >"$TMP/$1.yaml"
  echo "$TMP/$1.yaml"
}

declare -A MIB=()
for size in tiny big; do
  a=$(site "a-$size" false)
  b=$(site "b-$size" true)
  log "$size: export (fetching through the cache first), export again (cached), import"
  MIB[export-cold-$size]=$(wharf export --config "$a" --out "$TMP/$size.tar" --image "up.test/$size/app:1")
  MIB[export-$size]=$(wharf export --config "$a" --out "$TMP/$size-again.tar" --image "up.test/$size/app:1")
  cmp -s "$TMP/$size.tar" "$TMP/$size-again.tar" || { log "the two exports differ"; exit 1; }
  MIB[import-$size]=$(wharf import "$TMP/$size.tar" --config "$b")
  rm -rf "$TMP/a-$size" "$TMP/b-$size" "$TMP/$size-again.tar"
done

printf '\nWHARF_JAVA_OPTS=%s, layer %d MiB; bundle %s bytes\n\n' "$WHARF_JAVA_OPTS" "$BIG_MIB" "$(stat -c %s "$TMP/big.tar")"
printf '| command | peak RSS, tiny image (MiB) | peak RSS, %d MiB layer (MiB) | difference (MiB) |\n|---|---|---|---|\n' "$BIG_MIB"
for cmd in export-cold export import; do
  printf '| %s | %s | %s | %s |\n' "$cmd" "${MIB[$cmd-tiny]}" "${MIB[$cmd-big]}" "$((MIB[$cmd-big] - MIB[$cmd-tiny]))"
done
