import DHCPWire
import Foundation

/// Where a demo keeps its files: a given directory (kept) or a new temporary one (removed).
struct DemoDirectory {
    let root: String
    let temporary: Bool

    init(_ given: String?) throws {
        if let given {
            root = URL(fileURLWithPath: given).standardizedFileURL.path
            temporary = false
        } else {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("lessor-demo-\(getpid())").path
            temporary = true
        }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { (root as NSString).appendingPathComponent(name) }

    func removeIfTemporary() {
        if temporary { try? FileManager.default.removeItem(atPath: root) }
    }

    /// The demo server's configuration: one subnet per simulated site, selected by the relay's
    /// link-selection sub-option; short leases so renewals and expiry show within minutes.
    func writeConfiguration(server: IPv4Address, port: UInt16) throws -> String {
        var subnets = ""
        for site in DemoPopulation.sites {
            subnets += """
                    - name: \(site.name)
                      subnet: \(site.subnet)/\(site.prefix)
                      pools: [\(site.first)-\(site.last)]
                      lease_time: \(site.leaseTime)
                      server_id: \(server)
                      routers: [\(IPv4Address(site.subnet.rawValue + 1))]
                      dns_servers: [\(IPv4Address(site.subnet.rawValue + 2))]
                      domain_name: \(site.name).example.com

                """
        }
        let text = """
            # Written by `lessor demo`.
            log_level: info
            store:
              provider: sqlite
              path: leases.sqlite
              expired_hold: 2m
            control:
              socket: \(path("control.sock"))
            server4:
              listen: [{address: \(server)}]
              port: \(port)
              offer_hold: 10s
              decline_quarantine: 5m
              subnets:
            \(subnets)
              plugins: [server_id, netmask, router, dns, lease_time, range]

            """
        let file = path("lessor.yaml")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }
}
