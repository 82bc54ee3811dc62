import LeaseStore

/// An allocator whose local view of the pools follows the store: changes are applied one by
/// one, and a subscriber that fell behind (overflow) rebuilds the view from a fresh read.
protocol LeaseViewFollower: Actor {
    func apply(_ change: LeaseChange)
    func rebuild() async throws
}

extension LeaseViewFollower {
    /// Applies every change of `changes` until the stream ends (run for the server's lifetime).
    func followChanges(_ changes: LeaseChangeStream) async {
        for await event in changes {
            switch event {
            case .change(let change): apply(change)
            case .overflow: try? await rebuild()
            }
        }
    }
}

extension IPv4Allocator: LeaseViewFollower {}
extension IPv6Allocator: LeaseViewFollower {}
