#!/usr/bin/python3
"""Sends DHCPv6 datagrams crafted by a test, as a relay agent would, and prints the replies.

    relay6.py --bind 2001:db8:2::2 --server 2001:db8:2::1 --packets FILE [--port 547]
              [--timeout 3] [--no-replies] [--seconds 60]

Run it inside a test network namespace (scripts/it/lab.sh veth): it binds --bind on the server
port, as relays do (the server answers a relay on that port), and sends each datagram of FILE
(one hex string a line; an empty line is a zero-length datagram) to --server. By default it
waits up to --timeout seconds after each datagram for the reply with the same transaction (the
first datagram that comes back) and prints it; with --no-replies it only sends, at most ~400
datagrams a second, and stops after --seconds whatever the count. Both addresses must be
documentation addresses (2001:db8::/32). Prints one JSON object:
{"sent": N, "errors": N, "replies": [hex or null, ...]}.
"""

import argparse
import ipaddress
import json
import select
import socket
import sys
import time

DOCUMENTATION = ipaddress.ip_network("2001:db8::/32")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bind", required=True)
    parser.add_argument("--server", required=True)
    parser.add_argument("--packets", required=True)
    parser.add_argument("--port", type=int, default=547)
    parser.add_argument("--timeout", type=float, default=3.0)
    parser.add_argument("--no-replies", action="store_true")
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    for name in ("bind", "server"):
        if ipaddress.ip_address(getattr(args, name)) not in DOCUMENTATION:
            parser.error(f"--{name} must be in 2001:db8::/32")
    with open(args.packets) as f:
        packets = [bytes.fromhex(line.strip()) for line in f.read().split("\n")[:-1]]

    sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.bind, args.port))
    sent, errors, replies = 0, 0, []
    deadline = time.monotonic() + args.seconds
    for index, packet in enumerate(packets):
        if time.monotonic() > deadline:
            break
        try:
            sock.sendto(packet, (args.server, args.port))
            sent += 1
        except OSError:
            errors += 1
        if args.no_replies:
            if index % 4 == 3:
                time.sleep(0.01)  # the content matters, not the rate: no socket-buffer overflow
            continue
        reply = None
        wait_until = time.monotonic() + args.timeout
        while reply is None:
            left = wait_until - time.monotonic()
            if left <= 0 or not select.select([sock], [], [], left)[0]:
                break
            reply = sock.recv(65535).hex()
        replies.append(reply)
    sock.close()
    print(json.dumps({"sent": sent, "errors": errors, "replies": replies}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
