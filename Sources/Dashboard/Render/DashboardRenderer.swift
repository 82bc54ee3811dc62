public import Foundation
import LeaseStore
import LessorControl

/// Turns a `DashboardState` into a `CellGrid`. Deterministic: the same state, size, `now` and
/// `unicode` give the same grid (no clock, no locale, no terminal inside).
public enum DashboardRenderer {
    public static func render(_ state: DashboardState, size: (width: Int, height: Int), now: Date, unicode: Bool) -> CellGrid {
        var state = state
        // A copy-on-write copy: costs only when the caller did not refresh the rows this frame.
        if !state.rowsAreCurrent { state.refreshRows() }
        let layout = DashboardLayout(width: size.width, height: size.height, poolCount: state.pools.count)
        var painter = Painter(width: size.width, height: size.height, unicode: unicode)
        if layout.isTooSmall {
            tooSmall(&painter)
            return painter.grid
        }
        var frame = Frame(state: state, layout: layout, now: now, painter: painter)
        frame.draw()
        return frame.painter.grid
    }

    private static func tooSmall(_ painter: inout Painter) {
        let lines: [(String, ColorRole)] = [
            ("terminal too small", .error),
            ("need at least \(DashboardLayout.minimumWidth)×\(DashboardLayout.minimumHeight),", .normal),
            ("now \(painter.width)×\(painter.height)", .normal),
            ("(q quits)", .dim),
        ]
        let top = max(0, (painter.height - lines.count) / 2)
        for (offset, (text, role)) in lines.enumerated() {
            let x = max(0, (painter.width - text.count) / 2)
            painter.text(text, x: x, y: top + offset, role: role)
        }
    }
}

extension DashboardState {
    /// One frame as the terminal loop draws it: records the size (for page moves), brings the
    /// rows up to date (the once-per-frame sort or merge), renders.
    public mutating func renderFrame(width: Int, height: Int, now: Date, unicode: Bool) -> CellGrid {
        screenWidth = width
        screenHeight = height
        refreshRows()
        return DashboardRenderer.render(self, size: (width, height), now: now, unicode: unicode)
    }
}

/// One frame being drawn.
private struct Frame {
    let state: DashboardState
    let layout: DashboardLayout
    let now: Date
    var painter: Painter

    var width: Int { layout.width }
    var unicode: Bool { painter.unicode }

    mutating func draw() {
        header()
        poolsPanel()
        leasesTable()
        eventPane()
        footer()
        switch state.mode {
        case .table, .filterInput: break
        case .help:
            clearBody()
            helpOverlay()
        case .detail:
            clearBody()
            detailOverlay()
        case .confirm(let action): confirmOverlay(action)
        case .prompt(let prompt): promptOverlay(prompt)
        }
    }

    /// Blanks everything between the header line and the footer, under full-screen overlays.
    mutating func clearBody() {
        for y in 1..<layout.footerTop { painter.fill(y: y, role: .normal) }
    }

    // MARK: Header

    mutating func header() {
        painter.fill(y: 0, role: .header)
        var x = painter.text(" lessor top", x: 0, y: 0, role: .header)
        if let status = state.status {
            x = painter.text("  \(status.server) \(status.version) · store \(status.store) ", x: x, y: 0, role: .header)
            let health = status.storeHealthy ? "ok" : "DEGRADED" + (status.storeDetail.map { ": \($0)" } ?? "")
            x = painter.text(health, x: x, y: 0, role: status.storeHealthy ? .ok : .critical)
            painter.text(" · up \(DashboardFormat.age(of: status.startedAt, now: now))", x: x, y: 0, role: .header)
        } else {
            painter.text("  waiting for the server…", x: x, y: 0, role: .header)
        }
        if state.paused {
            let text = " PAUSED (\(state.buffered.count) waiting) "
            painter.text(text, x: width - text.count, y: 0, role: .warn)
        }

        let history = state.rateHistory(now: now, minutes: width >= 120 ? DashboardState.rateHistoryMinutes : 15)
        x = painter.text(" leases/min ", x: 0, y: 1, role: .dim)
        x = painter.text(sparkline(history), x: x, y: 1, role: .ok)
        x = painter.text(" \(history.last ?? 0)/min  ", x: x, y: 1, role: .normal)
        x = painter.text("\(state.leases.count) leases:", x: x, y: 1, role: .normal)
        let wide = width >= 120
        for (lease, label, role) in [
            (LeaseState.active, "act", ColorRole.active), (.offered, "off", .offered), (.released, "rel", .released),
            (.declined, "dec", .declined), (.expired, "exp", .expired),
        ] {
            x = painter.text(" \(state.stateCounts[lease] ?? 0)", x: x, y: 1, role: role)
            x = painter.text(" \(wide ? lease.description : label)", x: x, y: 1, role: .dim)
        }
    }

    func sparkline(_ values: [Int]) -> String {
        let levels: [Character] = unicode ? ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"] : ["_", ".", "-", "=", "#"]
        let top = values.max() ?? 0
        return String(values.map { value -> Character in
            guard value > 0, top > 0 else { return levels[0] }
            // 1…top onto levels 1…last, so any activity shows above the floor.
            let step = (value * (levels.count - 1) + top - 1) / top
            return levels[min(levels.count - 1, max(1, step))]
        })
    }

    // MARK: Pools

    mutating func poolsPanel() {
        painter.rule(y: layout.poolsTop, title: "Pools", detail: "\(state.pools.count)")
        let y0 = layout.poolsTop + 1
        guard !state.pools.isEmpty else {
            painter.text(" no pools reported", x: 0, y: y0, role: .dim)
            return
        }
        let overflow = state.pools.count > layout.poolLines
        let shown = overflow ? layout.poolLines - 1 : state.pools.count
        let nameWidth = min(16, max(6, state.pools.prefix(shown).map(\.name.count).max() ?? 6))
        let barWidth = width >= 120 ? 30 : 16
        for (offset, pool) in state.pools.prefix(shown).enumerated() {
            poolLine(pool, y: y0 + offset, nameWidth: nameWidth, barWidth: barWidth)
        }
        if overflow {
            painter.text(" +\(state.pools.count - shown) more pools", x: 0, y: y0 + shown, role: .dim)
        }
    }

    mutating func poolLine(_ pool: PoolStats, y: Int, nameWidth: Int, barWidth: Int) {
        let level = state.thresholds.level(of: pool)
        let levelRole: ColorRole = level == .critical ? .critical : level == .warn ? .warn : .ok
        var x = painter.text(" " + painter.fit(pool.name, nameWidth) + " ", x: 0, y: y, role: .normal)
        let percent = PoolThresholds.usedPercent(pool)
        let used = Int((percent * Double(barWidth) / 100).rounded())
        let usedCharacter = unicode ? "█" : "#"
        let freeCharacter = unicode ? "░" : "-"
        x = painter.text(String(repeating: usedCharacter, count: used), x: x, y: y, role: level == .ok ? .barUsed : levelRole)
        x = painter.text(String(repeating: freeCharacter, count: barWidth - used), x: x, y: y, role: .barFree)
        let inUse = pool.size - min(pool.free, pool.size)
        let share = DashboardFormat.usedShare(percent, anyUsed: inUse > 0)
        x = painter.text(painter.fit(share, max(5, share.count + 1), alignRight: true), x: x, y: y, role: levelRole)
        for (label, value, role) in [
            ("act", pool.active, ColorRole.active), ("off", pool.offered, .offered), ("dec", pool.declined, .declined),
            ("held", pool.held, .released),
        ] {
            x = painter.text("  \(label) ", x: x, y: y, role: .dim)
            x = painter.text("\(value)", x: x, y: y, role: role)
        }
        if pool.size >= 1 << 24 {
            // Huge (IPv6) pools: what is assigned, and of how much; a free count of 2^64 says nothing.
            x = painter.text("  of ", x: x, y: y, role: .dim)
            x = painter.text(DashboardFormat.poolSize(pool.size), x: x, y: y, role: .dim)
        } else {
            x = painter.text("  free ", x: x, y: y, role: .dim)
            x = painter.text("\(pool.free)", x: x, y: y, role: level == .ok ? .normal : levelRole)
            x = painter.text("/\(pool.size)", x: x, y: y, role: .dim)
        }
        if width >= 120 { painter.text("  \(pool.family) \(pool.subnet) \(pool.range)", x: x, y: y, role: .dim) }
    }

    // MARK: Leases

    struct Column {
        var column: SortColumn
        var width: Int
    }

    /// Which columns fit and how wide: minimum widths first, dropping the least needed
    /// columns on narrow screens, then the spare width to the columns that use it. The address
    /// column grows only as wide as the widest address on screen (`addressWidth`), so IPv4-only
    /// views leave the room to hostnames.
    func columns(addressWidth: Int) -> [Column] {
        let minimum: [SortColumn: Int] = [
            .client: 17, .hostname: 8, .address: 15, .state: 21, .expiry: 7, .owner: 6, .lastChange: 7,
        ]
        let maximum: [SortColumn: Int] = [
            .client: 44, .hostname: 24, .address: min(40, max(15, addressWidth)), .state: 22, .expiry: 8, .owner: 16,
            .lastChange: 8,
        ]
        var shown = SortColumn.allCases
        let available = width - 1
        func needed(_ columns: [SortColumn]) -> Int { columns.reduce(0) { $0 + minimum[$1]! } + columns.count - 1 }
        for drop in [SortColumn.lastChange, .owner, .hostname] where needed(shown) > available {
            shown.removeAll { $0 == drop }
        }
        var widths = shown.map { minimum[$0]! }
        var spare = available - needed(shown)
        if spare < 0 {
            // Narrower than the minimums: the client and state columns give way.
            for column in [SortColumn.state, .client] {
                guard spare < 0, let index = shown.firstIndex(of: column) else { continue }
                let cut = min(-spare, widths[index] - 8)
                widths[index] -= cut
                spare += cut
            }
        }
        for column in [SortColumn.address, .client, .hostname, .state, .owner, .expiry, .lastChange] {
            guard spare > 0, let index = shown.firstIndex(of: column) else { continue }
            let grow = min(spare, maximum[column]! - widths[index])
            widths[index] += grow
            spare -= grow
        }
        return zip(shown, widths).map { Column(column: $0, width: $1) }
    }

    mutating func leasesTable() {
        var detail = "\(state.rowCount)"
        if state.rowCount != state.leases.count { detail += " of \(state.leases.count)" }
        detail += " · sort \(state.sortColumn.rawValue) \(state.sortReversed ? "▼" : "▲")"
        if let filter = state.filter { detail += " · filter \(filter.text)" }
        painter.rule(y: layout.tableTop, title: "Leases", detail: detail)

        let rows = layout.tableRows
        let top = DashboardState.scroll(top: state.scrollTop, selected: state.selectedIndex, pageRows: rows, rows: state.rowCount)
        let visible = (top..<(top + rows)).compactMap { state.row(at: $0) }
        let columns = columns(addressWidth: visible.map { cell($0, .address).0.count }.max() ?? 15)
        let titleY = layout.tableTop + 1
        painter.fill(y: titleY, role: .header)
        var x = 1
        for column in columns {
            let marker = column.column == state.sortColumn ? (state.sortReversed ? "▼" : "▲") : ""
            painter.text(painter.fit(column.column.title + marker, column.width), x: x, y: titleY, role: .header)
            x += column.width + 1
        }

        guard state.rowCount > 0 else {
            let text = state.leases.isEmpty ? "no leases" : "no lease matches the filter"
            painter.text(" " + text, x: 0, y: titleY + 1, role: .dim)
            return
        }
        for (offset, entry) in visible.enumerated() {
            leaseRow(entry, y: titleY + 1 + offset, columns: columns, selected: top + offset == state.selectedIndex)
        }
    }

    mutating func leaseRow(_ entry: LeaseEntry, y: Int, columns: [Column], selected: Bool) {
        if selected { painter.fill(y: y, role: .selected) }
        var x = 1
        for column in columns {
            let (text, role) = cell(entry, column.column)
            painter.text(painter.fit(text, column.width), x: x, y: y, role: selected ? .selected : role)
            x += column.width + 1
        }
    }

    func cell(_ entry: LeaseEntry, _ column: SortColumn) -> (String, ColorRole) {
        let lease = entry.record.lease
        switch column {
        case .client: return (Self.clientText(entry.record.client), .normal)
        case .hostname: return (lease.hostname ?? "", .normal)
        case .address:
            let first = lease.elements.first?.resource.description ?? "-"
            return (lease.elements.count > 1 ? "\(first) +\(lease.elements.count - 1)" : first, .normal)
        case .state: return (stateText(lease), Self.role(of: lease.state))
        case .expiry:
            let text = DashboardFormat.countdown(to: lease.expiresAt, now: now)
            return (text, text == "expired" ? .expired : .normal)
        case .owner: return (lease.owner, .dim)
        case .lastChange: return (DashboardFormat.age(of: lease.updatedAt, now: now), .dim)
        }
    }

    /// Released and expired leases keep their address for the client until `expiresAt`.
    func stateText(_ lease: Lease) -> String {
        switch lease.state {
        case .released: "released (held \(DashboardFormat.countdown(to: lease.expiresAt, now: now)))"
        default: lease.state.description
        }
    }

    /// MAC addresses without the `hw:1:` prefix; other forms as their text.
    static func clientText(_ client: ClientID) -> String {
        if case .hardware(let address) = client, address.type == 1 { return address.description }
        return client.description
    }

    static func role(of state: LeaseState) -> ColorRole {
        switch state {
        case .active: .active
        case .offered: .offered
        case .released: .released
        case .declined: .declined
        case .expired: .expired
        }
    }

    // MARK: Events

    mutating func eventPane() {
        painter.rule(y: layout.eventsTop, title: "Events", detail: "newest first")
        let events = state.recentEvents(limit: layout.eventLines)
        if events.isEmpty {
            painter.text(" no lease changes yet", x: 0, y: layout.eventsTop + 1, role: .dim)
        }
        for (offset, event) in events.enumerated() {
            let y = layout.eventsTop + 1 + offset
            var x = painter.text(painter.fit(DashboardFormat.age(of: event.at, now: now), 7, alignRight: true), x: 0, y: y, role: .dim)
            let role: ColorRole =
                switch event.kind {
                case .created: .eventNew
                case .updated: .eventChange
                case .expired, .deleted: .eventGone
                }
            x = painter.text(" " + painter.fit(event.kind.rawValue, 8), x: x, y: y, role: role)
            x = painter.text(" " + painter.fit(Self.clientText(event.client), 18), x: x, y: y, role: .normal)
            let key = event.leaseKey.kind == .v4 ? "" : " \(event.leaseKey)"
            let addresses = event.resources.map(\.description).joined(separator: " ")
            x = painter.text(" " + painter.fit(addresses + key, width >= 120 ? 40 : 16), x: x, y: y, role: .normal)
            x = painter.text(" " + event.transition(unicode: unicode), x: x, y: y, role: role)
            if event.byReclaimer { x = painter.text(" (reclaimer)", x: x, y: y, role: .dim) }
            if let hostname = event.hostname { painter.text("  \(hostname)", x: x, y: y, role: .dim) }
        }
    }

    // MARK: Footer

    mutating func footer() {
        let y = layout.footerTop
        var x = 1
        let mode = state.mode.kind
        let keys: [(label: String, text: String, disabled: Bool)] =
            switch mode {
            case .table, .detail, .help:
                KeyBinding.table.compactMap { binding in
                    binding.footer.map { word in
                        let text = binding.action == .pause && state.paused ? "resume" : word
                        return (binding.label, text, binding.changesLeases && state.readonly)
                    }
                }
            case .confirm, .prompt, .filterInput:
                KeyBinding.table.filter { $0.modes.contains(mode) }.map { ($0.label, $0.description, false) }
            }
        for key in keys {
            // Only whole entries: a key without its word would mislead.
            guard x + key.label.count + key.text.count + 1 <= width else { break }
            x = painter.text(key.label, x: x, y: y, role: key.disabled ? .disabled : .key)
            x = painter.text(" \(key.text)  ", x: x, y: y, role: key.disabled ? .disabled : .dim)
        }

        let messageY = layout.footerTop + 1
        if case .filterInput(let text) = state.mode {
            let end = painter.text(" filter: ", x: 0, y: messageY, role: .prompt)
            let cursor = painter.text(text, x: end, y: messageY, role: .prompt)
            painter.text("_", x: cursor, y: messageY, role: .selected)
        } else if let message = state.message {
            painter.text(" " + message.text, x: 0, y: messageY, role: message.isError ? .error : .normal)
        }
    }

    // MARK: Overlays

    mutating func centeredBox(width wantedWidth: Int, height wantedHeight: Int, title: String)
        -> (x: Int, y: Int, width: Int, height: Int)
    {
        let boxWidth = min(width - 2, wantedWidth)
        let boxHeight = min(layout.height - 2, wantedHeight)
        return painter.box(
            x: (width - boxWidth) / 2, y: max(1, (layout.height - boxHeight) / 2), width: boxWidth, height: boxHeight,
            title: title)
    }

    mutating func helpOverlay() {
        let browsing = KeyBinding.table.filter { !$0.modes.isDisjoint(with: [.table, .detail, .help]) }
        let inputs = KeyBinding.table.filter { $0.modes.isDisjoint(with: [.table, .detail, .help]) }
        var lines: [(label: String, text: String, role: ColorRole)] = browsing.map {
            ($0.label, $0.description + ($0.changesLeases && state.readonly ? " (read-only)" : ""),
             $0.changesLeases && state.readonly ? .disabled : .help)
        }
        lines.append(("", "", .help))
        for binding in inputs {
            let modes = ModeKind.allCases.filter { binding.modes.contains($0) }.map(\.rawValue).joined(separator: "/")
            lines.append((binding.label, "\(modes): \(binding.description)", .help))
        }
        let inner = centeredBox(width: 84, height: lines.count + 3, title: "Keys (Esc or ? closes)")
        let labelWidth = 14
        for (offset, line) in lines.prefix(inner.height).enumerated() {
            let y = inner.y + offset
            if offset == inner.height - 1 && lines.count > inner.height {
                painter.text("… more keys in the README", x: inner.x, y: y, role: .dim)
                break
            }
            painter.text(painter.fit(line.label, labelWidth), x: inner.x, y: y, role: line.role == .disabled ? .disabled : .key)
            painter.text(line.text, x: inner.x + labelWidth + 1, y: y, role: line.role, limit: inner.width - labelWidth - 1)
        }
    }

    mutating func confirmOverlay(_ action: PendingAction) {
        let key = action.target
        let ia = key.kind == .v4 ? "" : "\(LeaseKey(kind: key.kind, iaid: key.iaid)) "
        let target = "\(key.client) \(ia)\(action.addresses)"
        let left = DashboardFormat.countdown(to: action.expiresAt, now: now)
        let question: String
        let explanation: String
        let role: ColorRole
        switch action.operation {
        case .release:
            question = "Release \(target)?"
            explanation =
                "The address stays held for this client until its old expiry (\(left)), because the client still "
                + "believes it owns it."
            role = .warn
        case .forceRelease:
            question = "Force release \(target)?"
            explanation =
                "The lease is deleted and the address becomes free at once, while the client may still use it: "
                + "another client can get the same address."
            role = .critical
        case .extend(let seconds):
            question = "Extend \(target) by \(DashboardFormat.duration(seconds))?"
            explanation = "The lease will expire \(DashboardFormat.duration(seconds)) from now."
            role = .help
        }
        let textWidth = min(width - 6, 60)
        let body = Painter.wrap(question, width: textWidth) + [""] + Painter.wrap(explanation, width: textWidth)
        let inner = centeredBox(width: textWidth + 4, height: body.count + 4, title: "Confirm")
        for (offset, line) in body.enumerated() where offset < inner.height {
            painter.text(line, x: inner.x, y: inner.y + offset, role: offset == 0 ? role : .help)
        }
        let y = inner.y + inner.height - 1
        let x = painter.text("y", x: inner.x, y: y, role: .key)
        painter.text(" yes   any other key: no (default)", x: x, y: y, role: .help)
    }

    mutating func promptOverlay(_ prompt: ExtendPrompt) {
        let textWidth = min(width - 6, 60)
        let inner = centeredBox(width: textWidth + 4, height: 8, title: "Extend")
        painter.text(
            "Extend \(prompt.action.target.client) \(prompt.action.addresses) by:", x: inner.x, y: inner.y, role: .help,
            limit: inner.width)
        var x = painter.text("> ", x: inner.x, y: inner.y + 1, role: .prompt)
        painter.fill(y: inner.y + 1, x: x, width: 20, role: .prompt)
        x = painter.text(prompt.input, x: x, y: inner.y + 1, role: .prompt, limit: 19)
        painter.text("_", x: x, y: inner.y + 1, role: .selected)
        painter.text(
            "empty: \(DashboardFormat.duration(prompt.defaultSeconds)) (the pool's lease time)", x: inner.x, y: inner.y + 2,
            role: .dim, limit: inner.width)
        if let error = prompt.error {
            painter.text(error, x: inner.x, y: inner.y + 3, role: .error, limit: inner.width)
        }
        var footerX = painter.text("Enter", x: inner.x, y: inner.y + 5, role: .key)
        footerX = painter.text(" extend   ", x: footerX, y: inner.y + 5, role: .help)
        footerX = painter.text("Esc", x: footerX, y: inner.y + 5, role: .key)
        painter.text(" cancel", x: footerX, y: inner.y + 5, role: .help)
    }

    mutating func detailOverlay() {
        let inner = painter.box(x: 1, y: 1, width: width - 2, height: layout.height - 2, title: "Lease detail (Esc back)")
        var lines: [(String, ColorRole)] = []
        if let entry = state.selectedLease {
            let lease = entry.record.lease
            let key = LeaseKey(kind: lease.kind, iaid: lease.iaid)
            let until = DashboardFormat.timestamp(lease.expiresAt)
            let left = DashboardFormat.countdown(to: lease.expiresAt, now: now)
            let role = Self.role(of: lease.state)
            lines.append(("client    \(entry.record.client)   \(key)", .normal))
            switch lease.state {
            case .released, .expired:
                lines.append(("state     \(lease.state): the address is held for this client", role))
                lines.append(("          until \(until) (\(left)); R frees it at once", role))
            case .declined:
                lines.append(("state     declined: quarantined until \(until) (\(left))", role))
            case .active, .offered:
                lines.append(("state     \(lease.state)   expires \(until) (\(left))", role))
            }
            lines.append(("hostname  \(lease.hostname ?? "-")   pool \(lease.pool ?? "-")   owner \(lease.owner)", .normal))
            let updated = "\(DashboardFormat.timestamp(lease.updatedAt)) (\(DashboardFormat.age(of: lease.updatedAt, now: now)) ago)"
            lines.append(("version   \(lease.version)   updated \(updated)", .dim))
            lines.append(("", .normal))
            lines.append(("Elements", .title))
            for element in lease.elements {
                var text = "  " + painter.fit(element.resource.description, 28)
                if let preferred = element.preferredUntil {
                    text += " preferred \(DashboardFormat.countdown(to: preferred, now: now))"
                }
                if let valid = element.validUntil { text += "  valid \(DashboardFormat.countdown(to: valid, now: now))" }
                if element.preferredUntil == nil && element.validUntil == nil { text += " (the lease's expiry)" }
                lines.append((text, .normal))
            }
            lines.append(("Attachments", .title))
            if lease.attachments.isEmpty { lines.append(("  none", .dim)) }
            for (owner, data) in lease.attachments.sorted(by: { $0.key < $1.key }) {
                let hex = data.prefix(16).map { String(format: "%02x", $0) }.joined()
                lines.append(("  \(owner): \(data.count) bytes \(hex)\(data.count > 16 ? "…" : "")", .normal))
            }
            lines.append(("Recent events", .title))
            let events = state.events(of: entry.record.client)
            if events.isEmpty { lines.append(("  none since the dashboard started", .dim)) }
            for event in events {
                let age = painter.fit(DashboardFormat.age(of: event.at, now: now), 6, alignRight: true)
                lines.append(("  \(age) ago  \(painter.fit(event.kind.rawValue, 8)) \(event.leaseKey)  \(event.transition(unicode: unicode))", .normal))
            }
        } else {
            lines.append(("This lease is gone: it was deleted since you selected it.", .warn))
        }
        for (offset, line) in lines.prefix(inner.height).enumerated() {
            painter.text(line.0, x: inner.x, y: inner.y + offset, role: line.1 == .normal ? .help : line.1, limit: inner.width)
        }
    }
}
