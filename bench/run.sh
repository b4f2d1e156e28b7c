#!/usr/bin/env bash
# Compares Wharf with the CNCF distribution registry in proxy mode and with nginx, all on 127.0.0.1.
# Usage: bench/run.sh            full run (512 MiB + 64 MiB layers, 10 s wrk runs, 3 runs each)
#        BENCH_QUICK=1 bench/run.sh   smaller sizes and shorter runs, to check that everything works
#        BENCH_ROWS="5 6" bench/run.sh  only those rows of the table (1 and 2 run together, as do 3 and 4)
#        (row 9 runs last, on a Wharf of its own; the baseline and the first Wharf are stopped before it)
# Optional: BENCH_RUNS (default 3), BENCH_RSS_RUNS (runs of row 7, default 1),
#           WHARF_JAR (default proxy/target/wharf.jar, built when missing),
#           BENCH_RESULTS (directory for the Markdown report, default bench/results),
#           WHARF_JAVA_OPTS (JVM options for Wharf, default -Xmx256m as the README advises; set it empty for
#           the JVM's defaults).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
JAR=${WHARF_JAR:-$ROOT/proxy/target/wharf.jar}
RESULTS=${BENCH_RESULTS:-$HERE/results}
RUNS=${BENCH_RUNS:-3}
ROWS=" ${BENCH_ROWS:-1 2 3 4 5 6 7 8 9} "
# One run of row 7 by default: its 180 full-speed clients read 90 GiB in full mode (about 1.5 minutes per run on
# 2 cores); three runs would add 3 minutes to a full run that takes about 14 with rows 8 and 9 (those two: about 4).
RSS_RUNS=${BENCH_RSS_RUNS:-1}
WHARF_JAVA_OPTS=${WHARF_JAVA_OPTS--Xmx256m}
if [[ ${BENCH_QUICK:-0} == 1 ]]; then
  MODE=quick BIG_MIB=64 MID_MIB=16 WRK_SECS=3 HUNG_SECS=3
else
  MODE=full BIG_MIB=512 MID_MIB=64 WRK_SECS=10 HUNG_SECS=8
fi
MISS_CLIENTS=(1 20 200) STREAMS=8
# Row 7: RSS_CLIENTS clients on a cold big blob, RSS_SLOW of them at SLOW_RATE; and RSS_FEW clients, all at full speed.
RSS_CLIENTS=200 RSS_SLOW=20 SLOW_RATE=256K RSS_FEW=20
# Row 9: HANG requests for uncached blobs wait on the hung upstream, whose lane has LANE threads (maxConcurrent);
# its four wrk runs of HUNG_SECS each, and starting the HANG curls (about 3 s on 2 busy cores), must end well before
# the first waiting request reaches the default readTimeout of 60 s.
HANG=100 LANE=32
V2=application/vnd.docker.distribution.manifest.v2+json
STARTED=$(date +%s)

row() { [[ $ROWS == *" $1 "* ]]; } # number: whether that row of the table is to be measured

log() { printf '[%4ss] %s\n' "$(($(date +%s) - STARTED))" "$*" >&2; }
lib() { python3 "$HERE/lib.py" "$@"; }

install_packages() {
  local missing=() pkg sudo=
  for pkg in docker-registry skopeo nginx-light wrk curl iproute2; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  [[ $(id -u) == 0 ]] || sudo=sudo
  log "installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

install_packages
command -v python3 >/dev/null || { echo "python3 is required" >&2; exit 1; }
if [[ ! -f $JAR ]]; then
  log "building $JAR"
  (cd "$ROOT" && mvn -B -q package -DskipTests)
fi

TMP=$(mktemp -d /tmp/wharf-bench.XXXXXX)
declare -A PID=()
HANGING=() # row 9's curls that wait on the hung upstream

stop() { # name: stops the process started under that name, by its PID
  local pid=${PID[$1]:-} i
  [[ -n $pid ]] || return 0
  unset "PID[$1]"
  kill -TERM "$pid" 2>/dev/null || return 0
  kill -CONT "$pid" 2>/dev/null || true # a process stopped by row 9 handles TERM only once continued
  for i in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

stop_hanging() {
  ((${#HANGING[@]})) || return 0
  kill -TERM "${HANGING[@]}" 2>/dev/null || true
  wait "${HANGING[@]}" 2>/dev/null || true
  HANGING=()
}

cleanup() {
  local name
  # No wait here: within a trap, bash may not reap the curls and would wait for its other children instead.
  ((${#HANGING[@]} == 0)) || kill -TERM "${HANGING[@]}" 2>/dev/null || true
  for name in "${!PID[@]}"; do stop "$name"; done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_http() { # url name: waits until something answers HTTP at url
  local i
  for i in $(seq 300); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$1" || true) != 000 ]] && return 0
    kill -0 "${PID[$2]}" 2>/dev/null || { echo "$2 exited; log:" >&2; tail -20 "$TMP/$2.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "$2 did not answer at $1" >&2
  exit 1
}

read -r UPORT BPORT WPORT APORT NPORT HPORT W9PORT A9PORT <<<"$(lib freeports 8)"
U=http://127.0.0.1:$UPORT
B=http://127.0.0.1:$BPORT
W=http://127.0.0.1:$WPORT
N=http://127.0.0.1:$NPORT
H=http://127.0.0.1:$HPORT   # row 9: a second upstream registry process on the same storage, to be hung
W9=http://127.0.0.1:$W9PORT # row 9: the Wharf with both upstreams

start_upstream() {
  cat >"$TMP/upstream.yml" <<EOF
version: 0.1
log: {level: warn, accesslog: {disabled: false}}
storage: {filesystem: {rootdirectory: $TMP/upstream-data}, cache: {blobdescriptor: inmemory}}
http: {addr: 127.0.0.1:$UPORT}
EOF
  docker-registry serve "$TMP/upstream.yml" >>"$TMP/upstream.log" 2>&1 &
  PID[upstream]=$!
  wait_http "$U/v2/" upstream
}

start_baseline() { # fresh: empties its cache first
  stop baseline
  [[ ${1:-} == fresh ]] && rm -rf "$TMP/baseline-data"
  cat >"$TMP/baseline.yml" <<EOF
version: 0.1
log: {level: warn, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $TMP/baseline-data}, cache: {blobdescriptor: inmemory}}
http: {addr: 127.0.0.1:$BPORT}
proxy: {remoteurl: $U}
EOF
  docker-registry serve "$TMP/baseline.yml" >>"$TMP/baseline.log" 2>&1 &
  PID[baseline]=$!
  wait_http "$B/v2/" baseline
}

start_wharf() { # fresh: empties its cache first
  stop wharf
  [[ ${1:-} == fresh ]] && rm -rf "$TMP/wharf-data"
  cat >"$TMP/wharf.yaml" <<EOF
listen: 127.0.0.1:$WPORT
adminListen: 127.0.0.1:$APORT
storage: {path: $TMP/wharf-data}
defaultUpstream: upstream
upstreams: [{name: upstream, url: "$U"}]
freshness: [{match: "*", tagTtl: 60s}]
EOF
  # shellcheck disable=SC2086 # the options are several words
  java $WHARF_JAVA_OPTS -jar "$JAR" serve --config "$TMP/wharf.yaml" >>"$TMP/wharf.log" 2>&1 &
  PID[wharf]=$!
  wait_http "$W/v2/" wharf
}

start_nginx() {
  mkdir -p "$TMP/nginx/www"
  local user=
  [[ $(id -u) == 0 ]] && user="user root root;"
  cat >"$TMP/nginx/nginx.conf" <<EOF
$user
worker_processes 2;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  default_type application/octet-stream;
  client_body_temp_path $TMP/nginx/body;
  proxy_temp_path $TMP/nginx/proxy;
  fastcgi_temp_path $TMP/nginx/fastcgi;
  uwsgi_temp_path $TMP/nginx/uwsgi;
  scgi_temp_path $TMP/nginx/scgi;
  server {
    listen 127.0.0.1:$NPORT;
    root $TMP/nginx/www;
  }
}
EOF
  nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" >>"$TMP/nginx.log" 2>&1 &
  PID[nginx]=$!
  wait_http "$N/" nginx
}

push_blob() { # repo file digest
  local loc sep='?'
  loc=$(curl -sSf -X POST -D - -o /dev/null "$U/v2/$1/blobs/uploads/" | tr -d '\r' |
    awk 'tolower($1) == "location:" { print $2 }')
  [[ $loc == http* ]] || loc=$U$loc
  [[ $loc == *\?* ]] && sep='&'
  curl -sSf -o /dev/null -X PUT -H 'Expect:' -H 'Content-Type: application/octet-stream' \
    -T "$2" "$loc${sep}digest=$3"
}

push_manifest() { # repo reference file
  curl -sSf -o /dev/null -X PUT -H "Content-Type: $V2" --data-binary "@$3" "$U/v2/$1/manifests/$2"
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

push_image() { # repo big-file mid-file: pushes the two layers, a config and the manifest as tag 1
  local d=$TMP/img big mid cfg
  big=sha256:$(sha "$2") mid=sha256:$(sha "$3")
  lib config "$big" "$mid" >"$d/$1.config"
  push_blob "bench/$1" "$2" "$big"
  push_blob "bench/$1" "$3" "$mid"
  cfg=sha256:$(sha "$d/$1.config")
  push_blob "bench/$1" "$d/$1.config" "$cfg"
  lib manifest "$cfg:$(stat -c %s "$d/$1.config")" "$big:$((BIG_MIB << 20))" "$mid:$((MID_MIB << 20))" >"$d/$1.json"
  push_manifest "bench/$1" 1 "$d/$1.json"
  echo "$big $mid"
}

make_images() {
  local d=$TMP/img small cfg misses=0 pulls=0 i
  mkdir -p "$d"
  log "generating ${BIG_MIB} MiB and ${MID_MIB} MiB random layers"
  head -c $((BIG_MIB << 20)) /dev/urandom >"$d/big"
  head -c $((MID_MIB << 20)) /dev/urandom >"$d/mid"
  head -c 4096 /dev/urandom >"$d/small"
  read -r BIG MID <<<"$(push_image big "$d/big" "$d/mid")"
  small=sha256:$(sha "$d/small")
  lib config "$small" >"$d/small.config"
  push_blob bench/small "$d/small" "$small"
  cfg=sha256:$(sha "$d/small.config")
  push_blob bench/small "$d/small.config" "$cfg"
  lib manifest "$cfg:$(stat -c %s "$d/small.config")" "$small:4096" >"$d/small.json"
  for t in 1 2 3 4 5 latest; do push_manifest bench/small "$t" "$d/small.json"; done
  SMALL_MANIFEST=sha256:$(sha "$d/small.json") SMALL_LAYER=$small
  ln "$d/big" "$TMP/nginx/www/big"
  # Row 5 needs an image that neither cache holds yet, once per run.
  row 5 && pulls=$RUNS
  ((pulls == 0)) || log "generating $pulls more images of ${BIG_MIB} MiB + ${MID_MIB} MiB to pull"
  for ((i = 1; i <= pulls; i++)); do
    head -c $((BIG_MIB << 20)) /dev/urandom >"$d/pull-big"
    head -c $((MID_MIB << 20)) /dev/urandom >"$d/pull-mid"
    push_image "pull$i" "$d/pull-big" "$d/pull-mid" >/dev/null
  done
  # Row 6 needs a blob that neither cache holds yet, once per run, system and client count.
  row 6 && misses=$((RUNS * 2 * ${#MISS_CLIENTS[@]}))
  MISS=()
  ((misses == 0)) || log "generating $misses more ${MID_MIB} MiB blobs to miss"
  for ((i = 0; i < misses; i++)); do
    head -c $((MID_MIB << 20)) /dev/urandom >"$d/miss"
    MISS+=("sha256:$(sha "$d/miss")")
    push_blob bench/big "$d/miss" "${MISS[-1]}"
  done
  # Row 8 needs a big blob that neither cache holds yet, once per run, and one more for the caches to warm up with.
  COLD=()
  if row 8; then
    log "generating $((RUNS + 1)) more ${BIG_MIB} MiB blobs to miss"
    for ((i = 0; i <= RUNS; i++)); do
      head -c $((BIG_MIB << 20)) /dev/urandom >"$d/cold"
      COLD+=("sha256:$(sha "$d/cold")")
      push_blob bench/big "$d/cold" "${COLD[-1]}"
    done
  fi
  # Row 9 needs HANG small blobs per run that Wharf has never asked the hung upstream for.
  HANG_BLOBS=()
  if row 9; then
    log "generating $((RUNS * HANG)) small blobs for requests to hang on"
    mapfile -t HANG_BLOBS < <(lib push_small "$U" bench/hang $((RUNS * HANG)))
    ((${#HANG_BLOBS[@]} == RUNS * HANG)) || { echo "pushed only ${#HANG_BLOBS[@]} small blobs" >&2; exit 1; }
  fi
  rm -f "$d/pull-big" "$d/pull-mid" "$d/miss" "$d/cold"
}

RAW=$TMP/raw.tsv
record() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$RAW"; }

url_of() { # system -> base URL
  case $1 in limit) echo "$U" ;; baseline) echo "$B" ;; wharf) echo "$W" ;; esac
}

rotate() { # run systems...: the systems, rotated by the run number, so no one always goes first
  local r=$1
  shift
  local a=("$@") n=$# i
  for ((i = 0; i < n; i++)); do printf '%s ' "${a[$(((i + r) % n))]}"; done
}

mbps() { # bytes seconds
  python3 -c "import sys; print(f'{int(sys.argv[1]) / float(sys.argv[2]) / 1e6:.1f}')" "$1" "$2"
}

blob_url() { # system
  if [[ $1 == limit ]]; then echo "$N/big"; else echo "$(url_of "$1")/v2/bench/big/blobs/$BIG"; fi
}

warm() {
  local s sum
  log "warming both caches (and checking the bytes they serve)"
  for s in baseline wharf; do
    sum=$(curl -sSf "$(blob_url "$s")" | sha256sum | cut -d' ' -f1)
    [[ sha256:$sum == "$BIG" ]] || { echo "$s served a wrong blob: $sum" >&2; exit 1; }
    for ref in "$SMALL_MANIFEST" 1; do
      curl -sSf -o /dev/null -H "Accept: $V2" "$(url_of "$s")/v2/bench/small/manifests/$ref"
    done
    wrk -t2 -c16 -d2s -H "Accept: $V2" "$(url_of "$s")/v2/bench/small/manifests/$SMALL_MANIFEST" >/dev/null
    wrk -t2 -c16 -d2s -H "Accept: $V2" "$(url_of "$s")/v2/bench/small/manifests/1" >/dev/null
  done
  for s in limit baseline wharf; do lib par "$STREAMS" "$(blob_url "$s")" $((BIG_MIB << 20)) >/dev/null; done
}

bench_streams() {
  local r s out t v size=$((BIG_MIB << 20))
  for ((r = 0; r < RUNS; r++)); do
    log "1-2. cached blob, run $((r + 1))/$RUNS"
    for s in $(rotate "$r" limit baseline wharf); do
      out=$(curl -sSf -o /dev/null -w '%{size_download} %{time_total}' "$(blob_url "$s")")
      [[ ${out% *} == "$size" ]] || { echo "short download from $s: $out" >&2; exit 1; }
      v=$(mbps "$size" "${out#* }")
      record s1 "$s" "$v"
      t=$(lib par "$STREAMS" "$(blob_url "$s")" "$size")
      v=$(mbps $((size * STREAMS)) "$t")
      record s8 "$s" "$v"
    done
  done
}

bench_manifests() {
  local r s ref key out rps p99
  for ((r = 0; r < RUNS; r++)); do
    log "3-4. manifests, run $((r + 1))/$RUNS (${WRK_SECS}s per wrk run)"
    for s in $(rotate "$r" baseline wharf); do
      for ref in "$SMALL_MANIFEST" 1; do
        [[ $ref == 1 ]] && key=tag || key=dig
        wrk -t2 -c64 -d"${WRK_SECS}s" --latency -H "Accept: $V2" \
          "$(url_of "$s")/v2/bench/small/manifests/$ref" >"$TMP/wrk.out"
        out=$(lib wrk "$TMP/wrk.out")
        read -r rps p99 <<<"$out"
        record "${key}_rps" "$s" "$rps"
        record "${key}_p99" "$s" "$p99"
      done
    done
  done
}

seconds() { # command...: runs it, prints its wall time
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >"$TMP/cmd.log" 2>&1 || { echo "failed: $*" >&2; cat "$TMP/cmd.log" >&2; exit 1; }
  t1=$(date +%s.%N)
  python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$t0" "$t1"
}

pull() { # system image: skopeo copies bench/<image>:1 from that system into a fresh directory
  rm -rf "$TMP/pulled"
  skopeo copy -q --src-tls-verify=false "docker://$(url_of "$1" | sed 's|^http://||')/bench/$2:1" "dir:$TMP/pulled"
}

# As in row 6, the caches are not restarted: each run pulls an image that no cache has seen yet. Before the first
# run each cache pulls the big image once, so that much of the miss path has been compiled by the JIT, as in a server
# that has been up for a while (the JIT still compiles some of it during the measured pulls).
bench_cold_pull() {
  local r s t
  log "5. warming both caches with one cold pull of the big image"
  for s in baseline wharf; do pull "$s" big >"$TMP/cmd.log" 2>&1 || { cat "$TMP/cmd.log" >&2; exit 1; }; done
  for ((r = 0; r < RUNS; r++)); do
    log "5. cold skopeo pull, run $((r + 1))/$RUNS"
    for s in $(rotate "$r" limit baseline wharf); do
      t=$(seconds pull "$s" "pull$((r + 1))")
      record pull_s "$s" "$t"
    done
  done
  rm -rf "$TMP/pulled"
}

upstream_gets() { # digest: lines of the upstream's access log that GET that blob
  grep -c "\"GET /v2/bench/big/blobs/$1" "$TMP/upstream.log" || true
}

settled_gets() { # digest: its upstream GETs, once the count stops changing
  local now last=-1
  while :; do
    sleep 0.5
    now=$(upstream_gets "$1")
    [[ $now == "$last" ]] && break
    last=$now
  done
  echo "$now"
}

# The caches are not restarted here: each measurement misses a blob that no cache has seen yet, so a
# cold JVM or an empty page cache is not what is measured. The limit reads one blob directly upstream.
bench_misses() {
  local r s n t blob k=0 size=$((MID_MIB << 20))
  for ((r = 0; r < RUNS; r++)); do
    log "6. ${MISS_CLIENTS[*]} concurrent misses, run $((r + 1))/$RUNS"
    for s in $(rotate "$r" limit baseline wharf); do
      for n in "${MISS_CLIENTS[@]}"; do
        blob=$MID
        [[ $s == limit ]] || { blob=${MISS[$k]}; k=$((k + 1)); }
        t=$(lib par "$n" "$(url_of "$s")/v2/bench/big/blobs/$blob" "$size")
        record "t$n" "$s" "$t"
        [[ $n == 1 || $s == limit ]] || record "gets$n" "$s" "$(settled_gets "$blob")"
      done
    done
  done
}

# Each measurement starts Wharf empty, so the big blob is cold again and the JVM starts from the same state;
# the rate-limited clients would need about 35 minutes for the full-mode blob, so they are stopped 3 s after the
# others finished.
bench_rss() {
  local r n slow before out
  for ((r = 0; r < RSS_RUNS; r++)); do
    log "7. peak RSS, $RSS_CLIENTS and $RSS_FEW clients on a cold blob, run $((r + 1))/$RSS_RUNS"
    for n in $(rotate "$r" "$RSS_CLIENTS" "$RSS_FEW"); do
      slow=0
      [[ $n == "$RSS_CLIENTS" ]] && slow=$RSS_SLOW
      start_wharf fresh
      curl -sSf -o /dev/null -H "Accept: $V2" "$W/v2/bench/small/manifests/1"
      curl -sSf -o /dev/null "$W/v2/bench/small/blobs/$SMALL_LAYER"
      before=$(settled_gets "$BIG")
      out=$(lib rss "${PID[wharf]}" "$W/v2/bench/big/blobs/$BIG" $((BIG_MIB << 20)) "$n" "$slow" "$SLOW_RATE")
      record "rss$n" wharf "${out% *}"
      record "rss_t$n" wharf "${out#* }"
      record "rss_gets$n" wharf $(($(settled_gets "$BIG") - before))
    done
  done
}

server_pid() { # system: the process that serves it (for the limit, the upstream registry itself)
  case $1 in limit) echo "${PID[upstream]}" ;; baseline) echo "${PID[baseline]}" ;; wharf) echo "${PID[wharf]}" ;; esac
}

# As in rows 5 and 6, the caches are not restarted: each run misses a big blob that no cache has seen yet, and each
# cache first missed one other big blob once. The limit reads the same blob directly from the upstream, and its CPU
# figure is the upstream registry's.
bench_cold_blob() {
  local r s out size=$((BIG_MIB << 20))
  log "8. warming both caches with one cold miss of a ${BIG_MIB} MiB blob"
  for s in baseline wharf; do
    lib cold "$(server_pid "$s")" "$(url_of "$s")/v2/bench/big/blobs/${COLD[0]}" "$size" >/dev/null
  done
  for ((r = 0; r < RUNS; r++)); do
    log "8. one client's cold miss of a ${BIG_MIB} MiB blob, run $((r + 1))/$RUNS"
    for s in $(rotate "$r" limit baseline wharf); do
      out=$(lib cold "$(server_pid "$s")" "$(url_of "$s")/v2/bench/big/blobs/${COLD[$((r + 1))]}" "$size")
      record cold_s "$s" "${out% *}"
      record cold_cpu "$s" "${out#* }"
    done
  done
}

start_hung_upstream() { # a second registry process on the upstream's storage: the same content, to be hung
  cat >"$TMP/hung.yml" <<EOF
version: 0.1
log: {level: warn, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $TMP/upstream-data}, cache: {blobdescriptor: inmemory}}
http: {addr: 127.0.0.1:$HPORT}
EOF
  docker-registry serve "$TMP/hung.yml" >>"$TMP/hung.log" 2>&1 &
  PID[hung]=$!
  wait_http "$H/v2/" hung
}

start_wharf9() { # an empty Wharf with the upstreams hung and steady, default timeouts, every tag re-checked
  cat >"$TMP/wharf9.yaml" <<EOF
listen: 127.0.0.1:$W9PORT
adminListen: 127.0.0.1:$A9PORT
storage: {path: $TMP/wharf9-data}
defaultUpstream: steady
upstreams:
  - {name: hung, url: "$H", maxConcurrent: $LANE}
  - {name: steady, url: "$U", maxConcurrent: $LANE}
freshness: [{match: "*", tagTtl: 0s}]
EOF
  # shellcheck disable=SC2086 # the options are several words
  java $WHARF_JAVA_OPTS -jar "$JAR" serve --config "$TMP/wharf9.yaml" >>"$TMP/wharf9.log" 2>&1 &
  PID[wharf9]=$!
  wait_http "$W9/v2/" wharf9
}

conns() { # port: established TCP connections to that port of 127.0.0.1, counted at their connecting end
  ss -Htn state established "( dport = :$1 )" | wc -l
}

tag_answer() { # upstream run: GETs tag 1 of the small image through that upstream, prints the seconds it took and
  # notes the answer's Warning header
  local out warn
  out=$(curl -sS -o /dev/null -D "$TMP/tag.h" -w '%{http_code} %{time_total}' -H "Accept: $V2" \
    "$W9/v2/bench/small/manifests/1?ns=$1")
  [[ ${out% *} == 200 ]] || { echo "9. tag 1 through $1 answered ${out% *}:" >&2; cat "$TMP/tag.h" >&2; exit 1; }
  warn=$(tr -d '\r' <"$TMP/tag.h" | awk 'tolower($1) == "warning:" { sub(/^[^:]*: */, ""); print }')
  [[ -n $warn ]] && warn="Warning: \`$warn\`" || warn="no Warning"
  echo "- row 9, run $(($2 + 1)), tag 1 through $1: ${out#* } s, $warn" >>"$TMP/notes.md"
  echo "${out#* }"
}

# Wharf only, with two upstreams: hung, a registry process that is stopped (SIGSTOP) during each measurement, and
# steady, another process serving the same storage. Each run, HANG requests for blobs Wharf has never fetched wait on
# hung (LANE of them in flight to it, the others queued on its lane); then a cached tag is asked for through both
# upstreams, and wrk measures a cached blob and a cached manifest by digest through both. All of it has to end before
# the first waiting request reaches readTimeout (60 s): the script checks that every one is still waiting.
bench_hung() {
  local r i key pid p50 p99 n errs alive t0 up
  declare -A urls=(
    [hung_blob]="$W9/v2/bench/small/blobs/$SMALL_LAYER?ns=hung"
    [steady_blob]="$W9/v2/bench/small/blobs/$SMALL_LAYER?ns=steady"
    [hung_man]="$W9/v2/bench/small/manifests/$SMALL_MANIFEST?ns=hung"
    [steady_man]="$W9/v2/bench/small/manifests/$SMALL_MANIFEST?ns=steady"
  )
  stop baseline
  stop wharf
  start_hung_upstream
  start_wharf9
  log "9. warming a Wharf with two upstreams through both"
  for up in hung steady; do
    curl -sSf -o /dev/null -H "Accept: $V2" "$W9/v2/bench/small/manifests/$SMALL_MANIFEST?ns=$up"
    curl -sSf -o /dev/null -H "Accept: $V2" "$W9/v2/bench/small/manifests/1?ns=$up"
    curl -sSf -o /dev/null "$W9/v2/bench/small/blobs/$SMALL_LAYER?ns=$up"
  done
  for key in hung_blob steady_blob hung_man steady_man; do
    wrk -t1 -c4 -d2s -H "Accept: $V2" "${urls[$key]}" >/dev/null
  done
  for ((r = 0; r < RUNS; r++)); do
    log "9. cached content with upstream hung stopped and $HANG requests waiting on it, run $((r + 1))/$RUNS"
    kill -STOP "${PID[hung]}"
    t0=$(date +%s)
    for ((i = r * HANG; i < (r + 1) * HANG; i++)); do
      curl -s -o /dev/null -m 300 "$W9/v2/bench/hang/blobs/${HANG_BLOBS[$i]}?ns=hung" &
      HANGING+=($!)
    done
    for i in $(seq 200); do
      (($(conns "$W9PORT") >= HANG && $(conns "$HPORT") >= LANE)) && break
      sleep 0.1
    done
    if ! (($(conns "$W9PORT") >= HANG && $(conns "$HPORT") >= LANE)); then
      echo "9. not in flight after 20 s: $(conns "$W9PORT") clients connected to Wharf," \
        "$(conns "$HPORT") connections from Wharf to the hung upstream" >&2
      exit 1
    fi
    record hung_conns wharf "$(conns "$HPORT")"
    record stale_tag_s wharf "$(tag_answer hung "$r")"
    record steady_tag_s wharf "$(tag_answer steady "$r")"
    errs=0
    for key in $(rotate "$r" hung_blob steady_blob hung_man steady_man); do
      wrk -t1 -c4 -d"${HUNG_SECS}s" --latency --timeout 10s -H "Accept: $V2" "${urls[$key]}" >"$TMP/wrk.out"
      read -r p50 p99 n <<<"$(lib latency "$TMP/wrk.out")"
      record "${key}_p50" wharf "$p50"
      record "${key}_p99" wharf "$p99"
      errs=$((errs + n))
    done
    record hung_errs wharf "$errs"
    alive=0
    for pid in "${HANGING[@]}"; do kill -0 "$pid" 2>/dev/null && alive=$((alive + 1)); done
    if ((alive != HANG)); then
      echo "9. only $alive of the $HANG requests were still waiting on the hung upstream after" \
        "$(($(date +%s) - t0)) s: the measurement outlasted a timeout" >&2
      exit 1
    fi
    echo "- row 9, run $((r + 1)): measured until the waiting requests were $(($(date +%s) - t0)) s old" \
      >>"$TMP/notes.md"
    stop_hanging
    kill -CONT "${PID[hung]}"
    sleep 2 # lets the hung upstream answer what Wharf had sent it
  done
}

header() {
  cat <<EOF
## Wharf benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ), $MODE mode

Loopback only, $(nproc) cores, $(uname -r), $RUNS runs per measurement (medians), systems interleaved.
Blob layers: $BIG_MIB MiB and $MID_MIB MiB random; wrk -t2 -c64 -d${WRK_SECS}s; MB = 10^6 bytes.
Limit: nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') with sendfile for rows 1-2, the upstream registry directly for rows 5, 6 and 8.
Rows 5 and 6 do not restart the caches: row 5 pulls a new image each time (each cache pulled the big image once
first), row 6 misses a new blob each time, with
${MISS_CLIENTS[*]} clients (the baseline fetches it upstream once per client that asks before it has stored it).
Row 7 (Wharf only) runs $RSS_RUNS time(s) per case (BENCH_RSS_RUNS; fewer than BENCH_RUNS to keep the full run
under 15 minutes). Each starts Wharf empty, lets it answer the small image once, starts all clients of the
$BIG_MIB MiB blob at once and samples Wharf's VmRSS every 100 ms (peak = max of the samples and VmHWM) until 3 s
after the full-speed clients finished; the $RSS_SLOW clients at curl --limit-rate $SLOW_RATE are then stopped unfinished.
Row 8 does not restart the caches either: one client misses a new $BIG_MIB MiB blob each time (each cache missed one
other first); CPU-s = utime+stime of the serving process (limit: the upstream registry) from /proc/PID/stat, before and
after the download.
Row 9 (Wharf only) runs a second Wharf, empty at first, with two upstreams: hung (a registry process on the upstream's
storage, stopped with SIGSTOP while measuring) and steady (the upstream), default timeouts, maxConcurrent $LANE, tagTtl 0s.
Each run: $HANG requests for uncached blobs wait on hung, then tag 1 is asked for through each upstream once, then
wrk -t1 -c4 -d${HUNG_SECS}s --latency --timeout 10s measures the cached blob and manifest through each.
Baseline: $(docker-registry --version | awk '{print $NF}') in proxy mode; upstream: the same binary; $(skopeo --version).
Wharf: $(basename "$JAR") on $(java -version 2>&1 | head -1); WHARF_JAVA_OPTS: ${WHARF_JAVA_OPTS:-(none)}.
EOF
}

start_upstream
start_nginx
make_images
start_baseline fresh
start_wharf fresh
: >"$RAW"
if row 1 || row 2 || row 3 || row 4; then warm; fi
if row 1 || row 2; then bench_streams; fi
if row 3 || row 4; then bench_manifests; fi
if row 5; then bench_cold_pull; fi
if row 6; then bench_misses; fi
if row 7; then bench_rss; fi
if row 8; then bench_cold_blob; fi
if row 9; then bench_hung; fi

header >"$TMP/header.md"
mkdir -p "$RESULTS"
REPORT=$RESULTS/$(date -u +%Y%m%dT%H%M%SZ)-$MODE.md
touch "$TMP/notes.md"
lib report "$RAW" "$BIG_MIB MiB" "$MID_MIB MiB" "$TMP/header.md" "$TMP/notes.md" >"$REPORT"
echo "Total time: $(($(date +%s) - STARTED)) s" >>"$REPORT"
cat "$REPORT"
log "report written to $REPORT"
