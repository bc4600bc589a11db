#!/usr/bin/env python3
"""Pickbox vs Syncthing benchmark on loopback (Python 3 standard library only).

Started by bench/run, which creates the work directory and cleans it up.  Everything binds to
127.0.0.1; HTTP requests go through an opener without proxies so they never leave loopback.
See bench/README.md for what each workload measures and how.
"""
import argparse
import datetime
import hashlib
import json
import math
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MiB = 1 << 20
SKIP_PREFIXES = (".pickbox", ".stfolder", ".stversions", ".syncthing.", "~syncthing~", ".stignore")
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never use a proxy

PROCS = []          # every process we started
PIDFILE = None      # bench/run's fallback cleanup reads it
_used_ports = set()


# Nodes start through ./pickbox, as a user starts them: the options in jvm.options, MALLOC_ARENA_MAX=2
# and the jar's class-data archive (bench/run has it made before anything is timed). A
# PICKBOX_JAVA_OPTS in the caller's environment is ignored, so the project's own options are measured
# (the long workload's --jvm-options FILE sets it to that file's options instead). Neither does an
# admin token or invite of the caller's reach them: the benchmark makes its own invites.
LAUNCHER = os.path.join(ROOT, "pickbox")
NODE_ENV = {k: v for k, v in os.environ.items()
            if k not in ("PICKBOX_JAVA_OPTS", "PICKBOX_ADMIN_TOKEN", "PICKBOX_INVITE_TOKEN")}
INVITE_ENV = "PICKBOX_INVITE_TOKEN"  # an invite reaches a joining node this way, never on its command line


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ----------------------------------------------------------------------------- processes

def spawn(cmd, log_path, env=None):
    logf = open(log_path, "ab")
    p = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                         start_new_session=True, env=env)
    logf.close()
    PROCS.append(p)
    if PIDFILE:
        with open(PIDFILE, "a") as f:
            f.write(f"{p.pid}\n")
    return p


def stop_procs(procs, timeout=20):
    procs = [p for p in procs if p.poll() is None]
    for p in procs:
        try:
            p.terminate()
        except ProcessLookupError:
            pass
    deadline = time.time() + timeout
    for p in procs:
        try:
            p.wait(max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def cleanup_all():
    stop_procs(PROCS)


def free_port():
    while True:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        if port not in _used_ports and port < 60000:
            _used_ports.add(port)
            return port


def http(method, url, body=None, headers=None, timeout=5):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with OPENER.open(req, timeout=timeout) as r:
        raw = r.read()
    return json.loads(raw) if raw.strip() else None


def wait_until(fn, timeout, interval=0.1, what="condition"):
    deadline = time.time() + timeout
    last_err = None
    while time.time() < deadline:
        try:
            v = fn()
            if v:
                return v
        except Exception as e:  # noqa: BLE001 - polling
            last_err = e
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}" + (f" ({last_err})" if last_err else ""))


# ----------------------------------------------------------------------------- files

def scan_sizes(base, sub=""):
    """rel path -> size of every regular file under base/sub, skipping both tools' own files."""
    out = {}
    stack = [os.path.join(base, sub) if sub else base]
    while stack:
        d = stack.pop()
        try:
            it = os.scandir(d)
        except (FileNotFoundError, NotADirectoryError):
            continue
        with it:
            for e in it:
                if e.name.startswith(SKIP_PREFIXES):
                    continue
                try:
                    if e.is_dir(follow_symlinks=False):
                        stack.append(e.path)
                    elif e.is_file(follow_symlinks=False):
                        out[os.path.relpath(e.path, base)] = e.stat(follow_symlinks=False).st_size
                except FileNotFoundError:
                    pass
    return out


def sha_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(4 * MiB)
            if not b:
                break
            h.update(b)
    return h.hexdigest()


def hash_manifest(base, sub=""):
    return {rel: sha_file(os.path.join(base, rel)) for rel in sorted(scan_sizes(base, sub))}


def verify_identical(dirs, sub, expected):
    """SHA-256 of every file under sub on every node must equal `expected` (rel -> sha)."""
    for d in dirs:
        try:
            m = hash_manifest(d, sub)
        except FileNotFoundError:
            return False, f"{d}: file vanished while hashing"
        if m != expected:
            missing = [k for k in expected if k not in m][:3]
            extra = [k for k in m if k not in expected][:3]
            diff = [k for k in expected if k in m and m[k] != expected[k]][:3]
            return False, f"{d}: {len(m)} files vs {len(expected)} expected; missing {missing} extra {extra} differ {diff}"
    return True, "identical"


def pct(values, p):
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


# ----------------------------------------------------------------------------- memory

def proc_tree(pid):
    """pid and its descendants (Syncthing runs a monitor process and a worker child)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            tids = os.listdir(f"/proc/{p}/task")
        except (FileNotFoundError, ProcessLookupError):
            continue
        for tid in tids:  # a child is listed under the thread that forked it (Go: any thread)
            try:
                with open(f"/proc/{p}/task/{tid}/children") as f:
                    todo += [int(x) for x in f.read().split() if int(x) not in out]
            except (FileNotFoundError, ProcessLookupError, ValueError):
                pass
    return out


class MemSampler(threading.Thread):
    """RSS of each node: the sum over the node's process tree, sampled every 250 ms from
    /proc/<pid>/status; the peak is the larger of the highest sampled sum and the sum of VmHWM."""

    TREE_REFRESH_S = 4.0

    def __init__(self):
        super().__init__(daemon=True)
        self.pids = {}
        self.peak = {}   # name -> kB
        self._trees = {}  # pid -> (when listed, pids of its tree)
        self._stop = threading.Event()

    @staticmethod
    def read(pid):
        try:
            with open(f"/proc/{pid}/status") as f:
                txt = f.read()
        except (FileNotFoundError, ProcessLookupError):
            return 0, 0
        rss = re.search(r"VmRSS:\s+(\d+)", txt)
        hwm = re.search(r"VmHWM:\s+(\d+)", txt)
        return (int(rss.group(1)) if rss else 0), (int(hwm.group(1)) if hwm else 0)

    def add(self, name, pid):
        self.pids[name] = pid

    def tree(self, pid):
        """The node's process tree, listed again every few seconds only: listing it reads a file per
        thread (a JVM has ~70), which every 250 ms would take CPU from the systems measured."""
        now = time.monotonic()
        listed = self._trees.get(pid)
        if listed is None or now - listed[0] > self.TREE_REFRESH_S:
            listed = (now, proc_tree(pid))
            self._trees[pid] = listed
        return listed[1]

    def tree_kb(self, pid):
        rss = hwm = 0
        for p in self.tree(pid):
            r, h = self.read(p)
            rss += r
            hwm += h
        return rss, hwm

    def sample(self):
        for name, pid in list(self.pids.items()):
            rss, hwm = self.tree_kb(pid)
            v = max(rss, hwm)
            if v > self.peak.get(name, 0):
                self.peak[name] = v

    def rss_mb(self):
        out = {}
        for name, pid in self.pids.items():
            rss, _ = self.tree_kb(pid)
            if rss:
                out[name] = round(rss / 1024, 1)
        return out

    def run(self):
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(0.25)

    def stop(self):
        if not self._stop.is_set():
            self.sample()
        self._stop.set()


# ----------------------------------------------------------------------------- network bytes

def _norm_addr(a):
    return a.replace("[::ffff:", "").replace("[", "").replace("]", "")


def parse_ss(text):
    out, cur = [], None
    for line in text.splitlines():
        if not line.strip():
            continue
        if line[0] in " \t":
            if cur is not None:
                m = re.search(r"bytes_sent:(\d+)", line)
                cur["sent"] = int(m.group(1)) if m else 0
                m = re.search(r"bytes_received:(\d+)", line)
                cur["recv"] = int(m.group(1)) if m else 0
            continue
        parts = line.split()
        if len(parts) < 5:
            cur = None
            continue
        m = re.search(r"pid=(\d+)", line)
        cur = {"local": _norm_addr(parts[3]), "remote": _norm_addr(parts[4]),
               "pid": int(m.group(1)) if m else None, "sent": 0, "recv": 0}
        out.append(cur)
    return out


class NetMeter:
    """TCP payload bytes sent per node process, from the kernel's per-socket counters.

    `ss -tinp` (every 100 ms) gives bytes_sent/bytes_received and the owning pid of every live
    socket; `ss -tinE` streams the final counters of sockets destroyed meanwhile.  A socket is
    charged to the node that owns it (pid, or one of the node's listening ports); only sockets
    whose peer is another node (or an unknown short-lived peer) count, so the benchmark's own
    HTTP polling never does (and it does not poll during a measurement anyway)."""

    def __init__(self, pids, ports):
        self.pid2name = {p: name for name, pid in pids.items() for p in proc_tree(pid)}
        self.port2name = {str(port): name for port, name in ports.items()}

    def _snap(self):
        return parse_ss(subprocess.run(["ss", "-tinpH"], capture_output=True, text=True).stdout)

    def _endpoint_owner(self, ep):
        if ep in self.owner:
            return self.owner[ep]
        return self.port2name.get(ep.rsplit(":", 1)[-1])

    def _observe(self, s):
        if s["local"].endswith(":*") or s["remote"].endswith(":*"):
            return
        if s["pid"] is not None:
            self.owner[s["local"]] = self.pid2name.get(s["pid"], f"pid{s['pid']}")
        key = (s["local"], s["remote"])
        old = self.last.get(key, (0, 0))
        self.last[key] = (max(old[0], s["sent"]), max(old[1], s["recv"]))

    def start(self):
        self.owner, self.last, self.base = {}, {}, {}
        self.ev_lines = []
        self.ev = subprocess.Popen(["stdbuf", "-oL", "ss", "-tinEH"], stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, text=True)
        self.ev_reader = threading.Thread(target=lambda: self.ev_lines.extend(self.ev.stdout), daemon=True)
        self.ev_reader.start()
        time.sleep(0.2)
        for s in self._snap():
            self._observe(s)
            self.base[(s["local"], s["remote"])] = (s["sent"], s["recv"])
        self._stop = threading.Event()
        self.sampler = threading.Thread(target=self._loop, daemon=True)
        self.sampler.start()

    def _loop(self):
        while not self._stop.wait(0.1):
            for s in self._snap():
                self._observe(s)

    def stop(self):
        self._stop.set()
        self.sampler.join()
        for s in self._snap():
            self._observe(s)
        time.sleep(0.3)
        self.ev.send_signal(signal.SIGINT)
        try:
            self.ev.wait(5)
        except subprocess.TimeoutExpired:
            self.ev.kill()
        self.ev_reader.join(5)
        for s in parse_ss("".join(self.ev_lines)):
            s["pid"] = None
            self._observe(s)
        per_node, unattributed = {}, 0
        names = set(self.pid2name.values())
        for (local, remote), (sent, recv) in self.last.items():
            b = self.base.get((local, remote), (0, 0))
            d = sent - b[0] if sent >= b[0] else sent
            if d <= 0:
                continue
            lo, ro = self._endpoint_owner(local), self._endpoint_owner(remote)
            if ro is not None and ro not in names:
                continue  # peer is not a node (e.g. this benchmark, another program)
            if lo in names:
                per_node[lo] = per_node.get(lo, 0) + d
            elif lo is None and (ro in names or ro is None):
                unattributed += d
        return {"sent_bytes_per_node": per_node, "unattributed_bytes": unattributed}


# ----------------------------------------------------------------------------- Pickbox

class Pickbox:
    """Nodes with mutual TLS between them (the product's default): node 1 makes the cluster's
    identity, every other node joins with a one-time invite made on node 1's admin API. With
    insecure=True they run plaintext (--insecure) and join with --join alone (no invite)."""
    name = "Pickbox"

    def __init__(self, work, mem, env=None, insecure=False):
        self.work = os.path.join(work, "pickbox")
        os.makedirs(self.work, exist_ok=True)
        self.mem = mem
        self.env = env or NODE_ENV
        self.insecure = insecure
        self.prefix = "bench" + secrets.token_hex(2)
        self.nodes = []

    def folder(self, i):
        return self.nodes[i]["dir"]

    @property
    def dirs(self):
        return [n["dir"] for n in self.nodes]

    def invite(self, node):
        """A one-time invite made on node's admin API, as `pickbox cluster invite` makes it."""
        answer = http("POST", f"http://127.0.0.1:{node['admin']}/v1/cluster/invites", {"expiresSeconds": 600}, timeout=30)
        return answer["token"]

    def start_node(self, i, join=None):
        """join: the member node to join (None for the first node)."""
        nid = f"{self.prefix}-n{i + 1}"
        # Three ports each: Raft, admin, and the peer port chunks are pushed and fetched on (given
        # explicitly: its default, Raft port + 2000, may be taken on a busy machine).
        port, admin, peer = free_port(), free_port(), free_port()
        d = os.path.join(self.work, f"node{i + 1}")
        cmd = [LAUNCHER, "node", "start", "--node-id", nid, "--port", str(port), "--admin-port", str(admin),
               "--peer-port", str(peer), "--data-dir", d]
        env = self.env
        invite_ms = None
        if self.insecure:
            cmd.append("--insecure")
        if join:
            cmd += ["--join", f"127.0.0.1:{join['port']}"]
        if join and not self.insecure:
            t = time.perf_counter()
            env = dict(self.env, **{INVITE_ENV: self.invite(join)})
            invite_ms = round((time.perf_counter() - t) * 1000, 1)
        p = spawn(cmd, os.path.join(self.work, f"node{i + 1}.log"), env=env)
        node = {"id": nid, "port": port, "admin": admin, "peer": peer, "dir": d, "proc": p, "name": f"node{i + 1}",
                "invite_ms": invite_ms, "cmd": cmd, "env": env, "log": os.path.join(self.work, f"node{i + 1}.log")}
        self.nodes.append(node)
        self.mem.add(node["name"], p.pid)
        return node

    def status(self, node):
        return http("GET", f"http://127.0.0.1:{node['admin']}/v1/status", timeout=3)

    def wait_up(self, node, timeout=90):
        def ok():
            if node["proc"].poll() is not None:
                raise RuntimeError(f"{node['id']} exited; see {self.work}/{node['name']}.log")
            st = self.status(node)
            if st.get("node") != node["id"]:
                raise RuntimeError(f"port {node['admin']} answers as {st.get('node')}, not our node")
            return st.get("healthy") and st.get("leader")
        wait_until(ok, timeout, 0.2, f"{node['id']} up")

    def start(self):
        n1 = self.start_node(0)
        self.wait_up(n1)
        others = [self.start_node(i, join=n1) for i in (1, 2)]
        for n in others:
            self.wait_up(n)

        def members_ok():
            ms = [m["id"] for m in self.status(n1)["members"]]
            bad = [m for m in ms if not m.startswith(self.prefix)]
            if bad:
                raise RuntimeError(f"foreign members in our cluster: {bad}")
            return len(ms) == 3
        wait_until(members_ok, 60, 0.2, "3 members")
        self.wait_idle()
        self.check_transport(n1)

    def check_transport(self, node):
        """The nodes run the transport asked for: with TLS every member has a certificate from the
        cluster (its expiry is in the status), plaintext none; each announces our peer port."""
        members = self.status(node)["members"]
        with_cert = [m["id"] for m in members if m.get("certificateExpires")]
        if self.insecure and with_cert:
            raise RuntimeError(f"--insecure, yet members {with_cert} have certificates")
        if not self.insecure and len(with_cert) != len(members):
            raise RuntimeError(f"TLS expected, yet only {with_cert} of {len(members)} members have certificates")
        peers = {n["id"]: n["peer"] for n in self.nodes}
        wrong = [m for m in members if m.get("peer") and not m["peer"].endswith(f":{peers.get(m['id'])}")]
        if wrong:
            raise RuntimeError(f"members announce other peer ports than given: {wrong}")
        return True

    def wait_idle(self, timeout=120, nodes=None):
        nodes = nodes or self.nodes
        state = {"prev": None}

        def idle():
            sts = [self.status(n) for n in nodes]
            key = tuple(s["appliedIndex"] for s in sts)
            quiet = all(s.get("pending", 0) == 0 and s.get("applyLag", 0) == 0 for s in sts) and len(set(key)) == 1
            ok = quiet and state["prev"] == key
            state["prev"] = key if quiet else None
            return ok
        wait_until(idle, timeout, 0.25, "Pickbox idle")

    def pids(self):
        return {n["name"]: n["proc"].pid for n in self.nodes}

    def ports(self):
        out = {}
        for n in self.nodes:
            for k in ("port", "admin", "peer"):
                out[n[k]] = n["name"]
        return out

    def procs(self):
        return {n["name"]: n["proc"] for n in self.nodes}

    def start_catchup_node(self):
        return self.start_node(3, join=self.nodes[0])

    def kill(self, i):
        """SIGKILL, as a crash or a power cut: the launcher execs the JVM, so its pid is the node's."""
        node = self.nodes[i]
        node["proc"].kill()
        node["proc"].wait()

    def restart(self, i):
        """The node's own command again, as an operator restarts it (its invite mattered only the first time)."""
        node = self.nodes[i]
        node["proc"] = spawn(node["cmd"], os.path.join(self.work, f"{node['name']}.log"), env=self.env)
        self.mem.add(node["name"], node["proc"].pid)
        return node

    def wait_restarted(self, i, timeout=90):
        self.wait_up(self.nodes[i], timeout)
        self.wait_idle()

    def stop(self):
        stop_procs([n["proc"] for n in self.nodes])


# ----------------------------------------------------------------------------- Syncthing

ST_OPTIONS = {
    "globalAnnounceEnabled": "false", "localAnnounceEnabled": "false", "relaysEnabled": "false",
    "natEnabled": "false", "urAccepted": "-1", "urSeen": "3", "autoUpgradeIntervalH": "0",
    "crashReportingEnabled": "false", "startBrowser": "false", "setLowPriority": "false",
    "stunKeepaliveStartS": "0", "reconnectionIntervalS": "10", "announceLANAddresses": "false",
    "progressUpdateIntervalS": "-1",
}


class Syncthing:
    name = "Syncthing"

    def __init__(self, work, mem, lat10):
        self.work = os.path.join(work, "syncthing")
        os.makedirs(self.work, exist_ok=True)
        self.mem = mem
        self.lat10 = lat10
        self.devs = []

    @property
    def dirs(self):
        return [d["dir"] for d in self.devs]

    @property
    def dirs10(self):
        return [d["dir10"] for d in self.devs]

    def env(self, home):
        e = dict(os.environ)
        for k in list(e):
            if k.lower() in ("http_proxy", "https_proxy", "all_proxy"):
                del e[k]
        e.update({"HOME": home, "STNOUPGRADE": "1", "STNORESTART": "1", "STNODEFAULTFOLDER": "1"})
        return e

    def generate(self, i):
        base = os.path.join(self.work, f"dev{i + 1}")
        home = os.path.join(base, "home")
        os.makedirs(home, exist_ok=True)
        out = subprocess.run(["syncthing", "generate", f"--home={home}", "--no-default-folder", "--skip-port-probing"],
                             capture_output=True, text=True, env=self.env(base), check=True)
        m = re.search(r"Device ID:\s*([A-Z0-9-]{63})", out.stdout + out.stderr)
        if not m:
            raise RuntimeError("no device id in: " + out.stdout + out.stderr)
        dev = {"name": f"node{i + 1}", "base": base, "home": home, "id": m.group(1),
               "listen": free_port(), "gui": free_port(), "apikey": secrets.token_urlsafe(24),
               "dir": os.path.join(base, "folder"), "dir10": os.path.join(base, "folder-delay10")}
        for d in (dev["dir"], dev["dir10"]):
            os.makedirs(os.path.join(d, ".stfolder"), exist_ok=True)
        return dev

    def write_config(self, dev, peers, folders):
        def devxml(p):
            return (f'    <device id="{p["id"]}" name="{p["name"]}" compression="metadata" introducer="false">\n'
                    f'        <address>tcp://127.0.0.1:{p["listen"]}</address>\n'
                    f'        <autoAcceptFolders>false</autoAcceptFolders>\n    </device>\n')

        def folderxml(fid, path, delay):
            devs = "".join(f'        <device id="{p["id"]}"></device>\n' for p in peers)
            return (f'    <folder id="{fid}" label="{fid}" path="{path}" type="sendreceive" rescanIntervalS="86400" '
                    f'fsWatcherEnabled="true" fsWatcherDelayS="{delay}" ignorePerms="false" autoNormalize="true">\n'
                    f'{devs}        <minDiskFree unit="%">1</minDiskFree>\n        <markerName>.stfolder</markerName>\n'
                    f'    </folder>\n')
        opts = "".join(f"        <{k}>{v}</{k}>\n" for k, v in ST_OPTIONS.items())
        xml = ('<configuration version="36">\n'
               + "".join(folderxml(*f) for f in folders)
               + "".join(devxml(p) for p in peers)
               + f'    <gui enabled="true" tls="false" debugging="false">\n'
                 f'        <address>127.0.0.1:{dev["gui"]}</address>\n        <apikey>{dev["apikey"]}</apikey>\n'
                 f'        <insecureAdminAccess>false</insecureAdminAccess>\n    </gui>\n'
               + f'    <options>\n        <listenAddress>tcp://127.0.0.1:{dev["listen"]}</listenAddress>\n'
                 f'        <globalAnnounceServer></globalAnnounceServer>\n{opts}    </options>\n'
               + '</configuration>\n')
        with open(os.path.join(dev["home"], "config.xml"), "w") as f:
            f.write(xml)

    def launch(self, dev):
        dev["proc"] = spawn(["syncthing", "serve", f"--home={dev['home']}", "--no-browser", "--no-restart",
                             "--no-upgrade", "--no-default-folder"],
                            os.path.join(dev["base"], "syncthing.log"), env=self.env(dev["base"]))
        self.mem.add(dev["name"], dev["proc"].pid)

    def rest(self, dev, method, path, body=None):
        return http(method, f"http://127.0.0.1:{dev['gui']}{path}", body, {"X-API-Key": dev["apikey"]}, timeout=10)

    def wait_up(self, dev, peers, timeout=60):
        def ok():
            if dev["proc"].poll() is not None:
                raise RuntimeError(f"syncthing {dev['name']} exited; see {dev['base']}/syncthing.log")
            if self.rest(dev, "GET", "/rest/system/status").get("myID") != dev["id"]:
                raise RuntimeError("GUI port answers with another device id")
            conns = self.rest(dev, "GET", "/rest/system/connections")["connections"]
            return all(conns.get(p["id"], {}).get("connected") for p in peers if p is not dev)
        wait_until(ok, timeout, 0.25, f"syncthing {dev['name']} connected")

    def start(self):
        self.devs = [self.generate(i) for i in range(3)]
        for d in self.devs:
            folders = [("bench", d["dir"], 1)]
            if self.lat10:
                folders.append(("delay10", d["dir10"], 10))
            self.write_config(d, self.devs, folders)
        for d in self.devs:
            self.launch(d)
        for d in self.devs:
            self.wait_up(d, self.devs)
        self.wait_idle()

    def wait_idle(self, timeout=180, devs=None, folders=("bench",)):
        devs = devs or self.devs
        state = {"prev": None}

        def idle():
            key = []
            for d in devs:
                for fid in folders:
                    if fid == "delay10" and not self.lat10:
                        continue
                    s = self.rest(d, "GET", f"/rest/db/status?folder={fid}")
                    if s.get("state") != "idle" or s.get("needTotalItems", 0) or s.get("inProgressBytes", 0):
                        state["prev"] = None
                        return False
                    key.append((s.get("globalFiles"), s.get("globalBytes"), s.get("localFiles"), s.get("localBytes"), s.get("sequence")))
            ok = state["prev"] == key and len({k[:4] for k in key}) <= len(folders)
            state["prev"] = key
            return ok
        wait_until(idle, timeout, 0.5, "Syncthing idle")

    def pids(self):
        return {d["name"]: d["proc"].pid for d in self.devs}

    def ports(self):
        out = {}
        for d in self.devs:
            out[d["listen"]] = d["name"]
            out[d["gui"]] = d["name"]
        return out

    def start_catchup_node(self):
        dev = self.generate(3)
        peers = self.devs + [dev]
        self.write_config(dev, peers, [("bench", dev["dir"], 1)])
        for d in self.devs:
            self.rest(d, "POST", "/rest/config/devices", {"deviceID": dev["id"], "name": dev["name"],
                                                          "addresses": [f"tcp://127.0.0.1:{dev['listen']}"],
                                                          "compression": "metadata"})
            f = self.rest(d, "GET", "/rest/config/folders/bench")
            f["devices"].append({"deviceID": dev["id"]})
            self.rest(d, "PUT", "/rest/config/folders/bench", f)
        time.sleep(1)
        self.devs.append(dev)
        self.launch(dev)
        return dev

    def procs(self):
        return {d["name"]: d["proc"] for d in self.devs if "proc" in d}

    def kill(self, i):
        """SIGKILL to every process of the device (a monitor process would restart its child)."""
        dev = self.devs[i]
        for pid in reversed(proc_tree(dev["proc"].pid)):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        dev["proc"].wait()

    def restart(self, i):
        self.launch(self.devs[i])
        return self.devs[i]

    def wait_restarted(self, i, timeout=90):
        self.wait_up(self.devs[i], self.devs, timeout)
        self.wait_idle()

    def stop(self):
        stop_procs([d["proc"] for d in self.devs if "proc" in d])


# ----------------------------------------------------------------------------- workloads

def wait_dir_everywhere(dirs, rel, timeout=120):
    wait_until(lambda: all(os.path.isdir(os.path.join(d, rel)) for d in dirs), timeout, 0.05, f"{rel} everywhere")


def run_latency(dirs, sub, n, per_sample_timeout, rng, label):
    os.makedirs(os.path.join(dirs[0], sub), exist_ok=True)
    wait_dir_everywhere(dirs, sub)
    time.sleep(1)
    lat, failed = [], 0
    for k in range(n):
        w = k % len(dirs)
        rel = os.path.join(sub, f"f{k:04d}.bin")
        data = rng.randbytes(1024)
        t0 = time.perf_counter()
        with open(os.path.join(dirs[w], rel), "wb") as f:
            f.write(data)
        pending = [d for i, d in enumerate(dirs) if i != w]
        deadline = t0 + per_sample_timeout
        while pending and time.perf_counter() < deadline:
            still = []
            for d in pending:
                p = os.path.join(d, rel)
                try:
                    if os.stat(p).st_size == 1024:
                        with open(p, "rb") as f:
                            if f.read() == data:
                                continue
                except FileNotFoundError:
                    pass
                still.append(d)
            pending = still
            if pending:
                time.sleep(0.002)
        if pending:
            failed += 1
            log(f"  {label}: sample {k} did not converge in {per_sample_timeout}s")
        else:
            lat.append((time.perf_counter() - t0) * 1000)
    res = {"samples": n, "converged": len(lat), "per_sample_limit_s": per_sample_timeout}
    if lat:
        res.update({"p50_ms": pct(lat, 50), "p90_ms": pct(lat, 90), "p99_ms": pct(lat, 99), "max_ms": max(lat),
                    "mean_ms": sum(lat) / len(lat)})
    if failed:
        res["status"] = f"did not converge in {per_sample_timeout}s ({failed} of {n} samples)"
    else:
        res["status"] = "ok"
    return res


def poll_until_verified(check_sizes, verify, limit, interval, t0):
    """check_sizes() -> bool is the cheap poll; verify() -> (ok, detail) hashes everything.
    Convergence time is the poll that preceded a successful verification."""
    deadline = t0 + limit
    detail = ""
    while time.perf_counter() < deadline:
        if check_sizes():
            t = time.perf_counter()
            ok, detail = verify()
            if ok:
                return t - t0, detail
        time.sleep(interval)
    return None, detail


def run_burst(dirs, sub, nfiles, ndirs, limit, rng):
    per_dir = nfiles // ndirs
    files = {}
    for j in range(ndirs):
        for i in range(per_dir):
            files[os.path.join(sub, f"d{j:03d}", f"f{i:05d}.bin")] = rng.randbytes(4096)
    expected = {rel: hashlib.sha256(b).hexdigest() for rel, b in files.items()}
    by_dir = {}
    for rel in files:
        by_dir.setdefault(os.path.dirname(rel), set()).add(os.path.basename(rel))
    t0 = time.perf_counter()
    for j in range(ndirs):
        os.makedirs(os.path.join(dirs[0], sub, f"d{j:03d}"))
    for rel, b in files.items():
        with open(os.path.join(dirs[0], rel), "wb") as f:
            f.write(b)
    t_written = time.perf_counter() - t0
    done = {(d, dd) for d in dirs[:1] for dd in by_dir}

    def sizes():
        for d in dirs[1:]:
            for dd, names in by_dir.items():
                if (d, dd) in done:
                    continue
                try:
                    with os.scandir(os.path.join(d, dd)) as it:
                        have = {e.name for e in it if e.name in names and e.stat().st_size == 4096}
                except FileNotFoundError:
                    return False
                if len(have) != len(names):
                    return False
                done.add((d, dd))
        return True

    def verify():
        ok, detail = verify_identical(dirs, sub, expected)
        if not ok:
            done.clear()
        return ok, detail
    t, detail = poll_until_verified(sizes, verify, limit, 0.05, t0)
    res = {"files": len(files), "dirs": ndirs, "write_s": t_written, "limit_s": limit}
    if t is None:
        res["status"] = f"did not converge in {limit}s"
        res["detail"] = detail
    else:
        res.update({"status": "ok", "seconds": t, "files_per_s": len(files) / t})
    return res, expected


def run_rename(dirs, old, new, expected_old, limit):
    names = {rel[len(old) + 1:]: sha for rel, sha in expected_old.items()}
    expected = {os.path.join(new, k): v for k, v in names.items()}
    n = len(names)
    t0 = time.perf_counter()
    os.rename(os.path.join(dirs[0], old), os.path.join(dirs[0], new))

    def sizes():
        for d in dirs[1:]:
            if os.path.exists(os.path.join(d, old)) or not os.path.isdir(os.path.join(d, new)):
                return False
        for d in dirs[1:]:
            if len(scan_sizes(d, new)) != n:
                return False
        return True
    t, detail = poll_until_verified(sizes, lambda: verify_identical(dirs, new, expected), limit, 0.005, t0)
    res = {"files": n, "limit_s": limit}
    if t is None:
        res.update({"status": f"did not converge in {limit}s", "detail": detail})
    else:
        res.update({"status": "ok", "seconds": t})
    return res, expected


def sized_everywhere(dirs, rel, size):
    """Whether rel has its full size in each of dirs (the cheap poll before hashing)."""
    for d in dirs:
        try:
            if os.stat(os.path.join(d, rel)).st_size != size:
                return False
        except FileNotFoundError:
            return False
    return True


def run_large(dirs, sub, src, size, src_sha, limit):
    os.makedirs(os.path.join(dirs[0], sub), exist_ok=True)
    wait_dir_everywhere(dirs, sub)
    time.sleep(1)
    rel = os.path.join(sub, "big.bin")
    expected = {rel: src_sha}
    t0 = time.perf_counter()
    shutil.copyfile(src, os.path.join(dirs[0], rel))
    t_copy = time.perf_counter() - t0

    t, detail = poll_until_verified(lambda: sized_everywhere(dirs[1:], rel, size),
                                    lambda: verify_identical(dirs, sub, expected), limit, 0.05, t0)
    res = {"bytes": size, "copy_s": t_copy, "limit_s": limit}
    if t is None:
        res.update({"status": f"did not converge in {limit}s", "detail": detail})
    else:
        res.update({"status": "ok", "seconds": t, "MB_per_s": size / 1e6 / t})
    return res, expected


def run_edit(system, dirs, rel, offset, patch, new_sha, limit):
    meter = NetMeter(system.pids(), system.ports())
    meter.start()
    t0 = time.perf_counter()
    with open(os.path.join(dirs[0], rel), "r+b") as f:
        f.seek(offset)
        f.write(patch)

    def region():
        for d in dirs[1:]:
            try:
                with open(os.path.join(d, rel), "rb") as f:
                    f.seek(offset)
                    if f.read(len(patch)) != patch:
                        return False
            except FileNotFoundError:
                return False
        return True
    deadline = t0 + limit
    t = None
    while time.perf_counter() < deadline:
        if region():
            t = time.perf_counter() - t0
            break
        time.sleep(0.02)
    time.sleep(1.0)  # trailing acknowledgements / index messages
    net = meter.stop()
    res = {"bytes_overwritten": len(patch), "offset": offset, "limit_s": limit, "network": net}
    if t is None:
        res["status"] = f"did not converge in {limit}s"
        return res
    ok, detail = verify_identical(dirs, os.path.dirname(rel), {rel: new_sha})
    if not ok:
        res.update({"status": "converged region but files differ", "detail": detail})
        return res
    per = net["sent_bytes_per_node"]
    res.update({"status": "ok", "seconds": t, "max_sent_per_node_bytes": max(per.values()) if per else 0,
                "total_sent_bytes": sum(per.values()) + net["unattributed_bytes"]})
    return res


def run_copy(system, dirs, rel, copy_rel, sha, limit):
    """cp of the large file to another name in the folder on node 1: until every node holds an
    identical copy, and the bytes the nodes sent each other meanwhile (every node holds the copy's
    content already). The copy is deleted again afterwards, so the figures after it do not move."""
    meter = NetMeter(system.pids(), system.ports())
    meter.start()
    size = os.path.getsize(os.path.join(dirs[0], rel))
    t0 = time.perf_counter()
    shutil.copyfile(os.path.join(dirs[0], rel), os.path.join(dirs[0], copy_rel))

    expected = {rel: sha, copy_rel: sha}
    t, detail = poll_until_verified(lambda: sized_everywhere(dirs[1:], copy_rel, size),
                                    lambda: verify_identical(dirs, os.path.dirname(rel), expected), limit, 0.05, t0)
    time.sleep(1.0)  # trailing acknowledgements / index messages
    net = meter.stop()
    res = {"bytes": size, "limit_s": limit, "network": net}
    if t is None:
        res.update({"status": f"did not converge in {limit}s", "detail": detail})
    else:
        per = net["sent_bytes_per_node"]
        res.update({"status": "ok", "seconds": t, "max_sent_per_node_bytes": max(per.values()) if per else 0,
                    "total_sent_bytes": sum(per.values()) + net["unattributed_bytes"]})
    os.remove(os.path.join(dirs[0], copy_rel))
    wait_until(lambda: not any(os.path.exists(os.path.join(d, copy_rel)) for d in dirs), limit, 0.1, "the copy deleted")
    return res


def run_catchup(system, limit):
    expected = hash_manifest(system.dirs[0])
    total = sum(os.path.getsize(os.path.join(system.dirs[0], r)) for r in expected)
    exp_sizes = {r: os.path.getsize(os.path.join(system.dirs[0], r)) for r in expected}
    t0 = time.perf_counter()
    node = system.start_catchup_node()
    d = node["dir"]

    def sizes():
        return scan_sizes(d) == exp_sizes

    def verify():
        m = hash_manifest(d)
        return (m == expected), f"{len(m)} of {len(expected)} files"
    t, detail = poll_until_verified(sizes, verify, limit, 0.25, t0)
    res = {"files": len(expected), "bytes": total, "limit_s": limit}
    if node.get("invite_ms") is not None:
        res["invite_ms"] = node["invite_ms"]  # made on a member within the timed span, as an operator would
    if t is None:
        res.update({"status": f"did not converge in {limit}s", "detail": detail})
    else:
        res.update({"status": "ok", "seconds": t, "MB_per_s": total / 1e6 / t})
    return res


def write_files(base, files):
    for rel, data in files.items():
        os.makedirs(os.path.dirname(os.path.join(base, rel)), exist_ok=True)
        with open(os.path.join(base, rel), "wb") as f:
            f.write(data)


def poll_files(dirs, sub, expected, limit, t0):
    """Seconds from t0 until every folder in dirs holds exactly `expected` (rel -> bytes) under sub,
    polled every 5 ms by name and size, then checked by content; None past the limit."""
    sizes = {rel: len(b) for rel, b in expected.items()}
    shas = {rel: hashlib.sha256(b).hexdigest() for rel, b in expected.items()}
    t, _detail = poll_until_verified(lambda: all(scan_sizes(d, sub) == sizes for d in dirs),
                                     lambda: verify_identical(dirs, sub, shas), limit, 0.005, t0)
    return t


def summary(samples, limit):
    """The median of the rounds, with every round's figure; a round that missed its limit fails the workload."""
    res = {"rounds": len(samples), "samples_s": [None if s is None else round(s, 4) for s in samples], "limit_s": limit}
    if any(s is None for s in samples):
        res["status"] = f"did not converge in {limit}s ({sum(s is None for s in samples)} of {len(samples)} rounds)"
    else:
        res.update({"status": "ok", "seconds": median(samples), "min_s": min(samples), "max_s": max(samples)})
    return res


def run_renames_deletes(system, n, rounds, limit, rng):
    """Per round: 2n files of 1 KiB synced everywhere; then on node 1, one by one, n of them renamed
    and the other n deleted. Time from the first rename until every node holds exactly the n renamed
    files with their contents."""
    dirs = system.dirs
    samples, written = [], []  # written: how long the writer itself took for its 2n calls
    for r in range(rounds):
        sub = os.path.join("meta", f"r{r}")
        files = {os.path.join(sub, f"f{i:03d}.txt"): rng.randbytes(1024) for i in range(2 * n)}
        write_files(dirs[0], files)
        if poll_files(dirs, sub, files, limit, time.perf_counter()) is None:
            samples.append(None)
            continue
        system.wait_idle()
        names = sorted(files)
        expected = {}
        t0 = time.perf_counter()
        for i in range(n):
            new = os.path.join(sub, f"renamed-{i:03d}.txt")
            os.rename(os.path.join(dirs[0], names[i]), os.path.join(dirs[0], new))
            expected[new] = files[names[i]]
        for rel in names[n:]:
            os.remove(os.path.join(dirs[0], rel))
        written.append(round(time.perf_counter() - t0, 4))
        samples.append(poll_files(dirs[1:], sub, expected, limit, t0))
        system.wait_idle()
    res = summary(samples, limit)
    res.update({"renames": n, "deletes": n, "write_s": written})
    return res


def run_restart(system, victim, n, rounds, limit, rng):
    """Per round: node `victim` killed with SIGKILL; n files of 1 KiB written on node 1 and synced to
    the other live nodes; the victim started again with its own command. Time from that start until
    its folder holds the n files with their contents ("current again")."""
    dirs = system.dirs
    live = [d for i, d in enumerate(dirs) if i != victim]
    samples = []
    for r in range(rounds):
        sub = os.path.join("restart", f"r{r}")
        files = {os.path.join(sub, f"f{i:03d}.bin"): rng.randbytes(1024) for i in range(n)}
        system.kill(victim)
        write_files(dirs[0], files)
        if poll_files(live, sub, files, limit, time.perf_counter()) is None:
            samples.append(None)
            system.restart(victim)
            system.wait_restarted(victim)
            continue
        time.sleep(1)  # the cluster settles: the figure is the restart's alone
        t0 = time.perf_counter()
        system.restart(victim)
        samples.append(poll_files([dirs[victim]], sub, files, limit, t0))
        system.wait_restarted(victim)
    res = summary(samples, limit)
    res["files"] = n
    return res


def make_large(path, size, seed):
    """Incompressible data, every 128 KiB block unique (no block-level dedup possible)."""
    rng = random.Random(seed)
    base = bytearray(rng.randbytes(MiB))
    h = hashlib.sha256()
    with open(path, "wb") as f:
        for c in range(size // MiB):
            for s in range(8):
                o = s * 128 * 1024
                base[o:o + 16] = c.to_bytes(8, "little") + s.to_bytes(8, "little")
            b = bytes(base)
            h.update(b)
            f.write(b)
    return h.hexdigest()


def patched_sha(path, offset, patch):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        pos = 0
        while True:
            b = f.read(4 * MiB)
            if not b:
                break
            if pos <= offset < pos + len(b):
                b = b[:offset - pos] + patch + b[offset - pos + len(patch):]
            h.update(b)
            pos += len(b)
    return h.hexdigest()


# ----------------------------------------------------------------------------- history (Pickbox only)

def api(node):
    return f"http://127.0.0.1:{node['admin']}"


def epoch_ms(v):
    """A time as the admin API gives it: epoch milliseconds or an ISO-8601 instant."""
    if isinstance(v, (int, float)):
        return int(v)
    if isinstance(v, str) and v.isdigit():
        return int(v)
    return int(datetime.datetime.fromisoformat(v.replace("Z", "+00:00")).timestamp() * 1000)


def du_bytes(path):
    """Bytes of every regular file under path (as `du -sb` counts file contents)."""
    total = 0
    for dirpath, _dirs, names in os.walk(path):
        for n in names:
            try:
                total += os.lstat(os.path.join(dirpath, n)).st_size
            except FileNotFoundError:
                pass
    return total


def history_disk(system):
    """What history holds (GET /v1/history on node 1) and each node's blob store on disk."""
    st = http("GET", api(system.nodes[0]) + "/v1/history", timeout=30)
    blobs = {n["name"]: du_bytes(os.path.join(n["dir"], ".pickbox", "blobs")) for n in system.nodes}
    return {"status": "ok", "history_bytes": st.get("bytes"), "history_versions": st.get("versions"), "days": st.get("days"),
            "max_bytes": st.get("maxBytes"), "blobs_bytes_per_node": blobs, "blobs_bytes_max": max(blobs.values())}


def history_setting(system, days):
    """POST /v1/history/settings {days} on node 1, then waited for on every node (it is committed)."""
    http("POST", api(system.nodes[0]) + "/v1/history/settings", {"days": days}, timeout=30)
    wait_until(lambda: all(http("GET", api(n) + "/v1/history")["days"] == days for n in system.nodes), 30, 0.1,
               f"history days = {days} on every node")


def wait_tree(dirs, sub, files, limit, t0, interval=0.01):
    """Seconds from t0 until every folder in dirs holds `files` (rel -> bytes) under sub: each
    directory listed until its files are there with their sizes, then every file's SHA-256 checked."""
    by_dir = {}
    for rel, b in files.items():
        by_dir.setdefault(os.path.dirname(rel), {})[os.path.basename(rel)] = len(b)
    shas = {rel: hashlib.sha256(b).hexdigest() for rel, b in files.items()}
    done = set()

    def sizes():
        for d in dirs:
            for dd, names in by_dir.items():
                if (d, dd) in done:
                    continue
                try:
                    with os.scandir(os.path.join(d, dd)) as it:
                        have = sum(1 for e in it if names.get(e.name) == e.stat(follow_symlinks=False).st_size)
                except FileNotFoundError:
                    return False
                if have != len(names):
                    return False
                done.add((d, dd))
        return True

    def verify():
        ok, detail = verify_identical(dirs, sub, shas)
        if not ok:
            done.clear()
        return ok, detail
    return poll_until_verified(sizes, verify, limit, interval, t0)


def run_history_restore(system, sub, nfiles, ndirs, limit, rng):
    """A tree of nfiles 1 KiB files in ndirs directories written on node 1 and synced; removed with
    `rm -rf` on node 2 and gone everywhere; then POST /v1/restore {path, at: a time before the rm}
    on node 3. Timed from the request until every node's folder holds every file again (SHA-256)."""
    dirs = system.dirs
    per_dir = nfiles // ndirs
    files = {os.path.join(sub, f"d{j:03d}", f"f{i:05d}.bin"): rng.randbytes(1024) for j in range(ndirs) for i in range(per_dir)}
    write_files(dirs[0], files)
    if wait_tree(dirs, sub, files, limit, time.perf_counter())[0] is None:
        return {"status": f"the tree did not sync in {limit}s", "files": len(files)}
    system.wait_idle(timeout=limit)
    committed = epoch_ms(http("GET", api(system.nodes[0]) + "/v1/history")["committedTime"])
    # Whatever commits next is stamped past this point: the time asked for is plainly before the rm.
    while time.time() * 1000 < committed + 100:
        time.sleep(0.01)
    at = committed + 50
    t_rm = time.perf_counter()
    subprocess.run(["rm", "-rf", os.path.join(dirs[1], sub)], check=True)
    wait_until(lambda: not any(os.path.exists(os.path.join(d, sub)) for d in dirs), limit, 0.05, f"{sub} gone everywhere")
    rm_s = time.perf_counter() - t_rm
    system.wait_idle(timeout=limit)
    t0 = time.perf_counter()
    since_rm = t0 - t_rm
    report = http("POST", api(system.nodes[2]) + "/v1/restore", {"path": sub, "at": at}, timeout=limit)
    answered = time.perf_counter() - t0
    t, detail = wait_tree(dirs, sub, files, limit, t0, interval=0.005)
    res = {"files": len(files), "dirs": ndirs, "limit_s": limit, "rm_replicated_s": rm_s, "answered_s": answered,
           "report": report}
    if t is None:
        res.update({"status": f"did not converge in {limit}s", "detail": detail})
    else:
        res.update({"status": "ok", "seconds": t, "files_per_s": len(files) / t})
    system.wait_idle(timeout=limit)
    res["plain_writer_after_rm_s"] = plain_writer_after_rm(os.path.join(system.work, "plain-writer"), files, since_rm)
    return res


def plain_writer_after_rm(base, files, delay):
    """Seconds this process takes to create `files` (open, write, close; nothing flushed) under
    `base`, on the disk the folders are on, `delay` seconds after an `rm -rf` of the same tree there:
    the least the node where the rm ran has to do to bring a tree back, whatever writes it. On ext4
    without a journal the kernel passes over each recently deleted inode on every creation."""
    write_files(base, files)
    shutil.rmtree(base)
    time.sleep(delay)
    t = time.perf_counter()
    write_files(base, files)
    took = time.perf_counter() - t
    shutil.rmtree(base)
    return took


def run_history_burst(system, cfg, rng, pairs):
    """The burst workload with history on and off, in pairs whose order alternates (on, off; off,
    on; ...), as many pairs in each order. History off = POST /v1/history/settings {days: 0}; on =
    the days it had. Each burst writes its own new directory. The ratio is the geometric mean of
    each pair's on / off: the second burst of a pair runs faster whichever side it is (the JIT, the
    disk's state), by a factor that a pair in each order cancels; a median of an odd number of
    pairs, more of them in one order, leaned that way."""
    days = http("GET", api(system.nodes[0]) + "/v1/history")["days"] or 30
    runs = {"on": [], "off": []}
    ratios = []
    orders = [("on", "off") if p % 2 == 0 else ("off", "on") for p in range(pairs)]
    k = 0
    for order in orders:
        pair = {}
        for side in order:
            history_setting(system, days if side == "on" else 0)
            system.wait_idle()
            r, _ = run_burst(system.dirs, f"hburst-{side}-{k}", cfg["burst_files"], 100, cfg["burst_limit"], rng)
            k += 1
            log(f"  burst, history {side}: {r.get('files_per_s', r['status'])}")
            runs[side].append(r)
            pair[side] = r.get("files_per_s")
            system.wait_idle(timeout=cfg["burst_limit"])
        if pair["on"] and pair["off"]:
            ratios.append(pair["on"] / pair["off"])
    history_setting(system, days)
    res = {"pairs": pairs, "days": days, "runs": runs, "pair_ratios": ratios,
           "pair_orders": [", ".join(o) for o in orders], "limit_s": cfg["burst_limit"]}
    bad = [r["status"] for side in runs.values() for r in side if r["status"] != "ok"]
    if bad:
        res["status"] = bad[0]
        return res
    on = median([r["files_per_s"] for r in runs["on"]])
    off = median([r["files_per_s"] for r in runs["off"]])
    res.update({"status": "ok", "on_files_per_s": on, "off_files_per_s": off, "on_over_off": statistics.geometric_mean(ratios)})
    if pairs >= 2:
        # How much faster a pair's second burst ran than its first, history aside.
        res["second_over_first"] = math.sqrt(statistics.geometric_mean(ratios[1::2]) / statistics.geometric_mean(ratios[0::2]))
        log(f"  history on / off {res['on_over_off']:.3f}; a pair's second burst ran {res['second_over_first']:.3f}x "
            f"as fast as its first")
    return res


def even_pairs(n):
    """n pairs of bursts, made even (as many in each order) if it was not."""
    if n % 2:
        log(f"{n} pairs of bursts with history on and off: running {n + 1}, as many in each order")
    return n + n % 2


def remove_catchup_node(system):
    """The 4th node of the catch-up leaves the cluster and stops, so that what follows runs on the
    same three nodes as the other workloads."""
    if len(system.nodes) < 4:
        return
    fourth = system.nodes[3]
    http("DELETE", f"{api(system.nodes[0])}/v1/cluster/members/{fourth['id']}", timeout=60)
    stop_procs([fourth["proc"]])
    system.nodes.pop(3)
    wait_until(lambda: len(system.status(system.nodes[0])["members"]) == 3, 60, 0.2, "3 members")
    system.wait_idle()


def run_history(system, cfg, W):
    """The history workloads: the disk history uses so far, the burst with history on and off, a
    restore of a deleted tree. A failure is recorded as that workload's status; the run goes on."""
    rng = random.Random(21)
    steps = [] if cfg["mode"] == "history" else [("history_disk", lambda: history_disk(system))]
    # One unmeasured burst before the pairs: alone, the cluster has done nothing yet (three fresh
    # JVMs compile for a while); in a full run it comes from the large files and the catch-up, and
    # its first bursts ran a fifth to a quarter slower than the last ones (1,323-1,356 files/s
    # against 1,950-2,400 in two runs of 2026-12-07), a trend a pair in each order does not cancel.
    steps += [("history_warmup", lambda: run_burst(system.dirs, "hwarmup", cfg["burst_files"], 100, cfg["burst_limit"],
                                                    rng)[0])]
    # The bursts before the restore: creating files on this file system is slower for a few
    # minutes after mass deletions (see "Same starting point"), and the restore workload deletes a tree.
    steps += [
        ("history_burst", lambda: run_history_burst(system, cfg, rng, cfg["history_pairs"])),
        ("history_restore", lambda: run_history_restore(system, "restore", cfg["history_files"], 100,
                                                        cfg["history_limit"], rng)),
        ("history_disk_after_restore", lambda: history_disk(system)),
    ]
    for key, step in steps:
        log(f"{system.name}: {key.replace('_', ' ')}")
        try:
            W[key] = step()
        except Exception as e:  # noqa: BLE001 - one workload's failure is its figure
            W[key] = {"status": f"failed: {e}"}
        log(f"  -> {W[key]}")


# ----------------------------------------------------------------------------- one system

def settle_file_system(src):
    """Writes dirty data out and drops the kernel's clean caches, when allowed (root), so that every
    system starts from the same state: on ext4 without a journal, creating a file scans past inodes
    deleted in the last minutes whose inode-table blocks are still cached (`recently_deleted`), so
    a run started soon after mass deletions (the previous system's or run's folders) wrote the
    burst's files 2-6 times slower. (Dropping the caches does not undo all of it: each system's
    folders are kept until both systems have run, where the disk has room.) The large workload's
    source file is read back into the cache (it is copied from there, as before). Returns whether
    the caches were dropped."""
    os.sync()
    try:
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        dropped = True
    except OSError:
        dropped = False
    with open(src, "rb") as f:
        while f.read(4 * MiB):
            pass
    return dropped


def run_system(system_cls, args, cfg, work, src, src_sha):
    dropped = settle_file_system(src)
    log(f"{system_cls.name}: caches {'dropped' if dropped else 'not dropped (not allowed)'}")
    mem = MemSampler()
    mem.start()
    sysname = system_cls.name
    if system_cls is Syncthing:
        system = Syncthing(work, mem, lat10=cfg["lat10_samples"] > 0)
    else:
        system = Pickbox(work, mem, env=node_jvm_env(args.jvm_options), insecure=args.insecure)
    R = {"workloads": {}, "loadavg_start": open("/proc/loadavg").read().split()[:3], "caches_dropped": dropped}
    rng = random.Random(42)
    try:
        log(f"{sysname}: starting 3 nodes")
        system.start()
        time.sleep(3)
        R["idle_rss_start_mb"] = mem.rss_mb()
        dirs = system.dirs
        W = R["workloads"]

        log(f"{sysname}: latency ({cfg['lat_samples']} samples)")
        lat10_thread, lat10_res = None, {}
        if system_cls is Syncthing and cfg["lat10_samples"]:
            # The delay-10 run is a second folder ("delay10") run at the same time, mostly sleeping.
            def lat10():
                lat10_res.update(run_latency(system.dirs10, "lat", cfg["lat10_samples"], 60, random.Random(7),
                                             "latency fsWatcherDelayS=10"))
            lat10_thread = threading.Thread(target=lat10, daemon=True)
            lat10_thread.start()
        # Unmeasured warm-up writes (the JVM compiles its hot paths; Syncthing opens its databases).
        run_latency(dirs, "warmup", cfg["warmup_samples"], cfg["lat_limit"], rng, "warm-up")
        if cfg["mode"] == "everyday":
            if lat10_thread:
                lat10_thread.join()
            system.wait_idle()
            run_everyday(system, cfg, W, rng)
            return finish(R, mem, system)
        if cfg["mode"] == "history":
            system.wait_idle()
            run_history(system, cfg, W)
            return finish(R, mem, system)
        W["latency"] = run_latency(dirs, "lat", cfg["lat_samples"], cfg["lat_limit"], rng, "latency")
        if lat10_thread:
            lat10_thread.join()
            W["latency_delay10"] = lat10_res
        log(f"  -> {W['latency']}")
        expected_all = {}
        system.wait_idle()

        log(f"{sysname}: burst ({cfg['burst_files']} files)")
        W["burst"], exp_burst = run_burst(dirs, "burst", cfg["burst_files"], 100, cfg["burst_limit"], rng)
        log(f"  -> {W['burst']}")
        system.wait_idle(timeout=cfg["burst_limit"])

        log(f"{sysname}: rename (directory of {cfg['burst_files']} files)")
        if W["burst"]["status"] == "ok":
            W["rename"], _ = run_rename(dirs, "burst", "burst-renamed", exp_burst, cfg["rename_limit"])
            system.wait_idle(timeout=cfg["rename_limit"])
        else:
            W["rename"] = {"status": "skipped: burst did not converge"}
        log(f"  -> {W['rename']}")

        log(f"{sysname}: large ({cfg['large_bytes'] // MiB} MiB)")
        W["large"], _ = run_large(dirs, "large", src, cfg["large_bytes"], src_sha, cfg["large_limit"])
        log(f"  -> {W['large']}")
        system.wait_idle(timeout=cfg["large_limit"])

        log(f"{sysname}: edit-in-large (1 MiB in the middle)")
        if W["large"]["status"] == "ok":
            W["edit"] = run_edit(system, dirs, os.path.join("large", "big.bin"), cfg["edit_offset"], cfg["patch"],
                                 cfg["patched_sha"], cfg["edit_limit"])
            system.wait_idle(timeout=cfg["edit_limit"])
        else:
            W["edit"] = {"status": "skipped: large did not converge"}
        log(f"  -> {W['edit']}")

        time.sleep(10)
        R["idle_rss_after_load_mb"] = mem.rss_mb()

        log(f"{sysname}: copy of the large file inside the folder")
        if W["edit"].get("status") == "ok":
            W["copy"] = run_copy(system, dirs, os.path.join("large", "big.bin"), os.path.join("large", "big-copy.bin"),
                                 cfg["patched_sha"], cfg["edit_limit"])
            system.wait_idle(timeout=cfg["edit_limit"])
        else:
            W["copy"] = {"status": "skipped: edit-in-large did not converge"}
        log(f"  -> {W['copy']}")

        run_everyday(system, cfg, W, rng)

        log(f"{sysname}: catch-up of a 4th node")
        W["catchup"] = run_catchup(system, cfg["catchup_limit"])
        log(f"  -> {W['catchup']}")
        finish(R, mem, system)

        if system_cls is Pickbox and cfg.get("history_files"):
            # After the memory figures: the history workloads do not count in them.
            try:
                remove_catchup_node(system)
            except Exception as e:  # noqa: BLE001
                log(f"{sysname}: the 4th node could not be removed ({e}); the history workloads run with it")
            run_history(system, cfg, W)
    finally:
        mem.stop()
        t_stop = time.time()
        system.stop()
        log(f"{sysname}: stopped in {time.time() - t_stop:.1f} s"
            + "".join(f"; {n} exit {p.returncode}" for n, p in system.procs().items()))
        keep = os.path.join(HERE, "results", f"logs-{cfg['mode']}", sysname.lower())
        shutil.rmtree(keep, ignore_errors=True)
        os.makedirs(keep, exist_ok=True)
        for dirpath, _dirs, names in os.walk(system.work):
            for n in names:
                if re.fullmatch(r"node\d\.log|syncthing\.log", n) and os.path.getsize(os.path.join(dirpath, n)) < 20 * MiB:
                    rel = os.path.relpath(os.path.join(dirpath, n), system.work).replace(os.sep, "_")
                    shutil.copy(os.path.join(dirpath, n), os.path.join(keep, rel))
        if keep_folders_until_end(work, cfg):
            # Removing ~10,000 files makes the next system's burst writer slower on this file
            # system even after the caches are dropped: both systems run before anything is removed.
            os.rename(system.work, os.path.join(work, "done-" + sysname.lower()))
            R["folders_removed"] = "at the end of the run"
        else:
            t_rm = time.time()
            shutil.rmtree(system.work, ignore_errors=True)
            log(f"{sysname}: folders removed in {time.time() - t_rm:.1f} s")
            R["folders_removed"] = "after the system's workloads (not enough free disk to keep them)"
    return R


def run_everyday(system, cfg, W, rng):
    """The two everyday figures: metadata-only changes, and a crashed node coming back."""
    n, rounds = cfg["meta_ops"], cfg["everyday_rounds"]
    log(f"{system.name}: {n} renames + {n} deletes of single files ({rounds} rounds)")
    W["renames_deletes"] = run_renames_deletes(system, n, rounds, cfg["meta_limit"], rng)
    log(f"  -> {W['renames_deletes']}")
    log(f"{system.name}: node 3 killed (SIGKILL) while {cfg['restart_files']} files are written, restarted ({rounds} rounds)")
    W["restart"] = run_restart(system, 2, cfg["restart_files"], rounds, cfg["restart_limit"], rng)
    log(f"  -> {W['restart']}")


def finish(R, mem, system):
    mem.stop()
    R["peak_rss_mb"] = {k: round(v / 1024, 1) for k, v in mem.peak.items()}
    R["pids"] = system.pids()
    R["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
    return R


def keep_folders_until_end(work, cfg):
    """Whether both systems' folders fit on the disk at once (each system holds ~5 copies of the
    large file), with room to spare."""
    return shutil.disk_usage(work).free > 12 * cfg["large_bytes"]


def remove_kept_folders(work):
    for name in os.listdir(work):
        if name.startswith("done-"):
            t_rm = time.time()
            shutil.rmtree(os.path.join(work, name), ignore_errors=True)
            log(f"{name[5:]}: folders removed in {time.time() - t_rm:.1f} s")


# ----------------------------------------------------------------------------- long mixed workload

LONG_OPS = [  # (kind, weight): what a shared folder sees in a working day, in proportion
    ("create", 30), ("edit", 25), ("append", 15), ("rename", 10), ("delete", 10),
    ("tree", 3), ("tree_rename", 2), ("tree_delete", 2), ("medium", 3),
]
LONG_PACE_S = 0.25           # one operation starts every 250 ms (when the previous one has replicated)
LONG_LARGE_FIRST = 120       # operation 120 (30 s in) writes a large file, then every 600th (150 s)
LONG_LARGE_EVERY = 600
LONG_TIMEOUT_S = {"large": 300, "medium": 60}  # others: 30 s


def cpu_seconds(pid):
    """User + system CPU time of pid and its descendants, from /proc/<pid>/stat."""
    total = 0
    for p in proc_tree(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of stat(5)
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def node_jvm_env(options_file):
    """The nodes' environment: the launcher's own options, or those of options_file (one per line,
    # comments, ${here} standing for the file's folder) through PICKBOX_JAVA_OPTS."""
    if not options_file:
        return None
    here = os.path.dirname(os.path.abspath(options_file))
    with open(options_file) as f:
        opts = [l.strip().replace("${here}", here) for l in f if l.strip() and not l.lstrip().startswith("#")]
    env = dict(NODE_ENV)
    env["PICKBOX_JAVA_OPTS"] = " ".join(opts)
    return env


class LongWorkload:
    """Random operations from a fixed seed, each on a random node's folder, at a steady pace; each
    one is timed until every node shows its result (replication latency to all nodes). The model
    (rel -> expected content) is what the folders must hold at the end."""

    def __init__(self, dirs, rng):
        self.dirs = dirs
        self.rng = rng
        self.small = {}      # rel -> bytes
        self.big = {}        # rel -> (size, sha256)
        self.trees = set()   # top dirs of the trees made (their files are in small)
        self.n = 0
        self.lat = {}        # kind -> [ms]
        self.failed = {}     # kind -> count
        self.bytes = 0

    # -- the folders
    def path(self, node, rel):
        return os.path.join(self.dirs[node], rel)

    def write(self, node, rel, data, mode="wb"):
        p = self.path(node, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, mode) as f:
            f.write(data)
        self.bytes += len(data)

    def name(self, prefix, ext):
        self.n += 1
        return f"{prefix}{self.n:05d}{ext}"

    @staticmethod
    def _matches(path, exp):
        try:
            if exp is None:
                return not os.path.lexists(path)
            if isinstance(exp, bytes):
                if os.stat(path).st_size != len(exp):
                    return False
                with open(path, "rb") as f:
                    return f.read() == exp
            return os.stat(path).st_size == exp[0]
        except (FileNotFoundError, NotADirectoryError):
            return False

    def wait(self, expect, timeout):
        """Seconds until every node matches `expect` (rel -> bytes | (size, sha) | None), or None.
        Large files are polled by size, then hashed once when every size matches."""
        t0 = time.perf_counter()
        interval = 0.002
        while time.perf_counter() - t0 < timeout:
            if all(self._matches(os.path.join(d, rel), e) for d in self.dirs for rel, e in expect.items()):
                t = time.perf_counter() - t0
                bigs = {rel: e for rel, e in expect.items() if isinstance(e, tuple)}
                if all(sha_file(os.path.join(d, rel)) == e[1] for d in self.dirs for rel, e in bigs.items()):
                    return t
            time.sleep(interval)
            interval = min(0.05, interval * 1.5)
        return None

    # -- the operations: each returns {rel: expected} after changing one node's folder
    def op_create(self, node):
        rel = os.path.join(f"d{self.rng.randrange(10)}", self.name("f", ".txt"))
        data = self.rng.randbytes(self.rng.choice((100, 1024, 4096, 16384, 65536)))
        self.write(node, rel, data)
        self.small[rel] = data
        return {rel: data}

    def pick_small(self):
        return self.rng.choice(sorted(self.small)) if self.small else None

    def op_edit(self, node):
        rel = self.pick_small()
        if rel is None:
            return self.op_create(node)
        data = self.rng.randbytes(max(1, len(self.small[rel]) + self.rng.randrange(-512, 513)))
        self.write(node, rel, data)
        self.small[rel] = data
        return {rel: data}

    def op_append(self, node):
        rel = self.pick_small()
        if rel is None:
            return self.op_create(node)
        more = self.rng.randbytes(self.rng.randrange(100, 2000))
        self.write(node, rel, more, "ab")
        self.small[rel] += more
        return {rel: self.small[rel]}

    def op_rename(self, node):
        old = self.pick_small()
        if old is None:
            return self.op_create(node)
        new = os.path.join(f"d{self.rng.randrange(10)}", self.name("r", ".txt"))
        os.rename(self.path(node, old), self.path(node, new))
        self.small[new] = self.small.pop(old)
        return {old: None, new: self.small[new]}

    def op_delete(self, node):
        rel = self.pick_small()
        if rel is None:
            return self.op_create(node)
        os.remove(self.path(node, rel))
        del self.small[rel]
        return {rel: None}

    def op_tree(self, node):
        top = os.path.join("trees", self.name("t", ""))
        expect = {}
        for _ in range(self.rng.randrange(10, 31)):
            levels = [f"s{self.rng.randrange(3)}" for _ in range(self.rng.randrange(0, 4))]
            rel = os.path.join(top, *levels, self.name("x", ".dat"))
            data = self.rng.randbytes(self.rng.randrange(512, 8192))
            self.write(node, rel, data)
            expect[rel] = data
        self.trees.add(top)
        self.small.update(expect)
        return expect

    def tree_files(self, top):
        return [rel for rel in self.small if rel.startswith(top + os.sep)]

    def op_tree_rename(self, node):
        if not self.trees:
            return self.op_tree(node)
        top = self.rng.choice(sorted(self.trees))
        new_top = os.path.join("trees", self.name("t", ""))
        os.rename(self.path(node, top), self.path(node, new_top))
        expect = {top: None}
        for rel in self.tree_files(top):
            nrel = new_top + rel[len(top):]
            self.small[nrel] = self.small.pop(rel)
            expect[nrel] = self.small[nrel]
        self.trees.remove(top)
        self.trees.add(new_top)
        return expect

    def op_tree_delete(self, node):
        if not self.trees:
            return self.op_tree(node)
        top = self.rng.choice(sorted(self.trees))
        shutil.rmtree(self.path(node, top))
        for rel in self.tree_files(top):
            del self.small[rel]
        self.trees.remove(top)
        return {top: None}

    def write_big(self, node, rel, size):
        """A large file written as a program copies one: 1 MiB at a time."""
        old = self.big.get(rel)
        if old and old[0] == size:
            size += 4096  # a size the nodes cannot already show
        h = hashlib.sha256()
        block = bytearray(self.rng.randbytes(MiB))
        p = self.path(node, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            left, k = size, 0
            while left > 0:
                block[:8] = k.to_bytes(8, "little")  # every MiB unique
                b = bytes(block[:min(MiB, left)])
                h.update(b)
                f.write(b)
                left -= len(b)
                k += 1
        self.bytes += size
        self.big[rel] = (size, h.hexdigest())
        return {rel: self.big[rel]}

    def op_medium(self, node):
        mine = sorted(r for r in self.big if r.startswith("m" + os.sep))
        rel = self.rng.choice(mine) if mine and self.rng.random() < 0.5 else os.path.join("m", self.name("m", ".bin"))
        return self.write_big(node, rel, self.rng.randrange(1, 9) * MiB - self.rng.randrange(0, 4096))

    def op_large(self, node):
        expect = {}
        for rel in [r for r in self.big if r.startswith("large" + os.sep)]:  # one large file at a time
            os.remove(self.path(node, rel))
            del self.big[rel]
            expect[rel] = None
        expect.update(self.write_big(node, os.path.join("large", self.name("L", ".bin")),
                                     self.rng.randrange(64, 129) * MiB))
        return expect

    def run_one(self, kind):
        node = self.rng.randrange(len(self.dirs))
        t0 = time.perf_counter()
        try:
            expect = getattr(self, "op_" + kind)(node)
        except OSError as e:  # a folder not as the model says: an earlier operation did not replicate
            self.failed[kind] = self.failed.get(kind, 0) + 1
            log(f"  {kind} on node{node + 1} failed: {e}")
            return
        written = time.perf_counter() - t0
        waited = self.wait(expect, LONG_TIMEOUT_S.get(kind, 30))
        if waited is None:
            self.failed[kind] = self.failed.get(kind, 0) + 1
            log(f"  {kind} on node{node + 1} did not reach every node in {LONG_TIMEOUT_S.get(kind, 30)} s")
        else:
            self.lat.setdefault(kind, []).append((written + waited) * 1000)

    def expected_manifest(self):
        m = {rel: hashlib.sha256(data).hexdigest() for rel, data in self.small.items()}
        m.update({rel: sha for rel, (_size, sha) in self.big.items()})
        return dict(sorted(m.items()))


def lat_summary(values):
    if not values:
        return {"ops": 0}
    return {"ops": len(values), "p50_ms": round(pct(values, 50), 1), "p95_ms": round(pct(values, 95), 1),
            "p99_ms": round(pct(values, 99), 1), "max_ms": round(max(values), 1)}


def run_long(args):
    """A 3-node Pickbox cluster under the mixed workload for args.minutes; returns the result."""
    mem = MemSampler()
    mem.start()
    system = Pickbox(args.work, mem, env=node_jvm_env(args.jvm_options), insecure=args.insecure)
    R = {"workloads": {}}
    try:
        log("Pickbox: starting 3 nodes")
        system.start()
        dirs = system.dirs
        wl = LongWorkload(dirs, random.Random(args.seed))
        for i in range(10):
            os.makedirs(os.path.join(dirs[0], f"d{i}"), exist_ok=True)
        for i in range(10):
            wait_dir_everywhere(dirs, f"d{i}")
        system.wait_idle()
        R["idle_rss_start_mb"] = mem.rss_mb()
        cpu0 = {name: cpu_seconds(pid) for name, pid in system.pids().items()}
        kinds, weights = zip(*LONG_OPS)
        # The same operations for every run with this seed and length, so that option sets compare.
        n_ops = round(args.minutes * 60 / LONG_PACE_S)
        log(f"Pickbox: mixed workload, {n_ops} operations over ~{args.minutes:g} min (seed {args.seed})")
        t0 = time.time()
        next_op, next_report = 0.0, 60
        # The nodes' CPU minute by minute: whether a JVM's warm-up cost fades or stays.
        cpu_minutes, cpu_prev = [], sum(cpu0.values())
        for k in range(n_ops):
            large = k >= LONG_LARGE_FIRST and (k - LONG_LARGE_FIRST) % LONG_LARGE_EVERY == 0
            wl.run_one("large" if large else wl.rng.choices(kinds, weights)[0])
            now = time.time() - t0
            if now >= next_report:
                done = sum(len(v) for v in wl.lat.values())
                cpu_now = sum(cpu_seconds(pid) for pid in system.pids().values())
                cpu_minutes.append(round(cpu_now - cpu_prev, 1))
                cpu_prev = cpu_now
                log(f"  {now / 60:.0f} min: {done} operations replicated, {sum(wl.failed.values())} late, "
                    f"nodes' CPU this minute {cpu_minutes[-1]:.1f} s")
                next_report += 60
            next_op = max(next_op + LONG_PACE_S, now)  # a steady pace: no burst to catch up after a slow one
            time.sleep(next_op - now)
        elapsed = time.time() - t0
        cpu1 = {name: cpu_seconds(pid) for name, pid in system.pids().items()}
        log("Pickbox: waiting for the cluster to go idle, then checking convergence")
        system.wait_idle(timeout=300)
        ok, detail = verify_identical(dirs, "", wl.expected_manifest())
        verify = subprocess.run([LAUNCHER, "verify", *dirs], capture_output=True, text=True, env=NODE_ENV, timeout=600)
        time.sleep(15)  # a quiet node collects and hands memory back (IdleTrim)
        R["idle_rss_after_mb"] = mem.rss_mb()
        mem.stop()
        small = [v for k, vals in wl.lat.items() if k not in ("medium", "large") for v in vals]
        R.update({
            "elapsed_s": round(elapsed, 1),
            "ops": sum(len(v) for v in wl.lat.values()), "late_ops": dict(wl.failed),
            "ops_per_s": round(sum(len(v) for v in wl.lat.values()) / elapsed, 2),
            "MB_written_per_s": round(wl.bytes / 1e6 / elapsed, 2),
            "latency_small": lat_summary(small),
            "latency_by_kind": {k: lat_summary(v) for k, v in sorted(wl.lat.items())},
            "cpu_s": {n: round(cpu1[n] - cpu0[n], 1) for n in sorted(cpu0)},
            "cpu_s_per_minute": cpu_minutes,
            "peak_rss_mb": {k: round(v / 1024, 1) for k, v in sorted(mem.peak.items())},
            "converged": ok, "converged_detail": detail,
            "pickbox_verify": {"exit": verify.returncode, "output": verify.stdout.strip().splitlines()[-1:]},
            "files_at_end": len(wl.expected_manifest()),
        })
    finally:
        mem.stop()
        system.stop()
        keep = os.path.join(HERE, "results", "logs-long")
        shutil.rmtree(keep, ignore_errors=True)
        os.makedirs(keep, exist_ok=True)
        for n in system.nodes:
            src = os.path.join(system.work, f"{n['name']}.log")
            if os.path.exists(src) and os.path.getsize(src) < 20 * MiB:
                shutil.copy(src, keep)
        shutil.rmtree(system.work, ignore_errors=True)
    return R


def long_table(R):
    def lat(w):
        return "—" if not w.get("ops") else f"{w['p50_ms']:,.0f} / {w['p95_ms']:,.0f} / {w['p99_ms']:,.0f} ms ({w['ops']} ops)"
    rows = [("elapsed", f"{R['elapsed_s']} s"),
            ("operations replicated", f"{R['ops']} ({R['ops_per_s']}/s); late: {R['late_ops'] or 'none'}"),
            ("written", f"{R['MB_written_per_s']} MB/s"),
            ("small-file ops p50 / p95 / p99", lat(R["latency_small"]))]
    rows += [(f"  {k}", lat(v)) for k, v in R["latency_by_kind"].items()]
    rows += [("CPU seconds per node", ", ".join(f"{n} {v}" for n, v in R["cpu_s"].items())
              + f" (total {sum(R['cpu_s'].values()):.1f})"),
             ("nodes' CPU s per minute", " ".join(f"{v:g}" for v in R.get("cpu_s_per_minute", []))),
             ("peak RSS per node (VmHWM)", ", ".join(f"{n} {v} MB" for n, v in R["peak_rss_mb"].items())),
             ("idle RSS after, per node", ", ".join(f"{n} {v} MB" for n, v in sorted(R["idle_rss_after_mb"].items()))),
             ("converged", f"{R['converged']} ({R['files_at_end']} files); pickbox verify exit {R['pickbox_verify']['exit']}")]
    w = max(len(a) for a, _ in rows)
    return "\n".join(f"{a.ljust(w)}  {b}" for a, b in rows)


def transport(args):
    """What runs between Pickbox nodes: mutual TLS 1.3 (the default) or plaintext (--insecure)."""
    return "plaintext" if args.insecure else "tls"


def main_long(args):
    out = args.out or os.path.join(HERE, "results", "latest-long" + ("-plaintext" if args.insecure else "") + ".json")
    facts = machine_facts(args.work)
    opts = os.path.abspath(args.jvm_options) if args.jvm_options else "src/main/resources/jvm.options (the default)"
    log(f"long mixed workload, {args.minutes:g} min; Pickbox {transport(args)}; JVM options: {opts}")
    t_start = time.time()
    try:
        R = run_long(args)
    finally:
        cleanup_all()
    facts["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
    facts["total_wall_s"] = round(time.time() - t_start, 1)
    table = long_table(R)
    print()
    print(f"Pickbox long mixed workload ({transport(args)}), {facts['date']}, {facts['nproc']} cpus, JVM options: {opts}")
    print(table)
    cfg = {"mode": "long", "transport": transport(args), "minutes": args.minutes, "seed": args.seed, "jvm_options": opts,
           "jvm_options_text": node_jvm_env(args.jvm_options)["PICKBOX_JAVA_OPTS"] if args.jvm_options else None,
           "ops": dict(LONG_OPS), "pace_s": LONG_PACE_S, "large_first": LONG_LARGE_FIRST,
           "large_every": LONG_LARGE_EVERY}
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        json.dump({"config": cfg, "machine": facts, "results": {"Pickbox": R}, "table_text": table}, f, indent=2)
    log(f"wrote {out}")
    return 0 if R["converged"] and R["pickbox_verify"]["exit"] == 0 else 1


# ----------------------------------------------------------------------------- report

def fmt(v, unit, digits=1):
    if v is None:
        return "—"
    if isinstance(v, str):
        return v
    return f"{v:,.{digits}f} {unit}".strip()


def build_table(res, cfg):
    pb = res.get("Pickbox", {})
    st = res.get("Syncthing")
    rows = []

    def wl(r, name):
        return (r or {}).get("workloads", {}).get(name, {}) if r else None

    def val(w, key):
        if w is None:
            return None
        if w.get("status") != "ok":
            return w.get("status", "n/a")
        return w.get(key)

    def ratio(p, s, lower_better):
        if not isinstance(p, (int, float)) or not isinstance(s, (int, float)) or p == 0 or s == 0:
            return None
        return s / p if lower_better else p / s

    def add(label, key_w, key, unit, lower_better, targets, digits=1, st_w=None, scale=1.0):
        pw = wl(pb, key_w)
        sw = wl(st, st_w or key_w) if st else None
        if not pw and not sw:
            return  # not run (the everyday workloads alone)
        p = val(pw, key)
        s = val(sw, key) if sw is not None else None
        if isinstance(p, (int, float)):
            p *= scale
        if isinstance(s, (int, float)):
            s *= scale
        r = ratio(p, s, lower_better)
        marks = []
        for tdesc, fn in targets:
            if isinstance(p, (int, float)):
                ok = fn(p, r)
                marks.append(f"{tdesc} {'PASS' if ok else ('n/a' if ok is None else 'FAIL')}")
            else:
                marks.append(f"{tdesc} FAIL")
        rows.append({"figure": label, "pickbox": fmt(p, unit, digits),
                     "syncthing": fmt(s, unit, digits) if st else "skipped",
                     "ratio": f"{r:,.1f}x" if r else "—", "target": "; ".join(marks),
                     "pickbox_value": p if isinstance(p, (int, float)) else None,
                     "syncthing_value": s if isinstance(s, (int, float)) else None, "ratio_value": r})

    def rt(th):
        return lambda p, r: None if r is None else r >= th
    n_lat = cfg["lat_samples"]
    add(f"latency p50 ({n_lat} x 1 KiB)", "latency", "p50_ms", "ms", True,
        [("<=30 ms", lambda p, r: p <= 30), (">=20x", rt(20))])
    add("latency p90", "latency", "p90_ms", "ms", True, [])
    add("latency p99", "latency", "p99_ms", "ms", True, [("<=150 ms", lambda p, r: p <= 150)])
    add("latency max", "latency", "max_ms", "ms", True, [])
    if st and "latency_delay10" in st.get("workloads", {}):
        n10 = cfg["lat10_samples"]
        add(f"latency p50 vs Syncthing delay 10 s ({n10} samples)", "latency", "p50_ms", "ms", True, [],
            st_w="latency_delay10")
        add("latency p99 vs Syncthing delay 10 s", "latency", "p99_ms", "ms", True, [], st_w="latency_delay10")
    add(f"burst ({cfg['burst_files']:,} x 4 KiB)", "burst", "files_per_s", "files/s", False,
        [(">=2000/s", lambda p, r: p >= 2000), (">=5x", rt(5))], 0)
    add(f"large ({cfg['large_bytes'] // MiB} MiB)", "large", "MB_per_s", "MB/s", False,
        [(">=100 MB/s", lambda p, r: p >= 100), (">=1x", rt(1))])
    add("edit-in-large: time", "edit", "seconds", "s", True, [], 2)
    add("edit-in-large: max bytes sent by a node", "edit", "max_sent_per_node_bytes", "MiB", True,
        [("<=4 MiB", lambda p, r: p <= 4)], 2, scale=1 / MiB)
    add("copy of the large file inside the folder: time", "copy", "seconds", "s", True, [], 2)
    add("copy inside the folder: max bytes sent by a node", "copy", "max_sent_per_node_bytes", "MiB", True, [], 2,
        scale=1 / MiB)
    add(f"rename dir of {cfg['burst_files']:,} files", "rename", "seconds", "s", True,
        [("<=1 s" + ("" if cfg["burst_files"] >= 10000 else " (target is for 10,000)"), lambda p, r: p <= 1)], 3)
    n_meta = cfg.get("meta_ops", 100)
    add(f"{n_meta} renames + {n_meta} deletes (median of {cfg.get('everyday_rounds')})", "renames_deletes", "seconds",
        "s", True, [("<=0.25 s", lambda p, r: p <= 0.25)], 3)
    add(f"restart after SIGKILL until current ({cfg.get('restart_files', 20)} x 1 KiB missed)", "restart", "seconds", "s",
        True, [("<=1.5 s", lambda p, r: p <= 1.5)], 2)
    add("catch-up of a 4th node", "catchup", "MB_per_s", "MB/s", False, [(">=100 MB/s", lambda p, r: p >= 100)])
    add("catch-up time", "catchup", "seconds", "s", True, [], 1)
    n_h = cfg.get("history_files") or 0
    add(f"restore of a {n_h:,}-file tree to all nodes", "history_restore", "seconds", "s", True,
        [("<=2 s" + ("" if n_h >= 10000 else " (target is for 10,000)"), lambda p, r: p <= 2)], 2)
    add("  the same tree made by a plain writer just after an rm -rf (this disk's floor)", "history_restore",
        "plain_writer_after_rm_s", "s", True, [], 2)
    pairs = cfg.get("history_pairs", 1)
    add(f"burst ({cfg['burst_files']:,} x 4 KiB), history on" + (f" (median of {pairs})" if pairs > 1 else ""),
        "history_burst", "on_files_per_s", "files/s", False, [], 0)
    add("burst, history off" + (f" (median of {pairs})" if pairs > 1 else ""), "history_burst", "off_files_per_s",
        "files/s", False, [], 0)
    add("burst: history on / off" + (f" (geometric mean of {pairs} pairs, half in each order)" if pairs > 1 else ""),
        "history_burst", "on_over_off", "",
        False,
        [(">=0.90 (within 10 %)", lambda p, r: p >= 0.9)], 3)
    add("history kept after the standard workloads", "history_disk", "history_bytes", "MiB", True, [], 2, scale=1 / MiB)
    add("blob store after the standard workloads (max node)", "history_disk", "blobs_bytes_max", "MiB", True, [], 1,
        scale=1 / MiB)
    add("history kept after the restore workload", "history_disk_after_restore", "history_bytes", "MiB", True, [], 2,
        scale=1 / MiB)
    add("blob store after the restore workload (max node)", "history_disk_after_restore", "blobs_bytes_max", "MiB", True,
        [], 1, scale=1 / MiB)

    def memrow(label, key, targets):
        p = max((pb.get(key) or {}).values(), default=None) if pb else None
        s = max((st.get(key) or {}).values(), default=None) if st else None
        if p is None and s is None:
            return
        r = ratio(p, s, True)
        marks = [f"{d} {'PASS' if (p is not None and fn(p)) else 'FAIL'}" for d, fn in targets]
        rows.append({"figure": label, "pickbox": fmt(p, "MB"), "syncthing": fmt(s, "MB") if st else "skipped",
                     "ratio": f"{r:,.1f}x" if r else "—", "target": "; ".join(marks),
                     "pickbox_value": p, "syncthing_value": s, "ratio_value": r})
    memrow("idle RSS after load (max node)", "idle_rss_after_load_mb", [("<=200 MB", lambda p: p <= 200)])
    memrow("idle RSS at start (max node)", "idle_rss_start_mb", [])
    memrow("peak RSS (max node, VmHWM)", "peak_rss_mb", [])
    return rows


def render(rows):
    cols = [("figure", "Figure"), ("pickbox", "Pickbox"), ("syncthing", "Syncthing"), ("ratio", "Ratio"),
            ("target", "Target (Pickbox)")]
    w = {k: max(len(h), *(len(str(r[k])) for r in rows)) for k, h in cols}
    line = "| " + " | ".join(h.ljust(w[k]) for k, h in cols) + " |"
    sep = "|" + "|".join("-" * (w[k] + 2) for k, _ in cols) + "|"
    out = [line, sep]
    for r in rows:
        out.append("| " + " | ".join(str(r[k]).ljust(w[k]) for k, _ in cols) + " |")
    return "\n".join(out)


def ext4_journal(df_line):
    """For an ext4 file system (a line of `df -hT`), whether it has a journal; None for others.
    Without one, ext4 passes over inodes freed in the last 1-6 minutes when it makes a file, reading
    each one's on-disk inode: right after a run deleted its trees, making files costs several
    times more (FINDINGS.md, "Version history" and "Where a 4th node's catch-up goes")."""
    parts = df_line.split()
    if len(parts) < 2 or parts[1] != "ext4":
        return None
    return os.path.isdir(f"/proc/fs/jbd2/{os.path.basename(parts[0])}-8")


def machine_facts(work):
    def sh(cmd):
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
            return (r.stdout + r.stderr).strip()
        except Exception as e:  # noqa: BLE001
            return f"n/a ({e})"
    mem = re.search(r"MemTotal:\s+(\d+)", open("/proc/meminfo").read())
    st = shutil.disk_usage(work)
    dfl = sh(["df", "-hT", work]).splitlines()
    facts = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?"),
        "ram_gib": round(int(mem.group(1)) / 1024 / 1024, 1) if mem else None,
        "disk": dfl[-1] if dfl else "?", "disk_free_gib": round(st.free / 2**30, 1),
        "ext4_journal": ext4_journal(dfl[-1] if dfl else ""),
        "kernel": platform.release(),
        "java": sh(["java", "-version"]).splitlines()[0] if shutil.which("java") else "n/a",
        "syncthing": sh(["syncthing", "--version"]) if shutil.which("syncthing") else "not installed",
        "python": platform.python_version(),
        "loadavg_start": open("/proc/loadavg").read().split()[:3],
    }
    others = sh(["ps", "-eo", "pid,comm"]).splitlines()
    facts["other_java_processes_at_start"] = sum(1 for l in others if l.split()[-1:] == ["java"])
    return facts


# ----------------------------------------------------------------------------- TLS against plaintext

# (label, workload or None for memory, key, lower is better, within 10 % of plaintext is a target)
COMPARED = [
    ("latency p50", "latency", "p50_ms", "ms", True, True),
    ("latency p90", "latency", "p90_ms", "ms", True, False),
    ("latency p99", "latency", "p99_ms", "ms", True, True),
    ("burst", "burst", "files_per_s", "files/s", False, True),
    ("rename", "rename", "seconds", "s", True, False),
    ("large", "large", "MB_per_s", "MB/s", False, True),
    ("edit-in-large", "edit", "seconds", "s", True, False),
    ("catch-up", "catchup", "MB_per_s", "MB/s", False, True),
    ("catch-up time", "catchup", "seconds", "s", True, False),
    ("idle RSS after load (max node)", None, "idle_rss_after_load_mb", "MB", True, False),
    ("peak RSS (max node)", None, "peak_rss_mb", "MB", True, False),
]
TLS_TARGET = 0.10


def compared_value(pickbox, workload, key):
    if workload is None:
        return max((pickbox.get(key) or {}).values(), default=None)
    w = pickbox.get("workloads", {}).get(workload, {})
    return w.get(key) if w.get("status") == "ok" else None


def median(values):
    s = sorted(values)
    n = len(s)
    return None if not n else (s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2)


def compare_rows(docs):
    """docs: result documents of Pickbox runs. Per figure: the TLS runs' and plaintext runs' values
    and the cost of TLS, from the medians: how much longer (times) or slower (rates) TLS is."""
    by = {"tls": [], "plaintext": []}
    for d in docs:
        by[d["config"]["transport"]].append(d["results"]["Pickbox"])
    rows = []
    for label, workload, key, unit, lower_better, target in COMPARED:
        tv = [v for v in (compared_value(r, workload, key) for r in by["tls"]) if isinstance(v, (int, float))]
        pv = [v for v in (compared_value(r, workload, key) for r in by["plaintext"]) if isinstance(v, (int, float))]
        tm, pm = median(tv), median(pv)
        cost = None
        if tm and pm:
            cost = (tm / pm if lower_better else pm / tm) - 1
        rows.append({"figure": label, "unit": unit, "tls": tv, "plaintext": pv, "tls_median": tm,
                     "plaintext_median": pm, "ratio": tm / pm if tm and pm else None, "tls_cost": cost,
                     "target": target, "within_target": None if cost is None or not target else cost <= TLS_TARGET})
    return rows, {k: len(v) for k, v in by.items()}


def render_compare(rows, runs):
    def spread(vals, unit):
        if not vals:
            return "—"
        digits = {"files/s": 0, "s": 2}.get(unit, 1)
        lo, hi = min(vals), max(vals)
        return f"{lo:,.{digits}f} {unit}" if len(vals) == 1 else f"{lo:,.{digits}f}-{hi:,.{digits}f} {unit}"
    head = ["Figure", f"TLS ({runs['tls']} run{'s' if runs['tls'] != 1 else ''})",
            f"plaintext ({runs['plaintext']} run{'s' if runs['plaintext'] != 1 else ''})", "TLS / plaintext",
            "TLS cost", "within 10 %"]
    body = []
    for r in rows:
        body.append([r["figure"], spread(r["tls"], r["unit"]), spread(r["plaintext"], r["unit"]),
                     f"{r['ratio']:.3f}" if r["ratio"] else "—",
                     f"{r['tls_cost'] * 100:+.1f} %" if r["tls_cost"] is not None else "—",
                     "" if not r["target"] else ("—" if r["within_target"] is None else ("yes" if r["within_target"] else "NO"))])
    w = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(head)]
    out = ["| " + " | ".join(h.ljust(w[i]) for i, h in enumerate(head)) + " |",
           "|" + "|".join("-" * (x + 2) for x in w) + "|"]
    out += ["| " + " | ".join(c.ljust(w[i]) for i, c in enumerate(b)) + " |" for b in body]
    return "\n".join(out)


def main_compare(paths):
    docs = []
    for path in paths:
        with open(path) as f:
            d = json.load(f)
        if "Pickbox" not in d.get("results", {}) or d["config"].get("transport") not in ("tls", "plaintext"):
            print(f"{path}: not a Pickbox run that records its transport (tls or plaintext)", file=sys.stderr)
            return 2
        docs.append(d)
    modes = {d["config"]["mode"] for d in docs}
    if len(modes) != 1:
        print(f"runs of different sizes cannot be compared: {sorted(modes)}", file=sys.stderr)
        return 2
    rows, runs = compare_rows(docs)
    print(f"Pickbox TLS against plaintext ({modes.pop()} runs; values are ranges over runs, ratio and cost from the medians;")
    print("cost = how much slower TLS is: TLS/plaintext - 1 for times and memory, plaintext/TLS - 1 for rates)")
    print(render_compare(rows, runs))
    return 0 if runs["tls"] and runs["plaintext"] else 1


# ----------------------------------------------------------------------------- main

def main():
    global PIDFILE
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--work")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--everyday", action="store_true",
                    help="only the two everyday workloads: renames + deletes, and a node's restart after SIGKILL")
    ap.add_argument("--rounds", type=int, help="rounds of each everyday workload (median reported); with --history, "
                    "pairs of bursts with history on and off (made even)")
    ap.add_argument("--history", action="store_true",
                    help="only the history workloads (Pickbox only): restore of a deleted tree, the burst with history on and off")
    ap.add_argument("--pickbox-only", action="store_true")
    ap.add_argument("--syncthing-only", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--out")
    ap.add_argument("--long", action="store_true", help="the long mixed workload (Pickbox only)")
    ap.add_argument("--minutes", type=float, default=6, help="length of the long workload")
    ap.add_argument("--seed", type=int, default=17, help="seed of the long workload's choices")
    ap.add_argument("--jvm-options", help="the nodes' JVM options from this file instead of jvm.options "
                    "(to compare option sets on the same workloads)")
    ap.add_argument("--insecure", action="store_true",
                    help="Pickbox nodes without TLS (--insecure), to compare with the default mutual TLS")
    ap.add_argument("--comparison", action="store_true", help=argparse.SUPPRESS)  # bench/run --compare-insecure
    ap.add_argument("--scale", action="store_true", help="the scale workload (see bench/scale.py)")
    ap.add_argument("--files", type=int, default=100_000, help="files of the scale workload")
    ap.add_argument("--writer-rate", type=int, default=0,
                    help="the scale workload's writer makes at most this many files a second (0: no limit)")
    ap.add_argument("--compare", nargs="+", metavar="RESULT_JSON",
                    help="print TLS against plaintext from earlier runs' result files, and run nothing")
    args = ap.parse_args()
    if args.compare:
        return main_compare(args.compare)
    if not args.work:
        ap.error("--work is required")
    if args.writer_rate < 0 or (args.writer_rate and not args.scale):
        ap.error("--writer-rate takes a number of files a second >= 0, with --scale")
    PIDFILE = os.path.join(args.work, "pids")

    def on_signal(sig, _frame):
        raise SystemExit(128 + sig)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if args.long:
        return main_long(args)
    if args.scale:
        import scale
        return scale.main(sys.modules[__name__], args)
    args.out = args.out or os.path.join(HERE, "results", "latest" + ("-everyday" if args.everyday else "")
                                        + ("-history" if args.history else "")
                                        + ("-plaintext" if args.insecure else "") + ".json")

    if args.everyday:
        cfg = {"mode": "everyday", "lat_samples": 0, "warmup_samples": 20, "lat10_samples": 0, "burst_files": 0,
               "large_bytes": MiB}
    elif args.history:
        cfg = {"mode": "history", "lat_samples": 0, "warmup_samples": 20, "lat10_samples": 0,
               "burst_files": 1000 if args.quick else 10000, "large_bytes": MiB}
    elif args.quick:
        cfg = {"mode": "quick", "lat_samples": 50, "warmup_samples": 10, "lat10_samples": 5, "burst_files": 1000,
               "large_bytes": 128 * MiB}
    else:
        cfg = {"mode": "full", "lat_samples": 200, "warmup_samples": 20, "lat10_samples": 20, "burst_files": 10000,
               "large_bytes": 1024 * MiB}
    cfg.update({"transport": transport(args), "lat_limit": 30, "burst_limit": 240, "rename_limit": 180, "large_limit": 300,
                "edit_limit": 120, "catchup_limit": 300, "meta_ops": 100, "meta_limit": 60, "restart_files": 20,
                "restart_limit": 120, "everyday_rounds": args.rounds or (5 if args.everyday else 3),
                # (not in the TLS/plaintext comparison's runs: it compares none of their figures)
                "history_files": 0 if args.everyday or args.comparison else (1000 if args.quick else 10000),
                "history_limit": 120,
                # pairs of bursts with history on and off: as many in each order (see run_history_burst)
                "history_pairs": even_pairs(args.rounds or 4) if args.history else 4,
                "jvm_options": os.path.abspath(args.jvm_options) if args.jvm_options else None})
    facts = machine_facts(args.work)
    log(f"mode {cfg['mode']}; Pickbox {cfg['transport']}; machine: {facts['nproc']} cpus, {facts['ram_gib']} GiB RAM, load {facts['loadavg_start']}")
    t_start = time.time()
    try:
        src = os.path.join(args.work, "large-source.bin")
        log(f"generating {cfg['large_bytes'] // MiB} MiB source file")
        src_sha = make_large(src, cfg["large_bytes"], 1234)
        patch = random.Random(99).randbytes(MiB)
        cfg["edit_offset"] = (cfg["large_bytes"] // 2) // MiB * MiB
        cfg["patch"] = patch
        cfg["patched_sha"] = patched_sha(src, cfg["edit_offset"], patch)
        results = {}
        systems = []
        if not args.syncthing_only:
            systems.append(Pickbox)
        if not args.pickbox_only and not args.history:
            systems.append(Syncthing)
        for cls in systems:
            t = time.time()
            results[cls.name] = run_system(cls, args, cfg, args.work, src, src_sha)
            results[cls.name]["wall_s"] = round(time.time() - t, 1)
            with open(os.path.join(HERE, "results", f"partial-{cfg['mode']}.json"), "w") as f:
                json.dump({"config": {k: v for k, v in cfg.items() if k != "patch"}, "machine": facts,
                           "results": results}, f, indent=2, default=str)
        os.remove(src)
    finally:
        cleanup_all()
        remove_kept_folders(args.work)
    facts["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
    facts["total_wall_s"] = round(time.time() - t_start, 1)
    rows = build_table(results, cfg)
    table = render(rows)
    print()
    print(f"Pickbox benchmark ({cfg['mode']}, Pickbox {cfg['transport']}), {facts['date']}, {facts['nproc']} cpus, {facts['ram_gib']} GiB RAM, "
          f"total {facts['total_wall_s']} s")
    print("Ratio = how many times better Pickbox is (Syncthing/Pickbox for times, Pickbox/Syncthing for rates).")
    print(table)
    out_cfg = {k: v for k, v in cfg.items() if k not in ("patch",)}
    doc = {"config": out_cfg, "machine": facts, "results": results, "table": rows, "table_text": table}
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    # A run with other JVM options than the product's, or without TLS, is a comparison, not the latest figures.
    latest = [] if args.jvm_options or args.insecure or args.comparison else [os.path.join(os.path.dirname(args.out), f"latest-{cfg['mode']}.json")]
    if args.everyday or args.history:
        latest = []  # the everyday or history workloads alone never stand for a whole run's latest figures
    for path in [args.out] + latest:
        with open(path, "w") as f:
            json.dump(doc, f, indent=2, default=str)
    log(f"wrote {args.out}")


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        cleanup_all()
