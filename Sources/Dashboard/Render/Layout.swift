/// Where each part of the screen goes for a terminal size. The reducer uses it for page
/// sizes, the renderer to draw; both get the same answer for the same size.
public struct DashboardLayout: Sendable, Equatable {
    public static let minimumWidth = 60
    public static let minimumHeight = 16

    public var width: Int
    public var height: Int
    /// Row of the "Pools" rule; pool lines follow.
    public var poolsTop: Int
    public var poolLines: Int
    /// Row of the "Leases" rule; the column titles follow, then `tableRows` lease rows.
    public var tableTop: Int
    public var tableRows: Int
    /// Row of the "Events" rule; `eventLines` lines follow.
    public var eventsTop: Int
    public var eventLines: Int
    /// The key line and the message line.
    public var footerTop: Int

    public var isTooSmall: Bool { width < Self.minimumWidth || height < Self.minimumHeight }

    public init(width: Int, height: Int, poolCount: Int) {
        self.width = width
        self.height = height
        let maxPools = height >= 40 ? 8 : height >= 30 ? 6 : height >= 22 ? 4 : 2
        poolsTop = 2
        poolLines = min(max(1, poolCount), maxPools)
        tableTop = poolsTop + 1 + poolLines
        footerTop = height - 2
        let available = max(0, footerTop - tableTop)
        eventLines = max(2, available / (height >= 40 ? 3 : 4))
        eventsTop = footerTop - eventLines - 1
        tableRows = max(1, eventsTop - tableTop - 2)
    }
}
