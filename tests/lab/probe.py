#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Ask the lab site's services something, from the client namespace.

  probe.py tcp ADDR [--port 80] [--src ADDR]   print the whodis answer
  probe.py udp ADDR [--port 7]  [--src ADDR]   send a datagram, print the echo

Exit 0 with the answer on stdout; 1 with the reason on stderr (timeout,
refused, wrong echo). Bounded: --timeout seconds per try, --tries tries.
--json prints {"ok": ..., "answer" or "error": ...} and always exits 0
unless the arguments are wrong.
"""
import argparse
import ipaddress
import json
import os
import socket
import sys


def family(addr):
    return socket.AF_INET6 if ipaddress.ip_address(addr).version == 6 else socket.AF_INET


def tcp(args):
    s = socket.socket(family(args.addr), socket.SOCK_STREAM)
    try:
        s.settimeout(args.timeout)
        if args.src:
            s.bind((args.src, 0))
        s.connect((args.addr, args.port))
        data = b''
        while not data.endswith(b'\n'):
            chunk = s.recv(512)
            if not chunk:
                break
            data += chunk
        if not data:
            raise OSError('connection closed without an answer')
        return data.decode(errors='replace').strip()
    finally:
        s.close()


def udp(args):
    s = socket.socket(family(args.addr), socket.SOCK_DGRAM)
    try:
        s.settimeout(args.timeout)
        if args.src:
            s.bind((args.src, 0))
        payload = args.payload.encode() if args.payload else os.urandom(8).hex().encode()
        s.sendto(payload, (args.addr, args.port))
        data, _ = s.recvfrom(65535)
        if data != payload:
            raise OSError('echo differs: sent %r, got %r' % (payload, data))
        return data.decode(errors='replace')
    finally:
        s.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('proto', choices=('tcp', 'udp'))
    ap.add_argument('addr')
    ap.add_argument('--port', type=int)
    ap.add_argument('--src', help='source address (one of the client\'s)')
    ap.add_argument('--payload', help='UDP payload (default: random hex)')
    ap.add_argument('--timeout', type=float, default=1.0, help='seconds per try (1)')
    ap.add_argument('--tries', type=int, default=2, help='tries before giving up (2)')
    ap.add_argument('--json', action='store_true')
    args = ap.parse_args()
    try:
        ipaddress.ip_address(args.addr)
        if args.src:
            ipaddress.ip_address(args.src)
    except ValueError as e:
        ap.error(str(e))
    if args.port is None:
        args.port = 80 if args.proto == 'tcp' else 7
    fn = tcp if args.proto == 'tcp' else udp
    err = None
    for _ in range(max(1, args.tries)):
        try:
            answer = fn(args)
        except (OSError, socket.timeout) as e:
            err = str(e) or e.__class__.__name__
            continue
        print(json.dumps({'ok': True, 'answer': answer}) if args.json else answer)
        return 0
    what = '%s %s port %d%s' % (args.proto, args.addr, args.port,
                                ' from %s' % args.src if args.src else '')
    if args.json:
        print(json.dumps({'ok': False, 'error': '%s: %s' % (what, err)}))
        return 0
    print('probe: %s: %s' % (what, err), file=sys.stderr)
    return 1


if __name__ == '__main__':
    sys.exit(main())
