import DHCPServer
import DHCPWire
import Testing

@Suite("Configuration loader: valid files")
struct ConfigurationLoaderTests {
    /// Every key of the format, set to something other than its default.
    static let everything = """
        log_level: debug
        store:
          provider: sqlite
          path: leases/lessor.sqlite
          synchronous: normal
          expired_hold: 2h
          token_timeout: 5s
          reclaim_interval: 500ms
          reclaim_max_leases: 50
          reclaim_max_time: 100ms
        server4:
          listen:
            - interface: eth1
            - address: 203.0.113.10
          port: 6767
          client_port: 6868
          identity: hw-address
          offer_hold: 1m
          decline_quarantine: 12h
          authoritative: false
          subnets:
            - name: office
              subnet: 192.0.2.0/24
              interface: eth1
              shared_network: floor1
              pools: [192.0.2.100-192.0.2.199, "192.0.2.200 - 192.0.2.209"]
              lease_time: 12h
              renewal_time: 6h
              rebinding_time: 10h30m
              server_id: 192.0.2.1
              routers: 192.0.2.1
              dns_servers: [192.0.2.53, 198.51.100.53]
              domain_name: office.example.com
              domain_search: [office.example.com, example.com]
              ntp_servers: [192.0.2.5]
              mtu: 1500
              classless_routes:
                - {destination: 198.51.100.0/24, gateway: 192.0.2.254}
              next_server: 192.0.2.6
              boot_file: pxelinux.0
              options:
                - {code: 252, text: "http://wpad.example/wpad.dat"}
                - {code: 150, addresses: [192.0.2.6]}
                - {code: 19, bool: false}
                - {code: 23, uint8: 64}
                - {code: 22, uint16: 576}
                - {code: 24, uint32: 0x258}
                - {code: 43, hex: "01:04:c0:00:02:06"}
            - subnet: 198.51.100.0/25
              pools: 198.51.100.10-198.51.100.20
          plugins:
            - server_id
            - netmask
            - router
            - dns
            - domain_search
            - mtu
            - classless_routes
            - lease_time
            - nbp
            - sleep: 250ms
            - option: [{code: 66, text: tftp.example.com}]
            - option: {options: [{code: 209, text: pxelinux.cfg}]}
            - static: reservations/static.yaml
            - static: {file: /srv/more.yaml}
            - range
        """

    @Test func fullExampleParsesToTheExpectedModel() throws {
        let configuration = try ConfigurationLoader.parse(yaml: Self.everything, file: "/etc/lessor/lessor.yaml")
        let office = SubnetConfiguration(
            name: "office", subnet: net("192.0.2.0/24"), interface: "eth1", sharedNetwork: "floor1",
            pools: [pool("192.0.2.100-192.0.2.199"), pool("192.0.2.200-192.0.2.209")], leaseTime: .seconds(12 * 3600),
            renewalTime: .seconds(6 * 3600), rebindingTime: .seconds(10 * 3600 + 30 * 60), serverID: ip("192.0.2.1"),
            routers: [ip("192.0.2.1")], dnsServers: [ip("192.0.2.53"), ip("198.51.100.53")],
            domainName: "office.example.com", domainSearch: ["office.example.com", "example.com"],
            ntpServers: [ip("192.0.2.5")], mtu: 1500,
            classlessRoutes: [.init(destination: net("198.51.100.0/24"), gateway: ip("192.0.2.254"))],
            nextServer: ip("192.0.2.6"), bootFile: "pxelinux.0",
            options: [
                .init(code: 252, value: .text("http://wpad.example/wpad.dat")),
                .init(code: 150, value: .addresses([ip("192.0.2.6")])), .init(code: 19, value: .bool(false)),
                .init(code: 23, value: .uint8(64)), .init(code: 22, value: .uint16(576)),
                .init(code: 24, value: .uint32(600)), .init(code: 43, value: .hex([1, 4, 192, 0, 2, 6])),
            ])
        let lab = SubnetConfiguration(
            name: "198.51.100.0/25", subnet: net("198.51.100.0/25"), pools: [pool("198.51.100.10-198.51.100.20")])
        let file = "/etc/lessor/lessor.yaml"
        let plugins: [PluginConfiguration] = [
            .init(name: .serverID, location: "\(file):52:7"), .init(name: .netmask, location: "\(file):53:7"),
            .init(name: .router, location: "\(file):54:7"), .init(name: .dns, location: "\(file):55:7"),
            .init(name: .domainSearch, location: "\(file):56:7"), .init(name: .mtu, location: "\(file):57:7"),
            .init(name: .classlessRoutes, location: "\(file):58:7"), .init(name: .leaseTime, location: "\(file):59:7"),
            .init(name: .nbp, location: "\(file):60:7"),
            .init(name: .sleep, delay: .milliseconds(250), location: "\(file):61:7"),
            .init(
                name: .option, options: [.init(code: 66, value: .text("tftp.example.com"))], location: "\(file):62:7"),
            .init(name: .option, options: [.init(code: 209, value: .text("pxelinux.cfg"))], location: "\(file):63:7"),
            .init(name: .static, file: "/etc/lessor/reservations/static.yaml", location: "\(file):64:7"),
            .init(name: .static, file: "/srv/more.yaml", location: "\(file):65:7"),
            .init(name: .range, location: "\(file):66:7"),
        ]
        let expected = ServerConfiguration(
            store: StoreConfiguration(
                provider: .sqlite(path: "/etc/lessor/leases/lessor.sqlite", synchronous: "normal"),
                expiredHold: .seconds(7200), tokenTimeout: .seconds(5), reclaimInterval: .milliseconds(500),
                reclaimMaxLeases: 50, reclaimMaxTime: .milliseconds(100)),
            server4: DHCPv4Configuration(
                listen: [.interface("eth1"), .address(ip("203.0.113.10"))], port: 6767, clientPort: 6868,
                identity: .hardwareAddress, offerHold: .seconds(60), declineQuarantine: .seconds(12 * 3600),
                authoritative: false, subnets: [office, lab], plugins: plugins),
            logLevel: "debug")
        #expect(configuration.store == expected.store)
        #expect(configuration.server4?.listen == expected.server4?.listen)
        #expect(configuration.server4?.subnets == expected.server4?.subnets)
        #expect(configuration.server4?.plugins == expected.server4?.plugins)
        #expect(configuration == expected)
    }

    @Test func smallestFileGetsTheDocumentedDefaults() throws {
        let configuration = try ConfigurationLoader.parse(
            yaml: """
                server4:
                  subnets:
                    - {subnet: 192.0.2.0/24, interface: eth0, pools: [192.0.2.10-192.0.2.20]}
                  plugins: [range]
                """, file: "/etc/lessor/lessor.yaml")
        #expect(configuration.logLevel == "info")
        #expect(configuration.store == StoreConfiguration())
        #expect(configuration.store.provider == .sqlite(path: "lessor-leases.sqlite", synchronous: "full"))
        let server = try #require(configuration.server4)
        // Without `listen`, the server listens on the interfaces the subnets name.
        #expect(server.listen == [.interface("eth0")])
        #expect(server.port == 67 && server.clientPort == 68)
        #expect(server.identity == .clientID)
        #expect(server.offerHold == .seconds(30) && server.declineQuarantine == .seconds(86_400))
        #expect(server.authoritative)
        #expect(server.subnets.map(\.name) == ["192.0.2.0/24"])
        #expect(server.plugins.map(\.name) == [.range])
    }

    @Test func memoryStoreAndListenDefaultsOnSeveralInterfaces() throws {
        let configuration = try ConfigurationLoader.parse(
            yaml: """
                store: {provider: memory}
                server4:
                  subnets:
                    - {name: a, subnet: 192.0.2.0/25, interface: eth0, shared_network: hall}
                    - {name: b, subnet: 192.0.2.128/25, interface: eth0, shared_network: hall}
                    - {name: c, subnet: 198.51.100.0/24, interface: eth1}
                    - {name: relayed, subnet: 203.0.113.0/24}
                  plugins: [static: static.yaml, range]
                """, file: "lessor.yaml")
        #expect(configuration.store.provider == .memory)
        #expect(configuration.server4?.listen == [.interface("eth0"), .interface("eth1")])
    }

    @Test func relativePathsResolveAgainstTheConfigurationFilesDirectory() throws {
        let yaml = """
            store: {path: ../state/leases.sqlite}
            server4:
              listen: [{address: 127.0.0.1}]
              subnets: [{subnet: 192.0.2.0/24}]
              plugins: [{static: ./static.yaml}, {static: /abs/other.yaml}]
            """
        let configuration = try ConfigurationLoader.parse(yaml: yaml, file: "/etc/lessor/conf/lessor.yaml")
        #expect(configuration.store.provider == .sqlite(path: "/etc/lessor/state/leases.sqlite", synchronous: "full"))
        #expect(configuration.server4?.plugins.map(\.file) == ["/etc/lessor/conf/static.yaml", "/abs/other.yaml"])
    }

    @Test func mergeKeysShareSettingsBetweenSubnetsAndXKeysHoldAnchors() throws {
        let configuration = try ConfigurationLoader.parse(
            yaml: """
                x-common: &common
                  lease_time: 2h
                  dns_servers: [192.0.2.53]
                server4:
                  listen: [{address: 192.0.2.1}]
                  subnets:
                    - <<: *common
                      subnet: 198.51.100.0/24
                    - <<: *common
                      subnet: 203.0.113.0/24
                      lease_time: 30m
                  plugins: [dns, lease_time]
                """, file: "lessor.yaml")
        let subnets = try #require(configuration.server4?.subnets)
        #expect(subnets.map(\.leaseTime) == [.seconds(7200), .seconds(1800)])
        #expect(subnets.map(\.dnsServers) == [[ip("192.0.2.53")], [ip("192.0.2.53")]])
    }

    @Test func pluginsWithoutArgumentsAcceptEmptyForms() throws {
        let configuration = try ConfigurationLoader.parse(
            yaml: """
                server4:
                  listen: [{address: 127.0.0.1}]
                  subnets: [{subnet: 192.0.2.0/24}]
                  plugins:
                    - router
                    - dns:
                    - mtu: {}
                """, file: "lessor.yaml")
        #expect(configuration.server4?.plugins.map(\.name) == [.router, .dns, .mtu])
    }
}
