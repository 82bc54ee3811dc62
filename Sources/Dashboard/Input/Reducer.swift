public import Foundation
import LeaseStore
public import LessorControl

/// What the reducer asks the outside world to do.
public enum DashboardEffect: Sendable, Equatable {
    case quit
    /// Send this request on the control connection; its answer comes back through `apply`.
    case send(ControlRequest)
    /// Switch the painter to the named theme.
    case cycleTheme(String)
}

/// The pure core of `lessor top`: keys and server messages in, state changes and effects out.
public enum DashboardReducer {
    public static func reduce(_ state: inout DashboardState, _ key: Key, now: Date) -> [DashboardEffect] {
        state.handle(key, now: now)
    }

    public static func apply(_ state: inout DashboardState, _ response: ControlResponse, now: Date) -> [DashboardEffect] {
        state.apply(response, now: now)
    }
}

extension DashboardState {
    /// Lease rows a page move goes by.
    public var pageRows: Int {
        DashboardLayout(width: screenWidth, height: screenHeight, poolCount: pools.count).tableRows
    }

    // MARK: Keys

    /// One key press: dispatched through `KeyBinding.table` for the current mode.
    public mutating func handle(_ key: Key, now: Date) -> [DashboardEffect] {
        if key == .resize {
            refreshRows()
            select(index: selectedIndex, pageRows: pageRows)
            return []
        }
        guard let binding = KeyBinding.binding(for: key, in: mode.kind) else { return [] }
        if binding.changesLeases && readonly {
            message = DashboardMessage("read-only: started with --readonly, \(binding.label) does nothing", isError: true)
            return []
        }
        return perform(binding.action, key: key, now: now)
    }

    private mutating func perform(_ action: DashboardAction, key: Key, now: Date) -> [DashboardEffect] {
        switch action {
        case .quit:
            return [.quit]
        case .toggleHelp:
            if mode == .help { backToTable() } else { mode = .help }
        case .back:
            backToTable()
        case .openDetail:
            if mode == .detail || selectedLease == nil { backToTable() } else { mode = .detail }
        case .up, .down, .pageUp, .pageDown, .top, .bottom:
            move(action)
        case .sortNext:
            let columns = SortColumn.allCases
            let next = columns[(columns.firstIndex(of: sortColumn)! + 1) % columns.count]
            setSort(next, reversed: false)
            message = DashboardMessage("sorted by \(next.rawValue)")
        case .sortReverse:
            setSort(sortColumn, reversed: !sortReversed)
            message = DashboardMessage("sorted by \(sortColumn.rawValue), \(sortReversed ? "descending" : "ascending")")
        case .sortByNumber:
            guard case .character(let character) = key, let number = character.wholeNumberValue,
                SortColumn.allCases.indices.contains(number - 1)
            else { return [] }
            let column = SortColumn.allCases[number - 1]
            setSort(column, reversed: column == sortColumn ? !sortReversed : false)
            message = DashboardMessage("sorted by \(column.rawValue)\(sortReversed ? ", descending" : "")")
        case .startFilter:
            mode = .filterInput(filter?.text ?? "")
        case .release, .forceRelease, .extend:
            return startLeaseAction(action)
        case .pause:
            return togglePause(now: now)
        case .cycleTheme:
            themeIndex = (themeIndex + 1) % themeNames.count
            message = DashboardMessage("theme: \(themeName)")
            return [.cycleTheme(themeName)]
        case .confirm:
            return confirmPending()
        case .cancel:
            cancelInput()
        case .submit:
            return submitInput()
        case .deleteCharacter:
            editInput { if !$0.isEmpty { $0.removeLast() } }
        case .typeCharacter:
            guard case .character(let character) = key else { return [] }
            editInput { $0.append(character) }
        }
        return []
    }

    /// Closes an overlay; a cursor left on a lease that is gone moves onto the row in its place.
    private mutating func backToTable() {
        mode = .table
        if selectedLease == nil { select(index: selectedIndex, pageRows: pageRows) }
    }

    private mutating func move(_ action: DashboardAction) {
        refreshRows()
        let page = pageRows
        let target =
            switch action {
            case .up: selectedIndex - 1
            case .down: selectedIndex + 1
            case .pageUp: selectedIndex - page
            case .pageDown: selectedIndex + page
            case .top: 0
            default: rowCount - 1
            }
        select(index: target, pageRows: page)
    }

    private mutating func startLeaseAction(_ action: DashboardAction) -> [DashboardEffect] {
        guard let entry = selectedLease else {
            message = DashboardMessage("no lease selected", isError: true)
            return []
        }
        let lease = entry.record.lease
        let returnTo: ModeKind = mode == .detail ? .detail : .table
        var pending = PendingAction(
            operation: .release, target: LeaseRowKey(entry.record), leaseVersion: lease.version,
            addresses: lease.resources.map(\.description).joined(separator: " "), expiresAt: lease.expiresAt,
            returnTo: returnTo)
        switch action {
        case .forceRelease:
            pending.operation = .forceRelease
            mode = .confirm(pending)
        case .extend:
            let seconds = pools.first { $0.name == lease.pool }?.leaseTime ?? 3_600
            pending.operation = .extend(seconds: seconds)
            mode = .prompt(ExtendPrompt(action: pending, input: "", defaultSeconds: seconds, error: nil))
        default:
            mode = .confirm(pending)
        }
        message = nil
        return []
    }

    private mutating func confirmPending() -> [DashboardEffect] {
        guard case .confirm(let pending) = mode else { return [] }
        mode = pending.returnTo == .detail ? .detail : .table
        let id = nextRequestID
        nextRequestID += 1
        let key = pending.target
        var request = ControlRequest(
            id: id, command: .release, client: key.client.description, kind: key.kind, iaid: key.iaid,
            leaseVersion: pending.leaseVersion)
        switch pending.operation {
        case .release: break
        case .forceRelease: request.force = true
        case .extend(let seconds):
            request.command = .extend
            request.seconds = seconds
        }
        pendingRequests[id] = PendingRequest(action: pending, refresh: nil)
        message = DashboardMessage("\(Self.verb(pending.operation, past: false)) \(key.client) \(pending.addresses)…")
        return [.send(request)]
    }

    private mutating func cancelInput() {
        switch mode {
        case .confirm(let pending):
            mode = pending.returnTo == .detail ? .detail : .table
            message = DashboardMessage("cancelled")
        case .prompt(let prompt):
            mode = prompt.action.returnTo == .detail ? .detail : .table
            message = DashboardMessage("cancelled")
        case .filterInput:
            try? setFilter("")
            mode = .table
            refreshRows()
            select(index: selectedIndex, pageRows: pageRows)
            message = DashboardMessage("filter cleared")
        default:
            mode = .table
        }
    }

    private mutating func submitInput() -> [DashboardEffect] {
        switch mode {
        case .filterInput(let text):
            do {
                try setFilter(text)
                mode = .table
                refreshRows()
                select(index: selectedIndex, pageRows: pageRows)
                message = DashboardMessage(text.isEmpty ? "filter cleared" : "filter: \(text) (\(rowCount) leases)")
            } catch {
                message = DashboardMessage(error.message, isError: true)
            }
        case .prompt(var prompt):
            let text = prompt.input.trimmingCharacters(in: .whitespaces)
            guard let seconds = text.isEmpty ? prompt.defaultSeconds : DashboardFormat.parseDuration(text) else {
                prompt.error = "not a duration: '\(text)' (try 3600, 90s, 30m, 1h, 1h30m, 2d)"
                mode = .prompt(prompt)
                return []
            }
            prompt.action.operation = .extend(seconds: seconds)
            mode = .confirm(prompt.action)
            return confirmPending()
        default:
            break
        }
        return []
    }

    private mutating func editInput(_ edit: (inout String) -> Void) {
        switch mode {
        case .filterInput(var text):
            edit(&text)
            mode = .filterInput(text)
        case .prompt(var prompt):
            edit(&prompt.input)
            prompt.error = nil
            mode = .prompt(prompt)
        default:
            break
        }
    }

    private mutating func togglePause(now: Date) -> [DashboardEffect] {
        if !paused {
            paused = true
            message = DashboardMessage("paused: changes are kept and applied when you press p again")
            return []
        }
        paused = false
        let waiting = takeBuffered()
        var effects: [DashboardEffect] = []
        for (response, at) in waiting { effects += apply(response, now: at) }
        message = DashboardMessage("resumed: \(waiting.count) update\(waiting.count == 1 ? "" : "s") applied")
        return effects
    }

    // MARK: Server messages

    /// A message from the control connection: a stream event (`snapshot`, `change`,
    /// `resync`), the answer to a request the dashboard sent, or `status`/`pools` answers.
    public mutating func apply(_ response: ControlResponse, now: Date) -> [DashboardEffect] {
        if let event = response.event {
            if paused {
                buffer(response, at: now)
                return []
            }
            switch event {
            case .snapshot, .resync:
                replaceAll(with: response.leases ?? [], pools: response.pools, status: response.status)
                if event == .resync { message = DashboardMessage("resynchronised: the view fell behind and was reloaded") }
            case .change:
                if let change = response.change { applyChange(change, at: now) }
                if let pools = response.pools { setPools(pools) }
                if let status = response.status { setStatus(status) }
            }
            return []
        }
        guard let pending = pendingRequests.removeValue(forKey: response.id) else {
            if let pools = response.pools { setPools(pools) }
            if let status = response.status { setStatus(status) }
            return []
        }
        if pending.refresh != nil {
            if response.ok { upsert(response.leases ?? []) }
            return []
        }
        guard let action = pending.action else { return [] }
        if response.ok {
            upsert(response.leases ?? [])
            message = DashboardMessage(Self.outcome(action, now: now))
            return []
        }
        if response.error?.code == .conflict {
            message = DashboardMessage("conflict: the lease changed since you looked; view refreshed", isError: true)
            let id = nextRequestID
            nextRequestID += 1
            pendingRequests[id] = PendingRequest(action: nil, refresh: action.target.client)
            return [.send(ControlRequest(id: id, command: .lease, client: action.target.client.description))]
        }
        let reason = response.error.map { "\($0.code.rawValue): \($0.message)" } ?? "failed"
        message = DashboardMessage("\(Self.verb(action.operation, past: false)) failed: \(reason)", isError: true)
        return []
    }

    static func verb(_ operation: PendingAction.Operation, past: Bool) -> String {
        switch operation {
        case .release: past ? "released" : "releasing"
        case .forceRelease: past ? "force-released" : "force-releasing"
        case .extend: past ? "extended" : "extending"
        }
    }

    /// The message line after a successful release or extension.
    static func outcome(_ action: PendingAction, now: Date) -> String {
        let what = "\(verb(action.operation, past: true)) \(action.target.client) \(action.addresses)"
        switch action.operation {
        case .release:
            return "\(what); address held for \(DashboardFormat.countdown(to: action.expiresAt, now: now)) (its old expiry)"
        case .forceRelease:
            return "\(what); the address is free now"
        case .extend(let seconds):
            return "\(what) by \(DashboardFormat.duration(seconds))"
        }
    }
}
