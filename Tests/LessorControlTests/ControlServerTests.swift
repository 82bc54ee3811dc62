import DHCPWire
import Foundation
import LeaseStore
import LessorControl
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Control server: protocol, commands, socket file", .timeLimit(.minutes(2)))
struct ControlServerTests {
    @Test func malformedLinesAreAnsweredAndTheConnectionStays() async throws {
        try await ControlFixture.with { fixture in
            let socket = try RawControlSocket(path: fixture.socketPath)
            try socket.send("not json\n{\"id\":4,\"command\":\"bogus\"}\n{\"id\":5,\"command\":\"pools\",\"version\":99}\n")
            let garbage = try #require(try await socket.response())
            #expect(garbage.id == 0 && garbage.error?.code == .badRequest)
            let unknown = try #require(try await socket.response())
            #expect(unknown.id == 4 && unknown.error?.code == .badRequest, "the id of a bad request is echoed")
            let version = try #require(try await socket.response())
            #expect(version.id == 5 && version.error?.code == .badRequest)
            #expect(version.error?.message.contains("99") == true)
            try socket.send("{\"id\":7,\"command\":\"subscribe\",\"version\":99}\n")
            let refusedSubscription = try #require(try await socket.response())
            #expect(refusedSubscription.id == 7 && refusedSubscription.error?.code == .badRequest)
            try socket.send("{\"id\":6,\"command\":\"status\"}\r\n")
            let status = try #require(try await socket.response())
            #expect(status.id == 6 && status.ok && status.status?.store == "memory", "still answering, and no stream started")
        }
    }

    @Test func anOverlongLineIsRefusedAndTheConnectionClosed() async throws {
        try await ControlFixture.with { fixture in
            let socket = try RawControlSocket(path: fixture.socketPath)
            try socket.send(String(repeating: "x", count: ControlProtocol.maxLineBytes + 10))
            let refusal = try #require(try await socket.response())
            #expect(!refusal.ok && refusal.error?.code == .badRequest)
            #expect(try await socket.readLine() == nil, "the server closes the connection")
        }
    }

    @Test func statusAndPoolsDescribeTheServerAndItsPool() async throws {
        try await ControlFixture.with { fixture in
            let client = try await fixture.client()
            let status = try #require(try await client.request(ControlRequest(id: 0, command: .status)).status)
            #expect(status.server == "test" && status.store == "memory" && status.storeHealthy)
            #expect(status.protocolVersion == ControlProtocol.version)

            try await fixture.lease(ControlFixture.client(1))
            #expect(try await eventually { try await client.request(ControlRequest(id: 0, command: .pools)).pools?.first?.active == 1 })
            let pool = try #require(try await client.request(ControlRequest(id: 0, command: .pools)).pools?.first)
            #expect(pool == PoolStats(
                name: "lab", subnet: "192.0.2.0/24", range: "-", size: 1, active: 1, offered: 0, declined: 0, held: 0, free: 0,
                leaseTime: 600))
            await client.close()
        }
    }

    @Test func leasesArePagedWithACursorAndFiltered() async throws {
        try await ControlFixture.with { fixture in
            for last in UInt8(1)...5 {
                _ = try await fixture.store.transact(ControlFixture.client(last), writer: "test") { tx in
                    tx.leases = [Lease.v4(
                        IPv4Address(198, 51, 100, last), state: last == 5 ? .declined : .active,
                        expiresAt: fixture.clock.now().addingTimeInterval(600), owner: "test", pool: "other")]
                }
            }
            let client = try await fixture.client()
            var seen: [String] = []
            var after: String?
            var pages = 0
            repeat {
                let page = try await client.request(ControlRequest(id: 0, command: .leases, state: .active, after: after, limit: 2))
                #expect(page.ok)
                seen += (page.leases ?? []).map(\.client.description)
                after = page.next
                pages += 1
            } while after != nil && pages < 10
            #expect(seen == (UInt8(1)...4).map { ControlFixture.client($0).description })
            let bad = try await client.request(ControlRequest(id: 0, command: .leases, after: "zz"))
            #expect(bad.error?.code == .badRequest)
            let byAddress = try await client.request(ControlRequest(id: 0, command: .lease, address: "198.51.100.5"))
            #expect(byAddress.leases?.map(\.client) == [ControlFixture.client(5)])
            let nobody = try await client.request(ControlRequest(id: 0, command: .lease, address: "198.51.100.99"))
            #expect(nobody.error?.code == .notFound)
            await client.close()
        }
    }

    @Test func aStaleSocketIsReplacedALiveOneRefusedAndTheFileRemovedOnStop() async throws {
        var socketPath = ""
        try await ControlFixture.with { fixture in
            socketPath = fixture.socketPath
            var info = stat()
            #expect(stat(socketPath, &info) == 0 && info.st_mode & 0o777 == 0o660)
            // A second server on the same path is refused while the first listens.
            await #expect(throws: ControlServerError.self) {
                _ = try await ControlServer.start(
                    ControlServerConfiguration(socketPath: socketPath), store: fixture.store,
                    backend: TestBackend(allocator: fixture.allocator, leaseTime: 600))
            }
        }
        #expect(access(socketPath, F_OK) != 0, "stop removes the socket file")

        // A socket file nobody listens on (a crashed server's) is replaced.
        let directory = (socketPath as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent) }
        let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        let bound = RawControlSocket.withAddress(socketPath) { bind(stale, $0, $1) }
        close(stale)
        #expect(bound == 0)
        let store = MemoryLeaseStore()
        let server = try await ControlServer.start(
            ControlServerConfiguration(socketPath: socketPath), store: store,
            backend: TestBackend(allocator: .init(owner: "range", store: store, pools: []), leaseTime: 600))
        let client = try await ControlClient.connect(path: socketPath)
        #expect(try await client.request(ControlRequest(id: 0, command: .status)).ok)
        await client.close()
        await server.stop()
    }

    @Test func concurrentRequestsOnOneClientEachGetTheirOwnAnswer() async throws {
        try await ControlFixture.with { fixture in
            let lease = try await fixture.lease(ControlFixture.client(1))
            let client = try await fixture.client()
            let answers = try await withThrowingTaskGroup(of: ControlResponse.self) { group in
                for index in 0..<30 {
                    group.addTask {
                        switch index % 3 {
                        case 0: try await client.request(ControlRequest(id: 0, command: .status))
                        case 1: try await client.request(ControlRequest(id: 0, command: .lease, client: "02:00:00:00:00:01"))
                        default: try await client.request(ControlRequest(id: 0, command: .lease, client: "hw:1:02:00:00:00:00:99"))
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(answers.map(\.id)).count == 30, "every request under its own id")
            #expect(answers.filter { $0.status != nil }.count == 10)
            #expect(answers.filter { $0.leases?.first?.lease == lease }.count == 10, "a bare MAC names a hw client")
            #expect(answers.filter { $0.error?.code == .notFound }.count == 10)
            await client.close()
        }
    }

    @Test func anUnknownSocketGroupStopsTheStartWithAClearErrorAndNoSocketLeft() async throws {
        let directory = "/tmp/lessor-control-group-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = MemoryLeaseStore()
        do {
            _ = try await ControlServer.start(
                ControlServerConfiguration(socketPath: directory + "/control.sock", group: "no-such-group-here"), store: store,
                backend: TestBackend(allocator: .init(owner: "range", store: store, pools: []), leaseTime: 600))
            Issue.record("started with an unknown group")
        } catch let error as ControlServerError {
            #expect(error.description.contains("no group named 'no-such-group-here'"), "\(error)")
        }
        #expect(access(directory + "/control.sock", F_OK) != 0)
    }

    @Test func theClientSaysWhenNoServerIsThere() async throws {
        await #expect(throws: ControlClientError(.noServer, "")) {
            _ = try await ControlClient.connect(path: "/tmp/lessor-no-such-dir/control.sock")
        }
        do {
            _ = try await ControlClient.connect(path: "/tmp/lessor-no-such-dir/control.sock")
        } catch let error as ControlClientError {
            #expect(error.message == "is lessor serve running? no socket at /tmp/lessor-no-such-dir/control.sock")
        }
    }
}
