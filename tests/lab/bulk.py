#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A bulk TCP transfer for the namespace lab (tests/netns/test_return_e2e.sh).

  bulk.py serve --addr A [--addr B] --port P --size N --pidfile F
      in the site: for every connection, send N bytes (a fixed pattern)
      and close. The sockets are NOT bound to a device (unlike the lab's
      site_services.py), so the replies follow the site's routing table.
      The pid file is written once every socket listens.
  bulk.py get ADDR --port P --size N [--connect-timeout S] [--timeout S]
      in the client: connect, read until EOF, and check that exactly N
      bytes of the pattern arrived. Prints one line:
          ok bytes=N sport=PORT secs=T
      and exits 0; or "error: ... sport=PORT" on stdout and exits 1
      (timeout, refused, short or wrong data). Bounded: --connect-timeout
      for the handshake, --timeout for the whole transfer.
"""
import argparse
import ipaddress
import os
import socket
import sys
import threading
import time

BLOCK = bytes(range(256)) * 256  # 64 KiB


def pattern(n):
    full, rest = divmod(n, len(BLOCK))
    return BLOCK * full + BLOCK[:rest]


def family(addr):
    return socket.AF_INET6 if ipaddress.ip_address(addr).version == 6 else socket.AF_INET


def serve_one(c, data):
    try:
        c.settimeout(20)
        c.sendall(data)
        c.shutdown(socket.SHUT_WR)
        # until the client closes (or the timeout): a clean end, no RST
        while c.recv(4096):
            pass
    except OSError:
        pass
    finally:
        c.close()


def serve(args):
    data = pattern(args.size)
    socks = []
    for addr in args.addr:
        fam = family(addr)
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if fam == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((addr, args.port))
        s.listen(64)
        socks.append(s)
    if args.pidfile:
        tmp = args.pidfile + '.tmp'
        with open(tmp, 'w') as f:
            f.write('%d\n' % os.getpid())
        os.rename(tmp, args.pidfile)

    def loop(s):
        while True:
            try:
                c, _ = s.accept()
            except OSError:
                continue
            threading.Thread(target=serve_one, args=(c, data), daemon=True).start()

    for s in socks[1:]:
        threading.Thread(target=loop, args=(s,), daemon=True).start()
    loop(socks[0])


def get(args):
    s = socket.socket(family(args.addr), socket.SOCK_STREAM)
    sport = 0
    t0 = time.monotonic()
    try:
        s.bind(('::' if s.family == socket.AF_INET6 else '0.0.0.0', 0))
        sport = s.getsockname()[1]
        s.settimeout(args.connect_timeout)
        try:
            s.connect((args.addr, args.port))
        except OSError as e:
            raise OSError('connect: %s' % (e.strerror or e))
        deadline = t0 + args.timeout
        got = bytearray()
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise OSError('transfer timed out after %d bytes' % len(got))
            s.settimeout(left)
            try:
                chunk = s.recv(1 << 16)
            except socket.timeout:
                raise OSError('transfer timed out after %d bytes' % len(got))
            if not chunk:
                break
            got += chunk
            if len(got) > args.size:
                raise OSError('more than %d bytes' % args.size)
        if len(got) != args.size:
            raise OSError('short transfer: %d of %d bytes' % (len(got), args.size))
        if bytes(got) != pattern(args.size):
            raise OSError('%d bytes, but not the pattern' % len(got))
        print('ok bytes=%d sport=%d secs=%.3f' % (len(got), sport, time.monotonic() - t0))
        return 0
    except OSError as e:
        print('error: %s sport=%d secs=%.3f' % (e.strerror or e, sport, time.monotonic() - t0))
        return 1
    finally:
        s.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    sv = sub.add_parser('serve')
    sv.add_argument('--addr', action='append', required=True)
    sv.add_argument('--port', type=int, required=True)
    sv.add_argument('--size', type=int, required=True)
    sv.add_argument('--pidfile')
    g = sub.add_parser('get')
    g.add_argument('addr')
    g.add_argument('--port', type=int, required=True)
    g.add_argument('--size', type=int, required=True)
    g.add_argument('--connect-timeout', type=float, default=2)
    g.add_argument('--timeout', type=float, default=10)
    args = ap.parse_args()
    if args.cmd == 'serve':
        serve(args)
        return 0
    return get(args)


if __name__ == '__main__':
    sys.exit(main())
