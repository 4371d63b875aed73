# SPDX-License-Identifier: GPL-2.0
"""Finding things in anyxdp's JSON output wherever the CLI puts them (tests)."""


def walk(o):
    yield o
    if isinstance(o, dict):
        for v in o.values():
            yield from walk(v)
    elif isinstance(o, list):
        for v in o:
            yield from walk(v)


def entry(d, prefix):
    """The first object whose "prefix" is prefix, or None."""
    for o in walk(d):
        if isinstance(o, dict) and o.get('prefix') == prefix:
            return o
    return None


def find(o, key):
    """The value of the first key found anywhere inside o, or None."""
    for x in walk(o):
        if isinstance(x, dict) and key in x:
            return x[key]
    return None


def load_or_exit(path):
    """The JSON in path; prints 'unreadable' and exits 0 when it is not."""
    import json
    import sys
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        print('unreadable')
        sys.exit(0)
