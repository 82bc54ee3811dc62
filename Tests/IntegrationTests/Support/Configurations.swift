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
