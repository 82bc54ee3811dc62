import DHCPServer
import DHCPWire

/// The problems `ConfigurationLoader.parse` reports for `yaml`, one `file:line:column: path: message`
/// string each; empty when the text is valid.
func configurationProblems(_ yaml: String, file: String = "lessor.yaml") -> [String] {
    do {
        _ = try ConfigurationLoader.parse(yaml: yaml, file: file)
        return []
    } catch {
        return error.problems.map(\.description)
    }
}

/// The same for a reservations file.
func reservationProblems(_ yaml: String, file: String = "static.yaml", subnets: [SubnetConfiguration]? = nil)
    -> [String]
{
    do {
        _ = try ReservationsFile.parse(yaml: yaml, file: file, subnets: subnets)
        return []
    } catch {
        return error.problems.map(\.description)
    }
}

func ip(_ text: String) -> IPv4Address { IPv4Address(text)! }
func net(_ text: String) -> IPv4Subnet { IPv4Subnet(text)! }
func pool(_ text: String) -> IPv4Range { IPv4Range(text)! }
