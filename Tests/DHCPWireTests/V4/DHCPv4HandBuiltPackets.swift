/// Packets written out byte by byte after what Debian 12's clients and Kea put on the wire (CLIENTS.md), so that
/// the suite means something with or without captured fixtures. Each is a whole UDP payload.
enum DHCPv4HandBuiltPackets {
    /// Every packet with the name a captured fixture of the same kind would have.
    static let all: [(name: String, bytes: [UInt8])] = [
        ("dhclient-discover", dhclientDiscover),
        ("dhclient-init-reboot", dhclientInitReboot),
        ("dhcpcd-discover", dhcpcdDiscover),
        ("udhcpc-discover", udhcpcDiscover),
        ("udhcpc-renew", udhcpcRenew),
        ("udhcpc-release", udhcpcRelease),
        ("perfdhcp-relay-discover", perfdhcpRelayDiscover),
        ("kea-offer", keaOffer),
    ]

    /// The 236-byte BOOTP header and the magic cookie.
    static func header(
        op: UInt8, hops: UInt8 = 0, xid: [UInt8], secs: [UInt8] = [0, 0], flags: [UInt8] = [0, 0],
        ciaddr: [UInt8] = [0, 0, 0, 0], yiaddr: [UInt8] = [0, 0, 0, 0], siaddr: [UInt8] = [0, 0, 0, 0],
        giaddr: [UInt8] = [0, 0, 0, 0], mac: [UInt8]
    ) -> [UInt8] {
        [op, 0x01, UInt8(mac.count), hops]  // op, htype 1 (Ethernet), hlen, hops
            + xid + secs + flags  // 4 + 2 + 2 bytes
            + ciaddr + yiaddr + siaddr + giaddr  // 4 x 4 bytes
            + mac + Bytes.zeros(16 - mac.count)  // chaddr, 16 bytes
            + Bytes.zeros(64)  // sname
            + Bytes.zeros(128)  // file
            + [0x63, 0x82, 0x53, 0x63]  // magic cookie 99.130.83.99
    }

    /// Zeros after END up to the 300-byte BOOTP minimum, as every client here pads.
    static func padded(_ bytes: [UInt8]) -> [UInt8] { bytes + Bytes.zeros(max(0, 300 - bytes.count)) }

    /// isc-dhcp-client 4.4.3: no client identifier (servers key on chaddr), host name, a long request list.
    static let dhclientDiscover: [UInt8] = padded(
        [
            0x01,  // op: BOOTREQUEST
            0x01,  // htype: Ethernet
            0x06,  // hlen: 6
            0x00,  // hops: 0
            0x5e, 0x8b, 0x1d, 0x42,  // xid
            0x00, 0x03,  // secs: 3
            0x00, 0x00,  // flags: no broadcast
            0x00, 0x00, 0x00, 0x00,  // ciaddr: 0.0.0.0
            0x00, 0x00, 0x00, 0x00,  // yiaddr: 0.0.0.0
            0x00, 0x00, 0x00, 0x00,  // siaddr: 0.0.0.0
            0x00, 0x00, 0x00, 0x00,  // giaddr: 0.0.0.0
            0x52, 0x54, 0x00, 0x0a, 0x0b, 0x0c,  // chaddr: 52:54:00:0a:0b:0c ...
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // ... and 10 bytes of padding
        ]
            + Bytes.zeros(64)  // sname: empty
            + Bytes.zeros(128)  // file: empty
            + [0x63, 0x82, 0x53, 0x63]  // magic cookie
            + [53, 1, 1]  // message type: DISCOVER
            + dhclientOptions)

    /// What dhclient sends after the message type (and option 50, if any).
    static let dhclientOptions: [UInt8] = [
        12, 5, 0x68, 0x6f, 0x73, 0x74, 0x31,  // host name: "host1"
        55, 13, 1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42,  // parameter request list
        255,  // END
    ]

    /// dhclient restarted with a lease on file: a broadcast REQUEST for the old address, no server identifier.
    static let dhclientInitReboot: [UInt8] = padded(
        header(op: 1, xid: [0x5e, 0x8b, 0x1d, 0x43], mac: [0x52, 0x54, 0x00, 0x0a, 0x0b, 0x0c])
            + [
                53, 1, 3,  // message type: REQUEST
                50, 4, 192, 0, 2, 23,  // requested IP address: 192.0.2.23
            ]
            + dhclientOptions)

    /// dhcpcd 9.4: RFC 4361 client identifier (type 255, IAID, DUID-LLT), rapid commit, auto-configure,
    /// FORCERENEW nonce capable, maximum message size 1472, a request list.
    static let dhcpcdDiscover: [UInt8] = padded(
        header(op: 1, xid: [0x9a, 0x41, 0x07, 0x3e], mac: [0x52, 0x54, 0x00, 0x0d, 0x0e, 0x0f])
            + [
                53, 1, 1,  // message type: DISCOVER
                61, 19,  // client identifier, 19 bytes:
                0xff,  // type 255 (RFC 4361)
                0x00, 0x0d, 0x0e, 0x0f,  // IAID: last 4 bytes of the MAC
                0x00, 0x01,  // DUID type 1 (DUID-LLT)
                0x00, 0x01,  // hardware type 1
                0x2c, 0x3a, 0x4b, 0x5c,  // time: seconds since 2000-01-01
                0x52, 0x54, 0x00, 0x0d, 0x0e, 0x0f,  // link-layer address
                80, 0,  // rapid commit
                145, 1, 1,  // FORCERENEW nonce capable: HMAC-MD5
                57, 2, 0x05, 0xc0,  // maximum message size: 1472
                116, 1, 1,  // auto-configure: yes
                55, 14, 1, 121, 33, 3, 6, 12, 15, 26, 28, 51, 54, 58, 59, 119,  // parameter request list
                255,  // END
            ])

    /// What busybox udhcpc 1.35 sends after the message type in every message.
    static let udhcpcOptions: [UInt8] = [
        61, 7, 0x01, 0x52, 0x54, 0x00, 0x1a, 0x2b, 0x3c,  // client identifier: type 1, MAC
        57, 2, 0x02, 0x40,  // maximum message size: 576
        60, 12, 0x75, 0x64, 0x68, 0x63, 0x70, 0x20, 0x31, 0x2e, 0x33, 0x35, 0x2e, 0x30,  // "udhcp 1.35.0"
        55, 7, 1, 3, 6, 12, 15, 28, 42,  // parameter request list
        255,  // END
    ]

    /// udhcpc: client identifier type 1 + MAC, vendor class "udhcp 1.35.0", maximum size 576.
    static let udhcpcDiscover: [UInt8] = padded(
        header(op: 1, xid: [0x6b, 0x8d, 0x02, 0x11], mac: [0x52, 0x54, 0x00, 0x1a, 0x2b, 0x3c])
            + [53, 1, 1]  // message type: DISCOVER
            + udhcpcOptions)

    /// udhcpc renewing: unicast REQUEST with ciaddr and no requested address (50) or server identifier (54).
    static let udhcpcRenew: [UInt8] = padded(
        header(
            op: 1, xid: [0x6b, 0x8d, 0x02, 0x12],
            ciaddr: [192, 0, 2, 57],  // ciaddr: the address being renewed
            mac: [0x52, 0x54, 0x00, 0x1a, 0x2b, 0x3c])
            + [53, 1, 3]  // message type: REQUEST
            + udhcpcOptions)

    /// udhcpc releasing: unicast RELEASE with ciaddr, the client identifier and the server identifier only.
    static let udhcpcRelease: [UInt8] = padded(
        header(
            op: 1, xid: [0x6b, 0x8d, 0x02, 0x13],
            ciaddr: [192, 0, 2, 57],  // ciaddr: the address being released
            mac: [0x52, 0x54, 0x00, 0x1a, 0x2b, 0x3c])
            + [
                53, 1, 7,  // message type: RELEASE
                61, 7, 0x01, 0x52, 0x54, 0x00, 0x1a, 0x2b, 0x3c,  // client identifier: type 1, MAC
                54, 4, 192, 0, 2, 1,  // server identifier: 192.0.2.1
                255,  // END
            ])

    /// perfdhcp in relay mode: giaddr set, one hop, no padding to 300 (perfdhcp sends only what it needs).
    static let perfdhcpRelayDiscover: [UInt8] =
        header(
            op: 1,
            hops: 1,  // hops: one relay
            xid: [0x00, 0x00, 0x10, 0x01],
            giaddr: [127, 0, 0, 1],  // giaddr: the relay address perfdhcp pretends to be
            mac: [0x00, 0x0c, 0x01, 0x02, 0x03, 0x04])
        + [
            53, 1, 1,  // message type: DISCOVER
            55, 7, 1, 28, 2, 3, 15, 6, 12,  // parameter request list
            255,  // END
        ]

    /// Kea's OFFER to a relayed client: yiaddr, giaddr echoed, the usual options and the server identifier.
    static let keaOffer: [UInt8] = padded(
        header(
            op: 2,  // op: BOOTREPLY
            hops: 1,
            xid: [0x00, 0x00, 0x10, 0x01],
            yiaddr: [192, 0, 2, 100],  // yiaddr: the offered address
            giaddr: [127, 0, 0, 1],
            mac: [0x00, 0x0c, 0x01, 0x02, 0x03, 0x04])
            + [
                53, 1, 2,  // message type: OFFER
                1, 4, 255, 255, 255, 0,  // subnet mask: 255.255.255.0
                3, 4, 192, 0, 2, 1,  // routers: 192.0.2.1
                6, 8, 192, 0, 2, 53, 192, 0, 2, 54,  // domain name servers: 192.0.2.53, 192.0.2.54
                51, 4, 0x00, 0x00, 0x0f, 0xa0,  // lease time: 4000
                58, 4, 0x00, 0x00, 0x03, 0xe8,  // renewal time: 1000
                59, 4, 0x00, 0x00, 0x07, 0xd0,  // rebinding time: 2000
                54, 4, 127, 0, 0, 1,  // server identifier: 127.0.0.1
                255,  // END
            ])
}
