#!/usr/bin/env python3
"""Turn tcpdump captures of real DHCP traffic into byte fixtures for the DHCPWire codec tests.

Standard library only. Reads classic pcap files (tcpdump -w, link type Ethernet), takes the UDP
payload of every DHCPv4 (ports 67/68) and DHCPv6 (546/547) packet, names it after the program
that sent it (by the frame's source MAC, from a sources file) and what it is, and writes the first
packet of each name, byte for byte, as <out>/v4/<name>.bin or <out>/v6/<name>.bin, plus a
MANIFEST.md that describes each one.

  pcap-to-fixtures.py extract --sources SOURCES --out DIR [--header FILE] PCAP...
  pcap-to-fixtures.py list PCAP...             # one line per DHCP packet, nothing written
  pcap-to-fixtures.py verify DIR               # decode every DIR/v4/*.bin and DIR/v6/*.bin

SOURCES has one line per sender: "<mac> <name> <program and version...>", e.g.
  00:00:5e:00:53:01 dhclient dhclient (isc-dhcp-client 4.4.3-P1-2)
  00:00:5e:00:53:f0 kea Kea kea-dhcp{v} (2.2.0-6)      # {v}: 4 or 6, the packet's family
Names: client messages "<source>-<kind>" (dhclient-discover, dhclient-renew, dhcpcd-solicit,
perfdhcp-relay-request...); server messages "<source>-<kind>" where kind is the reply type,
prefixed "relay-" when relayed and "pd-" when it delegates a prefix, and suffixed with the
request it answers unless that is the usual one (kea-offer, kea-ack, kea-ack-renew, kea-nak,
kea-relay-offer, kea-advertise, kea-reply, kea-reply-renew, kea-pd-advertise, kea-relay-reply...).
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import struct
import sys
from dataclasses import dataclass, field

# ---------------------------------------------------------------------------------------------
# pcap

PCAP_MAGIC = {
    b"\xd4\xc3\xb2\xa1": ("<", 1e-6),
    b"\xa1\xb2\xc3\xd4": (">", 1e-6),
    b"\x4d\x3c\xb2\xa1": ("<", 1e-9),
    b"\xa1\xb2\x3c\x4d": (">", 1e-9),
}
LINKTYPE_ETHERNET = 1


@dataclass
class Frame:
    ts: float
    src_mac: str
    dst_mac: str
    family: int  # 4 or 6
    src_ip: str
    dst_ip: str
    sport: int
    dport: int
    udp_checksum: int
    payload: bytes
    pcap: str
    index: int


def mac_str(b: bytes) -> str:
    return ":".join(f"{x:02x}" for x in b)


def read_pcap(path: str):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = data[:4]
    if magic not in PCAP_MAGIC:
        raise SystemExit(f"{path}: not a classic pcap file (pcapng is not supported)")
    endian, unit = PCAP_MAGIC[magic]
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    if linktype != LINKTYPE_ETHERNET:
        raise SystemExit(f"{path}: link type {linktype}, expected Ethernet (1)")
    off, index = 24, 0
    while off + 16 <= len(data):
        sec, frac, incl, _orig = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        pkt = data[off:off + incl]
        off += incl
        index += 1
        fr = parse_ethernet(pkt, sec + frac * unit, path, index)
        if fr is not None:
            yield fr


def parse_ethernet(pkt: bytes, ts: float, path: str, index: int):
    if len(pkt) < 14:
        return None
    dst, src = mac_str(pkt[0:6]), mac_str(pkt[6:12])
    etype = struct.unpack("!H", pkt[12:14])[0]
    off = 14
    while etype in (0x8100, 0x88A8) and len(pkt) >= off + 4:  # VLAN tags
        etype = struct.unpack("!H", pkt[off + 2:off + 4])[0]
        off += 4
    if etype == 0x0800:
        ip = pkt[off:]
        if len(ip) < 20 or ip[0] >> 4 != 4:
            return None
        ihl = (ip[0] & 0x0F) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        frag = struct.unpack("!H", ip[6:8])[0]
        if ip[9] != 17 or frag & 0x3FFF:
            return None
        src_ip, dst_ip = str(ipaddress.IPv4Address(ip[12:16])), str(ipaddress.IPv4Address(ip[16:20]))
        udp = ip[ihl:total]
        family = 4
    elif etype == 0x86DD:
        ip = pkt[off:]
        if len(ip) < 40:
            return None
        nh = ip[6]
        plen = struct.unpack("!H", ip[4:6])[0]
        src_ip, dst_ip = str(ipaddress.IPv6Address(ip[8:24])), str(ipaddress.IPv6Address(ip[24:40]))
        rest = ip[40:40 + plen]
        while nh in (0, 43, 60) and len(rest) >= 8:  # hop-by-hop, routing, destination options
            nh, hlen = rest[0], (rest[1] + 1) * 8
            rest = rest[hlen:]
        if nh != 17:
            return None
        udp = rest
        family = 6
    else:
        return None
    if len(udp) < 8:
        return None
    sport, dport, ulen, csum = struct.unpack("!HHHH", udp[:8])
    payload = udp[8:ulen]
    ports = {sport, dport}
    if family == 4 and not ports & {67, 68}:
        return None
    if family == 6 and not ports & {546, 547}:
        return None
    return Frame(ts, src, dst, family, src_ip, dst_ip, sport, dport, csum, payload, path, index)


# ---------------------------------------------------------------------------------------------
# DHCPv4

V4_TYPES = {1: "discover", 2: "offer", 3: "request", 4: "decline", 5: "ack", 6: "nak", 7: "release",
            8: "inform", 9: "forcerenew", 10: "leasequery", 13: "leasequery-active"}
V4_MAGIC = b"\x63\x82\x53\x63"


@dataclass
class V4:
    op: int
    htype: int
    hlen: int
    hops: int
    xid: int
    secs: int
    flags: int
    ciaddr: str
    yiaddr: str
    siaddr: str
    giaddr: str
    chaddr: bytes
    sname: bytes
    file: bytes
    options: list = field(default_factory=list)  # [(code, bytes)] in wire order

    def opt(self, code):
        for c, v in self.options:
            if c == code:
                return v
        return None

    @property
    def msg_type(self):
        v = self.opt(53)
        return v[0] if v else None

    @property
    def type_name(self):
        t = self.msg_type
        return V4_TYPES.get(t, f"type{t}") if t is not None else "bootp"


def decode_v4(b: bytes) -> V4:
    if len(b) < 240:
        raise ValueError(f"DHCPv4 message too short: {len(b)} bytes")
    op, htype, hlen, hops, xid, secs, flags = struct.unpack("!BBBBIHH", b[:12])
    addrs = [str(ipaddress.IPv4Address(b[i:i + 4])) for i in (12, 16, 20, 24)]
    m = V4(op, htype, hlen, hops, xid, secs, flags, *addrs, b[28:28 + 16], b[44:108], b[108:236])
    if b[236:240] != V4_MAGIC:
        raise ValueError("DHCPv4: bad magic cookie")
    i = 240
    while i < len(b):
        code = b[i]
        if code == 0:
            i += 1
            continue
        if code == 255:
            break
        if i + 2 > len(b):
            raise ValueError("DHCPv4: truncated option header")
        ln = b[i + 1]
        if i + 2 + ln > len(b):
            raise ValueError(f"DHCPv4: option {code} overruns the packet")
        m.options.append((code, b[i + 2:i + 2 + ln]))
        i += 2 + ln
    else:
        raise ValueError("DHCPv4: no end option")
    if m.msg_type is None:
        raise ValueError("DHCPv4: no option 53")
    return m


def v4_kind(m: V4, frame: Frame | None) -> str:
    """Name of a client message: discover, request, init-reboot, renew, rebind, release..."""
    t = m.type_name
    if t != "request":
        return t
    if m.ciaddr != "0.0.0.0":
        if frame is not None and frame.dst_ip == "255.255.255.255":
            return "rebind"
        return "renew"
    if m.opt(54) is None and m.opt(50) is not None:
        return "init-reboot"
    return "request"


DUID_TYPES = {1: "DUID-LLT", 2: "DUID-EN", 3: "DUID-LL", 4: "DUID-UUID"}


def duid_desc(d: bytes) -> str:
    if len(d) < 2:
        return f"DUID {d.hex()}"
    t = struct.unpack("!H", d[:2])[0]
    name = DUID_TYPES.get(t, f"DUID type {t}")
    if t == 1 and len(d) >= 8:
        hw, tm = struct.unpack("!HI", d[2:8])
        return f"{name} (hw type {hw}, time {tm}, link-layer {mac_str(d[8:])})"
    if t == 3 and len(d) >= 4:
        return f"{name} (hw type {struct.unpack('!H', d[2:4])[0]}, link-layer {mac_str(d[4:])})"
    if t == 2 and len(d) >= 6:
        return f"{name} (enterprise {struct.unpack('!I', d[2:6])[0]}, id {d[6:].hex()})"
    return f"{name} ({len(d)} bytes)"


def printable(v: bytes) -> str:
    try:
        s = v.decode("ascii")
        if s.isprintable():
            return repr(s)
    except UnicodeDecodeError:
        pass
    return "0x" + v.hex()


def v4_facts(m: V4, frame: Frame | None, kind: str) -> list:
    f = []
    codes = [c for c, _ in m.options]
    f.append("options " + ",".join(str(c) for c in codes))
    if frame is not None:
        dst = "broadcast" if frame.dst_ip == "255.255.255.255" else f"unicast to {frame.dst_ip}"
        f.append(f"IP {frame.src_ip}:{frame.sport} -> {dst}:{frame.dport}")
        if frame.udp_checksum == 0:
            f.append("UDP checksum 0")
    f.append("broadcast flag set" if m.flags & 0x8000 else "broadcast flag clear")
    if m.secs:
        f.append(f"secs {m.secs}")
    if m.hops:
        f.append(f"hops {m.hops}")
    for name, val in (("ciaddr", m.ciaddr), ("yiaddr", m.yiaddr), ("siaddr", m.siaddr), ("giaddr", m.giaddr)):
        if val != "0.0.0.0":
            f.append(f"{name} {val}")
    f.append(f"chaddr {mac_str(m.chaddr[:m.hlen])}")
    if any(m.sname) or any(m.file):
        f.append("sname/file not empty")
    cid = m.opt(61)
    if cid is not None:
        if cid and cid[0] == 255 and len(cid) >= 5:
            f.append(f"opt 61 type 255 (RFC 4361): IAID 0x{cid[1:5].hex()}, {duid_desc(cid[5:])}")
        elif cid and cid[0] == 1:
            f.append(f"opt 61 type 1 + MAC {mac_str(cid[1:])}")
        else:
            f.append(f"opt 61 {cid.hex()}")
    elif m.op == 1:
        f.append("no opt 61 (key on chaddr)")
    if m.op == 1 and kind in ("request", "renew", "rebind", "init-reboot", "release", "decline"):
        f.append(("opt 50 " + str(ipaddress.IPv4Address(m.opt(50)))) if m.opt(50) else "no opt 50")
        f.append(("opt 54 " + str(ipaddress.IPv4Address(m.opt(54)))) if m.opt(54) else "no opt 54")
    elif m.opt(54):
        f.append("opt 54 " + str(ipaddress.IPv4Address(m.opt(54))))
    if m.opt(80) is not None:
        f.append("Rapid Commit (80)")
    for code, label in ((57, "max size"), (51, "lease"), (58, "T1"), (59, "T2")):
        v = m.opt(code)
        if v is not None and len(v) in (2, 4):
            f.append(f"opt {code} {label} {int.from_bytes(v, 'big')}")
    for code, label in ((12, "host name"), (60, "vendor class"), (56, "message"), (15, "domain")):
        v = m.opt(code)
        if v is not None:
            f.append(f"opt {code} {label} {printable(v)}")
    if m.opt(55) is not None:
        f.append("PRL(55) " + ",".join(str(x) for x in m.opt(55)))
    for code in (82, 116, 118, 145):
        v = m.opt(code)
        if v is not None:
            f.append(f"opt {code} 0x{v.hex()}")
    return f


# ---------------------------------------------------------------------------------------------
# DHCPv6

V6_TYPES = {1: "solicit", 2: "advertise", 3: "request", 4: "confirm", 5: "renew", 6: "rebind", 7: "reply",
            8: "release", 9: "decline", 10: "reconfigure", 11: "information-request", 12: "relay-forw",
            13: "relay-repl"}
V6_OPT = {1: "CLIENTID", 2: "SERVERID", 3: "IA_NA", 4: "IA_TA", 5: "IAADDR", 6: "ORO", 7: "PREFERENCE",
          8: "ELAPSED_TIME", 9: "RELAY_MSG", 13: "STATUS_CODE", 14: "RAPID_COMMIT", 18: "INTERFACE_ID",
          20: "RECONF_ACCEPT", 23: "DNS_SERVERS", 24: "DOMAIN_LIST", 25: "IA_PD", 26: "IAPREFIX", 39: "FQDN"}


@dataclass
class V6:
    msg_type: int
    xid: int | None = None
    hop_count: int | None = None
    link_address: str | None = None
    peer_address: str | None = None
    options: list = field(default_factory=list)
    inner: "V6 | None" = None

    def opt(self, code):
        for c, v in self.options:
            if c == code:
                return v
        return None

    def opts(self, code):
        return [v for c, v in self.options if c == code]

    @property
    def type_name(self):
        return V6_TYPES.get(self.msg_type, f"type{self.msg_type}")

    @property
    def innermost(self) -> "V6":
        m = self
        while m.inner is not None:
            m = m.inner
        return m


def decode_v6_options(b: bytes) -> list:
    out, i = [], 0
    while i < len(b):
        if i + 4 > len(b):
            raise ValueError("DHCPv6: truncated option header")
        code, ln = struct.unpack("!HH", b[i:i + 4])
        if i + 4 + ln > len(b):
            raise ValueError(f"DHCPv6: option {code} overruns its container")
        out.append((code, b[i + 4:i + 4 + ln]))
        i += 4 + ln
    return out


def decode_v6(b: bytes, depth: int = 0) -> V6:
    if len(b) < 4:
        raise ValueError("DHCPv6 message too short")
    t = b[0]
    if t in (12, 13):
        if len(b) < 34:
            raise ValueError("DHCPv6 relay message too short")
        m = V6(t, hop_count=b[1], link_address=str(ipaddress.IPv6Address(b[2:18])),
               peer_address=str(ipaddress.IPv6Address(b[18:34])), options=decode_v6_options(b[34:]))
        rm = m.opt(9)
        if rm is None:
            raise ValueError("DHCPv6 relay message without RELAY_MSG")
        if depth > 32:
            raise ValueError("DHCPv6 relay nesting too deep")
        m.inner = decode_v6(rm, depth + 1)
        return m
    return V6(t, xid=int.from_bytes(b[1:4], "big"), options=decode_v6_options(b[4:]))


def ia_desc(code: int, v: bytes) -> str:
    iaid, t1, t2 = struct.unpack("!III", v[:12])
    parts = [f"{V6_OPT[code]} IAID 0x{iaid:08x} T1 {t1} T2 {t2}"]
    for c, sub in decode_v6_options(v[12:]):
        if c == 5 and len(sub) >= 24:
            a = ipaddress.IPv6Address(sub[:16])
            pl, vl = struct.unpack("!II", sub[16:24])
            parts.append(f"IAADDR {a} pref {pl} valid {vl}")
        elif c == 26 and len(sub) >= 25:
            pl, vl, plen = struct.unpack("!IIB", sub[:9])
            parts.append(f"IAPREFIX {ipaddress.IPv6Address(sub[9:25])}/{plen} pref {pl} valid {vl}")
        elif c == 13 and len(sub) >= 2:
            parts.append(f"status {struct.unpack('!H', sub[:2])[0]} {printable(sub[2:])}")
        else:
            parts.append(f"sub-option {c}")
    return "; ".join(parts)


def v6_facts(m: V6, frame: Frame | None) -> list:
    f = []
    if frame is not None:
        f.append(f"IP [{frame.src_ip}]:{frame.sport} -> [{frame.dst_ip}]:{frame.dport}")
    depth = 0
    while m.inner is not None:
        depth += 1
        f.append(f"{m.type_name} hop {m.hop_count} link {m.link_address} peer {m.peer_address}, "
                 f"relay options " + ",".join(str(c) for c, _ in m.options))
        for c, v in m.options:
            if c == 18:
                f.append(f"interface-id {printable(v)}")
        m = m.inner
    f.append(f"{m.type_name} options " + ",".join(str(c) for c, _ in m.options))
    if m.opt(1) is not None:
        f.append("client " + duid_desc(m.opt(1)))
    if m.opt(2) is not None:
        f.append("server " + duid_desc(m.opt(2)))
    for c in (3, 25):
        for v in m.opts(c):
            f.append(ia_desc(c, v))
    if m.opt(6) is not None:
        oro = m.opt(6)
        f.append("ORO " + ",".join(str(struct.unpack("!H", oro[i:i + 2])[0]) for i in range(0, len(oro) - 1, 2)))
    if m.opt(8) is not None:
        f.append(f"elapsed {struct.unpack('!H', m.opt(8))[0]}")
    if m.opt(14) is not None:
        f.append("Rapid Commit (14)")
    if m.opt(20) is not None:
        f.append("Reconfigure Accept (20)")
    if m.opt(7) is not None:
        f.append(f"preference {m.opt(7)[0]}")
    if m.opt(13) is not None and len(m.opt(13)) >= 2:
        f.append(f"status {struct.unpack('!H', m.opt(13)[:2])[0]} {printable(m.opt(13)[2:])}")
    if m.opt(39) is not None:
        f.append(f"FQDN 0x{m.opt(39).hex()}")
    return f


# ---------------------------------------------------------------------------------------------
# naming


@dataclass
class Source:
    mac: str
    name: str
    program: str


def load_sources(path: str) -> dict:
    out = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            mac, name, program = (line.split(None, 2) + [""])[:3]
            out[mac.lower()] = Source(mac.lower(), name, program)
    return out


@dataclass
class Packet:
    name: str
    family: int
    frame: Frame
    source: Source
    decoded: object
    kind: str
    answers: str | None = None  # for a server message: the kind of client message it answers


V4_USUAL_REQUEST = {"offer": "discover", "ack": "request", "nak": "request"}
V6_USUAL_REQUEST = {"advertise": "solicit", "reply": "request"}


def classify(frames, sources) -> list:
    """Names every DHCP packet; returns them all (duplicates too) in capture order."""
    out = []
    v4_requests = {}  # (xid, chaddr) -> kind of the last client message
    v6_requests = {}  # (xid, client mac) -> kind
    answers = None
    for fr in frames:
        src = sources.get(fr.src_mac)
        if src is None:
            src = Source(fr.src_mac, "unknown-" + fr.src_mac.replace(":", ""), "unknown sender")
        try:
            if fr.family == 4:
                m = decode_v4(fr.payload)
                if m.op == 1:
                    kind = v4_kind(m, fr)
                    v4_requests[(m.xid, bytes(m.chaddr))] = kind
                else:
                    kind = m.type_name
                    req = answers = v4_requests.get((m.xid, bytes(m.chaddr)))
                    if req and V4_USUAL_REQUEST.get(kind) != req and not (kind == "nak"):
                        kind = f"{kind}-{req}"
                    if m.giaddr != "0.0.0.0":
                        kind = "relay-" + kind
            else:
                m = decode_v6(fr.payload)
                inner = m.innermost
                kind = inner.type_name
                if m.inner is None and inner.msg_type not in (2, 7, 10):
                    v6_requests[(inner.xid, fr.src_mac)] = kind
                elif m.inner is not None and m.msg_type == 12:
                    v6_requests[(inner.xid, fr.src_mac)] = kind
                else:
                    req = answers = v6_requests.get((inner.xid, fr.dst_mac))
                    if req and V6_USUAL_REQUEST.get(kind) != req:
                        kind = f"{kind}-{req}"
                    if inner.opt(25) is not None:
                        kind = "pd-" + kind
                    if m.inner is not None:
                        kind = "relay-" + kind
        except (ValueError, struct.error, IndexError) as e:
            print(f"warning: {fr.pcap}#{fr.index} from {fr.src_mac}: undecodable: {e}", file=sys.stderr)
            continue
        out.append(Packet(f"{src.name}-{kind}", fr.family, fr, src, m, kind, answers))
        answers = None
    return out


# ---------------------------------------------------------------------------------------------
# commands


def describe(p: Packet) -> str:
    if p.family == 4:
        m = p.decoded
        what = f"DHCP{m.type_name.upper()}"
        if p.kind.endswith("renew") and m.op == 1:
            what += " (renewing: ciaddr set, unicast)"
        elif p.kind.endswith("rebind") and m.op == 1:
            what += " (rebinding: ciaddr set, broadcast)"
        elif p.kind == "init-reboot":
            what += " (INIT-REBOOT: option 50, ciaddr 0)"
        elif m.op == 2 and p.answers:
            what += f" answering the {p.answers}"
        return f"{what}, xid 0x{m.xid:08x}; " + "; ".join(v4_facts(m, p.frame, p.kind))
    m = p.decoded
    inner = m.innermost
    what = inner.type_name.upper()
    if m.inner is not None:
        what = f"{m.type_name.upper()} carrying {what}"
    if p.answers and inner.msg_type in (2, 7):
        what += f" answering the {p.answers}"
    return f"{what}, xid 0x{inner.xid:06x}; " + "; ".join(v6_facts(m, p.frame))


def cmd_list(args):
    frames = [fr for path in args.pcap for fr in read_pcap(path)]
    sources = load_sources(args.sources) if args.sources else {}
    for p in classify(frames, sources):
        print(f"{p.frame.ts:.6f} v{p.family} {p.name:34s} {len(p.frame.payload):5d} {describe(p)}")


def md_escape(s: str) -> str:
    return s.replace("|", "\\|")


def cmd_extract(args):
    frames = [fr for path in args.pcap for fr in read_pcap(path)]
    frames.sort(key=lambda fr: fr.ts)
    sources = load_sources(args.sources)
    packets = classify(frames, sources)
    chosen = {}
    for p in packets:
        if p.source.name.startswith("unknown-"):
            continue
        chosen.setdefault((p.family, p.name), p)
    for fam in (4, 6):
        os.makedirs(os.path.join(args.out, f"v{fam}"), exist_ok=True)
    rows = []
    for (fam, name), p in sorted(chosen.items(), key=lambda kv: (kv[0][0], kv[1].frame.ts)):
        rel = f"v{fam}/{name}.bin"
        with open(os.path.join(args.out, rel), "wb") as f:
            f.write(p.frame.payload)
        rows.append((rel, p))
    header = open(args.header).read().rstrip() + "\n\n" if args.header else ""
    with open(os.path.join(args.out, "MANIFEST.md"), "w") as f:
        f.write(header)
        for fam in (4, 6):
            f.write(f"## DHCPv{fam}\n\n| file | sent by | bytes | packet and notable facts |\n|---|---|---|---|\n")
            for rel, p in rows:
                if p.family == fam:
                    program = p.source.program.replace("{v}", str(fam))
                    f.write(f"| `{rel}` | {md_escape(program)} | {len(p.frame.payload)} | "
                            f"{md_escape(describe(p))} |\n")
            f.write("\n")
    print(f"wrote {len(rows)} fixtures to {args.out}", file=sys.stderr)
    for rel, p in rows:
        print(f"  {rel}", file=sys.stderr)


def cmd_verify(args):
    """Decodes every fixture; prints a table (fixture, bytes, message type, xid, what it is)."""
    bad = 0
    rows = []
    for fam in (4, 6):
        d = os.path.join(args.dir, f"v{fam}")
        if not os.path.isdir(d):
            continue
        for fn in sorted(os.listdir(d)):
            if not fn.endswith(".bin"):
                continue
            b = open(os.path.join(d, fn), "rb").read()
            try:
                if fam == 4:
                    m = decode_v4(b)
                    mt, xid = f"{m.type_name.upper()} ({m.msg_type})", f"0x{m.xid:08x}"
                    kind = v4_kind(m, None) if m.op == 1 else "reply"
                    notes = ["renew/rebind" if kind == "renew" else kind]
                    if m.ciaddr != "0.0.0.0":
                        notes.append(f"ciaddr {m.ciaddr}")
                    if m.giaddr != "0.0.0.0":
                        notes.append(f"giaddr {m.giaddr}")
                    if m.opt(61):
                        notes.append(f"opt61 type {m.opt(61)[0]}")
                else:
                    m = decode_v6(b)
                    inner = m.innermost
                    mt = f"{inner.type_name.upper()} ({inner.msg_type})"
                    if m.inner is not None:
                        mt = f"{m.type_name.upper()} ({m.msg_type}) > {mt}"
                    xid = f"0x{inner.xid:06x}"
                    notes = []
                    if inner.opt(1):
                        notes.append("client " + DUID_TYPES.get(int.from_bytes(inner.opt(1)[:2], "big"), "DUID?"))
                    for c in (3, 25):
                        for v in inner.opts(c):
                            notes.append(f"{V6_OPT[c]} 0x{v[:4].hex()}")
                    if inner.opt(14) is not None:
                        notes.append("rapid commit")
                rows.append((f"v{fam}/{fn}", len(b), mt, xid, ", ".join(notes)))
            except (ValueError, struct.error, IndexError) as e:
                bad += 1
                rows.append((f"v{fam}/{fn}", len(b), "DECODE FAILED", "-", str(e)))
    if not rows:
        print("no fixtures found")
        return 1
    widths = [max(len(str(r[i])) for r in rows + [("fixture", "bytes", "message type", "xid", "notes")])
              for i in range(5)]
    head = ("fixture", "bytes", "message type", "xid", "notes")
    print("| " + " | ".join(f"{h:{w}}" for h, w in zip(head, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print("| " + " | ".join(f"{str(c):{w}}" if i != 1 else f"{c:>{w}}" for i, (c, w) in
                               enumerate(zip(r, widths))) + " |")
    print(f"{len(rows) - bad} passed, {bad} failed")
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("extract")
    e.add_argument("--sources", required=True)
    e.add_argument("--out", required=True)
    e.add_argument("--header")
    e.add_argument("pcap", nargs="+")
    li = sub.add_parser("list")
    li.add_argument("--sources")
    li.add_argument("pcap", nargs="+")
    v = sub.add_parser("verify")
    v.add_argument("dir")
    args = ap.parse_args()
    if args.cmd == "extract":
        cmd_extract(args)
    elif args.cmd == "list":
        cmd_list(args)
    else:
        sys.exit(cmd_verify(args))


if __name__ == "__main__":
    main()
