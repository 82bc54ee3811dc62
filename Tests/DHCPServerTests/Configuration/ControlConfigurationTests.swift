import DHCPServer
import LessorControl
import Testing

/// The `control:` section: defaults, every key, and mistakes reported at file:line:column.
@Suite("Configuration loader: control socket")
struct ControlConfigurationTests {
    static let server4 = """
        server4:
          listen: [{interface: eth0}]
          subnets: [{name: lan, subnet: 192.0.2.0/24, pools: [192.0.2.10-192.0.2.20]}]
          plugins: [range]
        """

    @Test func absentMeansOnAtTheDefaultPath() throws {
        let configuration = try ConfigurationLoader.parse(yaml: Self.server4, file: "/etc/lessor/lessor.yaml")
        #expect(configuration.control == ControlServerConfiguration())
        #expect(configuration.control?.socketPath == "/run/lessor/control.sock" && configuration.control?.mode == 0o660)
    }

    @Test func everyKeyIsRead() throws {
        let yaml = """
            control:
              socket: run/control.sock
              mode: "0600"
              group: "4242"
              watch: {users: [alice, "1001"], groups: [netops]}
              manage: {users: bob, groups: ["2002"]}
              subscriber_buffer: 64
            """ + "\n" + Self.server4
        let control = try #require(try ConfigurationLoader.parse(yaml: yaml, file: "/etc/lessor/lessor.yaml").control)
        #expect(control.socketPath == "/etc/lessor/run/control.sock", "relative to the configuration file")
        #expect(control.mode == 0o600 && control.group == "4242" && control.subscriberBuffer == 64)
        #expect(control.watch == ControlAccessList(users: ["alice", "1001"], groups: ["netops"]))
        #expect(control.manage == ControlAccessList(users: ["bob"], groups: ["2002"]))
    }

    @Test func enabledFalseTurnsItOff() throws {
        let yaml = "control: {enabled: false}\n" + Self.server4
        #expect(try ConfigurationLoader.parse(yaml: yaml, file: "lessor.yaml").control == nil)
    }

    @Test func mistakesNameLineColumnAndField() {
        let yaml = """
            control:
              mode: "0999"
              watch: {users: ["bad name"], group: [x]}
              subscriber_buffer: 2
              sokcet: /tmp/x
            """ + "\n" + Self.server4
        #expect(
            configurationProblems(yaml) == [
                #"lessor.yaml:2:9: control.mode: expected file permission bits in octal, like "0660", got "0999""#,
                #"lessor.yaml:3:19: control.watch.users[0]: expected a user name or numeric uid, got "bad name""#,
                #"lessor.yaml:3:32: control.watch: unknown key "group"; did you mean "groups"?"#,
                #"lessor.yaml:4:22: control.subscriber_buffer: expected an integer from 16 to 1000000, got "2""#,
                #"lessor.yaml:5:3: control: unknown key "sokcet"; did you mean "socket"?"#,
            ])
        #expect(
            configurationProblems("control: {enabled: false, mode: \"0600\"}\n" + Self.server4) == [
                #"lessor.yaml:1:27: control: "mode" has no effect with enabled: false; remove it or enable the socket"#
            ])
    }
}
