import LeaseStore

/// The sorted, filtered order of the leases table, kept for 100,000 rows and more.
///
/// Each lease has a slot (a small integer, reused after deletion); the values a row sorts by
/// and whether it passes the filter are kept in arrays indexed by slot, so sorting and merging
/// move 4-byte slots and compare integers, with no hashing or reference counting. A sort or
/// filter change re-sorts everything; otherwise `refresh` merges only the slots that changed
/// since the last frame (O(rows + changed · log changed)).
struct RowIndex: Sendable {
    /// Slots in table order (after `refresh`).
    private(set) var order: [Int32] = []
    private(set) var keys: [LeaseRowKey?] = []
    private var freeSlots: [Int32] = []
    // Sort values by slot: the column's number, its byte string (with an 8-byte prefix), the client.
    private var number: [Int64] = []
    private var prefix: [UInt64] = []
    private var text: [[UInt8]] = []
    private var clientPrefix: [UInt64] = []
    private var clientKey: [[UInt8]] = []
    private var tail: [UInt64] = []
    private var shown: [Bool] = []
    /// Each row's `LeaseEntry.searchText` once a filter needed it (`hasSearch`), so the next
    /// filter change needs no rebuilding.
    private var search: [String] = []
    private var hasSearch: [Bool] = []
    private var changed: [Int32] = []
    private var isChanged: [Bool] = []

    private(set) var needsFullSort = true
    /// The sort column changed: every row's sort values are recomputed (else only the filter).
    private var valuesStale = true
    private(set) var column: SortColumn = .expiry
    private(set) var reversed = false
    private(set) var filter: LeaseFilter?

    var isCurrent: Bool { !needsFullSort && changed.isEmpty }

    func key(at index: Int) -> LeaseRowKey? {
        guard order.indices.contains(index) else { return nil }
        return keys[Int(order[index])]
    }

    func index(of slot: Int32) -> Int? { order.firstIndex(of: slot) }

    mutating func configure(column: SortColumn, reversed: Bool, filter: LeaseFilter?) {
        if column != self.column { valuesStale = true }
        self.column = column
        self.reversed = reversed
        self.filter = filter
        needsFullSort = true
    }

    /// Forgets every row (a snapshot follows).
    mutating func removeAll() {
        self = RowIndex(column: column, reversed: reversed, filter: filter)
    }

    private init(column: SortColumn, reversed: Bool, filter: LeaseFilter?) {
        self.column = column
        self.reversed = reversed
        self.filter = filter
    }

    init() {}

    /// A slot for a new lease.
    mutating func allocate(_ key: LeaseRowKey) -> Int32 {
        if let slot = freeSlots.popLast() {
            keys[Int(slot)] = key
            return slot
        }
        keys.append(key)
        number.append(0)
        prefix.append(0)
        text.append([])
        clientPrefix.append(0)
        clientKey.append([])
        tail.append(0)
        shown.append(false)
        search.append("")
        hasSearch.append(false)
        isChanged.append(false)
        return Int32(keys.count - 1)
    }

    /// The lease in `slot` is new or changed: recompute its sort values and note it if its row
    /// may move (it is or was shown, and its sort value or filter match changed). While a full
    /// sort is due that only re-filters, the values are still needed now.
    mutating func update(_ slot: Int32, _ entry: LeaseEntry) {
        guard !needsFullSort else {
            if !valuesStale { setValues(Int(slot), entry) }
            return
        }
        let s = Int(slot)
        let wasShown = shown[s]
        let oldNumber = number[s]
        let oldText = text[s]
        setValues(s, entry)
        if !wasShown && !shown[s] { return }
        if wasShown && shown[s] && oldNumber == number[s] && oldText == text[s] { return }
        markChanged(slot)
    }

    /// The lease in `slot` is gone; the slot may be reused.
    mutating func remove(_ slot: Int32) {
        let s = Int(slot)
        keys[s] = nil
        text[s] = []
        clientKey[s] = []
        search[s] = ""
        hasSearch[s] = false
        if shown[s] { markChanged(slot) }
        shown[s] = false
        freeSlots.append(slot)
    }

    private mutating func markChanged(_ slot: Int32) {
        guard !isChanged[Int(slot)] else { return }
        isChanged[Int(slot)] = true
        changed.append(slot)
    }

    private mutating func setValues(_ s: Int, _ entry: LeaseEntry) {
        let lease = entry.record.lease
        var value: Int64 = 0
        var bytes: [UInt8] = []
        switch column {
        case .client: break
        case .hostname: bytes = Array(fastLowercased(lease.hostname ?? "").utf8)
        case .address: bytes = lease.elements.first?.resource.storageKey ?? []
        case .state: value = Int64(Self.stateRank(lease.state))
        case .expiry: value = Int64((lease.expiresAt.timeIntervalSince1970 * 1000).rounded())
        case .owner: bytes = Array(fastLowercased(lease.owner).utf8)
        case .lastChange: value = Int64((lease.updatedAt.timeIntervalSince1970 * 1000).rounded())
        }
        number[s] = value
        text[s] = bytes
        prefix[s] = Self.prefix(bytes)
        clientKey[s] = entry.clientKey
        clientPrefix[s] = Self.prefix(entry.clientKey)
        tail[s] = UInt64(lease.kind.rawValue) << 32 | UInt64(lease.iaid)
        if let filter {
            search[s] = entry.searchText
            hasSearch[s] = true
            shown[s] = filter.matches(search[s])
        } else {
            search[s] = ""
            hasSearch[s] = false
            shown[s] = true
        }
    }

    static func stateRank(_ state: LeaseState) -> Int {
        switch state {
        case .active: 0
        case .offered: 1
        case .released: 2
        case .declined: 3
        case .expired: 4
        }
    }

    /// The first eight bytes, big-endian, zero-padded: whenever two prefixes differ they are
    /// ordered as the byte strings are.
    static func prefix(_ bytes: [UInt8]) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<8 { value = value << 8 | UInt64(index < bytes.count ? bytes[index] : 0) }
        return value
    }

    /// Ascending by the column's value, then client, then (kind, IAID): a total order.
    private func comparator() -> (Int32, Int32) -> Bool {
        let (number, prefix, text, clientPrefix, clientKey, tail) = (number, prefix, text, clientPrefix, clientKey, tail)
        let less = { (a: Int32, b: Int32) -> Bool in
            let a = Int(a)
            let b = Int(b)
            if number[a] != number[b] { return number[a] < number[b] }
            if prefix[a] != prefix[b] { return prefix[a] < prefix[b] }
            if text[a] != text[b] { return text[a].lexicographicallyPrecedes(text[b]) }
            if clientPrefix[a] != clientPrefix[b] { return clientPrefix[a] < clientPrefix[b] }
            if clientKey[a] != clientKey[b] { return clientKey[a].lexicographicallyPrecedes(clientKey[b]) }
            return tail[a] < tail[b]
        }
        return reversed ? { less($1, $0) } : less
    }

    /// Recomputes which rows the filter shows, building search texts not built yet.
    private mutating func refilter(_ leases: [LeaseRowKey: LeaseEntry]) {
        guard let filter else {
            for slot in keys.indices { shown[slot] = keys[slot] != nil }
            return
        }
        for slot in keys.indices {
            guard let key = keys[slot] else { continue }
            if !hasSearch[slot], let entry = leases[key] {
                search[slot] = entry.searchText
                hasSearch[slot] = true
            }
            shown[slot] = filter.matches(search[slot])
        }
    }

    /// Brings `order` up to date. Returns false when nothing had changed.
    mutating func refresh(_ leases: [LeaseRowKey: LeaseEntry]) -> Bool {
        if needsFullSort {
            if valuesStale {
                for entry in leases.values { setValues(Int(entry.slot), entry) }
            } else {
                refilter(leases)
            }
            valuesStale = false
            needsFullSort = false
            for slot in changed { isChanged[Int(slot)] = false }
            changed = []
            var rows: [Int32] = []
            rows.reserveCapacity(leases.count)
            for (slot, key) in keys.enumerated() where key != nil && shown[slot] { rows.append(Int32(slot)) }
            rows.sort(by: comparator())
            order = rows
            return true
        }
        guard !changed.isEmpty else { return false }
        let precedes = comparator()
        let isChanged = isChanged
        let kept = order.filter { !isChanged[Int($0)] }
        let fresh = changed.filter { keys[Int($0)] != nil && shown[Int($0)] }.sorted(by: precedes)
        for slot in changed { self.isChanged[Int(slot)] = false }
        changed = []
        var merged: [Int32] = []
        merged.reserveCapacity(kept.count + fresh.count)
        var i = 0
        var j = 0
        while i < kept.count, j < fresh.count {
            if precedes(fresh[j], kept[i]) {
                merged.append(fresh[j])
                j += 1
            } else {
                merged.append(kept[i])
                i += 1
            }
        }
        merged.append(contentsOf: kept[i...])
        merged.append(contentsOf: fresh[j...])
        order = merged
        return true
    }
}
