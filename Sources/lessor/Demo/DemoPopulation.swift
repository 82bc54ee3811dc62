import DHCPWire
import Foundation

/// The demo's simulated clients: each joins its site's network (DISCOVER, OFFER, REQUEST,
/// ACK), renews at T1, and now and then releases its address, leaves without a word (its lease
/// expires later), or declines the address it was given (as after a failed ARP probe). Every
/// message goes through `DemoRelay` to the real server. Deterministic for a given seed, apart
/// from timing.
actor DemoPopulation {
    struct Site: Sendable {
        var name: String
        var subnet: IPv4Address
        var prefix: Int
        var first: IPv4Address
        var last: IPv4Address
        var leaseTime: String
        /// Share of the population on this site.
        var share: Double
    }

    /// Loopback networks named after documentation ranges (RFC 5737, RFC 2544): nothing leaves the machine.
    static let sites = [
        Site(name: "office", subnet: IPv4Address(192, 0, 2, 0), prefix: 24, first: IPv4Address(192, 0, 2, 20),
             last: IPv4Address(192, 0, 2, 120), leaseTime: "4m", share: 0.45),
        Site(name: "lab", subnet: IPv4Address(198, 18, 0, 0), prefix: 24, first: IPv4Address(198, 18, 0, 10),
             last: IPv4Address(198, 18, 0, 49), leaseTime: "2m", share: 0.25),
        Site(name: "guests", subnet: IPv4Address(198, 18, 1, 0), prefix: 24, first: IPv4Address(198, 18, 1, 10),
             last: IPv4Address(198, 18, 1, 250), leaseTime: "3m", share: 0.30),
    ]

    struct Counts: Sendable, Equatable {
        var joins = 0, renewals = 0, releases = 0, declines = 0, departures = 0, naks = 0, unanswered = 0
        var bound = 0
    }

    private enum Phase {
        case idle
        case bound(address: IPv4Address, server: IPv4Address, lease: Double)
    }

    private enum Plan { case join, renew, release, depart }

    private struct Client {
        var mac: HardwareAddress
        var hostname: String
        var site: Int
        var phase: Phase = .idle
        var plan: Plan = .join
        var due: ContinuousClock.Instant
    }

    private let relay: DemoRelay
    private var clients: [Client] = []
    private var random: SplitMix64
    private(set) var counts = Counts()
    private var nextXID: UInt32

    init(relay: DemoRelay, size: Int, seed: UInt64) {
        self.relay = relay
        random = SplitMix64(seed: seed)
        nextXID = UInt32(truncatingIfNeeded: seed &* 2_654_435_761)
        let kinds = ["laptop", "phone", "printer", "camera", "tv", "sensor", "tablet", "desk", "ap", "nas"]
        let start = ContinuousClock.now
        var sites: [Int] = []
        for (index, site) in Self.sites.enumerated() {
            sites += Array(repeating: index, count: Int((Double(size) * site.share).rounded()))
        }
        for n in 0..<min(size, sites.count) {
            let mac = HardwareAddress(bytes: [0x02, 0x00, 0x5e, UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)])!
            let kind = kinds[Int(random.next() % UInt64(kinds.count))]
            // Joins are spread over the first 20 seconds, so the dashboard fills up visibly.
            let delay = Double(random.next() % 20_000) / 1000
            clients.append(Client(
                mac: mac, hostname: "\(kind)-\(Self.sites[sites[n]].name)-\(n)", site: sites[n], due: start + .seconds(delay)))
        }
    }

    /// Runs until `deadline` (or forever), at most `perTick` actions every 100 ms.
    func run(until deadline: ContinuousClock.Instant?, perTick: Int = 8) async {
        while !Task.isCancelled {
            let now = ContinuousClock.now
            if let deadline, now >= deadline { return }
            let due = clients.indices.filter { clients[$0].due <= now }.prefix(perTick)
            await withTaskGroup(of: Void.self) { group in
                for index in due {
                    group.addTask { await self.act(index) }
                }
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    private func act(_ index: Int) async {
        let client = clients[index]
        // Nothing is due again until this action has rescheduled it.
        clients[index].due = .now + .seconds(3600)
        switch (client.plan, client.phase) {
        case (.join, _), (_, .idle):
            await join(index)
        case (.renew, .bound(let address, let server, _)):
            await renew(index, address: address, server: server)
        case (.release, .bound(let address, let server, _)):
            var release = message(.release, index)
            release.ciaddr = address
            release.options.set(.serverIdentifier, server)
            relay.send(release)
            counts.releases += 1
            idle(index, for: uniform(30, 120))
        case (.depart, .bound(_, _, let lease)):
            // Gone without a word: the lease runs out in the store; the client returns later.
            counts.departures += 1
            idle(index, for: lease * 1.2 + uniform(0, 60))
        }
    }

    private func join(_ index: Int) async {
        var discover = message(.discover, index)
        discover.options.set(.hostName, clients[index].hostname)
        discover.options.set(.parameterRequestList, [1, 3, 6, 15, 51, 58, 59])
        guard let offer = await relay.exchange(discover), (try? offer.messageType) == .offer,
              let server = try? offer.options.get(.serverIdentifier)
        else {
            counts.unanswered += 1
            idle(index, for: uniform(5, 15))
            return
        }
        var request = message(.request, index, xid: discover.xid)
        request.options.set(.requestedAddress, offer.yiaddr)
        request.options.set(.serverIdentifier, server)
        request.options.set(.hostName, clients[index].hostname)
        guard let ack = await relay.exchange(request) else {
            counts.unanswered += 1
            idle(index, for: uniform(5, 15))
            return
        }
        guard (try? ack.messageType) == .ack else {
            counts.naks += 1
            idle(index, for: uniform(2, 5))
            return
        }
        counts.joins += 1
        if random.next() % 100 < 3 {
            // As after an ARP probe that found the address in use (RFC 2131 §3.1.5).
            var decline = message(.decline, index)
            decline.options.set(.requestedAddress, ack.yiaddr)
            decline.options.set(.serverIdentifier, server)
            relay.send(decline)
            counts.declines += 1
            idle(index, for: uniform(10, 30))
            return
        }
        bound(index, address: ack.yiaddr, server: server, lease: Double((try? ack.options.get(.leaseTime)) ?? 120))
    }

    private func renew(_ index: Int, address: IPv4Address, server: IPv4Address) async {
        var request = message(.request, index)
        request.ciaddr = address
        guard let reply = await relay.exchange(request) else {
            counts.unanswered += 1
            clients[index].due = .now + .seconds(uniform(5, 10))  // try again, still bound
            return
        }
        guard (try? reply.messageType) == .ack else {
            counts.naks += 1
            idle(index, for: uniform(1, 3))
            return
        }
        counts.renewals += 1
        bound(index, address: address, server: server, lease: Double((try? reply.options.get(.leaseTime)) ?? 120))
    }

    /// Bound: most clients renew at T1 (half the lease); some release early or leave.
    private func bound(_ index: Int, address: IPv4Address, server: IPv4Address, lease: Double) {
        if case .idle = clients[index].phase { counts.bound += 1 }
        clients[index].phase = .bound(address: address, server: server, lease: lease)
        let roll = random.next() % 100
        let renewAt = lease / 2 * uniform(0.9, 1.0)
        switch roll {
        case ..<85:
            clients[index].plan = .renew
            clients[index].due = .now + .seconds(renewAt)
        case ..<93:
            clients[index].plan = .release
            clients[index].due = .now + .seconds(uniform(10, max(11, renewAt)))
        default:
            clients[index].plan = .depart
            clients[index].due = .now + .seconds(uniform(10, max(11, renewAt)))
        }
    }

    private func idle(_ index: Int, for seconds: Double) {
        if case .bound = clients[index].phase { counts.bound -= 1 }
        clients[index].phase = .idle
        clients[index].plan = .join
        clients[index].due = .now + .seconds(seconds)
    }

    private func message(_ type: DHCPv4MessageType, _ index: Int, xid: UInt32? = nil) -> DHCPv4Message {
        let client = clients[index]
        let site = Self.sites[client.site]
        let xid = xid ?? {
            nextXID &+= 1
            return nextXID
        }()
        return relay.relayed(type, client: client.mac, xid: xid, subnet: site.subnet)
    }

    private func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * Double(random.next() % 1_000_000) / 1_000_000
    }
}
