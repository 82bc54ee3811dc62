import LessorControl

/// The `control:` section: the control socket's path, file mode and group, and who may watch
/// or manage leases through it. Absent: the socket is on at its default path.
extension ConfigurationParser {
    static let controlKeys = ["enabled", "socket", "mode", "group", "watch", "manage", "subscriber_buffer"]

    func control(_ located: YAMLValue) -> ControlServerConfiguration? {
        var control = ControlServerConfiguration()
        guard let map = located.mapping("the control socket settings (socket, mode, group, watch, manage)", keys: Self.controlKeys)
        else { return control }
        if let field = map.optional("socket"), let text = field.string("an absolute socket path like /run/lessor/control.sock") {
            let path = ConfigurationFiles.resolve(text, against: directory)
            if text.isEmpty || path.utf8.count >= 108 {
                field.invalid("an absolute socket path like /run/lessor/control.sock, shorter than 108 bytes")
            }
            control.socketPath = path
        }
        if let mode = map.optional("mode")?.scalar("file permission bits in octal, like \"0660\"", Self.octalMode) {
            control.mode = mode
        }
        if let group = map.optional("group")?.scalar("a group name or numeric gid", Self.accountName) {
            control.group = group
        }
        if let watch = map.optional("watch") { control.watch = accessList(watch) }
        if let manage = map.optional("manage") { control.manage = accessList(manage) }
        if let buffer = map.optional("subscriber_buffer")?.integer(16...1_000_000, as: Int.self) {
            control.subscriberBuffer = buffer
        }
        if let enabled = map.optional("enabled")?.bool(), !enabled {
            for key in map.keys where key != "enabled" {
                diagnostics.report(
                    .conflict, at: map.keyMark(key), path: located.path,
                    "\"\(key)\" has no effect with enabled: false; remove it or enable the socket")
            }
            return nil
        }
        return control
    }

    private func accessList(_ located: YAMLValue) -> ControlAccessList {
        var list = ControlAccessList()
        guard let map = located.mapping("users and groups, like {users: [alice], groups: [netops]}", keys: ["users", "groups"])
        else { return list }
        if let users = map.optional("users")?.items("a list of user names or numeric uids", single: true) {
            list.users = users.compactMap { $0.scalar("a user name or numeric uid", Self.accountName) }
        }
        if let groups = map.optional("groups")?.items("a list of group names or numeric gids", single: true) {
            list.groups = groups.compactMap { $0.scalar("a group name or numeric gid", Self.accountName) }
        }
        return list
    }

    /// "0660", "660" or "0o660": permission bits, at most 0777.
    static func octalMode(_ text: String) -> UInt32? {
        let digits = text.hasPrefix("0o") ? String(text.dropFirst(2)) : text
        guard (1...4).contains(digits.count), let value = UInt32(digits, radix: 8), value <= 0o777 else { return nil }
        return value
    }

    /// A user or group as /etc/passwd spells it (letters, digits, `_`, `-`, `.`, a trailing `$`),
    /// or a numeric id.
    static func accountName(_ text: String) -> String? {
        guard (1...32).contains(text.utf8.count), let first = text.unicodeScalars.first else { return nil }
        if text.utf8.allSatisfy({ (48...57).contains($0) }) { return UInt32(text) == nil ? nil : text }
        let allowed = { (c: Character) in c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == "-" || c == ".") }
        guard first == "_" || (first.properties.isAlphabetic && first.isASCII) else { return nil }
        let body = text.hasSuffix("$") ? String(text.dropLast()) : text
        return body.allSatisfy(allowed) ? text : nil
    }
}
