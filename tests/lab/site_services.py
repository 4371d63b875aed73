#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The lab site's services (scripts/lab.sh starts them in the site namespace).

  UDP echo   (--echo-port, 7):     sends every datagram back unchanged
  TCP whodis (--whodis-port, 80):  answers one line and closes, e.g.
      pop=popa dev=axlab-sa family=4 src=203.0.113.10 mss=1380

One socket per tunnel and family, bound to the tunnel with SO_BINDTODEVICE:
which socket took the connection says which PoP it came through, and the
answer leaves through the same tunnel. mss= is the MSS option of the
client's SYN as it reached the site (TCP_SAVED_SYN), so the tests can see
anyxdp's MSS clamp. Every answer is also logged, one line each, to --log.

The pid file is written once every socket is bound: its presence means
the services are ready.
"""
import argparse
import ipaddress
import os
import selectors
import signal
import socket
import struct
import sys
import time

TCP_SAVE_SYN = 27
TCP_SAVED_SYN = 28


def syn_mss(hdr):
    """MSS option of a saved SYN (IP + TCP headers), or 0 if it has none."""
    if not hdr:
        return 0
    if hdr[0] >> 4 == 4:
        off = (hdr[0] & 0xF) * 4
    elif hdr[0] >> 4 == 6 and len(hdr) > 6 and hdr[6] == socket.IPPROTO_TCP:
        off = 40
    else:
        return 0
    tcp = hdr[off:]
    if len(tcp) < 20:
        return 0
    opts, i = tcp[20:(tcp[12] >> 4) * 4], 0
    while i < len(opts):
        kind = opts[i]
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        if i + 1 >= len(opts) or opts[i + 1] < 2:
            break
        if kind == 2 and opts[i + 1] == 4 and i + 4 <= len(opts):
            return struct.unpack('!H', opts[i + 2:i + 4])[0]
        i += opts[i + 1]
    return 0


def bound_socket(family, kind, addr, port, dev):
    s = socket.socket(family, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev.encode())
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    if kind == socket.SOCK_STREAM:
        s.setsockopt(socket.IPPROTO_TCP, TCP_SAVE_SYN, 1)
    s.bind((addr, port))
    if kind == socket.SOCK_STREAM:
        s.listen(64)
    s.setblocking(False)
    return s


class Services:
    def __init__(self, args):
        self.log = open(args.log, 'a', buffering=1) if args.log else None
        self.sel = selectors.DefaultSelector()
        for spec in args.tunnel:
            dev, _, pop = spec.partition('=')
            for addr in args.addr:
                fam = socket.AF_INET6 if ipaddress.ip_address(addr).version == 6 else socket.AF_INET
                u = bound_socket(fam, socket.SOCK_DGRAM, addr, args.echo_port, dev)
                t = bound_socket(fam, socket.SOCK_STREAM, addr, args.whodis_port, dev)
                self.sel.register(u, selectors.EVENT_READ, (self.echo, pop, dev))
                self.sel.register(t, selectors.EVENT_READ, (self.whodis, pop, dev))

    def note(self, line):
        if self.log:
            self.log.write('%s %s\n' % (time.strftime('%H:%M:%S'), line))

    def echo(self, s, pop, dev):
        try:
            data, peer = s.recvfrom(65535)
            s.sendto(data, peer)
        except OSError as e:
            self.note('udp %s error %s' % (pop, e))
            return
        self.note('udp pop=%s dev=%s src=%s len=%d' % (pop, dev, peer[0], len(data)))

    def whodis(self, s, pop, dev):
        try:
            c, peer = s.accept()
        except OSError:
            return
        try:
            c.settimeout(1)
            mss = syn_mss(c.getsockopt(socket.IPPROTO_TCP, TCP_SAVED_SYN, 512))
            fam = 6 if c.family == socket.AF_INET6 else 4
            line = 'pop=%s dev=%s family=%d src=%s mss=%d' % (pop, dev, fam, peer[0], mss)
            c.sendall(line.encode() + b'\n')
            self.note('tcp ' + line)
        except OSError as e:
            self.note('tcp %s error %s' % (pop, e))
        finally:
            c.close()

    def run(self):
        while True:
            for key, _ in self.sel.select():
                fn, pop, dev = key.data
                fn(key.fileobj, pop, dev)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--tunnel', action='append', required=True, metavar='DEV=POP',
                    help='serve on tunnel DEV, answering pop=POP (repeat)')
    ap.add_argument('--addr', action='append', required=True,
                    help='service address (repeat; IPv4 and IPv6)')
    ap.add_argument('--echo-port', type=int, default=7)
    ap.add_argument('--whodis-port', type=int, default=80)
    ap.add_argument('--pidfile', required=True)
    ap.add_argument('--log')
    args = ap.parse_args()
    try:
        svc = Services(args)
    except OSError as e:
        sys.exit('site_services: cannot bind: %s' % e)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    tmp = args.pidfile + '.tmp'
    with open(tmp, 'w') as f:
        f.write('%d\n' % os.getpid())
    os.rename(tmp, args.pidfile)
    try:
        svc.run()
    finally:
        try:
            os.unlink(args.pidfile)
        except OSError:
            pass


if __name__ == '__main__':
    main()
