import ArgumentParser
import DHCPWire
import Dashboard
import Foundation
import LeaseStore
import LessorControl

extension BenchCommand {
    /// `lessor bench top`: the dashboard's model and renderer with many leases, no terminal.
    struct TopBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "top",
            abstract: "Frame times of lessor top's model and renderer with many leases.",
            discussion: """
                Builds a dashboard state from a snapshot of N leases in several pools, then times \
                (ContinuousClock) frames at 160x48: rendering alone, a frame after a sort change, \
                frames with a trickle of changes, a burst of changes followed by the next frame, and \
                filter changes. Prints median and p99 where a step is repeated.
                """)

        @Option(help: "Leases in the snapshot.") var leases = 100_000
        @Option(help: "Frames measured per step.") var frames = 200
        @Option(help: "Changes in the burst.") var burst = 10_000

        func run() throws {
            var bench = TopBenchmark(leases: leases)
            print("lessor bench top: \(leases) leases, \(frames) frames per step, 160x48")
            bench.measure(frames: frames, burst: burst)
        }
    }
}

/// The state and clock of one `bench top` run.
struct TopBenchmark {
    let size = (width: 160, height: 48)
    let pools = ["lan", "guest", "iot", "voice", "lab", "dmz", "wifi", "office"]
    var state = DashboardState()
    var now = Date(timeIntervalSince1970: 1_795_608_000)
    var records: [LeaseRecord] = []
    var random = SplitMix(seed: 42)
    var sequence: UInt64 = 0

    init(leases: Int) {
        records = (0..<leases).map { record($0) }
    }

    mutating func record(_ n: Int) -> LeaseRecord {
        let states: [LeaseState] = [.active, .active, .active, .active, .active, .active, .offered, .released, .declined, .expired]
        var lease = Lease.v4(
            IPv4Address(10 << 24 | UInt32(n)), state: states[random.next(states.count)],
            expiresAt: now + Double(random.next(86_400)) - 600, owner: random.next(10) == 0 ? "static" : "range",
            hostname: random.next(5) == 0 ? nil : "host-\(n)", pool: pools[n % pools.count])
        lease.version = UInt64(n + 1)
        lease.updatedAt = now - Double(random.next(86_400))
        return LeaseRecord(client: StoreBenchmark.client(n), lease: lease)
    }

    /// A renewal of a random lease (new expiry, new version), or now and then a release.
    mutating func change() -> LeaseChange {
        let index = random.next(records.count)
        let previous = records[index].lease
        var lease = previous
        sequence += 1
        lease.version = 1_000_000_000 + sequence
        lease.updatedAt = now
        if random.next(20) == 0 {
            lease.state = .released
        } else {
            lease.state = .active
            lease.expiresAt = now + Double(3_600 + random.next(3_600))
        }
        records[index].lease = lease
        return LeaseChange(
            sequence: sequence, client: records[index].client, kind: .updated, lease: lease, previous: previous,
            byReclaimer: false)
    }

    /// One frame as the terminal loop does it: bring the rows up to date, render.
    mutating func frame() -> CellGrid {
        now += 0.1
        return state.renderFrame(width: size.width, height: size.height, now: now, unicode: true)
    }

    mutating func measure(frames: Int, burst: Int) {
        let clock = ContinuousClock()
        let poolStats = pools.map {
            PoolStats(name: $0, subnet: "10.0.0.0/8", range: "", size: 20_000, active: 10_000, offered: 100, declined: 10,
                      held: 500, free: 9_390, leaseTime: 3_600)
        }
        let snapshot = ControlResponse(id: 1, event: .snapshot, pools: poolStats, leases: records)
        var grid = CellGrid(width: 0, height: 0)
        let load = clock.measure { _ = state.apply(snapshot, now: now) }
        report("snapshot applied", [load])
        report("first frame (full sort)", [clock.measure { grid = frame() }])

        report("frame, nothing changed (render only)", (0..<frames).map { _ in clock.measure { grid = frame() } })

        var sortFrames: [Duration] = []
        for column in SortColumn.allCases + SortColumn.allCases {
            sortFrames.append(clock.measure {
                state.setSort(column, reversed: false)
                grid = frame()
            })
        }
        report("sort column change + frame", sortFrames)
        state.setSort(.expiry, reversed: false)
        _ = frame()

        report("100 changes applied + frame", (0..<frames).map { _ in
            let changes = (0..<100).map { _ in change() }
            return clock.measure {
                for change in changes { _ = state.apply(ControlResponse(id: 1, event: .change, change: change), now: now) }
                grid = frame()
            }
        })

        var applyTimes: [Duration] = []
        var burstTimes: [Duration] = []
        for _ in 0..<5 {
            let changes = (0..<burst).map { _ in change() }
            var applied = Duration.zero
            burstTimes.append(clock.measure {
                applied = clock.measure {
                    for change in changes { _ = state.apply(ControlResponse(id: 1, event: .change, change: change), now: now) }
                }
                grid = frame()
            })
            applyTimes.append(applied)
        }
        report("burst of \(burst) changes: applying them", applyTimes)
        report("burst of \(burst) changes: applied + next frame", burstTimes)

        for text in ["host-4242", "released", "10.0.1", "re:^host-1[0-9]*7$", ""] {
            let times = (0..<5).map { _ in
                clock.measure {
                    try? state.setFilter(text)
                    grid = frame()
                }
            }
            report("filter '\(text)' (\(state.rowCount) rows) + frame", times)
        }
        precondition(grid.width == size.width, "the frame was rendered")
    }

    func report(_ what: String, _ times: [Duration]) {
        let millis = times.map { Double($0.components.seconds) * 1_000 + Double($0.components.attoseconds) / 1e15 }.sorted()
        let median = millis[millis.count / 2]
        let p99 = millis[min(millis.count - 1, Int((Double(millis.count) * 0.99).rounded(.up)) - 1)]
        let count = millis.count == 1 ? "" : String(format: "   p99 %8.2f ms  (n=%d)", p99, millis.count)
        print(what.padding(toLength: 58, withPad: " ", startingAt: 0) + String(format: " median %8.2f ms", median) + count)
    }
}

/// A small deterministic generator, so runs are comparable.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
