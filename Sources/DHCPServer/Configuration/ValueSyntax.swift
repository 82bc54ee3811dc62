import DHCPWire
import Foundation

/// The text forms configuration values are written in, as plain functions (nil when malformed), so the
/// loader, the reservations file and the tests share one definition.
enum ValueSyntax {
    /// "What a duration looks like", for messages.
    static let durationExample = "a duration like 30s, 10m, 1h, 1d, 250ms or plain seconds"

    /// `30s`, `10m`, `1h`, `1d`, `250ms`, combinations from the largest unit down (`1h30m`), or a
    /// plain number of seconds (`600`).
    static func duration(_ text: String) -> Duration? {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return nil }
        if text.allSatisfy(\.isASCIIDigit) {
            guard let seconds = Int64(text), seconds <= Int64.max / 1000 else { return nil }
            return .seconds(seconds)
        }
        let units: [(suffix: String, milliseconds: Int64)] = [
            ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1),
        ]
        var rest = Substring(text)
        var total: Int64 = 0
        var previousRank = -1
        while !rest.isEmpty {
            let digits = rest.prefix(while: \.isASCIIDigit)
            guard !digits.isEmpty, let count = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let suffix = rest.prefix(while: \.isLetter)
            rest = rest.dropFirst(suffix.count)
            guard let rank = units.firstIndex(where: { $0.suffix == suffix }), rank > previousRank else { return nil }
            previousRank = rank
            let (part, overflow) = count.multipliedReportingOverflow(by: units[rank].milliseconds)
            guard !overflow else { return nil }
            let (sum, overflowSum) = total.addingReportingOverflow(part)
            guard !overflowSum else { return nil }
            total = sum
        }
        return .milliseconds(total)
    }

    /// Decimal, or hexadecimal with `0x`.
    static func integer<T: FixedWidthInteger>(_ text: String, as type: T.Type = T.self) -> T? {
        let text = text.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("0x") || text.hasPrefix("0X") { return T(text.dropFirst(2), radix: 16) }
        guard text.first?.isASCIIDigit == true || (text.first == "-" && text.count > 1) else { return nil }
        return T(text)
    }

    /// `true`/`false`, also `yes`/`no` and `on`/`off`, in any case.
    static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "on": true
        case "false", "no", "off": false
        default: nil
        }
    }

    /// Parses "a.b.c.d/len"; `hostBits` reports text like "192.0.2.5/24" whose address is not the network's.
    static func subnet(_ text: String) -> (subnet: IPv4Subnet, hostBitsSet: Bool)? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(parts[0]), parts[1].allSatisfy(\.isASCIIDigit),
            let length = Int(parts[1]), let subnet = IPv4Subnet(address: address, prefixLength: length)
        else { return nil }
        return (subnet, subnet.network != address)
    }

    /// Parses "first-last" (spaces around the dash allowed); `reversed` when both parse but first > last.
    static func range(_ text: String) -> (range: IPv4Range?, reversed: Bool)? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2,
            let first = IPv4Address(parts[0].trimmingCharacters(in: .whitespaces)),
            let last = IPv4Address(parts[1].trimmingCharacters(in: .whitespaces))
        else { return nil }
        guard let range = IPv4Range(first: first, last: last) else { return (nil, true) }
        return (range, false)
    }

    /// A network interface name as Linux accepts it: 1–15 bytes, no `/`, `:` or whitespace.
    static func interfaceName(_ text: String) -> String? {
        guard (1...15).contains(text.utf8.count), text != ".", text != "..",
            !text.contains(where: { $0 == "/" || $0 == ":" || $0.isWhitespace || !$0.isASCII })
        else { return nil }
        return text
    }

    /// A DNS name in presentation form ("example.com"), letters, digits, `-` and `_` in each label.
    static func domainName(_ text: String) -> DomainName? {
        guard isHostnameLike(text, allowUnderscore: true, allowTrailingDot: true) else { return nil }
        return DomainName(text)
    }

    /// A host name (one label or a fully qualified name): letters, digits and inner `-`.
    static func hostname(_ text: String) -> String? {
        guard isHostnameLike(text, allowUnderscore: false, allowTrailingDot: false), DomainName(text) != nil else {
            return nil
        }
        return text
    }

    private static func isHostnameLike(_ text: String, allowUnderscore: Bool, allowTrailingDot: Bool) -> Bool {
        var labels = text.split(separator: ".", omittingEmptySubsequences: false)
        if allowTrailingDot, labels.count > 1, labels.last?.isEmpty == true { labels.removeLast() }
        return !labels.isEmpty
            && labels.allSatisfy { label in
                (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                    && label.allSatisfy {
                        $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || (allowUnderscore && $0 == "_"))
                    }
            }
    }

    /// Hex bytes: "01aabb", "01:aa:bb", "01-aa-bb" or with spaces.
    static func hex(_ text: String) -> [UInt8]? {
        [UInt8](hex: text)
    }

    /// A name for logs and the command line: letters, digits and `-_./:`.
    static func name(_ text: String) -> String? {
        guard !text.isEmpty, text.count <= 64,
            text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_./:".contains($0)) })
        else { return nil }
        return text
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

extension Duration {
    /// The duration as whole seconds, nil when it has a fractional part.
    var wholeSeconds: Int64? {
        let (seconds, attoseconds) = components
        return attoseconds == 0 ? seconds : nil
    }

    /// Short text for messages: "1h", "250ms", "90s".
    var configurationText: String {
        let (seconds, attoseconds) = components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if milliseconds % 1000 != 0 { return "\(milliseconds)ms" }
        for (unit, size) in [("d", Int64(86_400)), ("h", 3600), ("m", 60)] where seconds % size == 0 && seconds > 0 {
            return "\(seconds / size)\(unit)"
        }
        return "\(seconds)s"
    }
}

/// File access for the loaders: reading text with a reason on failure, resolving relative paths.
enum ConfigurationFiles {
    /// The file's text, or a problem saying why it could not be read.
    static func read(_ path: String) throws(ConfigurationError) -> String {
        func fail(_ message: String) -> ConfigurationError {
            ConfigurationError(.init(kind: .unreadable, file: path, line: nil, column: nil, path: "", message: message))
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw fail("cannot read the file: it does not exist")
        }
        guard !isDirectory.boolValue else { throw fail("cannot read the file: it is a directory") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw fail("cannot read the file: permission denied or I/O error")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw fail("cannot read the file: it is not UTF-8 text")
        }
        return text
    }

    /// The directory relative paths in `file` are resolved against, made absolute.
    static func directory(of file: String) -> String {
        let url = URL(fileURLWithPath: file).standardizedFileURL
        return url.deletingLastPathComponent().path
    }

    /// `path` if absolute, otherwise `path` inside `directory`.
    static func resolve(_ path: String, against directory: String) -> String {
        guard !path.hasPrefix("/") else { return path }
        return URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: directory, isDirectory: true))
            .standardizedFileURL.path
    }
}
