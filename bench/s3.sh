#!/usr/bin/env bash
# Wharf on S3 against Wharf on disk, on 127.0.0.1 only: the S3 server is s3proxy (filesystem-backed), the upstream the
# CNCF distribution registry holding one random blob.
# Usage: bench/s3.sh                 512 MiB blob, 3 runs
#        BENCH_QUICK=1 bench/s3.sh   64 MiB blob
# Optional: BENCH_RUNS (default 3), WHARF_JAR (default proxy/target/wharf.jar, built when missing), WHARF_JAVA_OPTS
# (default -Xmx256m), S3PROXY_JAR (default: s3proxy 4.1.0 jar-with-dependencies from the local Maven repository,
# fetched when missing).
# Rows: S1. one client reads the cached blob (curl, wall seconds): from S3 (ranged GETs through Wharf) and from disk
# (sendfile); S1'. the same from S3 with a disk tier (the blob this Wharf filled is kept on local disk); S0. the resident memory of the fresh Wharf (after one /v2/ request); S2. Wharf's peak resident memory
# while 20 clients start at once on the cold blob, filling into S3 and into disk (a fresh Wharf and a fresh key prefix
# each time).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
JAR=${WHARF_JAR:-$ROOT/proxy/target/wharf.jar}
RUNS=${BENCH_RUNS:-3}
CLIENTS=20
WHARF_JAVA_OPTS=${WHARF_JAVA_OPTS--Xmx256m}
S3PROXY_VERSION=4.1.0
S3PROXY_JAR=${S3PROXY_JAR:-$HOME/.m2/repository/org/gaul/s3proxy/$S3PROXY_VERSION/s3proxy-$S3PROXY_VERSION-jar-with-dependencies.jar}
if [[ ${BENCH_QUICK:-0} == 1 ]]; then BIG_MIB=64; else BIG_MIB=512; fi
STARTED=$(date +%s)

log() { printf '[%4ss] %s\n' "$(($(date +%s) - STARTED))" "$*" >&2; }
lib() { python3 "$HERE/lib.py" "$@"; }

for pkg in docker-registry curl; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || {
    log "installing $pkg"
    sudo=
    [[ $(id -u) == 0 ]] || sudo=sudo
    $sudo apt-get install -y -qq "$pkg" >/dev/null
  }
done
if [[ ! -f $S3PROXY_JAR ]]; then
  log "fetching s3proxy $S3PROXY_VERSION"
  mvn -B -q dependency:get -Dartifact="org.gaul:s3proxy:$S3PROXY_VERSION:jar:jar-with-dependencies" -Dtransitive=false
fi
if [[ ! -f $JAR ]]; then
  log "building $JAR"
  (cd "$ROOT" && mvn -B -q package -DskipTests)
fi

TMP=$(mktemp -d /tmp/wharf-s3-bench.XXXXXX)
declare -A PID=()
stop() {
  local pid=${PID[$1]:-} i
  [[ -n $pid ]] || return 0
  unset "PID[$1]"
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  local name
  for name in "${!PID[@]}"; do stop "$name"; done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_http() { # url name
  local i
  for i in $(seq 300); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$1" || true) != 000 ]] && return 0
    kill -0 "${PID[$2]}" 2>/dev/null || { echo "$2 exited; log:" >&2; tail -20 "$TMP/$2.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "$2 did not answer at $1" >&2
  exit 1
}

read -r UPORT SPORT WPORT APORT <<<"$(lib freeports 4)"
U=http://127.0.0.1:$UPORT S=http://127.0.0.1:$SPORT W=http://127.0.0.1:$WPORT

cat >"$TMP/upstream.yml" <<EOF
version: 0.1
log: {level: warn, accesslog: {disabled: false}}
storage: {filesystem: {rootdirectory: $TMP/upstream-data}}
http: {addr: 127.0.0.1:$UPORT}
EOF
docker-registry serve "$TMP/upstream.yml" >>"$TMP/upstream.log" 2>&1 &
PID[upstream]=$!
wait_http "$U/v2/" upstream

mkdir -p "$TMP/s3"
cat >"$TMP/s3proxy.properties" <<EOF
s3proxy.endpoint=$S
s3proxy.authorization=none
s3proxy.ignore-unknown-headers=true
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$TMP/s3
EOF
java -jar "$S3PROXY_JAR" --properties "$TMP/s3proxy.properties" >>"$TMP/s3proxy.log" 2>&1 &
PID[s3proxy]=$!
wait_http "$S/" s3proxy
curl -sSf -o /dev/null -X PUT "$S/wharf-bench"

log "pushing a ${BIG_MIB} MiB random blob"
head -c $((BIG_MIB << 20)) /dev/urandom >"$TMP/big"
BIG=sha256:$(sha256sum "$TMP/big" | cut -d' ' -f1)
loc=$(curl -sSf -X POST -D - -o /dev/null "$U/v2/bench/big/blobs/uploads/" | tr -d '\r' |
  awk 'tolower($1) == "location:" { print $2 }')
[[ $loc == http* ]] || loc=$U$loc
sep='?'
[[ $loc == *\?* ]] && sep='&'
curl -sSf -o /dev/null -X PUT -H 'Expect:' -H 'Content-Type: application/octet-stream' -T "$TMP/big" \
  "$loc${sep}digest=$BIG"
rm "$TMP/big"
SIZE=$((BIG_MIB << 20))

start_wharf() { # store run: a fresh Wharf on disk or on S3 under a prefix of its own
  stop wharf
  rm -rf "$TMP/wharf-data"
  local storage="storage: {path: $TMP/wharf-data}"
  if [[ $1 == s3* ]]; then
    local tier=
    [[ $1 == s3tier ]] && tier=", diskTier: $((2 * BIG_MIB))MiB"
    storage="storage:
  path: $TMP/wharf-data
  s3: {bucket: wharf-bench, prefix: run$2$1/, endpoint: \"$S\", pathStyle: true, accessKeyId: bench, secretAccessKey: bench$tier}"
  fi
  cat >"$TMP/wharf.yaml" <<EOF
listen: 127.0.0.1:$WPORT
adminListen: 127.0.0.1:$APORT
$storage
defaultUpstream: upstream
upstreams: [{name: upstream, url: "$U"}]
EOF
  # shellcheck disable=SC2086 # the options are several words
  java $WHARF_JAVA_OPTS -jar "$JAR" serve --config "$TMP/wharf.yaml" >>"$TMP/wharf.log" 2>&1 &
  PID[wharf]=$!
  wait_http "$W/v2/" wharf
}

declare -A VALUES=()
add() { VALUES[$1]="${VALUES[$1]:-} $2"; }

for ((r = 0; r < RUNS; r++)); do
  order="disk s3 s3tier"
  ((r % 2)) && order="s3tier s3 disk"
  for store in $order; do
    log "run $((r + 1))/$RUNS: $store, $CLIENTS clients on the cold blob"
    start_wharf "$store" "$r"
    curl -sS -o /dev/null "$W/v2/"
    add "idle_$store" "$(python3 -c "import sys; sys.path.insert(0, '$HERE'); import lib; print(f'{lib.proc_kib(${PID[wharf]}, \"VmRSS\") / 1024:.1f}')")"
    out=$(lib rss "${PID[wharf]}" "$W/v2/bench/big/blobs/$BIG" "$SIZE" "$CLIENTS" 0 0)
    add "rss_$store" "${out% *}"
    # The clients had their last byte once the blob verified; the upload (and the disk tier's copy) may still run.
    for i in $(seq 600); do
      [[ -z $(find "$TMP/wharf-data" -name 'blob-*.part' -print -quit) ]] && break
      sleep 0.1
    done
    log "run $((r + 1))/$RUNS: $store, one client on the cached blob"
    out=$(curl -sS -o /dev/null -w '%{http_code} %{size_download} %{time_total}' "$W/v2/bench/big/blobs/$BIG")
    [[ ${out% *} == "200 $SIZE" ]] || { echo "cached read failed: $out" >&2; exit 1; }
    add "cached_$store" "${out##* }"
  done
done
gets=$(grep -c "\"GET /v2/bench/big/blobs/$BIG " "$TMP/upstream.log" || true)

median() { python3 -c 'import statistics,sys; print(f"{statistics.median(map(float, sys.argv[1:])):.2f}")' "$@"; }
# shellcheck disable=SC2086 # the values are several words
{
  echo "## Wharf on S3 (s3proxy $S3PROXY_VERSION, filesystem) against Wharf on disk, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "Loopback only, $(nproc) cores; ${BIG_MIB} MiB blob; $RUNS runs (medians; raw values in run order);"
  echo "WHARF_JAVA_OPTS: ${WHARF_JAVA_OPTS:-(none)}; upstream GETs of the blob over all runs: $gets (one per fill)."
  echo
  echo "| measurement | disk | S3 | S3/disk | raw disk | raw S3 |"
  echo "|---|---:|---:|---|---|---|"
  d=$(median ${VALUES[cached_disk]}) s=$(median ${VALUES[cached_s3]})
  echo "| S1. one client reads the cached blob (s) | $d | $s | $(python3 -c "print(f'{$s/$d:.2f}')") |${VALUES[cached_disk]} |${VALUES[cached_s3]} |"
  s=$(median ${VALUES[cached_s3tier]})
  echo "| S1'. the same, S3 with a disk tier (s) | $d | $s | $(python3 -c "print(f'{$s/$d:.2f}')") |${VALUES[cached_disk]} |${VALUES[cached_s3tier]} |"
  d=$(median ${VALUES[idle_disk]}) s=$(median ${VALUES[idle_s3]})
  echo "| S0. RSS of the fresh Wharf before the clients (MiB) | $d | $s | +$(python3 -c "print(f'{$s-$d:.1f}')") MiB |${VALUES[idle_disk]} |${VALUES[idle_s3]} |"
  d=$(median ${VALUES[rss_disk]}) s=$(median ${VALUES[rss_s3]})
  echo "| S2. peak RSS, $CLIENTS clients on the cold blob (MiB) | $d | $s | +$(python3 -c "print(f'{$s-$d:.1f}')") MiB |${VALUES[rss_disk]} |${VALUES[rss_s3]} |"
  echo
  echo "Total time: $(($(date +%s) - STARTED)) s"
}
