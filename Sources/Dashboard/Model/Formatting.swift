public import Foundation

/// Text forms the dashboard shows for times and durations. Pure: every function takes `now`.
public enum DashboardFormat {
    /// Time left until `date`: `2d04h`, `3h12m` over an hour, `mm:ss` under, `expired` past.
    public static func countdown(to date: Date, now: Date) -> String {
        let seconds = Int((date.timeIntervalSince(now)).rounded(.down))
        if seconds < 0 { return "expired" }
        return coarse(seconds) ?? String(format: "%02d:%02d", seconds / 60, seconds % 60)
    }

    /// How long ago `date` was: `12s`, `5m`, `3h12m`, `2d04h` (`0s` for the future).
    public static func age(of date: Date, now: Date) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date).rounded(.down)))
        if seconds < 60 { return "\(seconds)s" }
        return coarse(seconds) ?? "\(seconds / 60)m"
    }

    /// A pool size as an operator reads it: exact up to a million, then a power of two when it is
    /// one (an IPv6 /64 pool is `2^64`), else with a unit (`1.5M`, `4.3G`, `1.8E`).
    public static func poolSize(_ size: UInt64) -> String {
        if size < 1_000_000 { return "\(size)" }
        if size == UInt64.max || size.nonzeroBitCount == 1 {
            return "2^\(size == UInt64.max ? 64 : size.trailingZeroBitCount)"
        }
        var value = Double(size)
        var unit = ""
        for next in ["K", "M", "G", "T", "P", "E"] where value >= 1000 {
            value /= 1000
            unit = next
        }
        return String(format: value < 10 ? "%.1f%@" : "%.0f%@", value, unit)
    }

    /// A pool's used share: whole percents, but never "0%" for a pool that has something in use
    /// (a few hundred leases in a /64 are "<0.01%").
    public static func usedShare(_ percent: Double, anyUsed: Bool) -> String {
        if percent >= 1 || !anyUsed { return String(format: "%.0f%%", percent) }
        if percent >= 0.01 { return String(format: "%.2f%%", percent) }
        return "<0.01%"
    }

    /// A length of time as an operator writes it: `45s`, `30m`, `1h`, `1h30m`, `2d`.
    public static func duration(_ seconds: Int) -> String {
        var rest = max(0, seconds)
        var text = ""
        for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60)] where rest >= size {
            text += "\(rest / size)\(unit)"
            rest %= size
        }
        if rest > 0 || text.isEmpty { text += "\(rest)s" }
        return text
    }

    /// Parses an operator's duration: `3600`, `90s`, `30m`, `1h`, `1h30m`, `2d`. Nil for anything
    /// else, for zero, and for more than 10 years.
    public static func parseDuration(_ text: String) -> Int? {
        let text = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !text.isEmpty else { return nil }
        if let plain = Int(text) { return (1...315_360_000).contains(plain) ? plain : nil }
        var total = 0
        var number = ""
        for character in text {
            if character.isASCII, character.isNumber {
                number.append(character)
                continue
            }
            let unit: Int
            switch character {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3_600
            case "d": unit = 86_400
            case "w": unit = 604_800
            default: return nil
            }
            guard let value = Int(number), value <= 315_360_000 else { return nil }
            total += value * unit
            number = ""
        }
        guard number.isEmpty, (1...315_360_000).contains(total) else { return nil }
        return total
    }

    /// A UTC timestamp for the detail view (`2026-11-25 14:03:00Z`).
    public static func timestamp(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let (year, month, day) = civil(fromDays: days)
        let inDay = seconds - days * 86_400
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02dZ", year, month, day, inDay / 3_600, inDay / 60 % 60, inDay % 60)
    }

    /// `3h12m` / `2d04h` for an hour or more, nil below.
    private static func coarse(_ seconds: Int) -> String? {
        if seconds >= 86_400 { return String(format: "%dd%02dh", seconds / 86_400, seconds / 3_600 % 24) }
        if seconds >= 3_600 { return String(format: "%dh%02dm", seconds / 3_600, seconds / 60 % 60) }
        return nil
    }

    /// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm), so the
    /// detail view needs no calendar or time zone.
    private static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
