#!/usr/bin/env python3
"""Small helpers for bench/run.sh: ports, image JSON, parallel downloads, RSS and CPU sampling, wrk parsing, the
report."""

import hashlib
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
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


def push_small(base, repo, n):
    """Pushes n random 4 KiB blobs to the registry at base (http://host:port) in repo, monolithically, over one
    connection; prints their digests, one a line."""
    host = base.split("//", 1)[1]
    conn = http.client.HTTPConnection(host, timeout=30)
    for _ in range(int(n)):
        data = os.urandom(4096)
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        conn.request("POST", f"/v2/{repo}/blobs/uploads/", headers={"Content-Length": "0"})
        r = conn.getresponse()
        r.read()
        location = r.getheader("Location", "")
        if r.status != 202 or not location:
            sys.exit(f"push_small: POST answered {r.status}")
        if location.startswith("http"):
            location = "/" + location.split("//", 1)[1].split("/", 1)[1]
        sep = "&" if "?" in location else "?"
        headers = {"Content-Type": "application/octet-stream", "Content-Length": str(len(data))}
        conn.request("PUT", f"{location}{sep}digest={digest}", body=data, headers=headers)
        r = conn.getresponse()
        r.read()
        if r.status != 201:
            sys.exit(f"push_small: PUT answered {r.status}")
        print(digest)


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


def proc_kib(pid, field):
    """The value of a kB field (VmRSS, VmHWM) of /proc/PID/status, or None once the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except FileNotFoundError:
        pass
    return None


def rss(pid, url, size, n, slow, rate):
    """Starts n curls of url at once, `slow` of them (spread among the others) with --limit-rate rate; samples the
    VmRSS of pid every 100 ms until 3 s after the full-speed ones finished, then stops the slow ones (which must
    still be running) and reads VmHWM. Prints 'PEAK_MIB FULL_SPEED_SECONDS'; fails on any bad full-speed download,
    a rate-limited one that ended early, or pid exiting."""
    n, slow, size = int(n), int(slow), int(size)
    slow_at = {round(k * n / slow) for k in range(slow)} if slow else set()
    samples = [proc_kib(pid, "VmRSS")]
    done = threading.Event()

    def sample():
        while not done.wait(0.1):
            samples.append(proc_kib(pid, "VmRSS"))

    def curl(limited):
        limit = ["--limit-rate", rate] if limited else []
        cmd = ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", *limit, url]
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    procs = [(i in slow_at, curl(i in slow_at)) for i in range(n)]
    fast = [p for limited, p in procs if not limited]
    slow_procs = [p for limited, p in procs if limited]
    outs = [p.communicate()[0] for p in fast]
    elapsed = time.perf_counter() - t0
    time.sleep(3)
    ended = [p.communicate()[0] for p in slow_procs if p.poll() is not None]
    for p in slow_procs:
        p.terminate()
    for p in slow_procs:
        p.wait()
    done.set()
    sampler.join()
    samples.append(proc_kib(pid, "VmHWM"))
    if None in samples:
        sys.exit(f"rss: process {pid} exited during the measurement")
    bad = [o for o in outs if o.split() != ["200", str(size)]]
    if bad:
        sys.exit(f"rss: {len(bad)} of {len(fast)} full-speed downloads of {url} failed: {bad[:3]}")
    if ended:
        sys.exit(f"rss: {len(ended)} of {slow} rate-limited downloads of {url} ended early: {ended[:3]}")
    print(f"{max(samples) / 1024:.1f} {elapsed:.3f}")


def cpu_seconds(pid):
    """utime + stime of process pid (all its threads), in seconds: fields 14 and 15 of /proc/PID/stat over CLK_TCK."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()  # the command name may hold spaces; fields[0] is field 3
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cold(pid, url, size):
    """Downloads url once with curl; prints 'WALL_SECONDS CPU_SECONDS', the latter being what process pid consumed
    from just before the download to just after it; fails on a bad response."""
    before = cpu_seconds(pid)
    cmd = ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{size_download} %{time_total}", url]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True).stdout.split()
    after = cpu_seconds(pid)
    if out[:2] != ["200", str(size)]:
        sys.exit(f"cold: the download of {url} failed: {out}")
    print(f"{float(out[2]):.3f} {after - before:.2f}")


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


def ms(text, percentile):
    m = re.search(rf"^\s*{percentile}%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)
    return float(m.group(1)) * UNITS[m.group(2)] if m else None


def latency(path):
    """Prints 'P50_MS P99_MS FAILED' from wrk --latency output, FAILED counting socket errors (timeouts included) and
    non-2xx/3xx answers; fails when nothing was answered."""
    text = open(path).read()
    done = re.search(r"(\d+) requests in", text)
    p50, p99 = ms(text, 50), ms(text, 99)
    if not done or int(done.group(1)) == 0 or p50 is None or p99 is None:
        sys.exit(f"latency: no answers or cannot parse {path}:\n{text}")
    errors = re.search(r"Socket errors: (.*)", text)
    failed = sum(int(n) for n in re.findall(r"\d+", errors.group(1))) if errors else 0
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    failed += int(non2xx.group(1)) if non2xx else 0
    if failed:
        print(f"latency: {failed} failed requests in {path}:\n{text}", file=sys.stderr)
    print(f"{p50:.3f} {p99:.3f} {failed}")


SYSTEMS = ["limit", "baseline", "wharf"]
MISS_COUNTS = [20, 200]

# key, label, unit, kind: "limit" rows compare with the limit column, "base" rows with the baseline, "both" rows
# with each, "wharf" rows hold Wharf alone.
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
    ("gets200", "6. 200 clients miss one {mid} blob: upstream GETs of it", "count", "base"),
    ("t200", "6. 200 clients miss one {mid} blob: time until all done (limit: 200 direct)", "s", "base"),
    ("t1", "6. one client misses the {mid} blob alone (limit: direct)", "s", "base"),
    ("rss200", "7. peak RSS, 200 clients (10% at 256 KiB/s) on a cold {big} blob", "MiB", "wharf"),
    ("rss20", "7. peak RSS, 20 clients on a cold {big} blob", "MiB", "wharf"),
    ("rss_gets200", "7. upstream GETs of the cold {big} blob, 200 clients", "count", "wharf"),
    ("rss_gets20", "7. upstream GETs of the cold {big} blob, 20 clients", "count", "wharf"),
    ("rss_t200", "7. time until the 180 full-speed clients of the 200 are done", "s", "wharf"),
    ("rss_t20", "7. time until the 20 clients are done", "s", "wharf"),
    ("cold_s", "8. one client misses a {big} blob: time until done (limit: direct from upstream)", "s", "both"),
    ("cold_cpu", "8. CPU time of the server during that miss (limit: the upstream registry)", "CPU-s", "base"),
    ("hung_blob_p99", "9. upstream hung, 100 requests waiting on it: cached blob through it, p99", "ms", "wharf"),
    ("steady_blob_p99", "9. the same cached blob through the steady upstream, p99", "ms", "wharf"),
    ("hung_man_p99", "9. cached manifest by digest through the hung upstream, p99", "ms", "wharf"),
    ("steady_man_p99", "9. the same manifest through the steady upstream, p99", "ms", "wharf"),
    ("stale_tag_s", "9. cached tag due for re-check, through the hung upstream: time to its (stale) answer", "s", "wharf"),
    ("steady_tag_s", "9. the same tag through the steady upstream (re-checked there)", "s", "wharf"),
    ("hung_conns", "9. connections from Wharf to the hung upstream while measuring", "count", "wharf"),
    ("hung_errs", "9. measured requests (wrk, all four) that failed or timed out", "count", "wharf"),
]

# Row 9 targets, shown next to the median.
TARGETS = {"hung_blob_p99": 50, "steady_blob_p99": 50, "hung_man_p99": 50, "steady_man_p99": 50, "stale_tag_s": 2.5}


def fmt(v):
    if v is None:
        return "–"
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def report(raw_path, big, mid, header_path, notes_path=None):
    """Prints the Markdown report: medians with ratios, then every raw value, from key/system/value lines, then the
    lines of notes_path."""
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
        elif kind == "base":
            note = f"wharf/baseline {fmt(ratio(wh, base))}"
        elif kind == "both":
            note = f"wharf/baseline {fmt(ratio(wh, base))}, wharf/limit {fmt(ratio(wh, lim))}"
        else:
            note = ""
        if key == "tag_rps":
            note += f"; wharf tag/digest {fmt(ratio(wh, med('dig_rps', 'wharf')))}"
        if key == "rss200" and wh is not None and med("rss20", "wharf") is not None:
            note = f"200 minus 20: {wh - med('rss20', 'wharf'):+.0f} MiB"
        if kind == "wharf" and key.endswith("_p99"):
            note = f"p50 {fmt(med(key[:-3] + 'p50', 'wharf'))} ms"
        if key in TARGETS:
            note += ("; " if note else "") + f"target <= {TARGETS[key]:g} {unit}"
        name = f"{label.format(big=big, mid=mid)} ({unit})"
        out.append(f"| {name} | {fmt(lim)} | {fmt(base)} | {fmt(wh)} | {note} |")
        if key == "t1":
            for n in MISS_COUNTS:
                if f"t{n}" in raw:
                    cells = [fmt(ratio(med(f"t{n}", s), med("t1", s))) for s in SYSTEMS]
                    out.append(
                        f"| 6. time for {n} clients / time for one client | {cells[0]} | {cells[1]} | {cells[2]} | "
                        f"1.0 would mean the {n - 1} others cost nothing |"
                    )
    out += ["", "Raw values (one per run, in run order):", "", "| key | system | values |", "|---|---|---|"]
    for key, by_system in raw.items():
        for system in SYSTEMS:
            if system in by_system:
                out.append(f"| {key} | {system} | {' '.join(fmt(v) for v in by_system[system])} |")
    notes = open(notes_path).read().rstrip() if notes_path else ""
    if notes:
        out += ["", notes]
    print("\n".join(out))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    commands = {
        "freeports": freeports,
        "config": config,
        "manifest": manifest,
        "push_small": push_small,
        "par": par,
        "rss": rss,
        "cold": cold,
        "wrk": wrk,
        "latency": latency,
        "report": report,
    }
    commands[command](*args)
