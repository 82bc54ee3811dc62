public import Foundation
public import LeaseStore
public import LessorControl

/// Everything `lessor top` shows, as plain values: the leases from the subscription, pools,
/// server status, the event log, and the operator's view of them (sort, filter, selection,
/// mode). The reducer (`handle(_:now:)`, `apply(_:now:)`) changes it; `DashboardRenderer`
/// draws it. Nothing here reads a clock: callers pass `now`.
///
/// Scale: leases live in a dictionary; the sorted, filtered row order (`RowIndex`) is brought
/// up to date lazily by `refreshRows()`, once per frame, merging only the rows that changed
/// when the sort and filter stayed the same.
public struct DashboardState: Sendable {
    // MARK: Data from the server

    public private(set) var leases: [LeaseRowKey: LeaseEntry] = [:]
    public private(set) var pools: [PoolStats] = []
    public private(set) var status: ServerStatus?
    /// Leases per state, kept as changes arrive.
    public private(set) var stateCounts: [LeaseState: Int] = [:]
    /// Lease changes received, oldest first; at most `eventLimit` are kept (`recentEvents`).
    private var eventBuffer: [DashboardEvent] = []
    public var eventLimit = 500
    /// The last few events of each client, for the detail view.
    private(set) var clientEvents: [ClientID: [DashboardEvent]] = [:]
    public var clientEventLimit = 20
    /// Leases created or renewed, per minute (minutes since 1970), for the sparkline.
    public private(set) var leasesPerMinute: [Int: Int] = [:]
    public static let rateHistoryMinutes = 30

    // MARK: The operator's view

    public private(set) var sortColumn: SortColumn = .expiry
    public private(set) var sortReversed = false
    public private(set) var filter: LeaseFilter?
    public internal(set) var mode: DashboardMode = .table
    /// The lease the cursor is on; it stays on it when rows move.
    public private(set) var selectedKey: LeaseRowKey?
    public private(set) var selectedIndex = 0
    /// First table row shown.
    public internal(set) var scrollTop = 0
    public internal(set) var paused = false
    /// Stream events received while paused, with when they arrived; applied on resume.
    public private(set) var buffered: [(response: ControlResponse, at: Date)] = []
    /// Started with `--readonly`: release and extend do nothing but say so.
    public var readonly: Bool
    public internal(set) var message: DashboardMessage?
    public var thresholds: PoolThresholds
    /// Theme names `t` cycles through, and the one in use.
    public var themeNames: [String]
    public internal(set) var themeIndex = 0
    /// The terminal size, for page-sized moves (the terminal layer sets it on resize).
    public var screenWidth = 80
    public var screenHeight = 24
    /// The id the next release/extend/lease request gets, and the requests awaiting answers.
    public internal(set) var nextRequestID: Int
    public internal(set) var pendingRequests: [Int: PendingRequest] = [:]

    // MARK: Row order cache

    private var rows = RowIndex()

    /// `firstRequestID`: ids from here on are the dashboard's own (release, extend, lease);
    /// the connection uses lower ones for `subscribe` and its `status`/`pools` polls.
    public init(
        readonly: Bool = false, thresholds: PoolThresholds = PoolThresholds(), themeNames: [String] = ["default"],
        firstRequestID: Int = 1_000
    ) {
        self.readonly = readonly
        self.thresholds = thresholds
        self.themeNames = themeNames.isEmpty ? ["default"] : themeNames
        nextRequestID = firstRequestID
    }

    public var themeName: String { themeNames[themeIndex % themeNames.count] }

    // MARK: Applying server data

    /// Replaces every lease (a `snapshot` or `resync`), and pools/status when given.
    public mutating func replaceAll(with records: [LeaseRecord], pools: [PoolStats]?, status: ServerStatus?) {
        leases.removeAll(keepingCapacity: true)
        stateCounts = [:]
        rows.removeAll()
        leases.reserveCapacity(records.count)
        // Room for every client's recent events up front: no rehash stalls while changes stream in.
        clientEvents.reserveCapacity(records.count)
        for record in records { store(record) }
        if let pools { self.pools = pools }
        if let status { self.status = status }
    }

    /// Puts one lease in the table (new or replacing the one with its key).
    private mutating func store(_ record: LeaseRecord) {
        let key = LeaseRowKey(record)
        let old = leases[key]
        if let old { count(old.record.lease.state, -1) }
        let entry = LeaseEntry(record, slot: old?.slot ?? rows.allocate(key))
        count(record.lease.state, 1)
        leases[key] = entry
        rows.update(entry.slot, entry)
    }

    /// Applies one committed change: the table, the event log and the rate history.
    public mutating func applyChange(_ change: LeaseChange, at now: Date) {
        let record = LeaseRecord(client: change.client, lease: change.lease)
        if change.kind == .deleted {
            if let previous = leases.removeValue(forKey: LeaseRowKey(record)) {
                count(previous.record.lease.state, -1)
                rows.remove(previous.slot)
            }
        } else {
            store(record)
        }
        recordEvent(DashboardEvent(change, at: now))
        if Self.isAcquisition(change) {
            leasesPerMinute[Self.minute(of: now), default: 0] += 1
            let oldest = Self.minute(of: now) - Self.rateHistoryMinutes
            if leasesPerMinute.count > Self.rateHistoryMinutes * 2 { leasesPerMinute = leasesPerMinute.filter { $0.key > oldest } }
        }
    }

    /// Upserts leases from a `lease` answer (the refresh after a conflict).
    mutating func upsert(_ records: [LeaseRecord]) {
        for record in records { store(record) }
    }

    mutating func setPools(_ pools: [PoolStats]) { self.pools = pools }
    mutating func setStatus(_ status: ServerStatus) { self.status = status }
    mutating func buffer(_ response: ControlResponse, at now: Date) {
        // A snapshot or resync replaces everything: what was waiting before it no longer matters.
        if response.event == .resync || response.event == .snapshot { buffered.removeAll() }
        buffered.append((response, now))
    }
    mutating func takeBuffered() -> [(response: ControlResponse, at: Date)] {
        defer { buffered = [] }
        return buffered
    }

    /// A created lease, or an update that leaves it active with a later expiry (a renewal).
    static func isAcquisition(_ change: LeaseChange) -> Bool {
        switch change.kind {
        case .created: return change.lease.state == .active || change.lease.state == .offered
        case .updated:
            guard change.lease.state == .active, let previous = change.previous else { return false }
            return previous.state != .active || change.lease.expiresAt > previous.expiresAt
        case .expired, .deleted: return false
        }
    }

    static func minute(of date: Date) -> Int { Int((date.timeIntervalSince1970 / 60).rounded(.down)) }

    /// Created/renewed counts for the `minutes` minutes ending with the one holding `now`, oldest first.
    public func rateHistory(now: Date, minutes: Int = rateHistoryMinutes) -> [Int] {
        let current = Self.minute(of: now)
        return ((current - minutes + 1)...current).map { leasesPerMinute[$0] ?? 0 }
    }

    private mutating func count(_ state: LeaseState, _ delta: Int) { stateCounts[state, default: 0] += delta }

    private mutating func recordEvent(_ event: DashboardEvent) {
        eventBuffer.append(event)
        // Trim in batches so a burst costs amortised O(1) per event.
        if eventBuffer.count >= eventLimit * 2 { eventBuffer.removeFirst(eventBuffer.count - eventLimit) }
        var mine = clientEvents[event.client] ?? []
        mine.append(event)
        if mine.count > clientEventLimit { mine.removeFirst(mine.count - clientEventLimit) }
        clientEvents[event.client] = mine
    }

    /// The newest events first, at most `limit` (and at most `eventLimit`).
    public func recentEvents(limit: Int) -> [DashboardEvent] {
        Array(eventBuffer.suffix(min(limit, eventLimit)).reversed())
    }

    /// One client's recent events, newest first.
    public func events(of client: ClientID) -> [DashboardEvent] { (clientEvents[client] ?? []).reversed() }

    // MARK: Rows: sort, filter, selection

    /// Whether the row order reflects every change (else `refreshRows()` is due).
    public var rowsAreCurrent: Bool { rows.isCurrent }

    /// Rows in the table (after `refreshRows()`).
    public var rowCount: Int { rows.order.count }

    /// The lease on table row `index` (after `refreshRows()`).
    public func row(at index: Int) -> LeaseEntry? {
        rows.key(at: index).flatMap { leases[$0] }
    }

    /// The lease under the cursor, if it still exists.
    public var selectedLease: LeaseEntry? { selectedKey.flatMap { leases[$0] } }

    public mutating func setSort(_ column: SortColumn, reversed: Bool) {
        guard column != sortColumn || reversed != sortReversed else { return }
        sortColumn = column
        sortReversed = reversed
        rows.configure(column: column, reversed: reversed, filter: filter)
    }

    /// Sets the filter (empty text clears it); an invalid regex leaves the filter unchanged.
    public mutating func setFilter(_ text: String) throws(FilterError) {
        filter = text.isEmpty ? nil : try LeaseFilter(text)
        rows.configure(column: sortColumn, reversed: sortReversed, filter: filter)
    }

    /// Brings the row order up to date: a full sort after a sort or filter change or a
    /// snapshot, otherwise a merge of just the changed rows. Keeps the cursor on its lease.
    public mutating func refreshRows() {
        if rows.refresh(leases) { reselect() }
    }

    /// After the order changed: find the selected lease again; if it left the table, stay at
    /// the same position (the detail view keeps its lease, to say it is gone).
    private mutating func reselect() {
        if let selectedKey, let slot = leases[selectedKey]?.slot, let index = rows.index(of: slot) {
            selectedIndex = index
        } else if mode == .detail, selectedKey != nil {
            selectedIndex = min(selectedIndex, max(0, rowCount - 1))
        } else {
            selectedIndex = rowCount == 0 ? 0 : min(max(0, selectedIndex), rowCount - 1)
            selectedKey = rows.key(at: selectedIndex)
        }
    }

    /// Moves the cursor to row `index` (clamped), keeping it within the visible page.
    mutating func select(index: Int, pageRows: Int) {
        guard rowCount > 0 else {
            selectedIndex = 0
            selectedKey = nil
            return
        }
        selectedIndex = min(max(0, index), rowCount - 1)
        selectedKey = rows.key(at: selectedIndex)
        scrollTop = Self.scroll(top: scrollTop, selected: selectedIndex, pageRows: pageRows, rows: rowCount)
    }

    /// The first visible row such that `selected` is on the page.
    static func scroll(top: Int, selected: Int, pageRows: Int, rows: Int) -> Int {
        let page = max(1, pageRows)
        var top = min(top, selected)
        if selected >= top + page { top = selected - page + 1 }
        return max(0, min(top, max(0, rows - page)))
    }
}

/// A line of feedback under the table.
public struct DashboardMessage: Sendable, Equatable {
    public var text: String
    public var isError: Bool

    public init(_ text: String, isError: Bool = false) {
        self.text = text
        self.isError = isError
    }
}

/// What the screen is doing: the table, or one of the overlays and inputs over it.
public enum DashboardMode: Sendable, Equatable {
    case table
    /// Enter: the selected lease in full.
    case detail
    /// `?`: the key table.
    case help
    /// `r`/`R` and, after the prompt, `e`: only `y` goes ahead.
    case confirm(PendingAction)
    /// `e`: the extension's duration.
    case prompt(ExtendPrompt)
    /// `/`: the filter being typed.
    case filterInput(String)

    public var kind: ModeKind {
        switch self {
        case .table: .table
        case .detail: .detail
        case .help: .help
        case .confirm: .confirm
        case .prompt: .prompt
        case .filterInput: .filterInput
        }
    }
}

public enum ModeKind: String, Sendable, CaseIterable {
    case table, detail, help, confirm, prompt, filterInput = "filter"
}

/// A release or extension the operator started, with the lease version they saw.
public struct PendingAction: Sendable, Equatable {
    public enum Operation: Sendable, Equatable {
        case release
        /// Deletes the lease: the address is free at once though the client may still use it.
        case forceRelease
        case extend(seconds: Int)
    }

    public var operation: Operation
    public var target: LeaseRowKey
    public var leaseVersion: UInt64
    /// The lease's addresses as text, for the question and the answer.
    public var addresses: String
    /// The lease's expiry when the operator looked (a released address is held until then).
    public var expiresAt: Date
    /// Where the screen goes back to: the table or the detail view.
    public var returnTo: ModeKind

    public init(
        operation: Operation, target: LeaseRowKey, leaseVersion: UInt64, addresses: String, expiresAt: Date,
        returnTo: ModeKind
    ) {
        self.operation = operation
        self.target = target
        self.leaseVersion = leaseVersion
        self.addresses = addresses
        self.expiresAt = expiresAt
        self.returnTo = returnTo
    }
}

/// The `e` prompt: typed text, the pool's lease time as the default, and a parse error.
public struct ExtendPrompt: Sendable, Equatable {
    public var action: PendingAction
    public var input: String
    public var defaultSeconds: Int
    public var error: String?
}

/// A request sent to the server whose answer the dashboard waits for.
public struct PendingRequest: Sendable, Equatable {
    public var action: PendingAction?
    /// The client a `lease` refresh asked for.
    public var refresh: ClientID?
}
