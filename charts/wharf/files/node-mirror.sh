#!/bin/sh
# Writes containerd hosts.toml files that send a node's pulls to Wharf, with the real registry as
# the fallback, and removes them again. Run by the chart's node mirror DaemonSet:
#   node-mirror.sh run     write the files, keep them written, remove them on SIGTERM
#   node-mirror.sh write   write the files once
#   node-mirror.sh remove  remove the files this script wrote (the container's preStop hook)
# Environment: HOSTS_DIR (containerd's config_path), REGISTRIES (space separated; _default for
# every registry without a file of its own), ENDPOINT (Wharf's URL as the node reaches it),
# DIAL_TIMEOUT (containerd 1.7+), SKIP_VERIFY (true or false), MARKER (the first line of every
# file written; only files starting with it are ever replaced or removed).
set -eu

: "${HOSTS_DIR:?}" "${REGISTRIES:?}" "${ENDPOINT:?}"
DIAL_TIMEOUT=${DIAL_TIMEOUT:-2s}
SKIP_VERIFY=${SKIP_VERIFY:-false}
MARKER=${MARKER:-"# Written by the Wharf node mirror; removed when it stops."}
endpoint=${ENDPOINT%/}

valid() {
  case "$1" in
    "" | . | .. | */* | *[!A-Za-z0-9._:-]*) echo "node-mirror: skipping invalid registry name '$1'" >&2; return 1 ;;
  esac
}

ours() {
  [ "$(head -n 1 "$1" 2>/dev/null)" = "$MARKER" ]
}

# Wharf's routing (README "Pointing clients at Wharf"): Docker Hub and _default through Wharf's
# root, where containerd's ?ns= names the registry; any other registry by its path prefix.
hosts_toml() {
  echo "$MARKER"
  case "$1" in
    docker.io)
      printf 'server = "https://registry-1.docker.io"\n\n[host."%s"]\n' "$endpoint" ;;
    _default)
      printf '[host."%s"]\n' "$endpoint" ;;
    *)
      printf 'server = "https://%s"\n\n[host."%s/v2/%s"]\n' "$1" "$endpoint" "$1" ;;
  esac
  echo '  capabilities = ["pull", "resolve"]'
  case "$1" in
    docker.io | _default) ;;
    *) echo '  override_path = true' ;;
  esac
  printf '  dial_timeout = "%s"\n' "$DIAL_TIMEOUT"
  if [ "$SKIP_VERIFY" = true ]; then
    echo '  skip_verify = true'
  fi
}

write() {
  for registry in $REGISTRIES; do
    valid "$registry" || continue
    file="$HOSTS_DIR/$registry/hosts.toml"
    if [ -e "$file" ] && ! ours "$file"; then
      echo "node-mirror: leaving $file alone: it was not written by Wharf" >&2
      continue
    fi
    mkdir -p "$HOSTS_DIR/$registry"
    hosts_toml "$registry" > "$file.wharf-new"
    if ! cmp -s "$file.wharf-new" "$file"; then
      mv "$file.wharf-new" "$file"
      echo "node-mirror: wrote $file"
    else
      rm -f "$file.wharf-new"
    fi
  done
}

remove() {
  for registry in $REGISTRIES; do
    valid "$registry" || continue
    file="$HOSTS_DIR/$registry/hosts.toml"
    if [ -f "$file" ] && ours "$file"; then
      rm -f "$file"
      rmdir "$HOSTS_DIR/$registry" 2>/dev/null || true
      echo "node-mirror: removed $file"
    fi
  done
}

case "${1:-}" in
  write) write ;;
  remove) remove ;;
  run)
    trap 'remove; exit 0' TERM INT
    while :; do
      write
      # Written again every minute, should something on the node remove them.
      sleep 60 &
      wait $! || true
    done
    ;;
  *) echo "usage: node-mirror.sh run|write|remove" >&2; exit 2 ;;
esac
