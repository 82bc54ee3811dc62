import DHCPServer
import Testing

/// Each kind of mistake is reported at the right line, column and field, with what was expected.
@Suite("Configuration loader: errors")
struct ConfigurationErrorTests {
    @Test func malformedPoolNamesFileLineColumnFieldAndExpectation() {
        let yaml = """
            server4:
              listen: [{interface: eth0}]
              subnets:
                - subnet: 192.0.2.0/24
                  pools:
                    - 192.0.2.300-192.0.2.5
              plugins: [range]
            """
        #expect(
            configurationProblems(yaml) == [
                #"lessor.yaml:6:11: server4.subnets[0].pools[0]: expected an address range like 192.0.2.100-192.0.2.199, got "192.0.2.300-192.0.2.5""#
            ])
    }

    @Test func unknownKeysAreRejectedWithADidYouMean() {
        let yaml = """
            log_levle: info
            server4:
              listen: [{interface: eth0}]
              subnets:
                - subnet: 192.0.2.0/24
                  lease-time: 1h
                  dns: [192.0.2.53]
                  colour: blue
              plugins: [range]
            """
        #expect(
            configurationProblems(yaml) == [
                #"lessor.yaml:1:1: unknown key "log_levle"; did you mean "log_level"?"#,
                #"lessor.yaml:6:7: server4.subnets[0]: unknown key "lease-time"; did you mean "lease_time"?"#,
                #"lessor.yaml:7:7: server4.subnets[0]: unknown key "dns"; did you mean "dns_servers"?"#,
                #"lessor.yaml:8:7: server4.subnets[0]: unknown key "colour"; expected one of: name, subnet, interface, shared_network, pools, lease_time, renewal_time, rebinding_time, server_id, routers, dns_servers, domain_name, domain_search, ntp_servers, mtu, classless_routes, next_server, boot_file, options"#,
            ])
    }

    @Test func everyProblemIsCollectedInFileOrder() throws {
        let yaml = """
            log_level: loud
            store:
              provider: memory
              path: leases.sqlite
            server4:
              listen: [{interface: eth0}]
              port: 70000
              identity: mac
              subnets:
                - subnet: 192.0.2.0/24
                  lease_time: forever
              plugins: [range, rnage]
            """
        let error = try #require(throws: ConfigurationError.self) {
            try ConfigurationLoader.parse(yaml: yaml, file: "lessor.yaml")
        }
        #expect(
            error.problems.map(\.description) == [
                #"lessor.yaml:1:12: log_level: expected one of trace, debug, info, notice, warning, error, critical, got "loud""#,
                #"lessor.yaml:4:3: store: "path" applies only to provider: sqlite; remove it or use provider: sqlite"#,
                #"lessor.yaml:7:9: server4.port: expected an integer from 1 to 65535, got "70000""#,
                #"lessor.yaml:8:13: server4.identity: expected client-id or hw-address, got "mac""#,
                #"lessor.yaml:11:19: server4.subnets[0].lease_time: expected a duration like 30s, 10m, 1h, 1d, 250ms or plain seconds, got "forever""#,
                #"lessor.yaml:12:20: server4.plugins[1]: unknown plugin "rnage" (did you mean "range"?); expected one of: server_id, router, netmask, dns, domain_search, mtu, lease_time, static, range, classless_routes, nbp, sleep, option"#,
            ])
        #expect(
            error.problems.map(\.kind) == [
                .invalidValue, .conflict, .invalidValue, .invalidValue, .invalidValue, .invalidValue,
            ])
        #expect(
            error.problems[2].line == 7 && error.problems[2].column == 9 && error.problems[2].path == "server4.port")
        #expect(error.description == error.problems.map(\.description).joined(separator: "\n"))
    }

    @Test func missingRequiredKeys() {
        #expect(
            configurationProblems("store: {provider: memory}\n") == [
                #"lessor.yaml:1:1: missing key "server4" or "server6": nothing to serve; add the DHCPv4 service, the DHCPv6 service or both"#
            ])
        let yaml = """
            server4:
              listen: [{interface: eth0}]
              subnets:
                - pools: [192.0.2.10-192.0.2.20]
            """
        #expect(
            configurationProblems(yaml) == [
                #"lessor.yaml:2:3: server4: missing key "plugins": the ordered plugin chain, like [server_id, netmask, router, dns, lease_time, range]"#,
                #"lessor.yaml:4:7: server4.subnets[0]: missing key "subnet": the subnet's network, like 192.0.2.0/24"#,
            ])
    }

    @Test func subnetAndPoolSemantics() {
        let yaml = """
            server4:
              listen: [{address: 203.0.113.1}]
              subnets:
                - name: office
                  subnet: 192.0.2.5/24
                - name: lab
                  subnet: 198.51.100.0/24
                  pools:
                    - 198.51.100.0-198.51.100.20
                    - 198.51.100.10-198.51.100.30
                    - 198.51.100.200-198.51.100.100
                    - 203.0.113.10-203.0.113.20
                    - 198.51.100.250-198.51.100.255
                - name: lab
                  subnet: 198.51.100.128/25
                - name: edge
                  subnet: 203.0.113.0/24
                  pools: [203.0.113.15-203.0.113.30]
              plugins: [range]
            """
        #expect(
            configurationProblems(yaml) == [
                #"lessor.yaml:5:15: server4.subnets[0].subnet: expected the network address 192.0.2.0/24, got "192.0.2.5/24" (host bits are set)"#,
                #"lessor.yaml:9:11: server4.subnets[1].pools[0]: the range includes the subnet's network address 198.51.100.0; start it at 198.51.100.1 or later"#,
                #"lessor.yaml:10:11: server4.subnets[1].pools[1]: the range 198.51.100.10-198.51.100.30 overlaps 198.51.100.0-198.51.100.20 (server4.subnets[1].pools[0] at line 9); each address belongs to one pool"#,
                #"lessor.yaml:11:11: server4.subnets[1].pools[2]: expected an address range like 192.0.2.100-192.0.2.199, got "198.51.100.200-198.51.100.100" (the first address is after the last)"#,
                #"lessor.yaml:12:11: server4.subnets[1].pools[3]: the range 203.0.113.10-203.0.113.20 is not inside the subnet 198.51.100.0/24; expected addresses from 198.51.100.0/24"#,
                #"lessor.yaml:13:11: server4.subnets[1].pools[4]: the range includes the subnet's broadcast address 198.51.100.255; end it at 198.51.100.254 or earlier"#,
                #"lessor.yaml:14:13: server4.subnets[2].name: the name "lab" is already used by server4.subnets[1] at line 6; give each subnet its own name"#,
                #"lessor.yaml:15:15: server4.subnets[2].subnet: 198.51.100.128/25 overlaps 198.51.100.0/24 of server4.subnets[1] at line 6; each subnet needs its own addresses"#,
                // Pools of different subnets: edge's pool and lab's misplaced one share addresses.
                #"lessor.yaml:18:15: server4.subnets[3].pools[0]: the range 203.0.113.15-203.0.113.30 overlaps 203.0.113.10-203.0.113.20 (server4.subnets[1].pools[3] at line 12); each address belongs to one pool"#,
            ])
    }

    @Test func addressesASubnetNamesMustFitIt() {
        let yaml = """
            server4:
              listen: [{interface: eth0}]
              subnets:
                - subnet: 192.0.2.0/24
                  interface: eth0
                  pools: [192.0.2.100-192.0.2.199]
                  server_id: 192.0.2.150
                  routers: [198.51.100.1, 192.0.2.255]
                  dns_servers: [0.0.0.0]
                  classless_routes:
                    - {destination: 198.51.100.0/24, gateway: 203.0.113.1}
                  renewal_time: 2h
                  rebinding_time: 1h
                  lease_time: 250ms
                - subnet: 198.51.100.0/24
                  lease_time: 1h
                  renewal_time: 1h
                  server_id: 203.0.113.7
              plugins: [server_id, router, range]
            """
        #expect(
            configurationProblems(yaml) == [
                #"lessor.yaml:7:18: server4.subnets[0].server_id: server_id 192.0.2.150 is inside the pool 192.0.2.100-192.0.2.199 (server4.subnets[0].pools[0] at line 6); the server would hand it to a client: shrink the pool"#,
                #"lessor.yaml:8:17: server4.subnets[0].routers[0]: the router 198.51.100.1 is not inside the subnet 192.0.2.0/24; clients can only reach an on-link router"#,
                #"lessor.yaml:8:31: server4.subnets[0].routers[1]: 192.0.2.255 is the subnet's broadcast address, not a host"#,
                #"lessor.yaml:9:21: server4.subnets[0].dns_servers[0]: expected a unicast address, got 0.0.0.0"#,
                #"lessor.yaml:11:51: server4.subnets[0].classless_routes[0].gateway: the gateway 203.0.113.1 is not inside the subnet 192.0.2.0/24; clients can only reach an on-link router"#,
                #"lessor.yaml:12:21: server4.subnets[0].renewal_time: renewal_time (2h) must be shorter than rebinding_time (1h)"#,
                #"lessor.yaml:14:19: server4.subnets[0].lease_time: expected a duration of at least 1s, got "250ms""#,
                #"lessor.yaml:17:21: server4.subnets[1].renewal_time: renewal_time (1h) must be shorter than lease_time (1h)"#,
            ])
    }

    @Test func interfacesListenAndSharedNetworks() {
        let yaml = """
            server4:
              listen:
                - {interface: eth0}
                - {interface: eth0}
                - {interface: eth0, address: 192.0.2.1}
                - {port: 67}
                - {interface: "a very long interface name"}
              subnets:
                - {name: a, subnet: 192.0.2.0/25, interface: eth0}
                - {name: b, subnet: 192.0.2.128/25, interface: eth0}
                - {name: c, subnet: 198.51.100.0/24, interface: eth2}
              plugins: [range]
            """
        #expect(
            configurationProblems(yaml) == [
                #"lessor.yaml:4:7: server4.listen[1]: the same listen entry as server4.listen[0] at line 3; list each once"#,
                #"lessor.yaml:5:7: server4.listen[2]: give either interface or address, not both; use two entries to listen on both"#,
                #"lessor.yaml:6:7: server4.listen[3]: missing key "interface" or "address": expected a listen entry like {interface: eth0} or {address: 192.0.2.1}"#,
                #"lessor.yaml:6:8: server4.listen[3]: unknown key "port"; expected one of: interface, address"#,
                #"lessor.yaml:7:19: server4.listen[4].interface: expected an interface name like eth0, got "a very long interface name""#,
                #"lessor.yaml:10:52: server4.subnets[1].interface: interface eth0 is also the interface of server4.subnets[0] at line 9; subnets on one link need the same shared_network"#,
                #"lessor.yaml:11:53: server4.subnets[2].interface: the subnet is on interface eth2, but server4.listen does not include it; add {interface: eth2} to listen"#,
            ])
        #expect(
            configurationProblems(
                """
                server4:
                  subnets: [{subnet: 192.0.2.0/24}]
                  plugins: [range]
                """) == [
                    #"lessor.yaml:2:3: server4: missing key "listen": no subnet names an interface, so say where to listen, like listen: [{interface: eth0}] or [{address: 192.0.2.1}]"#
                ])
    }

    @Test func pluginChainErrors() {
        let yaml = """
            server4:
              listen: [{interface: eth0}]
              subnets: [{subnet: 192.0.2.0/24}]
              plugins:
                - range
                - static
                - static: {file: static.yaml}
                - sleep
                - sleep: {delay: soon}
                - router: {routers: [192.0.2.1]}
                - range
                - static:
                  file: other.yaml
                - option: {options: []}
                - [server_id]
            """
        #expect(
            configurationProblems(yaml) == [
                #"lessor.yaml:6:7: server4.plugins[1]: missing key "file": the reservations file, like static: static.yaml"#,
                #"lessor.yaml:7:7: server4.plugins[2]: static must come before range (server4.plugins[0] at line 5): a reserved client is matched before the pool hands out an address"#,
                #"lessor.yaml:8:7: server4.plugins[3]: missing key "delay": how long to delay each request, like sleep: 250ms"#,
                #"lessor.yaml:9:22: server4.plugins[4].sleep.delay: expected a duration like 30s, 10m, 1h, 1d, 250ms or plain seconds, got "soon""#,
                #"lessor.yaml:10:15: server4.plugins[5].router: plugin router takes no arguments; it reads each subnet's routers"#,
                #"lessor.yaml:11:7: server4.plugins[6]: plugin range is already in the chain at server4.plugins[0] at line 5; list it once"#,
                #"lessor.yaml:12:7: server4.plugins[7]: expected one plugin per list entry, found the keys static, file; indent a plugin's arguments under its name, like - static: {file: static.yaml}"#,
                #"lessor.yaml:14:25: server4.plugins[8].option.options: expected at least one option, got an empty list"#,
                #"lessor.yaml:15:7: server4.plugins[9]: expected a plugin name like range, or a name with arguments like {static: static.yaml}, got a list"#,
            ])
    }

    @Test func typedOptions() {
        let yaml = """
            server4:
              listen: [{interface: eth0}]
              subnets:
                - subnet: 192.0.2.0/24
                  routers: [192.0.2.1]
                  options:
                    - {code: 252, text: "http://wpad/wpad.dat"}
                    - {code: 252, text: again}
                    - {code: 150}
                    - {code: 151, text: a, hex: "00"}
                    - {code: 152, uint8: 256}
                    - {code: 153, uint16: -1}
                    - {code: 154, bool: maybe}
                    - {code: 155, hex: "0g"}
                    - {code: 156, addresses: [192.0.2.300]}
                    - {code: 51, uint32: 60}
                    - {code: 255, hex: ""}
                    - {code: 3, addresses: [192.0.2.1]}
                    - {text: hello}
                    - {code: 157, txt: hello}
              plugins: [option]
            """
        #expect(
            configurationProblems(yaml) == [
                #"lessor.yaml:8:11: server4.subnets[0].options[1]: option 252 is already set by server4.subnets[0].options[0] at line 7; set each code once"#,
                #"lessor.yaml:9:11: server4.subnets[0].options[2]: missing the option's value: one of text, addresses, uint8, uint16, uint32, bool, hex"#,
                #"lessor.yaml:10:11: server4.subnets[0].options[3]: give exactly one value, found text and hex"#,
                #"lessor.yaml:11:30: server4.subnets[0].options[4].uint8: expected an integer from 0 to 255, got "256""#,
                #"lessor.yaml:12:31: server4.subnets[0].options[5].uint16: expected an integer from 0 to 65535, got "-1""#,
                #"lessor.yaml:13:29: server4.subnets[0].options[6].bool: expected true or false, got "maybe""#,
                #"lessor.yaml:14:28: server4.subnets[0].options[7].hex: expected hex bytes like 01a2ff or 01:a2:ff (at most 255), got "0g""#,
                #"lessor.yaml:15:35: server4.subnets[0].options[8].addresses[0]: expected an IPv4 address like 192.0.2.1, got "192.0.2.300""#,
                #"lessor.yaml:16:18: server4.subnets[0].options[9].code: option 51 (lease time) comes from lease_time; set that on the subnet"#,
                #"lessor.yaml:17:18: server4.subnets[0].options[10].code: code 255 is the end marker, not an option"#,
                #"lessor.yaml:18:11: server4.subnets[0].options[11]: option 3 is also set by routers at line 5; keep one of them"#,
                #"lessor.yaml:19:11: server4.subnets[0].options[12]: missing key "code": the option code, 1 to 254"#,
                #"lessor.yaml:20:11: server4.subnets[0].options[13]: missing the option's value: one of text, addresses, uint8, uint16, uint32, bool, hex"#,
                #"lessor.yaml:20:23: server4.subnets[0].options[13]: unknown key "txt"; did you mean "text"?"#,
                #"lessor.yaml:21:13: server4.plugins[0]: missing key "options": the options to send, like option: [{code: 252, text: "…"}]"#,
            ])
    }

    @Test func storeSettings() {
        let yaml = """
            store:
              provider: postgres
              synchronous: extra
              token_timeout: 0s
              reclaim_max_leases: 0
            server4:
              listen: [{interface: eth0}]
              subnets: [{subnet: 192.0.2.0/24}]
              plugins: [range]
            """
        #expect(
            configurationProblems(yaml) == [
                #"lessor.yaml:2:13: store.provider: expected a store provider: sqlite or memory, got "postgres""#,
                #"lessor.yaml:3:16: store.synchronous: expected full, normal or off, got "extra""#,
                #"lessor.yaml:4:18: store.token_timeout: expected a duration of at least 1ms, got "0s""#,
                #"lessor.yaml:5:23: store.reclaim_max_leases: expected an integer from 1 to 1000000, got "0""#,
            ])
    }

    @Test func wrongShapes() {
        #expect(
            configurationProblems("- server4\n") == [
                #"lessor.yaml:1:1: expected a mapping with server4 and/or server6 (and optionally store, control and log_level), got a list"#
            ])
        #expect(
            configurationProblems("server4: [1]\n") == [
                #"lessor.yaml:1:10: server4: expected the DHCPv4 service settings (listen, subnets, plugins…), got a list"#
            ])
        #expect(
            configurationProblems("server4:\n  subnets: {subnet: 192.0.2.0/24}\n  listen:\n  plugins: []\n") == [
                #"lessor.yaml:2:12: server4.subnets: expected a list of subnets, each like {subnet: 192.0.2.0/24, pools: [...]}, got a mapping"#,
                #"lessor.yaml:3:10: server4.listen: expected a list of {interface: eth0} or {address: 192.0.2.1}, got nothing"#,
                #"lessor.yaml:4:12: server4.plugins: expected at least one plugin, like [server_id, netmask, router, dns, lease_time, range], got an empty list"#,
            ])
    }

    @Test func yamlSyntaxErrorsAndEmptyFiles() {
        #expect(
            configurationProblems("server4:\n  subnets: [\n") == [
                "lessor.yaml:3:1: invalid YAML: did not find expected node content (while parsing a flow node at line 3, column 1)"
            ])
        #expect(
            configurationProblems("server4:\n  port: 1\n  port: 2\n") == [
                #"lessor.yaml:2:3: key "port" appears more than once in this mapping; keep one"#
            ])
        #expect(
            configurationProblems("") == [
                "lessor.yaml: the file is empty; expected a mapping with server4 and/or server6 (and optionally store, control and log_level)"
            ])
        #expect(
            configurationProblems("# only a comment\n") == [
                "lessor.yaml: the file is empty; expected a mapping with server4 and/or server6 (and optionally store, control and log_level)"
            ])
    }

    @Test func unreadableFiles() throws {
        let error = try #require(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(file: "/nonexistent/lessor.yaml")
        }
        #expect(
            error.problems == [
                .init(
                    kind: .unreadable, file: "/nonexistent/lessor.yaml", line: nil, column: nil, path: "",
                    message: "cannot read the file: it does not exist")
            ])
        #expect(error.description == "/nonexistent/lessor.yaml: cannot read the file: it does not exist")
    }
}
