#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Timing probes for tests/netns/test_sync_e2e.sh (anyxdp sync in the lab).

  sync_watch.py reroute (--babel HOST:PORT | --netlink --proto N) --pin DIR
                --dev IFNAME --prefix P [--prefix P] [--ready FILE] [--timeout S]
      Run in a PoP's namespace. Follows the routing daemon's announcements
      (babeld's local interface: "monitor", each line stamped on arrival;
      or the kernel's route notifications over rtnetlink) and reads the
      learned next hop of each prefix straight from the pinned steer_v4 /
      steer_v6 maps (bpf(2), about every 0.5 ms). Writes FILE once it is
      following, exits when every prefix has both events (or at the
      timeout) and prints JSON per prefix:
        t_route  the daemon announced the prefix installed via IFNAME
        t_map    the map's learned next hop became IFNAME
        absent_ms  how long the map had no learned next hop meanwhile
      Times are CLOCK_MONOTONIC seconds (the same clock in every namespace).

  sync_watch.py hold --pin DIR --prefix P [--prefix P] [--dev IFNAME]
                --stop FILE [--ready FILE] [--timeout S]
      Reads the learned next hops (about every 0.5 ms) until FILE exists
      and prints JSON per prefix: absent_ms (no learned next hop), other_ms
      (one via another interface than IFNAME), samples.

  sync_watch.py udp ADDR [--port 7] [--interval 0.01] [--duration S]
                [--stop FILE] [--ready FILE]
      Run in the client's namespace. Sends a numbered datagram every
      --interval to the echo service until FILE exists (or --duration) and
      prints JSON: sent, and [seq, t_sent, t_reply] for each reply.

  sync_watch.py outage UDP_JSON [--t1 T]
      From udp's output: lost, the longest gap between replies (ms), and
      with --t1 the ms from T1 to the first reply after that gap.

Bounded everywhere; exit 2 on bad arguments or setup errors.
"""
import argparse
import ctypes
import ipaddress
import json
import os
import platform
import select
import socket
import struct
import sys
import time

mono = time.monotonic

# ---- the steer maps through bpf(2) ----

BPF_MAP_LOOKUP_ELEM = 1
BPF_OBJ_GET = 7
NR_BPF = {'x86_64': 321, 'aarch64': 280, 'armv7l': 386, 'ppc64le': 361,
          's390x': 351, 'riscv64': 280}
STEER_VAL_SIZE = 144
NH_SIZE = 48
ORIGIN_LEARNED = 1

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def bpf(cmd, attr):
    nr = NR_BPF.get(platform.machine())
    if nr is None:
        raise OSError('no bpf syscall number for %s' % platform.machine())
    buf = ctypes.create_string_buffer(bytes(attr), 128)
    rc = libc.syscall(ctypes.c_long(nr), ctypes.c_int(cmd), buf, ctypes.c_uint(128))
    if rc < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return rc


def obj_get(path):
    p = ctypes.create_string_buffer(path.encode())
    return bpf(BPF_OBJ_GET, struct.pack('=QII', ctypes.addressof(p), 0, 0)), p


class SteerMap:
    """Learned next hop of one prefix (an exact entry of the LPM trie)."""

    def __init__(self, pin, prefix):
        net = ipaddress.ip_network(prefix)
        self.plen = net.prefixlen
        name = 'steer_v4' if net.version == 4 else 'steer_v6'
        self.fd, _ = obj_get(os.path.join(pin, name))
        self.key = ctypes.create_string_buffer(struct.pack('=I', net.prefixlen) +
                                               net.network_address.packed)
        self.val = ctypes.create_string_buffer(STEER_VAL_SIZE)
        self.attr = struct.pack('=IIQQQ', self.fd, 0, ctypes.addressof(self.key),
                                ctypes.addressof(self.val), 0)

    def learned(self):
        """(ifindex, ifname) of the learned next hop, or None."""
        try:
            bpf(BPF_MAP_LOOKUP_ELEM, self.attr)
        except OSError:
            return None
        v = self.val.raw
        if struct.unpack_from('=I', v, 100)[0] != self.plen:
            return None	# a shorter entry (the LPM trie's longest match)
        nh = v[ORIGIN_LEARNED * NH_SIZE:(ORIGIN_LEARNED + 1) * NH_SIZE]
        ifindex = struct.unpack_from('=I', nh, 0)[0]
        ifname = nh[32:48].split(b'\0', 1)[0].decode(errors='replace')
        if not ifindex and not ifname:
            return None
        return ifindex, ifname


# ---- route announcements ----

class BabelMonitor:
    def __init__(self, addr, prefixes, dev, deadline):
        host, port = addr.rsplit(':', 1)
        host = host.strip('[]')
        fam = socket.AF_INET6 if ':' in host else socket.AF_INET
        self.s = socket.create_connection((host, int(port)), timeout=2) if fam == socket.AF_INET \
            else self._connect6(host, int(port))
        self.prefixes, self.dev, self.buf = prefixes, dev, b''
        self.lines = []
        # greeting up to "ok", then "monitor": the dump up to "ok"
        self._until_ok(deadline)
        self.s.sendall(b'monitor\n')
        self._until_ok(deadline)
        self.s.setblocking(False)

    @staticmethod
    def _connect6(host, port):
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.settimeout(2)
        s.connect((host, port))
        return s

    def _until_ok(self, deadline):
        while True:
            if mono() > deadline:
                raise OSError('babeld: no "ok" in time')
            while b'\n' in self.buf:
                line, self.buf = self.buf.split(b'\n', 1)
                if line.strip() == b'ok':
                    return
            d = self.s.recv(65536)
            if not d:
                raise OSError('babeld closed the connection')
            self.buf += d

    def fileno(self):
        return self.s.fileno()

    def read(self, now):
        """[(prefix, t)] of routes announced installed via dev."""
        out = []
        try:
            d = self.s.recv(65536)
        except BlockingIOError:
            return out
        if not d:
            raise OSError('babeld closed the connection')
        self.buf += d
        while b'\n' in self.buf:
            raw, self.buf = self.buf.split(b'\n', 1)
            line = raw.decode(errors='replace').strip()
            w = line.split()
            if len(w) < 4 or w[0] not in ('add', 'change') or w[1] != 'route':
                continue
            try:
                p = w[w.index('prefix') + 1]
                inst = w[w.index('installed') + 1]
                dev = w[w.index('if') + 1]
            except (ValueError, IndexError):
                continue
            self.lines.append('%.6f %s' % (now, line))
            if inst == 'yes' and dev == self.dev and p in self.prefixes:
                out.append((p, now))
        return out


RTMGRP_IPV4_ROUTE = 0x40
RTMGRP_IPV6_ROUTE = 0x400
RTM_NEWROUTE = 24
RTA_DST, RTA_OIF, RTA_MULTIPATH = 1, 4, 9


class NetlinkMonitor:
    def __init__(self, proto, prefixes, dev):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.s.bind((0, RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE))
        self.s.setblocking(False)
        self.proto = proto
        self.ifindex = socket.if_nametoindex(dev)
        self.want = {}
        for p in prefixes:
            n = ipaddress.ip_network(p)
            self.want[(n.version, n.prefixlen, n.network_address.packed)] = p
        self.lines = []

    def fileno(self):
        return self.s.fileno()

    def read(self, now):
        out = []
        try:
            d = self.s.recv(1 << 16)
        except BlockingIOError:
            return out
        off = 0
        while off + 16 <= len(d):
            ln, typ = struct.unpack_from('=IH', d, off)
            if ln < 16:
                break
            if typ == RTM_NEWROUTE and ln >= 28:
                self._route(d[off + 16:off + ln], now, out)
            off += (ln + 3) & ~3
        return out

    def _route(self, m, now, out):
        fam, dlen, _, _, _, proto = struct.unpack_from('=BBBBBB', m, 0)
        ver = 4 if fam == socket.AF_INET else 6 if fam == socket.AF_INET6 else 0
        dst, oifs, a = b'', [], 12
        while a + 4 <= len(m):
            alen, atyp = struct.unpack_from('=HH', m, a)
            if alen < 4:
                break
            data = m[a + 4:a + alen]
            if atyp == RTA_DST:
                dst = data
            elif atyp == RTA_OIF and len(data) >= 4:
                oifs.append(struct.unpack_from('=I', data)[0])
            elif atyp == RTA_MULTIPATH:
                o = 0
                while o + 8 <= len(data):
                    nl, _, _, idx = struct.unpack_from('=HBBi', data, o)
                    oifs.append(idx)
                    if nl < 8:
                        break
                    o += (nl + 3) & ~3
            a += (alen + 3) & ~3
        if not ver:
            return
        p = self.want.get((ver, dlen, dst.ljust(4 if ver == 4 else 16, b'\0')))
        self.lines.append('%.6f new %s/%d proto %d oif %s' % (
            now, ipaddress.ip_address(dst.ljust(4 if ver == 4 else 16, b'\0')), dlen,
            proto, oifs))
        if p and proto == self.proto and self.ifindex in oifs:
            out.append((p, now))


def cmd_reroute(a):
    deadline = mono() + a.timeout
    maps = {p: SteerMap(a.pin, p) for p in a.prefix}
    mon = BabelMonitor(a.babel, a.prefix, a.dev, deadline) if a.babel else \
        NetlinkMonitor(a.proto, a.prefix, a.dev)
    res = {p: {'t_route': None, 't_map': None, 'absent_ms': 0.0} for p in a.prefix}
    absent_since = {}
    if a.ready:
        with open(a.ready, 'w') as f:
            f.write('%.6f\n' % mono())
    err = None
    while mono() < deadline:
        r, _, _ = select.select([mon], [], [], 0.0005)
        now = mono()
        if r:
            try:
                for p, t in mon.read(now):
                    if res[p]['t_route'] is None:
                        res[p]['t_route'] = t
            except OSError as e:
                err = str(e)
                break
        now = mono()
        for p, m in maps.items():
            nh = m.learned()
            if nh is None:
                absent_since.setdefault(p, now)
            elif p in absent_since:
                res[p]['absent_ms'] += (now - absent_since.pop(p)) * 1000
            if nh and nh[1] == a.dev and res[p]['t_map'] is None:
                res[p]['t_map'] = now
        if all(v['t_route'] is not None and v['t_map'] is not None for v in res.values()):
            break
    now = mono()
    for p, t in absent_since.items():
        res[p]['absent_ms'] += (now - t) * 1000
    for v in res.values():
        v['absent_ms'] = round(v['absent_ms'], 1)
        v['ms'] = round((v['t_map'] - v['t_route']) * 1000, 2) \
            if v['t_map'] is not None and v['t_route'] is not None else None
    print(json.dumps({'prefixes': res, 'error': err, 'lines': mon.lines[-20:]}))
    return 0


def cmd_hold(a):
    deadline = mono() + a.timeout
    maps = {p: SteerMap(a.pin, p) for p in a.prefix}
    res = {p: {'absent_ms': 0.0, 'other_ms': 0.0, 'samples': 0} for p in a.prefix}
    if a.ready:
        with open(a.ready, 'w') as f:
            f.write('%.6f\n' % mono())
    last = mono()
    n = 0
    while True:
        now = mono()
        for p, m in maps.items():
            nh = m.learned()
            r = res[p]
            r['samples'] += 1
            if nh is None:
                r['absent_ms'] += (now - last) * 1000
            elif a.dev and nh[1] != a.dev:
                r['other_ms'] += (now - last) * 1000
        last = now
        n += 1
        if now >= deadline or (n % 20 == 0 and os.path.exists(a.stop)):
            break
        time.sleep(0.0005)
    for r in res.values():
        r['absent_ms'] = round(r['absent_ms'], 1)
        r['other_ms'] = round(r['other_ms'], 1)
    print(json.dumps({'prefixes': res, 'timed_out': now >= deadline}))
    return 0


# ---- UDP probes ----

def cmd_udp(a):
    fam = socket.AF_INET6 if ':' in a.addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setblocking(False)
    s.connect((a.addr, a.port))
    sent = {}
    replies = []
    seq = 0
    start = mono()
    end = start + a.duration
    nxt = start
    if a.ready:
        with open(a.ready, 'w') as f:
            f.write('%.6f\n' % start)
    stopping = None
    while True:
        now = mono()
        if stopping is None and (now >= end or (a.stop and seq % 10 == 0 and os.path.exists(a.stop))):
            stopping = now + 0.3	# the last replies in flight
        if stopping is not None and now >= stopping:
            break
        if stopping is None and now >= nxt:
            try:
                s.send(struct.pack('!Q', seq) + b'anyxdp-sync-e2e')
                sent[seq] = now
            except OSError:
                pass	# no route for a moment: counts as lost
            seq += 1
            nxt += a.interval
            if nxt < now - a.interval:
                nxt = now	# no bursts after a stall
        wait = max(0.0, min(nxt, stopping or nxt) - mono())
        r, _, _ = select.select([s], [], [], wait)
        if r:
            while True:
                try:
                    d = s.recv(2048)
                except (BlockingIOError, ConnectionRefusedError):
                    break
                t = mono()
                if len(d) >= 8:
                    q = struct.unpack_from('!Q', d)[0]
                    if q in sent:
                        replies.append([q, round(sent[q], 6), round(t, 6)])
    print(json.dumps({'sent': seq, 'start': round(start, 6), 'replies': replies}))
    return 0


def cmd_outage(a):
    d = json.load(open(a.file))
    rep = sorted(d['replies'], key=lambda r: r[2])
    got = {r[0] for r in rep}
    out = {'sent': d['sent'], 'received': len(got), 'lost': d['sent'] - len(got),
           'gap_ms': None, 'after_t1_ms': None}
    if len(rep) >= 2:
        gaps = [(rep[i + 1][2] - rep[i][2], i) for i in range(len(rep) - 1)]
        g, i = max(gaps)
        out['gap_ms'] = round(g * 1000, 1)
        out['gap_start'] = rep[i][2]
        out['gap_end'] = rep[i + 1][2]
        if a.t1 is not None:
            out['after_t1_ms'] = round((rep[i + 1][2] - a.t1) * 1000, 1)
    print(json.dumps(out))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sp = ap.add_subparsers(dest='cmd', required=True)
    r = sp.add_parser('reroute')
    src = r.add_mutually_exclusive_group(required=True)
    src.add_argument('--babel')
    src.add_argument('--netlink', action='store_true')
    r.add_argument('--proto', type=int, default=42)
    r.add_argument('--pin', required=True)
    r.add_argument('--dev', required=True)
    r.add_argument('--prefix', action='append', required=True)
    r.add_argument('--ready')
    r.add_argument('--timeout', type=float, default=20)
    h = sp.add_parser('hold')
    h.add_argument('--pin', required=True)
    h.add_argument('--prefix', action='append', required=True)
    h.add_argument('--dev')
    h.add_argument('--stop', required=True)
    h.add_argument('--ready')
    h.add_argument('--timeout', type=float, default=30)
    u = sp.add_parser('udp')
    u.add_argument('addr')
    u.add_argument('--port', type=int, default=7)
    u.add_argument('--interval', type=float, default=0.01)
    u.add_argument('--duration', type=float, default=20)
    u.add_argument('--stop')
    u.add_argument('--ready')
    o = sp.add_parser('outage')
    o.add_argument('file')
    o.add_argument('--t1', type=float)
    a = ap.parse_args()
    try:
        return {'reroute': cmd_reroute, 'hold': cmd_hold, 'udp': cmd_udp, 'outage': cmd_outage}[a.cmd](a)
    except (OSError, ValueError) as e:
        print('sync_watch: %s' % e, file=sys.stderr)
        return 2


if __name__ == '__main__':
    sys.exit(main())
