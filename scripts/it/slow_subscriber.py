#!/usr/bin/env python3
"""A control-socket subscriber that stops reading: it connects to SOCKET, sends `subscribe`,
prints "subscribed", and reads nothing until a line arrives on stdin. Then it reads the stream
and exits 0 as soon as a `resync` event arrives (printing "resync <number of leases>"), or 1
after TIMEOUT seconds or at the end of the stream. Standard library only."""
import json
import socket
import sys
import time

path, timeout = sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 30.0
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
sock.connect(path)
sock.sendall(b'{"id":1,"command":"subscribe"}\n')
print("subscribed", flush=True)
sys.stdin.readline()  # not one byte read from the socket until the test says so

deadline = time.monotonic() + timeout
pending = b""
events = 0
sock.settimeout(1.0)
while time.monotonic() < deadline:
    try:
        chunk = sock.recv(1 << 16)
    except socket.timeout:
        continue
    if not chunk:
        break
    pending += chunk
    while b"\n" in pending:
        line, pending = pending.split(b"\n", 1)
        events += 1
        message = json.loads(line)
        if message.get("event") == "resync":
            print(f"resync {len(message.get('leases', []))} after {events} events", flush=True)
            sys.exit(0)
print(f"no resync in {events} events", flush=True)
sys.exit(1)
