import Foundation
import LessorControl
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Control socket access", .timeLimit(.minutes(2)))
struct AccessTests {
    @Test func rootAndTheServersUserManageListedUsersAndGroupsAsConfigured() {
        let policy = ControlAccessPolicy(
            watch: ControlAccessList(users: ["1001"], groups: ["2001"]),
            manage: ControlAccessList(users: ["1002"], groups: ["2002"]), serverUID: 999)
        func permission(_ uid: UInt32, groups: Set<UInt32> = []) -> ControlPermission {
            policy.permission(for: PeerCredentials(uid: uid, gid: 5000, pid: 1, groups: groups.union([5000])))
        }
        #expect(permission(0) == .manage)
        #expect(permission(999) == .manage)
        #expect(permission(1002) == .manage)
        #expect(permission(1234, groups: [2002]) == .manage, "a supplementary group counts")
        #expect(permission(1001) == .watch)
        #expect(permission(1234, groups: [2001]) == .watch)
        #expect(permission(1234) == ControlPermission.none)
        #expect(ControlPermission.watch.allows(.subscribe) && !ControlPermission.watch.allows(.release))
        #expect(ControlPermission.manage.allows(.extend) && !ControlPermission.none.allows(.status))
        #expect(ControlAccessPolicy(watch: ControlAccessList(users: ["no-such-user-here"]), manage: ControlAccessList())
            .unknownNames == ["user no-such-user-here"])
    }

    // MARK: Real peers: the `lessor` binary run as another uid with setpriv

    static let notRoot: String? = getuid() == 0 ? nil : "needs root to run `lessor ctl` as other uids with setpriv"
    static var lessor: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("lessor").path
    }

    /// Runs `lessor ctl ARGS --socket PATH` as `uid` (no supplementary groups); returns its exit
    /// status, stdout and stderr.
    static func ctl(as uid: UInt32, _ arguments: [String], socket: String, scratch: String) async throws -> (Int32, String, String) {
        let out = scratch + "/ctl-\(uid).out", err = scratch + "/ctl-\(uid).err"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        _ = FileManager.default.createFile(atPath: err, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", lessor, "ctl"] + arguments + ["--socket", socket]
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        return (status, try String(contentsOfFile: out, encoding: .utf8), try String(contentsOfFile: err, encoding: .utf8))
    }

    @Test(.enabled(if: notRoot == nil, Comment(rawValue: notRoot ?? "")))
    func anUnlistedUIDIsForbiddenByName() async throws {
        try await ControlFixture.with(socketMode: 0o666) { fixture in
            let (status, output, errors) = try await Self.ctl(as: 65533, ["status"], socket: fixture.socketPath, scratch: fixture.directory)
            #expect(status == 1, "\(output)\(errors)")
            #expect(output.contains("\"forbidden\""), "\(output)")
            #expect(errors.contains("uid 65533 may not use this control socket"), "\(errors)")
        }
    }

    @Test(.enabled(if: notRoot == nil, Comment(rawValue: notRoot ?? "")))
    func aWatcherMayLookButNotRelease() async throws {
        try await ControlFixture.with(socketMode: 0o666, watch: ControlAccessList(users: ["65534"])) { fixture in
            let lease = try await fixture.lease(ControlFixture.client(1))
            let socket = fixture.socketPath
            let (status, output, _) = try await Self.ctl(as: 65534, ["lease", "192.0.2.10"], socket: socket, scratch: fixture.directory)
            #expect(status == 0 && output.contains("\"ok\":true"), "\(output)")
            let (refused, _, errors) = try await Self.ctl(
                as: 65534, ["release", ControlFixture.client(1).description, "--lease-version", "\(lease.version)"], socket: socket,
                scratch: fixture.directory)
            #expect(refused == 1)
            #expect(errors.contains("forbidden") && errors.contains("uid 65534") && errors.contains("may watch but not release"), "\(errors)")
            let stored = await fixture.store.read(ControlFixture.client(1))
            #expect(stored == [lease], "the lease is untouched")
        }
    }

    @Test(.enabled(if: notRoot == nil, Comment(rawValue: notRoot ?? "")))
    func theSocketModeKeepsOthersOut() async throws {
        try await ControlFixture.with(socketMode: 0o660) { fixture in
            let (status, _, errors) = try await Self.ctl(as: 65533, ["status"], socket: fixture.socketPath, scratch: fixture.directory)
            #expect(status == 2)
            #expect(errors.contains("permission denied on \(fixture.socketPath)"), "\(errors)")
        }
    }
}
