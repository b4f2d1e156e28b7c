#!/usr/bin/env python3
"""Small helpers for bench/run.sh: ports, image JSON, parallel downloads, wrk parsing, the report."""

import json
import re
import socket
import statistics
import subprocess
import sys
import time

V2 = "application/vnd.docker.distribution.manifest.v2+json"
CONFIG = "application/vnd.docker.container.image.v1+json"
LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"


def freeports(n):
    """Prints n distinct free TCP ports on 127.0.0.1."""
    socks = []
    for _ in range(int(n)):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    print(" ".join(str(s.getsockname()[1]) for s in socks))
    for s in socks:
        s.close()


def config(*layer_digests):
    """Prints an image config whose rootfs lists the given layers."""
    cfg = {
        "architecture": "amd64",
        "os": "linux",
        "config": {},
        "rootfs": {"type": "layers", "diff_ids": list(layer_digests)},
    }
    sys.stdout.write(json.dumps(cfg, separators=(",", ":")))


def manifest(config_ref, *layer_refs):
    """Prints a Docker v2 schema 2 manifest; each argument is DIGEST:SIZE (DIGEST itself holds a colon)."""

    def desc(ref, media_type):
        digest, size = ref.rsplit(":", 1)
        return {"mediaType": media_type, "size": int(size), "digest": digest}

    m = {
        "schemaVersion": 2,
        "mediaType": V2,
        "config": desc(config_ref, CONFIG),
        "layers": [desc(r, LAYER) for r in layer_refs],
    }
    sys.stdout.write(json.dumps(m, separators=(",", ":")))


def par(n, url, size):
    """Downloads url with n concurrent curls; prints the wall time in seconds; fails on any bad response."""
    n, size = int(n), int(size)
    cmd = ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", url]
    t0 = time.perf_counter()
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) for _ in range(n)]
    outs = [p.communicate()[0] for p in procs]
    elapsed = time.perf_counter() - t0
    bad = [o for o in outs if o.split() != ["200", str(size)]]
    if bad:
        sys.exit(f"par: {len(bad)} of {n} downloads of {url} failed: {bad[:3]}")
    print(f"{elapsed:.4f}")


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def wrk(path):
    """Prints 'REQUESTS_PER_S P99_MS' from wrk --latency output; fails if any response was not 2xx/3xx."""
    text = open(path).read()
    if "Non-2xx or 3xx responses" in text:
        sys.exit(f"wrk: error responses in {path}:\n{text}")
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)
    if not rps or not p99:
        sys.exit(f"wrk: cannot parse {path}:\n{text}")
    errors = re.search(r"Socket errors: (.*)", text)
    if errors:
        print(f"wrk socket errors: {errors.group(1)}", file=sys.stderr)
    print(f"{float(rps.group(1)):.1f} {float(p99.group(1)) * UNITS[p99.group(2)]:.3f}")


SYSTEMS = ["limit", "baseline", "wharf"]

# key, label, unit, kind: "limit" rows compare with the limit column, "base" rows with the baseline.
ROWS = [
    ("s1", "1. cached {big} blob, 1 stream", "MB/s", "limit"),
    ("s8", "2. cached {big} blob, 8 streams, aggregate", "MB/s", "limit"),
    ("dig_rps", "3. manifest GET by digest", "req/s", "base"),
    ("dig_p99", "3. manifest GET by digest, p99 latency", "ms", "base"),
    ("tag_rps", "4. manifest GET by tag (fresh)", "req/s", "base"),
    ("tag_p99", "4. manifest GET by tag (fresh), p99 latency", "ms", "base"),
    ("pull_s", "5. cold skopeo pull of the {big}+{mid} image (limit: direct from upstream)", "s", "limit"),
    ("gets20", "6. 20 clients miss one {mid} blob: upstream GETs of it", "count", "base"),
    ("t20", "6. 20 clients miss one {mid} blob: time until all done (limit: 20 direct)", "s", "base"),
    ("t1", "6. one client misses the {mid} blob alone (limit: direct)", "s", "base"),
]


def fmt(v):
    if v is None:
        return "–"
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def report(raw_path, big, mid, header_path):
    """Prints the Markdown report: medians with ratios, then every raw value, from key/system/value lines."""
    raw = {}
    for line in open(raw_path):
        key, system, value = line.split()
        raw.setdefault(key, {}).setdefault(system, []).append(float(value))

    def med(key, system):
        vals = raw.get(key, {}).get(system)
        return statistics.median(vals) if vals else None

    def ratio(a, b):
        return None if a is None or b in (None, 0) else a / b

    out = [open(header_path).read().rstrip(), ""]
    out.append("| measurement | nginx (limit) | baseline | wharf | wharf/limit-or-baseline ratio |")
    out.append("|---|---:|---:|---:|---|")
    for key, label, unit, kind in ROWS:
        if key not in raw:
            continue
        lim, base, wh = (med(key, s) for s in SYSTEMS)
        if kind == "limit":
            note = f"wharf/limit {fmt(ratio(wh, lim))}, baseline/limit {fmt(ratio(base, lim))}"
        else:
            note = f"wharf/baseline {fmt(ratio(wh, base))}"
        if key == "tag_rps":
            note += f"; wharf tag/digest {fmt(ratio(wh, med('dig_rps', 'wharf')))}"
        name = f"{label.format(big=big, mid=mid)} ({unit})"
        out.append(f"| {name} | {fmt(lim)} | {fmt(base)} | {fmt(wh)} | {note} |")
    if "t20" in raw and "t1" in raw:
        cells = [fmt(ratio(med("t20", s), med("t1", s))) for s in SYSTEMS]
        out.append(
            f"| 6. time for 20 clients / time for one client | {cells[0]} | {cells[1]} | {cells[2]} | "
            "1.0 would mean the 19 others cost nothing |"
        )
    out += ["", "Raw values (one per run, in run order):", "", "| key | system | values |", "|---|---|---|"]
    for key, by_system in raw.items():
        for system in SYSTEMS:
            if system in by_system:
                out.append(f"| {key} | {system} | {' '.join(fmt(v) for v in by_system[system])} |")
    print("\n".join(out))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"freeports": freeports, "config": config, "manifest": manifest, "par": par, "wrk": wrk, "report": report}[
        command
    ](*args)
