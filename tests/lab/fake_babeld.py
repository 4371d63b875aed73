#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A stand-in for babeld's local interface, driven by a test.

It speaks what babeld 1.12 speaks (greeting, `monitor` = dump + "ok" +
changes), so `anyxdp sync` can be tested on faults a real babeld will not
produce on demand: malformed lines, a connection cut mid-line, restarts.
The real babeld is used by the lab tests; this is for the unit-like ones.

  fake_babeld.py --listen tcp:[::1]:PORT|unix:PATH --ctl PATH [--table FILE]

Commands on the control socket, one per line, each answered "ok" or "err ...":
  route HANDLE PREFIX IFACE VIA METRIC [no] [from=PFX]  add or change (installed
                                                  unless "no")
  flush HANDLE                                    remove a route
  raw TEXT                                        send TEXT and a newline as is
  rawnonl TEXT                                    send TEXT without a newline
  burst FILE                                      send FILE's bytes as fast as possible
  drop                                            close every client connection
  shutdown                                        what babeld does on SIGTERM: withdraw
                                                  every route (installed no, flush), then
                                                  close; the table stays for the next client
  clients                                         "ok N": clients in monitor mode
  quit                                            stop
"""
import argparse
import asyncio
import os
import sys

GREETING = b"BABEL 1.0\nversion babeld-1.12.1\nhost fake\nmy-id 02:00:00:00:00:00:00:01\nok\n"


class Fake:
    def __init__(self, table_file):
        self.routes = {}   # handle -> line body after "add route "
        self.clients = set()
        if table_file:
            with open(table_file) as f:
                for line in f:
                    w = line.split()
                    if len(w) > 3 and w[0] == "add" and w[1] == "route":
                        self.routes[w[2]] = " ".join(w[2:])

    def route_body(self, w):
        handle, prefix, iface, via, metric = w[:5]
        inst = "no" if "no" in w[5:] else "yes"
        frm = "::/0" if ":" in prefix else "0.0.0.0/0"
        for x in w[5:]:
            if x.startswith("from="):
                frm = x[5:]
        return (f"{handle} prefix {prefix} from {frm} installed {inst} "
                f"id 02:00:00:00:00:00:00:02 metric {metric} refmetric 0 "
                f"via {via} if {iface}")

    async def send(self, data):
        for w in list(self.clients):
            try:
                w.write(data)
                await w.drain()
            except (ConnectionError, OSError):
                self.clients.discard(w)

    async def client(self, reader, writer):
        writer.write(GREETING)
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                cmd = line.strip()
                if cmd in (b"monitor", b"dump"):
                    body = "".join(f"add route {r}\n" for r in self.routes.values())
                    writer.write(body.encode() + b"ok\n")
                    await writer.drain()
                    if cmd == b"monitor":
                        self.clients.add(writer)
        except (ConnectionError, OSError):
            pass
        self.clients.discard(writer)
        writer.close()

    async def command(self, line):
        w = line.split()
        if not w:
            return "err empty"
        op = w[0]
        if op == "route" and len(w) >= 6:
            h = w[1]
            kind = "change" if h in self.routes else "add"
            self.routes[h] = self.route_body(w[1:])
            await self.send(f"{kind} route {self.routes[h]}\n".encode())
        elif op == "flush" and len(w) == 2:
            body = self.routes.pop(w[1], None)
            if body is None:
                return "err no such route"
            await self.send(f"flush route {body}\n".encode())
        elif op in ("raw", "rawnonl"):
            text = line.split(" ", 1)[1] if " " in line else ""
            await self.send(text.encode() + (b"\n" if op == "raw" else b""))
        elif op == "burst" and len(w) == 2:
            with open(w[1], "rb") as f:
                await self.send(f.read())
        elif op == "shutdown":
            out = []
            for body in self.routes.values():
                out.append("change route " + body.replace("installed yes", "installed no"))
                out.append("flush route " + body)
            await self.send(("\n".join(out) + "\n").encode())
            for c in list(self.clients):
                c.close()
            self.clients.clear()
        elif op == "drop":
            for c in list(self.clients):
                c.close()
            self.clients.clear()
        elif op == "clients":
            return f"ok {len(self.clients)}"
        elif op == "quit":
            asyncio.get_running_loop().stop()
        else:
            return f"err unknown command {op!r}"
        return "ok"

    async def ctl(self, reader, writer):
        while True:
            line = await reader.readline()
            if not line:
                break
            writer.write((await self.command(line.decode().strip()) + "\n").encode())
            await writer.drain()
        writer.close()


async def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--listen", required=True)
    ap.add_argument("--ctl", required=True)
    ap.add_argument("--table")
    a = ap.parse_args()
    fake = Fake(a.table)
    if a.listen.startswith("unix:"):
        path = a.listen[5:]
        if os.path.exists(path):
            os.unlink(path)
        await asyncio.start_unix_server(fake.client, path=path)
    elif a.listen.startswith("tcp:"):
        host, port = a.listen[4:].rsplit(":", 1)
        await asyncio.start_server(fake.client, host=host.strip("[]"), port=int(port),
                                   reuse_address=True)
    else:
        sys.exit("--listen tcp:HOST:PORT or unix:PATH")
    if os.path.exists(a.ctl):
        os.unlink(a.ctl)
    await asyncio.start_unix_server(fake.ctl, path=a.ctl)
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except (KeyboardInterrupt, RuntimeError):
        pass
