#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Route churn benchmark for `anyxdp sync` (driven by tests/bench/bench_sync.sh).

  bench_sync.py --ns NS --pin-base DIR --tmp DIR [--reps N] [--changes N]
                [--sizes N,N] [--quick]

The namespace NS must exist with the interfaces wgb0..wgb3 (TUN: tunnel next
hops) and wge0..wge3 (veth: Ethernet next hops) up; the shell script makes it. Prints the Markdown section on stdout, progress on stderr.

The synthetic stream (fixed seed). P served prefixes (80% IPv4 /24 in
10.0.0.0/8, 20% IPv6 /48 in 2001:db8::/32), each with a selected route
through one of wgb0..wgb3 and an unselected one through another, as babeld
dumps them. Then CHANGES route changes, each of which changes exactly one
learned next hop in the map (so `updates` must end at CHANGES exactly):

  45% metric change of the selected route          1 line
  35% switch to another neighbour (interface):     2 lines (new one installed,
      then the old one "installed no")
  12% retraction (metric 65535)                    1 line
   8% flush of the selected route                  1 line
  and a retracted or flushed prefix's next change is its return (1 line).

A prefix comes back at the earliest 300 changes later, so two changes of one
prefix never share a read (babeld: 4 KiB, ~27 lines; netlink: up to 32
datagrams) and are never merged into one map write.

The sync runs with --withdraw-hold 0: by default it writes a withdrawal
100 ms late on purpose (babeld withdraws everything when it exits), a
delay by design that would otherwise end every burst; adds and changes
are written at once either way.

The same events as kernel routes (`ip -batch`, proto babel, one route
operation per event): a metric change becomes another gateway on the same
interface (the kernel's route metric is part of the route's identity, and
babeld keeps it fixed), a switch a `route replace` to the other interface,
a retraction or flush a `route del`, a return a `route add`.
"""
import argparse
import ctypes
import json
import os
import random
import resource
import signal
import socket
import statistics
import struct
import subprocess
import sys
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ANYXDP = os.path.join(TOP, os.environ.get("BIN", "build"), "anyxdp")  # BIN: the binaries
FAKE = os.path.join(TOP, "tests", "lab", "fake_babeld.py")
IFACES = 4
GAP = 300
SERVED = ["10.0.0.0/8", "2001:db8::/32"]
ID = "02:00:00:00:00:00:00:02"
INF = 65535

CHILDREN = set()
PIDFILE = None


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def note_pids():
    if PIDFILE:
        with open(PIDFILE, "w") as f:
            f.write("".join(f"{p.pid}\n" for p in CHILDREN))


def spawn(args, **kw):
    p = subprocess.Popen(args, **kw)
    CHILDREN.add(p)
    note_pids()
    return p


def reap(p, sig=signal.SIGTERM, timeout=10):
    if p.poll() is None:
        p.send_signal(sig)
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)
    CHILDREN.discard(p)
    note_pids()
    return p.returncode


# ---- reading sync_status without a process per poll ----

class Bpf:
    NR = {"x86_64": 321, "aarch64": 280}

    def __init__(self):
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.nr = self.NR[os.uname().machine]

    def _call(self, cmd, attr):
        buf = ctypes.create_string_buffer(attr, 128)
        rc = self.libc.syscall(ctypes.c_long(self.nr), ctypes.c_int(cmd), buf, ctypes.c_uint(128))
        if rc < 0:
            e = ctypes.get_errno()
            raise OSError(e, os.strerror(e))
        return rc

    def obj_get(self, path):
        p = ctypes.create_string_buffer(path.encode())
        self._keep = p
        return self._call(7, struct.pack("=QII", ctypes.addressof(p), 0, 0))

    def lookup(self, fd, key, vsize):
        k = ctypes.create_string_buffer(key, len(key))
        v = ctypes.create_string_buffer(vsize)
        self._call(1, struct.pack("=IIQQQ", fd, 0, ctypes.addressof(k), ctypes.addressof(v), 0))
        return v.raw


STATES = ["stopped", "connecting", "dumping", "running", "grace"]


class Status:
    """struct sync_status (include/anyxdp.h), read from the pinned map."""

    def __init__(self, bpf, pin):
        self.bpf = bpf
        self.fd = bpf.obj_get(os.path.join(pin, "sync_status"))

    def read(self):
        v = self.bpf.lookup(self.fd, struct.pack("=I", 0), 208)
        pid, state, _src, routes, stale, rib = struct.unpack_from("=6I", v, 0)
        (started, connected, last_update, _grace, lines, malformed, updates, _rec,
         errors) = struct.unpack_from("=9Q", v, 56)
        p50, p99, mx = struct.unpack_from("=3I", v, 128)
        return dict(pid=pid, state=STATES[state] if state < len(STATES) else str(state),
                    routes=routes, stale=stale, rib_routes=rib, started_ns=started,
                    connected_ns=connected, last_update_ns=last_update, lines=lines,
                    malformed=malformed, updates=updates, errors=errors, p50=p50, p99=p99,
                    max=mx)

    def close(self):
        os.close(self.fd)


def cpu_ns(pid):
    """Time on CPU of a process so far (ns), from /proc/PID/schedstat."""
    with open(f"/proc/{pid}/schedstat") as f:
        return int(f.read().split()[0])


def children_cpu_ns():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return int((r.ru_utime + r.ru_stime) * 1e9)


def wait_for(desc, fn, timeout):
    end = time.monotonic() + timeout
    while True:
        r = fn()
        if r:
            return r
        if time.monotonic() > end:
            raise RuntimeError(f"timed out after {timeout} s waiting for {desc}")
        time.sleep(0.02)


# ---- the synthetic stream ----

def via(i, alt=0):
    return f"fe80::b{i}:{2 + alt}"


def make_prefixes(n, rng):
    n6 = n // 5
    n4 = n - n6
    v4 = rng.sample(range(1, 65536), n4)
    v6 = rng.sample(range(1, 65536), n6)
    return ([f"10.{i >> 8}.{i & 255}.0/24" for i in v4] +
            [f"2001:db8:{i:x}::/48" for i in v6])


class Route:
    __slots__ = ("handle", "iface", "metric", "installed")

    def __init__(self, handle, iface, metric, installed):
        self.handle, self.iface, self.metric, self.installed = handle, iface, metric, installed


def body(p, r):
    frm = "::/0" if ":" in p else "0.0.0.0/0"
    ref = 0 if r.metric >= INF else max(0, r.metric - 96)
    return (f"{r.handle} prefix {p} from {frm} installed {'yes' if r.installed else 'no'} "
            f"id {ID} metric {r.metric} refmetric {ref} via {via(r.iface)} if wgb{r.iface}")


def generate(n_prefixes, n_changes, seed, out):
    """Writes OUT.table, OUT.churn (babeld), OUT.nlinit, OUT.nlchurn (ip -batch);
    returns the expected learned routes after the churn, for both sources."""
    rng = random.Random(seed)
    prefixes = make_prefixes(n_prefixes, rng)
    next_handle = [0x55d0a0000000]

    def handle():
        next_handle[0] += 0x60
        return f"{next_handle[0]:x}"

    routes = {}     # prefix -> {iface: Route}
    sel = {}        # prefix -> selected iface, None when withdrawn
    kgw = {}        # prefix -> (iface, alt) in the kernel, None when deleted
    table, nlinit = [], []
    for p in prefixes:
        a = rng.randrange(IFACES)
        b = (a + 1 + rng.randrange(IFACES - 1)) % IFACES
        ra = Route(handle(), a, 96 * rng.randint(1, 4), True)
        rb = Route(handle(), b, ra.metric + 96, False)
        routes[p] = {a: ra, b: rb}
        sel[p] = a
        kgw[p] = (a, 0)
        table += [f"add route {body(p, ra)}", f"add route {body(p, rb)}"]
        nlinit.append(f"route add {p} via {'inet6 ' if ':' not in p else ''}{via(a)} "
                      f"dev wgb{a} proto babel")

    churn, nl = [], []
    last_event = {}     # prefix -> index of its last change
    kinds = dict(metric=0, switch=0, retract=0, flush=0, back=0)
    for ev in range(n_changes):
        for _try in range(1000):
            p = prefixes[rng.randrange(len(prefixes))]
            if ev - last_event.get(p, -GAP - 1) > GAP:
                break
        else:
            raise RuntimeError("too few prefixes for the gap")
        rs = routes[p]
        s = sel[p]
        fam6 = ":" in p
        kvia = "" if fam6 else "inet6 "
        if s is None or rs[s].metric >= INF:
            # back: a retracted route gets a metric again, a flushed one is re-added
            kinds["back"] += 1
            if s is not None:
                r = rs[s]
                r.metric = 96 * rng.randint(1, 4)
                churn.append(f"change route {body(p, r)}")
            else:
                i = rng.randrange(IFACES)
                r = Route(handle(), i, 96 * rng.randint(1, 4), True)
                old = rs.get(i)
                if old:     # its unselected route on that interface is installed
                    old.metric, old.installed = r.metric, True
                    churn.append(f"change route {body(p, old)}")
                else:
                    rs[i] = r
                    churn.append(f"add route {body(p, r)}")
                sel[p] = i
            i = sel[p]
            kgw[p] = (i, 0)
            nl.append(f"route add {p} via {kvia}{via(i)} dev wgb{i} proto babel")
        else:
            x = rng.random()
            r = rs[s]
            if x < 0.45:
                kinds["metric"] += 1
                m = r.metric
                while m == r.metric:
                    m = max(1, r.metric + rng.choice([-96, -32, -16, 16, 32, 96, 192]))
                r.metric = m
                churn.append(f"change route {body(p, r)}")
                i, alt = kgw[p]
                kgw[p] = (i, 1 - alt)
                nl.append(f"route replace {p} via {kvia}{via(i, 1 - alt)} dev wgb{i} proto babel")
            elif x < 0.80:
                kinds["switch"] += 1
                c = (s + 1 + rng.randrange(IFACES - 1)) % IFACES
                nr = rs.get(c)
                m = 96 * rng.randint(1, 4) + rng.choice([0, 16, 32])
                if nr:
                    nr.metric, nr.installed = m, True
                    churn.append(f"change route {body(p, nr)}")
                else:
                    nr = rs[c] = Route(handle(), c, m, True)
                    churn.append(f"add route {body(p, nr)}")
                r.installed = False
                churn.append(f"change route {body(p, r)}")
                sel[p] = c
                kgw[p] = (c, 0)
                nl.append(f"route replace {p} via {kvia}{via(c)} dev wgb{c} proto babel")
            elif x < 0.92:
                kinds["retract"] += 1
                r.metric = INF
                churn.append(f"change route {body(p, r)}")
                kgw[p] = None
                nl.append(f"route del {p} proto babel")
            else:
                kinds["flush"] += 1
                churn.append(f"flush route {body(p, r)}")
                del rs[s]
                sel[p] = None
                kgw[p] = None
                nl.append(f"route del {p} proto babel")
        last_event[p] = ev

    for name, data in (("table", table), ("churn", churn), ("nlinit", nlinit), ("nlchurn", nl)):
        with open(f"{out}.{name}", "w") as f:
            f.write("\n".join(data) + "\n")
    exp_babel, exp_nl = {}, {}
    for p in prefixes:
        s = sel[p]
        if s is not None and routes[p][s].metric < INF:
            exp_babel[p] = (f"wgb{s}", via(s), routes[p][s].metric)
        if kgw[p]:
            i, alt = kgw[p]
            exp_nl[p] = (f"wgb{i}", via(i, alt), 1024 if ":" in p else 0)
    return dict(prefixes=len(prefixes), changes=n_changes, lines=len(churn),
                kernel_ops=len(nl), kinds=kinds, exp_babel=exp_babel, exp_nl=exp_nl)


# ---- running ----

class Bench:
    def __init__(self, a):
        self.a = a
        self.ns = a.ns
        self.tmp = a.tmp
        self.bpf = Bpf()
        self.n_pin = 0
        self.inns = ["nsenter", f"--net=/run/netns/{a.ns}"]

    def new_pin(self):
        self.n_pin += 1
        pin = f"{self.a.pin_base}-{self.n_pin}"
        subprocess.run([ANYXDP, "--pin-dir", pin, "prefix", "add"] + SERVED, check=True,
                       stdout=subprocess.DEVNULL)
        return pin

    @staticmethod
    def rm_pin(pin):
        if os.path.isdir(pin):
            for f in os.listdir(pin):
                os.unlink(os.path.join(pin, f))
            os.rmdir(pin)

    def start_sync(self, pin, src, tag, ifp="wgb"):
        logf = open(os.path.join(self.tmp, f"sync-{tag}.log"), "a")
        env = dict(os.environ, ANYXDP_PIN_DIR=pin)
        p = spawn(self.inns + [ANYXDP, "sync"] + src +
                  ["--iface", f"{ifp}*", "--quiet", "--no-config", "--withdraw-hold", "0"],
                  env=env, stdout=logf, stderr=logf, stdin=subprocess.DEVNULL)
        logf.close()
        return p

    def ip_batch(self, path, force=False):
        """Returns wall clock before and after, and ip's CPU time (ns)."""
        c0 = children_cpu_ns()
        t0 = time.time_ns()
        r = subprocess.run(["ip", "-n", self.ns] + (["-force"] if force else []) +
                           ["-batch", path], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           text=True)
        t1 = time.time_ns()
        if r.returncode:
            raise RuntimeError(f"ip -batch {path}: {r.stderr.strip()[:300]}")
        return t0, t1, children_cpu_ns() - c0

    def kernel_reset(self, gen):
        for fam in ("-4", "-6"):
            subprocess.run(["ip", "-n", self.ns, fam, "route", "flush", "proto", "babel"],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.ip_batch(gen + ".nlinit")

    def check_map(self, pin, expected):
        """The learned routes in the map against the model: number of differences."""
        out = subprocess.run(self.inns + [ANYXDP, "--pin-dir", pin, "route", "list", "--json"],
                             check=True, capture_output=True, text=True).stdout
        got = {}
        for row in json.loads(out):
            if row.get("origin") == "learned":
                got[row["prefix"]] = (row.get("dev"), row.get("via"), row.get("metric"))
        bad = sum(1 for p in set(got) | set(expected) if got.get(p) != expected.get(p))
        if bad:
            ex = [p for p in sorted(set(got) | set(expected)) if got.get(p) != expected.get(p)][:3]
            log("  map differs from the model: " +
                "; ".join(f"{p}: map {got.get(p)} model {expected.get(p)}" for p in ex))
        return bad

    def bulk_then_restart(self, pin, src, tag, n_prefixes, ifp="wgb"):
        """First sync: loads the table into an empty map (the bulk load).
        Second sync: confirms it (no update), so its latency histogram holds
        the churn only."""
        sync = self.start_sync(pin, src, tag, ifp)
        st = Status(self.bpf, pin)
        try:
            s = wait_for("the initial table", lambda: (lambda s: s if s["state"] == "running" and
                         s["updates"] >= n_prefixes else None)(st.read()), 60)
            bulk = dict(updates=s["updates"], secs=(s["last_update_ns"] - s["connected_ns"]) / 1e9,
                        p50=s["p50"], p99=s["p99"], max=s["max"])
        finally:
            reap(sync)
        sync = self.start_sync(pin, src, tag, ifp)
        wait_for("the restarted sync", lambda: (lambda s: s["pid"] == sync.pid and
                 s["state"] == "running" and s["routes"] == n_prefixes and not s["stale"])(
                     st.read()), 60)
        return sync, st, bulk

    @staticmethod
    def wait_updates(st, want, timeout=60):
        """Until WANT updates, or none for 3 s (the caller reports the shortfall)."""
        end = time.monotonic() + timeout
        last, since = -1, time.monotonic()
        while time.monotonic() < end:
            s = st.read()
            if s["updates"] >= want:
                break
            if s["updates"] != last:
                last, since = s["updates"], time.monotonic()
            elif time.monotonic() - since > 3:
                log(f"  stuck at {s['updates']} of {want} updates: {s}")
                break
            time.sleep(0.02)
        time.sleep(0.3)     # one more publish: nothing after the last one
        return st.read()

    def run_babel(self, gen, info, tag, ifp="wgb"):
        expected = info["exp_babel"]
        if ifp != "wgb":
            # the same stream through the other interfaces
            for ext in ("table", "churn"):
                if not os.path.exists(f"{gen}.{ifp}.{ext}"):
                    with open(f"{gen}.{ext}") as f, open(f"{gen}.{ifp}.{ext}", "w") as g:
                        g.write(f.read().replace(" if wgb", f" if {ifp}"))
            gen = f"{gen}.{ifp}"
            expected = {p: (d.replace("wgb", ifp), v, m) for p, (d, v, m) in expected.items()}
        pin = self.new_pin()
        sock = os.path.join(self.tmp, "babeld.sock")
        ctl = os.path.join(self.tmp, "babeld.ctl")
        flog = open(os.path.join(self.tmp, "fake.log"), "w")
        fake = spawn([sys.executable, FAKE, "--listen", f"unix:{sock}", "--ctl", ctl,
                      "--table", gen + ".table"], stdout=flog, stderr=flog)
        sync = st = None
        try:
            wait_for("fake babeld", lambda: "ready" in open(flog.name).read(), 10)
            src = ["--babel-socket", sock]
            sync, st, bulk = self.bulk_then_restart(pin, src, tag, info["prefixes"], ifp)
            c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            c.settimeout(60)
            c.connect(ctl)
            cf = c.makefile("rw")

            def cmd(s):
                cf.write(s + "\n")
                cf.flush()
                return cf.readline().strip()

            wait_for("sync in monitor mode", lambda: cmd("clients") == "ok 1", 10)
            s0 = st.read()
            c0, f0 = cpu_ns(sync.pid), cpu_ns(fake.pid)
            t0 = time.time_ns()
            r = cmd(f"burst {os.path.abspath(gen + '.churn')}")
            t_sent = time.time_ns()
            if r != "ok":
                raise RuntimeError(f"burst: {r}")
            s = self.wait_updates(st, s0["updates"] + info["changes"])
            c1, f1 = cpu_ns(sync.pid), cpu_ns(fake.pid)
            c.close()
            res = self.result(s, s0, t0, t_sent, info["changes"], info["lines"])
            res["cpu_ns"] = c1 - c0
            res["feeder_cpu_ns"] = f1 - f0
            res["bulk"] = bulk
            res["map_diff"] = self.check_map(pin, expected)
            return res
        finally:
            if st:
                st.close()
            if sync:
                reap(sync)
            reap(fake)
            flog.close()
            self.rm_pin(pin)

    def run_kernel(self, gen, info):
        """ip -batch of the churn with nobody listening: the kernel FIB alone."""
        self.kernel_reset(gen)
        t0, t1, cpu = self.ip_batch(gen + ".nlchurn")
        return dict(rate=info["kernel_ops"] / ((t1 - t0) / 1e9), secs=(t1 - t0) / 1e9,
                    cpu_ns=cpu, want=info["kernel_ops"])

    def run_netlink(self, gen, info, tag):
        pin = self.new_pin()
        sync = st = None
        try:
            self.kernel_reset(gen)
            sync, st, bulk = self.bulk_then_restart(pin, ["--netlink", "--proto", "babel"], tag,
                                                    info["prefixes"])
            s0 = st.read()
            c0 = cpu_ns(sync.pid)
            t0, t_sent, ipcpu = self.ip_batch(gen + ".nlchurn")
            s = self.wait_updates(st, s0["updates"] + info["kernel_ops"])
            res = self.result(s, s0, t0, t_sent, info["kernel_ops"], info["kernel_ops"])
            res["cpu_ns"] = cpu_ns(sync.pid) - c0
            res["feeder_cpu_ns"] = ipcpu
            res["bulk"] = bulk
            res["ip_secs"] = (t_sent - t0) / 1e9
            res["map_diff"] = self.check_map(pin, info["exp_nl"])
            return res
        finally:
            if st:
                st.close()
            if sync:
                reap(sync)
            self.rm_pin(pin)

    @staticmethod
    def result(s, s0, t0, t_sent, want, lines):
        upd = s["updates"] - s0["updates"]
        secs = (s["last_update_ns"] - t0) / 1e9
        return dict(updates=upd, want=want, lines=s["lines"] - s0["lines"], lines_sent=lines,
                    secs=secs, send_secs=(t_sent - t0) / 1e9, rate=upd / secs, p50=s["p50"],
                    p99=s["p99"], max=s["max"], errors=s["errors"], malformed=s["malformed"])


# ---- report ----

def med(xs):
    return statistics.median(xs) if xs else float("nan")


def fnum(x, d=0):
    return f"{x:,.{d}f}"


def spread(xs, d=0):
    if len(xs) < 2:
        return fnum(med(xs), d)
    return f"{fnum(med(xs), d)} ({fnum(min(xs), d)}-{fnum(max(xs), d)})"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ns", required=True)
    ap.add_argument("--pin-base", required=True)
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--changes", type=int, default=10000)
    ap.add_argument("--sizes", default="2000,10000")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--pidfile")
    a = ap.parse_args()
    global PIDFILE
    PIDFILE = a.pidfile
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    sizes = [int(x) for x in a.sizes.split(",")]
    b = Bench(a)
    gens, infos = {}, {}
    for n in sizes:
        gens[n] = os.path.join(a.tmp, f"stream-{n}")
        infos[n] = generate(n, a.changes, a.seed, gens[n])
        log(f"bench_sync: {n} prefixes: {infos[n]['lines']} babeld lines, "
            f"{infos[n]['kernel_ops']} kernel route operations, kinds {infos[n]['kinds']}")
    res = {(n, v): [] for n in sizes for v in ("babel", "babel_eth", "netlink", "kernel")}
    failed = []
    try:
        for rep in range(a.reps):
            for n in sizes:
                for v in ("babel", "kernel", "netlink", "babel_eth"):
                    if v == "babel_eth" and n != sizes[0]:
                        continue
                    tag = f"{v}-{n}-{rep}"
                    if v == "babel":
                        r = b.run_babel(gens[n], infos[n], tag)
                    elif v == "babel_eth":
                        r = b.run_babel(gens[n], infos[n], tag, "wge")
                    elif v == "netlink":
                        r = b.run_netlink(gens[n], infos[n], tag)
                    else:
                        r = b.run_kernel(gens[n], infos[n])
                    res[(n, v)].append(r)
                    extra = ""
                    if "updates" in r:
                        extra = (f", {r['updates']}/{r['want']} updates, p50/p99/max "
                                 f"{r['p50']}/{r['p99']}/{r['max']} us, map diffs {r['map_diff']}, "
                                 f"errors {r['errors']}, bulk {r['bulk']['updates']} in "
                                 f"{r['bulk']['secs']:.3f} s")
                        if r["updates"] != r["want"] or r["map_diff"] or r["errors"] or \
                                r["malformed"]:
                            failed.append(tag)
                    cpu = f", CPU {r['cpu_ns'] / r['want'] / 1e3:.1f} us/change"
                    if "feeder_cpu_ns" in r:
                        cpu += (f" (busy {r['cpu_ns'] / 1e9 / r['secs']:.0%}; feeder "
                                f"{r['feeder_cpu_ns'] / r['want'] / 1e3:.1f})")
                    log(f"  rep {rep + 1} {n} prefixes {v}: {r['rate']:,.0f}/s "
                        f"in {r['secs']:.3f} s{cpu}{extra}")
    finally:
        for p in list(CHILDREN):
            reap(p, signal.SIGKILL)

    print(report(a, sizes, infos, res, failed))
    return 1 if failed else 0


def us_per(r, key):
    return r[key] / r["want"] / 1e3


def write_tsv(sizes, res):
    """The table's medians as $BENCH_TSV_DIR/sync.tsv (for tests/bench/plot.sh)."""
    d = os.environ.get("BENCH_TSV_DIR")
    if not d:
        return
    rows = ["prefixes\tpath\tupdates_per_s\tcpu_us_per_change\tp50_us\tp99_us\tmax_us"]
    for n in sizes:
        for v in ("babel", "netlink", "kernel", "babel_eth"):
            rs = res[(n, v)]
            if not rs:
                continue
            lat = ["-"] * 3
            if v != "kernel":
                lat = [f"{med([r['p50'] for r in rs]):.0f}", f"{med([r['p99'] for r in rs]):.0f}",
                       str(max(r["max"] for r in rs))]
            rows.append("\t".join([str(n), v, f"{med([r['rate'] for r in rs]):.0f}",
                                    f"{med([us_per(r, 'cpu_ns') for r in rs]):.2f}"] + lat))
    with open(os.path.join(d, "sync.tsv"), "w") as f:
        f.write("\n".join(rows) + "\n")


def report(a, sizes, infos, res, failed):
    n0 = sizes[0]
    k0 = infos[n0]["kinds"]
    out = []
    w = out.append
    w("## Route churn (bench_sync)")
    w("")
    w(f"{a.changes:,} route changes, each of which changes one learned next hop, applied "
      "by `anyxdp sync --quiet --iface 'wgb*'` in a network namespace of our own "
      "(tunnels wgb0..wgb3: TUN devices, what wireguard-go makes; served 10.0.0.0/8 and "
      "2001:db8::/32; a fresh private pin dir per run). Tables of " + " and ".join(f"{n:,}" for n in sizes) +
      " prefixes (80% IPv4 /24, 20% IPv6 /48), the changes from a fixed seed: "
      f"{k0['metric']:,} metric changes, {k0['switch']:,} switches to another neighbour, "
      f"{k0['retract']:,} retractions (metric 65535), {k0['flush']:,} flushes and "
      f"{k0['back']:,} returns (for {n0:,} prefixes); a prefix changes again only 300 "
      "changes later, so no two changes of one prefix are merged into one write.")
    w("")
    w("- **babeld source**: `--babel-socket` to tests/lab/fake_babeld.py, which dumps the "
      "table as babeld does (each prefix twice: selected and not), then on `burst` writes "
      f"the whole change stream ({infos[n0]['lines']:,} lines: a switch is two, the new "
      "route installed and the old one not) to the socket as fast as it is read.")
    w("- **netlink source**: `--netlink --proto babel`; the same changes as "
      f"{infos[n0]['kernel_ops']:,} kernel route operations by one `ip -batch` "
      "(`route replace`/`add`/`del ... proto babel`; babeld keeps the kernel's metric fixed, "
      "so a metric change becomes another gateway on the same interface).")
    w("- **kernel FIB alone**: that `ip -batch` with no sync running: what babeld itself "
      "asks of the kernel for the same changes.")
    w(f"- **Ethernet next hops** ({n0:,} prefixes): the babeld stream through veth "
      "interfaces wge0..wge3 instead: a write that moves a route to another Ethernet "
      "interface also puts that interface in `tx_ports` (user/steer.c `steer_learned_set`).")
    w("")
    w("Updates/s = changes / (the sync's `last_update` (CLOCK_REALTIME in ns, read from the "
      "pinned `sync_status` map) - the wall clock just before the burst was sent or `ip` "
      "started): sustained, from the first line to the last map write. CPU per change: the "
      "sync's time on CPU over the burst (`/proc/PID/schedstat`), and beside it the "
      "feeder's (fake babeld, or `ip`: user + system, so the kernel's FIB work is in it); "
      "busy = the sync's CPU time / the burst's wall time. Latency: the sync's own "
      "histogram (1 us buckets) from the `read()` that brought a line or netlink message "
      "to the map update (netlink: the sync reads up to 32 datagrams, then applies them, "
      "dated by the first read of the batch); `--withdraw-hold 0`, so retractions and "
      "flushes are written at once (the daemon's default holds them 100 ms on purpose: "
      "babeld withdraws everything when it exits); "
      "each run restarts the sync after the bulk load (the new one confirms the table "
      "without a write), so the histogram holds the churn only. "
      "*Bulk load*: the first sync of each run filling an empty map, connect to last "
      "write. Every run checks `updates` = changes exactly, no errors, no malformed lines, "
      "and the learned routes in the map (`route list --json`) against the stream's final "
      f"state. Median of {a.reps} run{'s' if a.reps > 1 else ''} (min-max); the 2-vCPU VM "
      "is shared and noisy.")
    w("")
    w("| prefixes | path | updates/s | us per change | CPU us per change: sync / feeder "
      "(sync busy) | latency p50 / p99 / max (us) | bulk load routes/s |")
    w("|---|---|---|---|---|---|---|")
    for n in sizes:
        for v, name in (("babel", "anyxdp sync, babeld source"),
                        ("netlink", "anyxdp sync, netlink source"),
                        ("kernel", "kernel FIB alone (`ip -batch`)"),
                        ("babel_eth", "anyxdp sync, babeld source, Ethernet next hops")):
            rs = res[(n, v)]
            if not rs:
                continue
            rates = [r["rate"] for r in rs]
            if v == "kernel":
                lat = bulk = "-"
                cpu = f"- / {med([us_per(r, 'cpu_ns') for r in rs]):.1f}"
            else:
                lat = (f"{med([r['p50'] for r in rs]):.0f} / {med([r['p99'] for r in rs]):.0f} "
                       f"({min(r['p99'] for r in rs)}-{max(r['p99'] for r in rs)}) / "
                       f"{max(r['max'] for r in rs)}")
                bulk = spread([r["bulk"]["updates"] / r["bulk"]["secs"] for r in rs])
                cpu = (f"{med([us_per(r, 'cpu_ns') for r in rs]):.1f} / "
                       f"{med([us_per(r, 'feeder_cpu_ns') for r in rs]):.1f} "
                       f"({med([r['cpu_ns'] / 1e9 / r['secs'] for r in rs]):.0%})")
            w(f"| {n:,} | {name} | {spread(rates)} | {1e6 / med(rates):.1f} | {cpu} | {lat} "
              f"| {bulk} |")
    w("")
    w("p99: median (min-max) over the runs; max: the largest of all runs.")
    write_tsv(sizes, res)
    w("")
    w("Ratios, each taken within one repetition (the paths run back to back), "
      "median (min-max) over the repetitions:")
    w("")

    def paired(n, num, den, key="rate", n2=None):
        a, b = res[(n, num)], res[(n2 or n, den)]
        if key == "rate":
            xs = [x["rate"] / y["rate"] for x, y in zip(a, b)]
        else:
            xs = [us_per(x, "cpu_ns") / us_per(y, "cpu_ns") for x, y in zip(a, b)]
        if len(xs) < 2:
            return f"{med(xs):.2f}x"
        return f"{med(xs):.2f}x ({min(xs):.2f}-{max(xs):.2f})"

    for n in sizes:
        w(f"- {n:,} prefixes, updates/s: babeld source / kernel FIB alone "
          f"{paired(n, 'babel', 'kernel')}; netlink source / kernel FIB alone "
          f"{paired(n, 'netlink', 'kernel')}; babeld source / netlink source "
          f"{paired(n, 'babel', 'netlink')}")
        w(f"- {n:,} prefixes, CPU per change: babeld-source sync / `ip` (user + system) "
          f"{paired(n, 'babel', 'kernel', 'cpu')}; netlink-source sync / `ip` "
          f"{paired(n, 'netlink', 'kernel', 'cpu')}")
    if res[(n0, "babel_eth")]:
        w(f"- {n0:,} prefixes, babeld source, Ethernet / tunnel next hops: "
          f"{paired(n0, 'babel_eth', 'babel')} updates/s, "
          f"{paired(n0, 'babel_eth', 'babel', 'cpu')} CPU per change")
    if len(sizes) > 1:
        w(f"- table size, babeld source, {sizes[-1]:,} / {sizes[0]:,} prefixes: "
          f"{paired(sizes[-1], 'babel', 'babel', n2=sizes[0])} updates/s, "
          f"{paired(sizes[-1], 'babel', 'babel', 'cpu', n2=sizes[0])} CPU per change "
          "(1.00: a change costs the same in a bigger table)")
    w("")
    rb = [r["rate"] for r in res[(n0, "babel")]]
    p99 = [r["p99"] for r in res[(n0, "babel")]]
    w(f"Targets ({n0:,} prefixes, babeld source: >= 10,000 updates/s, p99 <= 1 ms):")
    w("")
    w(f"- route churn: anyxdp sync {fnum(med(rb))} updates/s (slowest run "
      f"{fnum(min(rb))}), target >= 10,000: {'PASS' if med(rb) >= 10000 else 'MISS'}")
    w(f"- route churn: p99 line read -> map updated {med(p99):.0f} us (worst run "
      f"{max(p99)}), target <= 1000 us: {'PASS' if med(p99) <= 1000 else 'MISS'}")
    if failed:
        w("")
        w(f"**Check failed** (updates, errors, malformed lines or map contents differ from "
          f"the model) in: {', '.join(failed)}.")
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
