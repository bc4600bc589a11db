"""The scale workload (bench/run --scale [--files N] [--writer-rate R] [--pickbox-only]).

N files of 1 KiB in N/100 directories are written on node 1 of a 3-node cluster (as fast as one
Python loop can, or at most R files a second: the issue's figure assumes a writer of about 1,800
files/s, where this machine's loop makes several times that); then, for each
system: the time from the last write until every node holds them all, memory during and after
(Pickbox: heap from its metrics, and RSS), the idle CPU of a node holding them, a restart of a node
until it is ready, and a 4th node catching up. Convergence is read from each system's own status
(its counts of files and of work waiting), then checked on disk: the file count of every folder and
the bytes of a random sample of files. Last, with every node stopped, a plain writer makes the same
files on the same disk, each as a node puts a file in place (a temp file renamed to its name): what
creating them costs this disk and kernel, the floor under the catch-up.
"""
import os
import random
import re
import shutil
import signal
import subprocess
import time

KiB = 1024
FILES_PER_DIR = 100
SAMPLE = 2000
IDLE_AFTER_S = 10
IDLE_CPU_SECONDS = 30
# Idle CPU once settled: from this long after convergence, past a node's first verify scan (at most
# 3 minutes after its start) and most of the JIT's compiling, for as long again as the first window.
SETTLED_AFTER_S = 180
SETTLED_CPU_SECONDS = 60


def tree_path(i):
    """Where the scale tree keeps its file i: FILES_PER_DIR files to a directory."""
    return os.path.join(f"d{i // FILES_PER_DIR:05d}", f"f{i:07d}.txt")


def write_tree(root, n, rng, log, rate=0):
    """Writes n files of 1 KiB under root/scale in n/100 directories, at most rate files a second
    (0: as fast as it can); returns when the last was written."""
    base = os.path.join(root, "scale")
    t0 = time.perf_counter()
    for i in range(n):
        if rate and i % FILES_PER_DIR == 0:
            ahead = t0 + i / rate - time.perf_counter()  # a directory's worth at a time
            if ahead > 0:
                time.sleep(ahead)
        path = os.path.join(base, tree_path(i))
        if i % FILES_PER_DIR == 0:
            os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(rng.randbytes(KiB))
        if i and i % 100_000 == 0:
            log(f"  written {i} files ({i / (time.perf_counter() - t0):.0f} files/s)")
    return time.perf_counter() - t0


def plain_writer_files_per_s(work, n, rng):
    """Makes the scale tree's n files in a folder of its own under work, each written to a temp file
    and renamed into place, nothing flushed; returns files per second, and removes the folder."""
    base = os.path.join(work, "plain-writer")
    shutil.rmtree(base, ignore_errors=True)
    data = rng.randbytes(KiB)
    try:
        for i in range(0, n, FILES_PER_DIR):
            os.makedirs(os.path.dirname(os.path.join(base, tree_path(i))))
        t0 = time.perf_counter()
        for i in range(n):
            path = os.path.join(base, tree_path(i))
            tmp = os.path.join(os.path.dirname(path), f".tmp-{i:07d}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)
            os.rename(tmp, path)
        return round(n / (time.perf_counter() - t0))
    finally:
        shutil.rmtree(base, ignore_errors=True)


def count_files(root):
    n = 0
    for _, _, files in os.walk(os.path.join(root, "scale")):
        n += len(files)
    return n


def sample_matches(dirs, n, rng):
    """A random sample of the files written: byte-identical on every node."""
    for _ in range(min(SAMPLE, n)):
        i = rng.randrange(n)
        rel = os.path.join("scale", tree_path(i))
        contents = set()
        for d in dirs:
            try:
                with open(os.path.join(d, rel), "rb") as f:
                    contents.add(f.read())
            except FileNotFoundError:
                return False, f"{rel} missing in {d}"
        if len(contents) != 1:
            return False, f"{rel} differs between nodes"
    return True, f"{min(SAMPLE, n)} sampled files identical"


def cpu_percent(B, pids, seconds):
    """The CPU each process (and its children) uses over the next `seconds`, in % of one core."""
    c0 = {k: B.cpu_seconds(p) for k, p in pids.items()}
    time.sleep(seconds)
    return {k: round(100 * (B.cpu_seconds(p) - c0[k]) / seconds, 2) for k, p in pids.items()}


def heap_mb(admin_port, B):
    """Heap in use (garbage included) from a Pickbox node's metrics; None when it does not answer."""
    try:
        import urllib.request
        text = urllib.request.urlopen(f"http://127.0.0.1:{admin_port}/metrics", timeout=3).read().decode()
    except Exception:
        return None
    used = sum(float(v) for v in re.findall(r'^jvm_memory_used_bytes\{[^}]*area="heap"[^}]*\} (\S+)$', text, re.M))
    return round(used / 2 ** 20, 1)


def live_heap_mb(pid):
    """Heap in use after a full collection (jcmd GC.run, then GC.heap_info); None without jcmd."""
    try:
        subprocess.run(["jcmd", str(pid), "GC.run"], capture_output=True, timeout=60, check=True)
        out = subprocess.run(["jcmd", str(pid), "GC.heap_info"], capture_output=True, timeout=60, text=True).stdout
    except Exception:
        return None
    m = re.search(r"used (\d+)K", out)
    return round(int(m.group(1)) / 1024, 1) if m else None


class HeapSampler:
    """The highest heap in use seen on each Pickbox node, sampled from its metrics every second."""

    def __init__(self, system, B):
        import threading
        self.system, self.B, self.peak, self.stop_flag = system, B, {}, threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop_flag.wait(1.0):
            for node in self.system.nodes:
                h = heap_mb(node["admin"], self.B)
                if h is not None and h > self.peak.get(node["name"], 0):
                    self.peak[node["name"]] = h

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_flag.set()
        self.thread.join()


def pickbox_converged(system, nodes, expected_entries):
    sts = [system.status(n) for n in nodes]
    return all(s.get("files") == expected_entries and s.get("pending", 0) == 0 and s.get("applyLag", 0) == 0
               for s in sts)


def syncthing_converged(system, devs, n):
    for d in devs:
        s = system.rest(d, "GET", "/rest/db/status?folder=bench")
        if s.get("state") != "idle" or s.get("needTotalItems", 0) or s.get("localFiles") != n:
            return False
    return True


def run_one(B, cls, args, work, n):
    """One system through the workload; returns its figures."""
    is_pickbox = cls is B.Pickbox
    mem = B.MemSampler()
    mem.start()
    system = B.Pickbox(work, mem, env=B.node_jvm_env(args.jvm_options), insecure=args.insecure) if is_pickbox \
        else B.Syncthing(work, mem, lat10=False)
    name = cls.name
    R = {"files": n, "dirs": (n + FILES_PER_DIR - 1) // FILES_PER_DIR}
    rng = random.Random(19)
    limit = max(300, n // 200)
    try:
        B.log(f"{name}: starting 3 nodes")
        system.start()
        dirs = system.dirs
        # Pickbox counts directories as entries too: the files, their directories and "scale".
        expected_entries = n + R["dirs"] + 1
        sampler = HeapSampler(system, B) if is_pickbox else None
        if sampler:
            sampler.__enter__()
        try:
            rate = args.writer_rate
            R["writer_rate_limit"] = rate or None
            B.log(f"{name}: writing {n} files of 1 KiB in {R['dirs']} directories on node 1"
                  + (f", at most {rate} files/s" if rate else ""))
            R["write_s"] = round(write_tree(dirs[0], n, rng, B.log, rate), 1)
            t_last = time.perf_counter()
            R["write_files_per_s"] = round(n / R["write_s"])

            def done():
                for p in system.procs().values():
                    if p.poll() is not None:
                        raise RuntimeError(f"a {name} node exited (status {p.returncode})")
                return pickbox_converged(system, system.nodes, expected_entries) if is_pickbox \
                    else syncthing_converged(system, system.devs, n)
            try:
                B.wait_until(done, limit, 1.0, f"{name} converged")
                t_converged = time.perf_counter()
                R["converged_after_last_write_s"] = round(t_converged - t_last, 1)
                R["status"] = "ok"
            except Exception as e:
                R["status"] = f"did not converge: {e}"
                return R
        finally:
            if sampler:
                sampler.__exit__(None, None, None)
                R["peak_heap_mb"] = sampler.peak
        R["peak_rss_mb"] = {k: round(v / 1024, 1) for k, v in mem.peak.items()}
        B.log(f"{name}: converged {R['converged_after_last_write_s']} s after the last write; peak heap {R.get('peak_heap_mb')}, "
              f"peak RSS {R['peak_rss_mb']}")
        counts = [count_files(d) for d in dirs]
        ok, detail = sample_matches(dirs, n, rng)
        R["on_disk"] = {"files_per_node": counts, "sample": detail}
        if counts != [n] * len(dirs) or not ok:
            R["status"] = f"not identical on disk: {counts}, {detail}"
            return R

        time.sleep(max(0.0, t_converged + IDLE_AFTER_S - time.perf_counter()))
        R["idle_rss_mb"] = mem.rss_mb()
        pids = system.pids()
        R["idle_cpu_from_s"] = round(time.perf_counter() - t_converged, 1)  # after convergence (counting files may take longer)
        R["idle_cpu_percent"] = cpu_percent(B, pids, IDLE_CPU_SECONDS)
        if is_pickbox:
            R["heap_after_mb"] = {node["name"]: heap_mb(node["admin"], B) for node in system.nodes}
            R["live_heap_after_mb"] = {k: live_heap_mb(p) for k, p in pids.items()}
        B.log(f"{name}: idle RSS {R['idle_rss_mb']}, idle CPU {R['idle_cpu_percent']}, heap after a collection "
              f"{R.get('live_heap_after_mb')}")
        time.sleep(max(0.0, t_converged + SETTLED_AFTER_S - time.perf_counter()))
        R["settled_cpu_from_s"] = round(time.perf_counter() - t_converged, 1)
        R["settled_cpu_percent"] = cpu_percent(B, pids, SETTLED_CPU_SECONDS)
        B.log(f"{name}: idle CPU over {SETTLED_CPU_SECONDS} s from {R['settled_cpu_from_s']} s after convergence "
              f"{R['settled_cpu_percent']}")

        if is_pickbox:
            B.log(f"{name}: restarting node 3 (SIGTERM, then the same command)")
            R["restart_ready_s"] = restart_until_ready(B, system, system.nodes[2], limit)
            B.log(f"{name}: restarted node 3 ready after {R['restart_ready_s']} s")

        B.log(f"{name}: a 4th node catching up with {n} files")
        t0 = time.perf_counter()
        node = system.start_catchup_node()

        def caught_up():
            if node["proc"].poll() is not None:
                raise RuntimeError(f"the 4th node exited (status {node['proc'].returncode})")
            if is_pickbox:
                return pickbox_converged(system, [node], expected_entries)
            return syncthing_converged(system, [node], n)
        try:
            B.wait_until(caught_up, limit, 1.0, "the 4th node caught up")
            t = time.perf_counter() - t0
            R["catch_up_s"] = round(t, 1)
            R["catch_up_files_per_s"] = round(n / t)
            R["catch_up_on_disk"] = count_files(node["dir"])
        except Exception as e:
            R["catch_up"] = f"did not catch up: {e}"
        R["peak_rss_mb"] = {k: round(v / 1024, 1) for k, v in mem.peak.items()}
        return R
    finally:
        mem.stop()
        system.stop()


def restart_until_ready(B, system, node, limit):
    """Stops a Pickbox node gracefully, starts it with its own command, and times it until /v1/ready answers 200."""
    p = node["proc"]
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=120)
    t0 = time.perf_counter()
    node["proc"] = B.spawn(node["cmd"], node["log"], env=node["env"])
    system.mem.add(node["name"], node["proc"].pid)

    def ready():
        if node["proc"].poll() is not None:
            raise RuntimeError(f"{node['id']} exited after its restart")
        try:
            B.http("GET", f"http://127.0.0.1:{node['admin']}/v1/ready", timeout=2)
            return True
        except Exception:
            return False
    B.wait_until(ready, limit, 0.1, f"{node['id']} ready")
    return round(time.perf_counter() - t0, 2)


def main(B, args):
    n = args.files
    out = args.out or os.path.join(B.HERE, "results", f"latest-scale-{n}.json")
    facts = B.machine_facts(args.work)
    systems = [B.Pickbox] + ([] if args.pickbox_only else [B.Syncthing])
    results = {}
    for cls in systems:
        B.remove_kept_folders(args.work)
        results[cls.name] = run_one(B, cls, args, os.path.join(args.work, cls.name.lower()), n)
        B.log(f"  -> {results[cls.name]}")
    B.log(f"a plain writer making the {n} files on this disk (temp file + rename each)")
    floor = plain_writer_files_per_s(args.work, n, random.Random(23))
    print(render(results, n))
    print(f"A plain writer making the same files on this disk (temp file + rename each, nodes stopped): {floor:,} files/s")
    import json
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump({"mode": "scale", "files": n, "facts": facts, "results": results,
                   "plain_writer_files_per_s": floor}, f, indent=1, default=str)
    B.log(f"wrote {out}")


def render(results, n):
    def worst(d):
        return max(d.values()) if isinstance(d, dict) and d and all(v is not None for v in d.values()) else None

    rows = [("writer", "write_files_per_s", "files/s", ""),
            ("converged after the last write", "converged_after_last_write_s", "s", "<= 30 s at 1,000,000"),
            ("peak heap (max node)", "peak_heap_mb", "MB", "<= 256 MB"),
            ("peak RSS (max node)", "peak_rss_mb", "MB", "<= 300 MB"),
            ("idle RSS (max node)", "idle_rss_mb", "MB", "<= 300 MB"),
            ("live heap after (max node)", "live_heap_after_mb", "MB", "same at 100k and 1M"),
            (f"idle CPU (max node), {IDLE_AFTER_S}-{IDLE_AFTER_S + IDLE_CPU_SECONDS} s after", "idle_cpu_percent", "%", "<= 1 %"),
            (f"idle CPU (max node), {SETTLED_AFTER_S}-{SETTLED_AFTER_S + SETTLED_CPU_SECONDS} s after",
             "settled_cpu_percent", "%", "<= 1 %"),
            ("restart until ready", "restart_ready_s", "s", "<= 10 s"),
            ("4th node catch-up", "catch_up_files_per_s", "files/s", ">= 20,000")]
    names = list(results)
    paced = {r.get("writer_rate_limit") for r in results.values()} - {None}
    lines = [f"Scale: {n} files of 1 KiB in {n // FILES_PER_DIR} directories, written on node 1"
             + (f" at most {paced.pop():,} files/s" if paced else ""),
             "| figure | " + " | ".join(names) + " | target |", "|---" * (len(names) + 2) + "|"]
    for label, key, unit, target in rows:
        cells = []
        for s in names:
            v = results[s].get(key)
            v = worst(v) if isinstance(v, dict) else v
            cells.append("—" if v is None else f"{v:,} {unit}")
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {target} |")
    lines.append("| status | " + " | ".join(str(results[s].get("status")) for s in names) + " | |")
    return "\n".join(lines)
