#!/usr/bin/env bash
# One client reading a cached blob from Wharf's plain listener against its TLS listener with each TLS provider (same
# run: one Wharf on BoringSSL, one on the JDK's TLS with -Dio.netty.handler.ssl.noOpenSsl=true), over HTTP/1.1 and, on
# BoringSSL, HTTP/2; on 127.0.0.1 only; the upstream is the CNCF distribution registry holding one random blob.
# Usage: bench/tls.sh                 512 MiB blob, 3 runs of each
#        BENCH_QUICK=1 bench/tls.sh   64 MiB blob
# Optional: BENCH_RUNS (default 3), WHARF_JAR (default proxy/target/wharf.jar, built when missing), WHARF_JAVA_OPTS
# (default -Xmx256m).
# Rows: T1. curl of the cached blob, wall seconds and MiB/s, plain (sendfile) and TLS 1.3 AES-GCM (the file read a chunk
# ahead on a storage worker) by the JDK and by BoringSSL, and HTTP/2 on BoringSSL; T2. Wharf's CPU seconds per read.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
JAR=${WHARF_JAR:-$ROOT/proxy/target/wharf.jar}
RUNS=${BENCH_RUNS:-3}
WHARF_JAVA_OPTS=${WHARF_JAVA_OPTS--Xmx256m}
if [[ ${BENCH_QUICK:-0} == 1 ]]; then BIG_MIB=64; else BIG_MIB=512; fi
STARTED=$(date +%s)

log() { printf '[%4ss] %s\n' "$(($(date +%s) - STARTED))" "$*" >&2; }
lib() { python3 "$HERE/lib.py" "$@"; }
cpu() { python3 -c "import sys; sys.path.insert(0, '$HERE'); import lib; print(lib.cpu_seconds($1))"; }

for pkg in docker-registry curl; do
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

TMP=$(mktemp -d /tmp/wharf-tls-bench.XXXXXX)
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
    [[ $(curl -sk -o /dev/null -w '%{http_code}' "$1" || true) != 000 ]] && return 0
    kill -0 "${PID[$2]}" 2>/dev/null || { echo "$2 exited; log:" >&2; tail -20 "$TMP/$2.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "$2 did not answer at $1" >&2
  exit 1
}

read -r UPORT WPORT TPORT APORT JWPORT JTPORT JAPORT <<<"$(lib freeports 7)"
U=http://127.0.0.1:$UPORT W=http://127.0.0.1:$WPORT T=https://127.0.0.1:$TPORT JT=https://127.0.0.1:$JTPORT

cat >"$TMP/upstream.yml" <<EOF
version: 0.1
log: {level: warn, accesslog: {disabled: false}}
storage: {filesystem: {rootdirectory: $TMP/upstream-data}}
http: {addr: 127.0.0.1:$UPORT}
EOF
docker-registry serve "$TMP/upstream.yml" >>"$TMP/upstream.log" 2>&1 &
PID[upstream]=$!
wait_http "$U/v2/" upstream

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

start_wharf() { # name listen tlsListen adminListen java-options...
  local name=$1 listen=$2 tls=$3 admin=$4
  shift 4
  cat >"$TMP/$name.yaml" <<EOF
listen: 127.0.0.1:$listen
tlsListen: 127.0.0.1:$tls
tls: {selfSigned: true}
adminListen: 127.0.0.1:$admin
storage: {path: $TMP/$name-data}
defaultUpstream: upstream
upstreams: [{name: upstream, url: "$U"}]
EOF
  # shellcheck disable=SC2086 # the options are several words
  java $WHARF_JAVA_OPTS "$@" -jar "$JAR" serve --config "$TMP/$name.yaml" >>"$TMP/$name.log" 2>&1 &
  PID[$name]=$!
  wait_http "http://127.0.0.1:$listen/v2/" "$name"
  log "$name: $(grep -o 'TLS on [^ ]*: [A-Za-z]* provider[^"]*' "$TMP/$name.log" | head -1)"
  log "$name: filling the cache"
  curl -sSf -o /dev/null "http://127.0.0.1:$listen/v2/bench/big/blobs/$BIG"
}
start_wharf wharf "$WPORT" "$TPORT" "$APORT"
start_wharf wharf-jdk "$JWPORT" "$JTPORT" "$JAPORT" -Dio.netty.handler.ssl.noOpenSsl=true
grep -q 'OpenSSL provider' "$TMP/wharf.log" || { echo "wharf did not load BoringSSL" >&2; exit 1; }
grep -q 'JDK provider' "$TMP/wharf-jdk.log" || { echo "wharf-jdk is not on the JDK's TLS" >&2; exit 1; }

MODES="plain jdk openssl h2"
declare -A URL=([plain]=$W [jdk]=$JT [openssl]=$T [h2]=$T)
declare -A SERVER=([plain]=wharf [jdk]=wharf-jdk [openssl]=wharf [h2]=wharf)
declare -A PROTO=([plain]=--http1.1 [jdk]=--http1.1 [openssl]=--http1.1 [h2]=--http2)
declare -A VALUES=()
add() { VALUES[$1]="${VALUES[$1]:-} $2"; }
for ((r = 0; r < RUNS; r++)); do
  # A different order each run, so that no mode always follows the same one.
  read -r -a order <<<"$MODES"
  order=("${order[@]:r%4}" "${order[@]:0:r%4}")
  for mode in "${order[@]}"; do
    pid=${PID[${SERVER[$mode]}]}
    before=$(cpu "$pid")
    out=$(curl -sSk "${PROTO[$mode]}" -o /dev/null -w '%{http_code} %{size_download} %{http_version} %{time_total}' \
      "${URL[$mode]}/v2/bench/big/blobs/$BIG")
    after=$(cpu "$pid")
    read -r code size version seconds <<<"$out"
    [[ "$code $size" == "200 $SIZE" ]] || { echo "$mode read failed: $out" >&2; exit 1; }
    [[ $mode != h2 || $version == 2 ]] || { echo "the h2 read used HTTP/$version" >&2; exit 1; }
    log "run $((r + 1))/$RUNS $mode (HTTP/$version): $seconds s"
    add "time_$mode" "$seconds"
    add "cpu_$mode" "$(python3 -c "print(f'{$after-$before:.2f}')")"
  done
done
gets=$(grep -c "\"GET /v2/bench/big/blobs/$BIG " "$TMP/upstream.log" || true)

median() { python3 -c 'import statistics,sys; print(f"{statistics.median(map(float, sys.argv[1:])):.2f}")' "$@"; }
# shellcheck disable=SC2086 # the values are several words
{
  echo "## A cached blob over plain HTTP and over TLS (JDK, BoringSSL), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "Loopback only, $(nproc) cores; ${BIG_MIB} MiB blob; $RUNS runs each (medians; raw values in run order);"
  echo "WHARF_JAVA_OPTS: ${WHARF_JAVA_OPTS:-(none)}; upstream GETs of the blob: $gets (one per Wharf)."
  echo
  echo "| measurement | plain | TLS, JDK | TLS, BoringSSL | HTTP/2, BoringSSL |"
  echo "|---|---:|---:|---:|---:|"
  row=() mibs=() cpus=()
  for mode in $MODES; do
    t=$(median ${VALUES[time_$mode]})
    row+=("$t")
    mibs+=("$(python3 -c "print(f'{$BIG_MIB/$t:.0f}')")")
    cpus+=("$(median ${VALUES[cpu_$mode]})")
  done
  echo "| T1. one client reads the cached blob (s) | ${row[0]} | ${row[1]} | ${row[2]} | ${row[3]} |"
  echo "| T1. the same in MiB/s | ${mibs[0]} | ${mibs[1]} | ${mibs[2]} | ${mibs[3]} |"
  echo "| T2. Wharf CPU seconds per read | ${cpus[0]} | ${cpus[1]} | ${cpus[2]} | ${cpus[3]} |"
  echo
  for mode in $MODES; do echo "raw $mode: seconds${VALUES[time_$mode]}; CPU${VALUES[cpu_$mode]}"; done
  echo
  echo "Total time: $(($(date +%s) - STARTED)) s"
}
