#!/bin/sh
# Makes a base image for Wharf's container image without a registry or a Docker daemon: Debian
# bookworm (debootstrap's minbase) with a Java runtime made by jlink from the JDK on this machine,
# laid out as eclipse-temurin's (java in /opt/java/openjdk/bin, on PATH). Written as a Docker-format
# tar, which jib reads as a base (`tar://FILE`) and `docker load` accepts.
#
#   deploy/base-image.sh [OUT]     default OUT: $HOME/.cache/wharf/base-image.tar
#
# Needs root (debootstrap), a Debian mirror, and the packages debootstrap, umoci and skopeo.
# Does nothing when OUT exists. A build with a registry at hand can instead name a real base:
# mvn -B package -Pimage -Dwharf.baseImage=eclipse-temurin:17-jre
set -eu

out=${1:-$HOME/.cache/wharf/base-image.tar}
if [ -f "$out" ]; then
  echo "base image: $out exists"
  exit 0
fi
for tool in debootstrap umoci skopeo jlink; do
  command -v "$tool" >/dev/null || { echo "base-image.sh: $tool is not installed" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs

debootstrap --variant=minbase bookworm "$rootfs" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*

# The modules Wharf and its libraries use (Netty, RocksDB, the AWS SDK, Micrometer, TLS).
jlink --add-modules java.base,java.logging,java.management,java.naming,java.net.http,java.security.jgss,java.sql,java.xml,java.desktop,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.unsupported,jdk.management,jdk.zipfs,jdk.naming.dns \
  --strip-debug --no-man-pages --no-header-files --compress=2 \
  --output "$rootfs/opt/java/openjdk"
# jlink's legal/ folder holds symlinks into the build machine's JDK; the notices are in the JDK's package.
rm -rf "$rootfs/opt/java/openjdk/legal"

tar -C "$rootfs" --numeric-owner -cf "$work/layer.tar" .
umoci init --layout "$work/oci"
umoci new --image "$work/oci:base"
umoci raw add-layer --image "$work/oci:base" "$work/layer.tar"
umoci config --image "$work/oci:base" \
  --config.env "PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --config.env "JAVA_HOME=/opt/java/openjdk" \
  --config.env "LANG=C.UTF-8"
mkdir -p "$(dirname "$out")"
skopeo copy --quiet "oci:$work/oci:base" "docker-archive:$out.partial:wharf-base:local"
mv "$out.partial" "$out"
echo "base image: $out"
