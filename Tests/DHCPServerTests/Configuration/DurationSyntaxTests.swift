import Testing

@testable import DHCPServer

@Suite("Configuration durations")
struct DurationSyntaxTests {
    @Test(arguments: [
        ("30s", Duration.seconds(30)), ("10m", .seconds(600)), ("1h", .seconds(3600)), ("1d", .seconds(86_400)),
        ("250ms", .milliseconds(250)), ("600", .seconds(600)), ("0", .zero), ("1h30m", .seconds(5400)),
        ("1d12h", .seconds(129_600)), ("2m30s500ms", .milliseconds(150_500)), (" 45s ", .seconds(45)),
    ])
    func acceptedForms(text: String, expected: Duration) {
        #expect(ValueSyntax.duration(text) == expected)
    }

    @Test(arguments: [
        "", "s", "10", "1.5h", "-5s", "10 minutes", "5x", "30m1h", "1h1h", "1hh", "99999999999999999999d", "1e3",
    ])
    func rejectedForms(text: String) {
        // "10" is plain seconds and accepted; everything else here is malformed.
        if text == "10" {
            #expect(ValueSyntax.duration(text) == .seconds(10))
        } else {
            #expect(ValueSyntax.duration(text) == nil)
        }
    }

    @Test func leaseTimesMustBeWholeSecondsWithinDHCPsRange() {
        func lease(_ value: String) -> [String] {
            configurationProblems(
                """
                server4:
                  listen: [{interface: eth0}]
                  subnets: [{subnet: 192.0.2.0/24, lease_time: \(value)}]
                  plugins: [lease_time]
                """)
        }
        #expect(lease("1h").isEmpty)
        #expect(lease("4294967294").isEmpty)
        #expect(
            lease("1500ms") == [
                #"lessor.yaml:3:48: server4.subnets[0].lease_time: expected whole seconds (DHCP carries lease times in seconds), got "1500ms""#
            ])
        #expect(
            lease("4294967295") == [
                #"lessor.yaml:3:48: server4.subnets[0].lease_time: expected a duration of at most 4294967294s (about 136 years), got "4294967295""#
            ])
        #expect(
            lease("0") == [
                #"lessor.yaml:3:48: server4.subnets[0].lease_time: expected a duration of at least 1s, got "0""#
            ])
    }

    @Test func durationsPrintCompactly() {
        #expect(Duration.seconds(3600).configurationText == "1h")
        #expect(Duration.seconds(90).configurationText == "90s")
        #expect(Duration.milliseconds(250).configurationText == "250ms")
        #expect(Duration.seconds(86_400 * 2).configurationText == "2d")
        #expect(Duration.zero.configurationText == "0s")
    }

    @Test func didYouMeanOnlySuggestsCloseWords() {
        let keys = ConfigurationParser.subnetKeys
        #expect(KeySuggestion.closest(to: "pool", in: keys) == "pools")
        #expect(KeySuggestion.closest(to: "leaseTime", in: keys) == "lease_time")
        #expect(KeySuggestion.closest(to: "rebniding_time", in: keys) == "rebinding_time")
        #expect(KeySuggestion.closest(to: "ntp", in: keys) == "ntp_servers")
        #expect(KeySuggestion.closest(to: "gateway", in: keys) == nil)
    }
}
