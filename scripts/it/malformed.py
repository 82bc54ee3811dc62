#!/usr/bin/python3
"""Sends a bounded stream of malformed and truncated DHCPv4 datagrams to a server.

    malformed.py --interface eth0 --server 192.0.2.1 [--count 2000] [--seed 1] [--fixtures DIR]

Run it inside a test network namespace (scripts/it/lab.sh). Each datagram goes either to the
limited broadcast address or unicast to --server, port 67. The stream is deterministic for a
seed and cycles through these kinds:

  truncated     a real client DISCOVER (Tests/DHCPWireTests/Fixtures) cut short anywhere
  random        random bytes, 0 to 1500 of them
  bad_cookie    a real DISCOVER with a wrong magic cookie
  option_length options whose length runs past the end of the packet, or is absurd for the option
  overload      option 52 pointing into sname/file fields that hold garbage options
  header        a real DISCOVER with odd op, htype, hlen (up to 255) or hops, or flipped bytes
  agent         relayed (giaddr in 198.18.0.0/15) with a broken option 82
  type          option 53 missing, empty, too long, or naming an unknown or server-side type
  empty         a zero-length datagram, or one byte
  oversized     a valid header with 1,400+ bytes of pad and junk options, no END

Nothing here is sent outside the namespace's own link, and every address written into a
packet is a documentation address (192.0.2.0/24, 198.18.0.0/15). The MACs are those of the
fixtures (00:00:5e:00:53:01..03), so valid-looking leftovers hold at most three offers.
Prints one JSON object: how many datagrams of each kind were sent, and send errors.
"""

import argparse
import json
import os
import random
import socket
import struct
import sys
import time

MAGIC = b"\x63\x82\x53\x63"


def builtin_discover(mac: bytes) -> bytes:
    header = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, 0x12345678, 0, 0,
                         bytes(4), bytes(4), bytes(4), bytes(4), mac + bytes(10), bytes(64), bytes(128))
    options = bytes([53, 1, 1, 55, 4, 1, 3, 6, 15, 61, 7, 1]) + mac + bytes([255])
    return header + MAGIC + options


def load_discovers(fixtures: str) -> list:
    found = []
    for name in ("dhclient-discover.bin", "dhcpcd-discover.bin", "udhcpc-discover.bin"):
        path = os.path.join(fixtures, "v4", name) if fixtures else ""
        if path and os.path.isfile(path):
            with open(path, "rb") as f:
                found.append(f.read())
    if not found:
        found = [builtin_discover(bytes.fromhex("00005e005301"))]
    return found


def header_of(packet: bytes) -> bytearray:
    return bytearray(packet[:236])


def with_options(base: bytes, options: bytes) -> bytes:
    return bytes(header_of(base)) + MAGIC + options


class Stream:
    def __init__(self, rng: random.Random, discovers: list):
        self.rng = rng
        self.discovers = discovers

    def base(self) -> bytes:
        return self.rng.choice(self.discovers)

    def truncated(self) -> bytes:
        packet = self.base()
        return packet[: self.rng.randrange(0, len(packet))]

    def random(self) -> bytes:
        data = bytearray(self.rng.randbytes(self.rng.randrange(0, 1501)))
        if len(data) >= 28:
            data[12:28] = bytes(16)  # ciaddr, yiaddr, siaddr, giaddr: never a real address
        return bytes(data)

    def bad_cookie(self) -> bytes:
        packet = bytearray(self.base())
        cookie = bytearray(MAGIC)
        cookie[self.rng.randrange(4)] ^= 1 << self.rng.randrange(8)
        packet[236:240] = cookie
        return bytes(packet)

    def option_length(self) -> bytes:
        rng = self.rng
        mt = bytes([53, 1, 1])
        variants = [
            mt + bytes([12, 255]) + b"short",                    # runs past the end
            mt + bytes([61, 200, 1, 0, 0]),                        # client id claims 200 bytes
            mt + bytes([50, 3, 192, 0, 2]),                        # requested address of 3 bytes
            mt + bytes([50, 9]) + bytes([192, 0, 2, 9]) * 2 + b"\x01",
            mt + bytes([51, 2, 0, 0, 255]),                        # lease time of 2 bytes
            mt + bytes([55, 0, 255]),                              # empty parameter list
            mt + bytes([57, 1, 5, 255]),                           # max message size of 1 byte
            mt + bytes([57, 2, 0, 0, 255]),                        # max message size 0
            mt + bytes([121, 5, 33, 192, 0, 2, 1, 255]),          # classless route, prefix 33
            mt + bytes([119, 4, 63, 97, 98, 99, 255]),             # domain search label past the end
            mt + bytes([rng.randrange(1, 255), 255]) + rng.randbytes(rng.randrange(0, 40)),
            mt + bytes([rng.randrange(1, 255)]),                   # code without a length
            mt,                                                    # no END
        ]
        return with_options(self.base(), rng.choice(variants))

    def overload(self) -> bytes:
        rng = self.rng
        packet = bytearray(with_options(self.base(), bytes([53, 1, 1, 52, 1, rng.choice([1, 2, 3, 0, 4, 255]), 255])))
        garbage = [bytes([12, 250]) + b"x", bytes([52, 1, 3, 255]), bytes([53, 5, 1]), rng.randbytes(64)]
        sname = rng.choice(garbage)[:64]
        file_ = rng.choice(garbage)[:128]
        packet[44:44 + len(sname)] = sname
        packet[108:108 + len(file_)] = file_
        return bytes(packet)

    def header(self) -> bytes:
        rng = self.rng
        packet = bytearray(self.base())
        choice = rng.randrange(5)
        if choice == 0:
            packet[0] = rng.choice([0, 2, 3, 255])          # op
        elif choice == 1:
            packet[1] = rng.choice([0, 6, 32, 255])         # htype
        elif choice == 2:
            packet[2] = rng.choice([0, 17, 64, 255])        # hlen past chaddr's 16 bytes
        elif choice == 3:
            packet[3] = rng.choice([17, 255])               # hops
        else:
            # Flip bytes outside the addresses (12..27) and chaddr (28..43).
            spots = list(range(0, 12)) + list(range(44, 240))
            for _ in range(rng.randrange(1, 9)):
                packet[rng.choice(spots)] ^= 1 << rng.randrange(8)
        return bytes(packet)

    def agent(self) -> bytes:
        rng = self.rng
        packet = bytearray(self.base())
        packet[3] = 1
        packet[24:28] = bytes([198, 18, rng.randrange(0, 256), rng.randrange(1, 255)])  # giaddr
        broken = [
            bytes([82, 4, 1, 10, 0, 0]),                    # circuit id longer than the option
            bytes([82, 0]),                                  # empty
            bytes([82, 6, 5, 4, 198, 18, 0]),                # link selection cut short
            bytes([82, 6, 5, 4, 10, 0, 0, 1]),               # runs past the option
            bytes([82, 2, 1, 0]) + bytes([82, 2, 2, 0]),     # twice
        ]
        return with_options(bytes(packet), bytes([53, 1, 1]) + rng.choice(broken) + bytes([255]))

    def type(self) -> bytes:
        rng = self.rng
        variants = [
            bytes([55, 2, 1, 3, 255]),                       # no option 53 (BOOTP)
            bytes([53, 0, 255]),
            bytes([53, 2, 1, 1, 255]),
            bytes([53, 1, rng.choice([0, 2, 5, 6, 9, 10, 13, 18, 200, 255]), 255]),
            bytes([53, 1, 1, 53, 1, 3, 255]),                # two different types
        ]
        return with_options(self.base(), rng.choice(variants))

    def empty(self) -> bytes:
        return b"" if self.rng.randrange(2) == 0 else b"\x01"

    def oversized(self) -> bytes:
        rng = self.rng
        options = bytearray([53, 1, 1])
        while len(options) < 1400 + rng.randrange(0, 60):
            if rng.randrange(3) == 0:
                options += bytes([0]) * rng.randrange(1, 40)
            else:
                code = rng.randrange(128, 224)
                data = rng.randbytes(rng.randrange(0, 255))
                options += bytes([code, len(data)]) + data
        return with_options(self.base(), bytes(options))


KINDS = ["truncated", "random", "bad_cookie", "option_length", "overload", "header", "agent", "type",
         "empty", "oversized"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interface", required=True)
    parser.add_argument("--server", required=True, help="the server's address (unicast copies go there)")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=67)
    parser.add_argument("--fixtures", default="")
    parser.add_argument("--seconds", type=float, default=20.0, help="stop sending after this long, whatever the count")
    args = parser.parse_args()
    if not 0 < args.count <= 100_000:
        parser.error("--count must be 1 to 100000")
    server = args.server
    if not (server.startswith("192.0.2.") or server.startswith("198.18.") or server.startswith("198.19.")):
        parser.error("--server must be a documentation address (192.0.2.0/24, 198.18.0.0/15)")

    rng = random.Random(args.seed)
    stream = Stream(rng, load_discovers(args.fixtures))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, args.interface.encode())
    sent = {kind: 0 for kind in KINDS}
    errors = 0
    deadline = time.monotonic() + args.seconds
    for index in range(args.count):
        if time.monotonic() > deadline:
            break
        kind = KINDS[index % len(KINDS)]
        packet = getattr(stream, kind)()
        target = "255.255.255.255" if index % 2 == 0 else server
        try:
            sock.sendto(packet, (target, args.port))
            sent[kind] += 1
        except OSError:
            errors += 1
        if index % 4 == 3:
            # At most ~400 datagrams a second: the point is their content, not the rate (a burst
            # would overflow the server's socket buffer on a busy machine and never be parsed).
            time.sleep(0.01)
    sock.close()
    print(json.dumps({"sent": sum(sent.values()), "errors": errors, "kinds": sent}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
