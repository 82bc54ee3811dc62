/// The server configuration most tests use: one bridged link `br0`, 192.0.2.0/24, the server
/// at 192.0.2.1, a SQLite store in the test's directory. Tests vary the pool, the subnet's
/// timing, extra server4 settings and the plugin chain, and spell out only that.
func lanConfiguration(
    pool: String = "192.0.2.100-192.0.2.149", subnet extraSubnetLines: [String] = ["lease_time: 1h"],
    server4 extraServerLines: [String] = [], plugins: String = "[server_id, netmask, lease_time, range]"
) -> String {
    let server = extraServerLines.map { "  " + $0 + "\n" }.joined()
    let subnet = extraSubnetLines.map { "      " + $0 + "\n" }.joined()
    return """
        log_level: debug
        store:
          provider: sqlite
          path: leases.sqlite
        server4:
          listen:
            - interface: br0
          identity: client-id
          offer_hold: 10s
        \(server)  subnets:
            - name: lan
              subnet: 192.0.2.0/24
              interface: br0
              pools: [\(pool)]
              server_id: 192.0.2.1
        \(subnet)  plugins: \(plugins)

        """
}

/// A DHCPv6 server that relays reach: listening on 2001:db8:2::1 (the server end of `Lab.veth`),
/// a SQLite store, one subnet per (name, prefix, IA_NA pool), plugins for IA_NA only.
func relayedV6Configuration(subnets: [(name: String, prefix: String, pool: String)]) -> String {
    let list = subnets.map { "    - name: \($0.name)\n      prefix: \($0.prefix)\n      pools: [\"\($0.pool)\"]\n" }.joined()
    return """
        log_level: info
        store:
          provider: sqlite
          path: leases.sqlite
        server6:
          listen:
            - address: 2001:db8:2::1
          subnets:
        \(list)  plugins: [server_id, lease_time, range6]

        """
}
