public import LeaseStore
import LeaseStoreSQLite

/// Opens the configured lease store.
public enum StoreFactory {
    public static func open(_ configuration: StoreConfiguration, clock: any LeaseClock = SystemLeaseClock()) throws(LeaseStoreError)
        -> any LeaseStore
    {
        let options = LeaseStoreOptions(tokenTimeout: configuration.tokenTimeout, expiredHoldTime: configuration.expiredHold, clock: clock)
        switch configuration.provider {
        case .memory:
            return MemoryLeaseStore(options: options)
        case .sqlite(let path, let synchronous):
            let level = SQLiteLeaseStore.Synchronous(rawValue: synchronous.uppercased()) ?? .full
            return try SQLiteLeaseStore(.init(path: path, synchronous: level, options: options))
        }
    }

    /// Flushes and closes a store that needs it.
    public static func close(_ store: any LeaseStore) async {
        if let sqlite = store as? SQLiteLeaseStore { await sqlite.close() }
    }
}
