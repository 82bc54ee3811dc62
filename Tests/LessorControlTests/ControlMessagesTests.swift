import LeaseStore
import LessorControl
import Testing

@Suite("Control protocol messages")
struct ControlMessagesTests {
    @Test func aRequestIsOneLineAndComesBackEqual() throws {
        let request = ControlRequest(id: 7, command: .release, client: "hw:02:00:00:00:00:01", kind: .v4, iaid: 0, leaseVersion: 42)
        let line = try request.encodedLine()
        #expect(line.last == UInt8(ascii: "\n"))
        #expect(!line.dropLast().contains(UInt8(ascii: "\n")))
        #expect(try ControlCoding.decode(ControlRequest.self, from: line.dropLast()) == request)
    }
}
