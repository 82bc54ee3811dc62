import DHCPServer
import DHCPWire
import Testing

/// The `server6` section: shape, defaults and every kind of error with file:line:column.
@Suite("server6 configuration")
struct Server6ConfigurationTests {
    static let valid = """
        server6:
          listen: [{interface: eth1}, {address: "2001:db8::1"}]
          port: 5547
          client_port: 5546
          site_multicast: true
          server_duid_file: state/duid
          rapid_commit: false
          preference: 255
          advertise_hold: 20s
          decline_quarantine: 1h
          subnets:
            - name: lan6
              prefix: 2001:db8:1::/64
              interface: eth1
              pools: ["2001:db8:1::100-2001:db8:1::1ff"]
              temporary_pools: ["2001:db8:1::1:0-2001:db8:1::1:ff"]
              prefix_pools:
                - {prefix: 2001:db8:100::/40, delegated_length: 56, exclude: [2001:db8:100::/56], preferred_lifetime: 2h, valid_lifetime: 4h}
              preferred_lifetime: 1h
              valid_lifetime: 2h
              renewal_time: 20m
              rebinding_time: 40m
              dns_servers: ["2001:db8::53"]
              domain_search: [example.org]
              options: [{code: 82, uint32: 60}, {code: 64, domains: [aftr.example.org]}]
          plugins: [server_id, lease_time, {static6: static6.yaml}, range6, prefix, privacy, dns6, domain_search6, {option: [{code: 83, uint32: 600}]}, {sleep: 10ms}]
        """

    @Test func readsEveryKey() throws {
        let configuration = try ConfigurationLoader.parse(yaml: Self.valid, file: "/etc/lessor/lessor.yaml")
        #expect(configuration.server4 == nil)
        let server = try #require(configuration.server6)
        #expect(server.listen == [.interface("eth1"), .address(IPv6Address("2001:db8::1")!)])
        #expect(server.port == 5547 && server.clientPort == 5546 && server.siteMulticast)
        #expect(server.serverDUIDFile == "/etc/lessor/state/duid")
        #expect(!server.rapidCommit && server.preference == 255)
        #expect(server.advertiseHold == .seconds(20) && server.declineQuarantine == .seconds(3600))
        let subnet = try #require(server.subnets.first)
        #expect(subnet.name == "lan6" && subnet.prefix == IPv6Prefix("2001:db8:1::/64") && subnet.interface == "eth1")
        #expect(subnet.pools == [IPv6Range("2001:db8:1::100-2001:db8:1::1ff")!])
        #expect(subnet.temporaryPools == [IPv6Range("2001:db8:1::1:0-2001:db8:1::1:ff")!])
        #expect(
            subnet.prefixPools == [
                PrefixPool6Configuration(
                    prefix: IPv6Prefix("2001:db8:100::/40")!, delegatedLength: 56, excluded: [IPv6Prefix("2001:db8:100::/56")!],
                    lifetimes: Lifetimes6(preferred: .seconds(7200), valid: .seconds(14400), renewal: .seconds(1200), rebinding: .seconds(2400)))
            ])
        #expect(subnet.lifetimes == Lifetimes6(preferred: .seconds(3600), valid: .seconds(7200), renewal: .seconds(1200), rebinding: .seconds(2400)))
        #expect(subnet.temporaryLifetimes == Lifetimes6(preferred: .seconds(1800), valid: .seconds(3600)))
        #expect(subnet.dnsServers == [IPv6Address("2001:db8::53")!] && subnet.domainSearch == ["example.org"])
        #expect(subnet.options == [.init(code: 82, value: .uint32(60)), .init(code: 64, value: .domains(["aftr.example.org"]))])
        #expect(
            server.plugins.map(\.name) == [
                .serverID, .leaseTime, .static6, .range6, .prefix, .privacy, .dns6, .domainSearch6, .option, .sleep,
            ])
        #expect(server.plugins[2].file == "/etc/lessor/static6.yaml")
        #expect(server.plugins[2].location == "/etc/lessor/lessor.yaml:26:37")
        #expect(server.plugins[8].options == [.init(code: 83, value: .uint32(600))])
        #expect(server.plugins[9].delay == .milliseconds(10))
    }

    @Test func defaultsAndListenFromTheSubnets() throws {
        let configuration = try ConfigurationLoader.parse(
            yaml: """
                server6:
                  subnets: [{prefix: 2001:db8:1::/64, interface: eth1, pools: ["2001:db8:1::10-2001:db8:1::20"]}]
                  plugins: [server_id, range6]
                """, file: "lessor.yaml")
        let server = try #require(configuration.server6)
        #expect(server.listen == [.interface("eth1")])
        #expect(server.port == 547 && server.clientPort == 546 && server.rapidCommit && server.preference == nil)
        #expect(server.subnets[0].name == "2001:db8:1::/64")
        #expect(server.subnets[0].lifetimes == Lifetimes6(preferred: .seconds(3600), valid: .seconds(7200)))
    }

    @Test func bothServicesInOneFile() throws {
        let configuration = try ConfigurationLoader.parse(
            yaml: """
                server4:
                  subnets: [{subnet: 192.0.2.0/24, interface: eth0, pools: [192.0.2.10-192.0.2.20]}]
                  plugins: [range]
                server6:
                  subnets: [{prefix: 2001:db8:1::/64, interface: eth0, pools: ["2001:db8:1::10-2001:db8:1::20"]}]
                  plugins: [range6]
                """, file: "lessor.yaml")
        #expect(configuration.server4 != nil && configuration.server6 != nil)
    }

    @Test func shapeAndValueErrors() {
        #expect(
            configurationProblems(
                """
                server6:
                  listen: [{interface: eth1, address: "2001:db8::1"}, {address: 192.0.2.1}, {}]
                  port: 70000
                  preference: 256
                  rapid_commit: maybe
                  colour: blue
                  subnets:
                    - {prefix: 2001:db8:1::1/64, pools: [nonsense]}
                    - {prefix: 2001:db8:2::/64, pools: ["2001:db8:2::20-2001:db8:2::10"], dns_servers: [192.0.2.53]}
                  plugins: [range7, {option: [{code: 23, addresses: ["2001:db8::53"]}, {code: 99}]}, {dns6: x}]
                """) == [
                    #"lessor.yaml:2:12: server6.listen[0]: give either interface or address, not both; use two entries to listen on both"#,
                    #"lessor.yaml:2:65: server6.listen[1].address: expected an IPv6 address like 2001:db8::1, got "192.0.2.1""#,
                    #"lessor.yaml:2:77: server6.listen[2]: missing key "interface" or "address": expected a listen entry like {interface: eth1} or {address: 2001:db8::1}"#,
                    #"lessor.yaml:3:9: server6.port: expected an integer from 1 to 65535, got "70000""#,
                    #"lessor.yaml:4:15: server6.preference: expected an integer from 0 to 255, got "256""#,
                    #"lessor.yaml:5:17: server6.rapid_commit: expected true or false, got "maybe""#,
                    #"lessor.yaml:6:3: server6: unknown key "colour"; expected one of: listen, port, client_port, site_multicast, server_duid_file, rapid_commit, preference, advertise_hold, decline_quarantine, subnets, plugins"#,
                    #"lessor.yaml:8:16: server6.subnets[0].prefix: expected the prefix 2001:db8:1::/64, got "2001:db8:1::1/64" (bits beyond the length are set)"#,
                    #"lessor.yaml:8:42: server6.subnets[0].pools[0]: expected an address range like 2001:db8:1::100-2001:db8:1::1ff, got "nonsense""#,
                    #"lessor.yaml:9:41: server6.subnets[1].pools[0]: expected an address range like 2001:db8:1::100-2001:db8:1::1ff, got "2001:db8:2::20-2001:db8:2::10" (the first address is after the last)"#,
                    #"lessor.yaml:9:89: server6.subnets[1].dns_servers[0]: expected an IPv6 address like 2001:db8::1, got "192.0.2.53""#,
                    #"lessor.yaml:10:13: server6.plugins[0]: unknown plugin "range7" (did you mean "range6"?); expected one of: server_id, lease_time, static6, range6, prefix, privacy, dns6, domain_search6, option, sleep"#,
                    #"lessor.yaml:10:38: server6.plugins[1].option[0].code: option 23 (DNS servers) comes from dns_servers"#,
                    #"lessor.yaml:10:72: server6.plugins[1].option[1]: missing the option's value: one of text, addresses, uint8, uint16, uint32, domains, hex"#,
                    #"lessor.yaml:10:93: server6.plugins[2].dns6: plugin dns6 takes no arguments; it reads its settings from the subnets"#,
                ])
    }

    @Test func poolsLifetimesAndOverlaps() {
        #expect(
            configurationProblems(
                """
                server6:
                  listen: [{interface: eth1}]
                  subnets:
                    - name: a
                      prefix: 2001:db8:1::/64
                      pools: ["2001:db8:9::1-2001:db8:9::9", "2001:db8:1::10-2001:db8:1::20"]
                      preferred_lifetime: 3h
                      valid_lifetime: 2h
                      renewal_time: 50m
                      rebinding_time: 40m
                      prefix_pools:
                        - {prefix: 2001:db8:100::/40, delegated_length: 40}
                        - {prefix: 2001:db8:200::/40, delegated_length: 129}
                        - {prefix: 2001:db8:300::/40, delegated_length: 56, exclude: [2001:db8:400::/56]}
                    - name: a
                      prefix: 2001:db8:1::/48
                      pools: ["2001:db8:1::18-2001:db8:1::30"]
                      temporary_pools: ["2001:db8:1:5::1-2001:db8:1:5::ff"]
                      prefix_pools: [{prefix: 2001:db8:300::/48, delegated_length: 60, renewal_time: 3h}]
                  plugins: [range6, prefix, privacy, static6: s.yaml]
                """) == [
                    #"lessor.yaml:6:15: server6.subnets[0].pools[0]: the range 2001:db8:9::1-2001:db8:9::9 is not inside the subnet's prefix 2001:db8:1::/64; expected addresses from 2001:db8:1::/64"#,
                    #"lessor.yaml:7:27: server6.subnets[0].preferred_lifetime: preferred_lifetime (3h) must not be longer than valid_lifetime (2h)"#,
                    #"lessor.yaml:9:21: server6.subnets[0].renewal_time: renewal_time (50m) must not be longer than rebinding_time (40m)"#,
                    #"lessor.yaml:12:57: server6.subnets[0].prefix_pools[0].delegated_length: delegated_length 40 must be longer than the pool's prefix length 40 (and at most 128)"#,
                    #"lessor.yaml:13:57: server6.subnets[0].prefix_pools[1].delegated_length: expected an integer from 1 to 128, got "129""#,
                    #"lessor.yaml:14:71: server6.subnets[0].prefix_pools[2].exclude[0]: the excluded prefix 2001:db8:400::/56 is not inside the pool's prefix 2001:db8:300::/40"#,
                    #"lessor.yaml:15:13: server6.subnets[1].name: the name "a" is already used by server6.subnets[0] at line 4; give each subnet its own name"#,
                    #"lessor.yaml:16:15: server6.subnets[1].prefix: 2001:db8:1::/48 overlaps 2001:db8:1::/64 of server6.subnets[0] at line 4; each subnet needs its own prefix"#,
                    #"lessor.yaml:17:15: server6.subnets[1].pools[0]: the range 2001:db8:1::18-2001:db8:1::30 overlaps 2001:db8:1::10-2001:db8:1::20 (server6.subnets[0].pools[1] at line 6); each address belongs to one pool"#,
                    #"lessor.yaml:19:22: server6.subnets[1].prefix_pools[0]: the prefix pool 2001:db8:300::/48 overlaps 2001:db8:300::/40 (server6.subnets[0].prefix_pools[2] at line 14); each prefix belongs to one pool"#,
                    #"lessor.yaml:19:86: server6.subnets[1].prefix_pools[0].renewal_time: renewal_time (3h) must not be longer than the preferred lifetime (1h)"#,
                    #"lessor.yaml:20:38: server6.plugins[3]: static6 must come before range6 (server6.plugins[0] at line 20): a reservation satisfies an IA before the pools do"#,
                ])
    }

    @Test func allocatingPluginsNeedTheirPools() {
        #expect(
            configurationProblems(
                """
                server6:
                  subnets: [{prefix: 2001:db8:1::/64, interface: eth1, pools: ["2001:db8:1::10-2001:db8:1::20"]}]
                  plugins: [range6, prefix, privacy]
                """) == [
                    #"lessor.yaml:3:21: server6.plugins[1]: plugin prefix hands out from each subnet's prefix_pools, but no subnet has any; add prefix_pools to a subnet or remove the plugin"#,
                    #"lessor.yaml:3:29: server6.plugins[2]: plugin privacy hands out from each subnet's temporary_pools, but no subnet has any; add temporary_pools to a subnet or remove the plugin"#,
                ])
    }

    @Test func aSubnetInterfaceMustBeListenedTo() {
        #expect(
            configurationProblems(
                """
                server6:
                  listen: [{interface: eth2}]
                  subnets: [{prefix: 2001:db8:1::/64, interface: eth1, pools: ["2001:db8:1::10-2001:db8:1::20"]}]
                  plugins: [range6]
                """) == [
                    #"lessor.yaml:3:50: server6.subnets[0].interface: the subnet is on interface eth1, but server6.listen does not include it; add {interface: eth1} to listen"#
                ])
        #expect(
            configurationProblems(
                """
                server6:
                  subnets: [{prefix: 2001:db8:1::/64, pools: ["2001:db8:1::10-2001:db8:1::20"]}]
                  plugins: [range6]
                """) == [
                    #"lessor.yaml:2:3: server6: missing key "listen": no subnet names an interface, so say where to listen, like listen: [{interface: eth1}] or [{address: 2001:db8::1}]"#
                ])
    }

    @Test func missingKeys() {
        #expect(
            configurationProblems("server6:\n  subnets: [{pools: []}]\n") == [
                #"lessor.yaml:2:3: server6: missing key "plugins": the ordered plugin chain, like [server_id, lease_time, dns6, range6]"#,
                #"lessor.yaml:2:13: server6.subnets[0]: missing key "prefix": the link's prefix, like 2001:db8:1::/64"#,
            ])
    }
}

/// Reservations files for `static6`: a DHCPv6 client may have one address and one prefix reserved.
@Suite("static6 reservations")
struct Static6ReservationsTests {
    @Test func anAddressAndAPrefixPerClient() throws {
        let reservations = try ReservationsFile.parse(
            yaml: """
                - {duid: "000300010000005e0001", address: "2001:db8:1::10"}
                - {duid: "000300010000005e0001", address: "2001:db8:100::/56"}
                """, file: "static6.yaml")
        #expect(reservations.map(\.address) == [.v6(IPv6Address("2001:db8:1::10")!), .prefix(IPv6Prefix("2001:db8:100::/56")!)])
        #expect(
            reservationProblems(
                """
                - {duid: "000300010000005e0001", address: "2001:db8:100::/56"}
                - {duid: "000300010000005e0001", address: "2001:db8:200::/56"}
                - {mac: "00:00:5e:00:53:01", address: "2001:db8:300::1/56"}
                """) == [
                    #"static.yaml:2:10: [1].duid: duid 000300010000005e0001 is already reserved by [0] at line 1; keep one reservation per client"#,
                    #"static.yaml:3:39: [2].address: expected an IPv4 address like 192.0.2.10 (or an IPv6 address, or an IPv6 prefix like 2001:db8:100::/56), got "2001:db8:300::1/56""#,
                ])
    }
}

/// `check-config` loads the static6 file and checks its addresses against the server6 subnets.
@Suite("check-config with server6")
struct CheckConfiguration6Tests {
    @Test func static6AddressesMustBeOnAServer6Subnet() throws {
        let directory = try TemporaryDirectory()
        let file = directory.write(
            "lessor.yaml",
            """
            server6:
              subnets: [{name: lan6, prefix: 2001:db8:1::/64, interface: eth1, pools: ["2001:db8:1::10-2001:db8:1::20"]}]
              plugins: [{static6: static6.yaml}, range6]
            """)
        directory.write("static6.yaml", #"- {duid: "000300010000005e0001", address: "2001:db8:9::1"}"# + "\n")
        let error = try #require(throws: ConfigurationError.self) { try ConfigurationLoader.check(file: file) }
        #expect(
            error.problems.map(\.description) == [
                "\(directory.path)/static6.yaml:1:43: [0].address: 2001:db8:9::1 is not inside any configured server6 subnet (lan6 2001:db8:1::/64); a client could never use it"
            ])
        directory.write("static6.yaml", #"- {duid: "000300010000005e0001", address: "2001:db8:1::5"}"# + "\n")
        let checked = try ConfigurationLoader.check(file: file)
        #expect(checked.reservations.values.first?.count == 1)
    }
}

/// Pool names come from subnet names and the control socket counts leases by pool name: a
/// DHCPv6 subnet may not take a DHCPv4 subnet's name.
@Suite("server4 and server6 subnet names")
struct SubnetNamesAcrossServicesTests {
    static func yaml(v6Name: String) -> String {
        """
        server4:
          listen: [{interface: eth0}]
          subnets:
            - {name: lan, subnet: 192.0.2.0/24, interface: eth0, pools: [192.0.2.10-192.0.2.20], server_id: 192.0.2.1}
          plugins: [server_id, range]
        server6:
          listen: [{interface: eth1}]
          subnets:
            - {name: \(v6Name), prefix: 2001:db8:1::/64, interface: eth1, pools: ["2001:db8:1::100-2001:db8:1::1ff"]}
          plugins: [server_id, range6]
        """
    }

    @Test func aNameInBothServicesIsAConflict() {
        #expect(configurationProblems(Self.yaml(v6Name: "lan6")) == [])
        #expect(
            configurationProblems(Self.yaml(v6Name: "lan")) == [
                #"lessor.yaml:7:3: server6: the subnet name "lan" is used by server4 as well; give the DHCPv6 subnet its own name (e.g. "lan6")"#
            ])
    }
}
