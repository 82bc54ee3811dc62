#if canImport(Glibc)
import Glibc
#endif

/// Who a control-socket peer is, from SO_PEERCRED, with its supplementary groups.
public struct PeerCredentials: Sendable, Equatable {
    public var uid: UInt32
    public var gid: UInt32
    public var pid: Int32
    /// The primary gid and every group the peer's user belongs to (getgrouplist).
    public var groups: Set<UInt32>

    public init(uid: UInt32, gid: UInt32, pid: Int32, groups: Set<UInt32>? = nil) {
        self.uid = uid
        self.gid = gid
        self.pid = pid
        self.groups = groups ?? UserDatabase.groups(ofUID: uid, primary: gid)
    }
}

/// What a peer may do on the control socket.
public enum ControlPermission: Int, Sendable, Comparable, CustomStringConvertible {
    case none = 0
    /// status, pools, leases, lease, subscribe.
    case watch = 1
    /// Also release and extend.
    case manage = 2

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .none: "nothing"
        case .watch: "watch"
        case .manage: "manage"
        }
    }

    /// Whether this permission allows `command`.
    public func allows(_ command: ControlCommand) -> Bool {
        switch command {
        case .status, .pools, .leases, .lease, .subscribe: self >= .watch
        case .release, .extend: self == .manage
        }
    }
}

/// Users and groups, by name or numeric id, as the configuration lists them.
public struct ControlAccessList: Sendable, Equatable {
    public var users: [String]
    public var groups: [String]

    public init(users: [String] = [], groups: [String] = []) {
        self.users = users
        self.groups = groups
    }

    public var isEmpty: Bool { users.isEmpty && groups.isEmpty }

    var summary: String {
        let parts = (users.isEmpty ? [] : ["users " + users.joined(separator: ", ")])
            + (groups.isEmpty ? [] : ["groups " + groups.joined(separator: ", ")])
        return parts.isEmpty ? "nobody else" : parts.joined(separator: "; ")
    }
}

/// The access rule of one control server: uid 0 and the server's own euid always manage;
/// `manage` lists who else may change leases, `watch` who may only look. Names are resolved
/// to ids when the policy is made (an unknown name is reported and matches nobody).
public struct ControlAccessPolicy: Sendable {
    public let watch: ControlAccessList
    public let manage: ControlAccessList
    let serverUID: UInt32
    private let watchUIDs: Set<UInt32>
    private let watchGIDs: Set<UInt32>
    private let manageUIDs: Set<UInt32>
    private let manageGIDs: Set<UInt32>
    /// Names that resolve to no user or group on this machine.
    public let unknownNames: [String]

    /// `serverUID` defaults to this process's effective uid.
    public init(watch: ControlAccessList, manage: ControlAccessList, serverUID: UInt32? = nil) {
        self.watch = watch
        self.manage = manage
        self.serverUID = serverUID ?? geteuid()
        var unknown: [String] = []
        func users(_ names: [String]) -> Set<UInt32> {
            Set(names.compactMap { name in
                let uid = UserDatabase.uid(named: name)
                if uid == nil { unknown.append("user \(name)") }
                return uid
            })
        }
        func groups(_ names: [String]) -> Set<UInt32> {
            Set(names.compactMap { name in
                let gid = UserDatabase.gid(named: name)
                if gid == nil { unknown.append("group \(name)") }
                return gid
            })
        }
        watchUIDs = users(watch.users)
        watchGIDs = groups(watch.groups)
        manageUIDs = users(manage.users)
        manageGIDs = groups(manage.groups)
        unknownNames = unknown
    }

    public func permission(for peer: PeerCredentials) -> ControlPermission {
        if peer.uid == 0 || peer.uid == serverUID { return .manage }
        if manageUIDs.contains(peer.uid) || !manageGIDs.isDisjoint(with: peer.groups) { return .manage }
        if watchUIDs.contains(peer.uid) || !watchGIDs.isDisjoint(with: peer.groups) { return .watch }
        return .none
    }

    /// The `forbidden` message for a peer refused `command` (or refused altogether).
    func refusal(_ peer: PeerCredentials, permission: ControlPermission, command: ControlCommand) -> ControlError {
        let who = "uid \(peer.uid)" + (UserDatabase.userName(ofUID: peer.uid).map { " (\($0))" } ?? "")
        let managers = ["root"] + (serverUID == 0 ? [] : ["uid \(serverUID) (the server's)"])
            + (manage.isEmpty ? [] : [manage.summary])
        let rule = "watch: \(watch.summary); manage: \(managers.joined(separator: ", "))"
        if permission == .none {
            return ControlError(
                .forbidden, "\(who) may not use this control socket (\(rule)); add it to control.watch or control.manage")
        }
        return ControlError(
            .forbidden, "\(who) may watch but not \(command.rawValue) (\(rule)); add it to control.manage to change leases")
    }
}

/// Lookups in the user and group databases (NSS), reentrant.
enum UserDatabase {
    static func uid(named name: String) -> UInt32? {
        if let id = UInt32(name) { return id }
        return withBuffer { buffer, size in
            var entry = passwd()
            var result: UnsafeMutablePointer<passwd>?
            let status = getpwnam_r(name, &entry, buffer, size, &result)
            return (status, result == nil ? nil : entry.pw_uid)
        }
    }

    static func gid(named name: String) -> UInt32? {
        if let id = UInt32(name) { return id }
        return withBuffer { buffer, size in
            var entry = group()
            var result: UnsafeMutablePointer<group>?
            let status = getgrnam_r(name, &entry, buffer, size, &result)
            return (status, result == nil ? nil : entry.gr_gid)
        }
    }

    static func userName(ofUID uid: UInt32) -> String? {
        withBuffer { buffer, size in
            var entry = passwd()
            var result: UnsafeMutablePointer<passwd>?
            let status = getpwuid_r(uid, &entry, buffer, size, &result)
            return (status, result == nil ? nil : entry.pw_name.map { String(cString: $0) })
        }
    }

    /// `primary` plus every group the user of `uid` is a member of (only `primary` when the
    /// uid has no passwd entry).
    static func groups(ofUID uid: UInt32, primary: UInt32) -> Set<UInt32> {
        guard let name = userName(ofUID: uid) else { return [primary] }
        var count: Int32 = 64
        for _ in 0..<4 {
            var list = [gid_t](repeating: 0, count: Int(count))
            let capacity = count
            if getgrouplist(name, primary, &list, &count) >= 0 {
                return Set(list.prefix(Int(count))).union([primary])
            }
            count = max(count, capacity * 4)
        }
        return [primary]
    }

    /// Runs a `*_r` lookup with a scratch buffer, growing it on ERANGE.
    private static func withBuffer<T>(_ body: (UnsafeMutablePointer<CChar>, Int) -> (Int32, T?)) -> T? {
        var size = 4096
        while size <= 1 << 20 {
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: size)
            defer { buffer.deallocate() }
            let (status, value) = body(buffer, size)
            if status == ERANGE {
                size *= 4
                continue
            }
            return status == 0 ? value : nil
        }
        return nil
    }
}
