import DHCPWire
import Dashboard
import Foundation
import LeaseStore
import LessorControl
import Testing

@Suite("Key reducer")
struct ReducerTests {
    let now = Sample.now

    func press(_ state: inout DashboardState, _ keys: Key...) -> [DashboardEffect] {
        keys.flatMap { state.handle($0, now: now) }
    }

    func type(_ state: inout DashboardState, _ text: String) {
        for character in text { _ = state.handle(.character(character), now: now) }
    }

    func rows(_ state: DashboardState) -> [LeaseRecord] {
        (0..<state.rowCount).compactMap { state.row(at: $0)?.record }
    }

    @Test func arrowsAndVimKeysMoveTheCursor() {
        var state = Sample.state()
        _ = press(&state, .home)
        #expect(state.selectedIndex == 0)
        _ = press(&state, .down, .character("j"))
        #expect(state.selectedIndex == 2)
        _ = press(&state, .character("k"))
        #expect(state.selectedIndex == 1)
        _ = press(&state, .up, .up, .up)
        #expect(state.selectedIndex == 0)
        _ = press(&state, .character("G"))
        #expect(state.selectedIndex == state.rowCount - 1)
        _ = press(&state, .down)
        #expect(state.selectedIndex == state.rowCount - 1)
        _ = press(&state, .character("g"))
        #expect(state.selectedIndex == 0)
        #expect(state.selectedKey == LeaseRowKey(state.row(at: 0)!.record))
    }

    @Test func pageKeysMoveByThePageHeight() {
        var state = Sample.state()
        state.screenHeight = 16  // a small screen: pages shorter than the table
        _ = press(&state, .home)
        let page = state.pageRows
        #expect(page > 0 && page < state.rowCount)
        _ = press(&state, .pageDown)
        #expect(state.selectedIndex == page)
        _ = press(&state, .pageDown, .pageDown)
        let bottom = min(3 * page, state.rowCount - 1)
        #expect(state.selectedIndex == bottom)
        _ = press(&state, .pageUp)
        #expect(state.selectedIndex == bottom - page)
        _ = press(&state, .end, .pageDown)
        #expect(state.selectedIndex == state.rowCount - 1)
        _ = press(&state, .home, .pageUp)
        #expect(state.selectedIndex == 0)
    }

    @Test func selectionStaysOnTheSameLeaseWhenRowsMove() throws {
        var state = Sample.state()
        _ = press(&state, .home, .down)
        let chosen = try #require(state.selectedKey)
        #expect(state.selectedIndex == 1)
        // Renew the selected lease far into the future: by expiry it becomes the last row.
        var lease = try #require(state.leases[chosen]).record.lease
        let previous = lease
        lease.expiresAt = now + 30 * 86_400
        lease.version += 1
        _ = state.apply(
            ControlResponse(id: 1, event: .change, change: LeaseChange(client: chosen.client, kind: .updated, lease: lease,
                                                                       previous: previous, byReclaimer: false)), now: now)
        state.refreshRows()
        #expect(state.selectedKey == chosen)
        #expect(state.selectedIndex == state.rowCount - 1)
        #expect(LeaseRowKey(state.row(at: state.selectedIndex)!.record) == chosen)
    }

    @Test func sortKeysChangeColumnAndDirection() {
        var state = Sample.state()
        #expect(state.sortColumn == .expiry)
        let byExpiry = rows(state).map(\.lease.expiresAt)
        #expect(byExpiry == byExpiry.sorted())

        _ = press(&state, .character("2"))  // hostname
        state.refreshRows()
        #expect(state.sortColumn == .hostname)
        let hostnames = rows(state).map { ($0.lease.hostname ?? "").lowercased() }
        #expect(hostnames == hostnames.sorted())

        _ = press(&state, .character("S"))
        state.refreshRows()
        #expect(state.sortReversed)
        #expect(rows(state).map { ($0.lease.hostname ?? "").lowercased() } == hostnames.sorted().reversed())

        _ = press(&state, .character("s"))  // the next column after hostname
        state.refreshRows()
        #expect(state.sortColumn == .address && !state.sortReversed)
        let v4 = rows(state).compactMap { record -> UInt32? in
            if case .ipv4(let address) = record.lease.elements.first?.resource { return address.rawValue }
            return nil
        }
        #expect(v4 == v4.sorted())

        _ = press(&state, .character("4"), .character("4"))  // state, twice: descending
        #expect(state.sortColumn == .state && state.sortReversed)
    }

    @Test func substringFilterIsCaseInsensitiveOverEveryField() {
        var state = Sample.state()
        _ = press(&state, .character("/"))
        type(&state, "PRINTER")
        #expect(state.mode == .filterInput("PRINTER"))
        _ = press(&state, .enter)
        #expect(state.mode == .table)
        #expect(rows(state).map(\.lease.hostname) == ["Printer"])

        for (text, expected) in [("guest", 1), ("released", 1), ("static", 1), ("2001:db8:100::", 1), ("02:00:5e:10:00:1", 7)] {
            _ = press(&state, .character("/"))
            for _ in 0..<40 { _ = press(&state, .backspace) }
            type(&state, text)
            _ = press(&state, .enter)
            #expect(state.rowCount == expected, "filter \(text)")
        }
        _ = press(&state, .character("/"), .escape)
        #expect(state.filter == nil)
        #expect(state.rowCount == state.leases.count)
    }

    @Test func regexFilterAndABadRegexShowsAnError() {
        var state = Sample.state()
        _ = press(&state, .character("/"))
        type(&state, "re:^(laptop|ws)-")
        _ = press(&state, .enter)
        #expect(Set(rows(state).compactMap(\.lease.hostname)) == ["laptop-anna", "ws-carol"])

        _ = press(&state, .character("/"))
        for _ in 0..<40 { _ = press(&state, .backspace) }
        type(&state, "re:([")
        _ = press(&state, .enter)
        #expect(state.message?.isError == true)
        #expect(state.message?.text.contains("bad regex") == true)
        #expect(state.mode == .filterInput("re:(["))  // still editing
        #expect(state.filter?.text == "re:^(laptop|ws)-")  // the last good filter stays
    }

    @Test(arguments: [Key.character("n"), .character("N"), .character("Y"), .enter, .escape, .character("q"), .character("r")])
    func confirmDefaultsToNo(_ answer: Key) {
        var state = Sample.state()
        _ = press(&state, .character("r"))
        guard case .confirm = state.mode else {
            Issue.record("r did not ask: \(state.mode)")
            return
        }
        #expect(press(&state, answer).isEmpty)
        #expect(state.mode == .table)
        #expect(state.pendingRequests.isEmpty)
    }

    @Test func yesReleasesTheSelectedLeaseWithItsVersion() throws {
        var state = Sample.state()
        let found = state.setSortAndSelect(hostname: "ws-carol")
        #expect(found)
        let lease = try #require(state.selectedLease).record
        #expect(press(&state, .character("r")).isEmpty)
        let effects = press(&state, .character("y"))
        guard case .send(let request) = effects.first, effects.count == 1 else {
            Issue.record("expected one send, got \(effects)")
            return
        }
        #expect(request.command == .release)
        #expect(request.client == lease.client.description)
        #expect(request.kind == lease.lease.kind && request.iaid == lease.lease.iaid)
        #expect(request.leaseVersion == lease.lease.version)
        #expect(request.force == nil)

        _ = press(&state, .character("R"))
        guard case .send(let forced) = press(&state, .character("y")).first else {
            Issue.record("R y sent nothing")
            return
        }
        #expect(forced.force == true)
        #expect(forced.id != request.id)
    }

    @Test func answersShowMessagesAndAConflictRefreshesTheLease() throws {
        var state = Sample.state()
        _ = press(&state, .character("r"))
        guard case .send(let request) = press(&state, .character("y")).first else {
            Issue.record("no request")
            return
        }
        _ = state.apply(ControlResponse(id: request.id), now: now)
        #expect(state.message?.text.hasPrefix("released \(request.client!)") == true)
        #expect(state.message?.isError == false)

        _ = press(&state, .character("e"), .enter)
        let extend = try #require(state.pendingRequests.keys.max())
        let effects = state.apply(.failure(id: extend, ControlError(.conflict, "version moved")), now: now)
        #expect(state.message == DashboardMessage("conflict: the lease changed since you looked; view refreshed", isError: true))
        guard case .send(let refresh) = effects.first else {
            Issue.record("conflict did not refresh")
            return
        }
        #expect(refresh.command == .lease)
        // The refresh's answer replaces the lease with the server's current one.
        let key = try #require(state.selectedKey)
        var current = try #require(state.leases[key]).record.lease
        current.version = 999
        current.hostname = "renamed"
        _ = state.apply(ControlResponse(id: refresh.id, leases: [LeaseRecord(client: key.client, lease: current)]), now: now)
        #expect(state.leases[key]?.record.lease.version == 999)
    }

    @Test func extendPromptParsesDurationsAndDefaultsToThePoolLeaseTime() throws {
        for (input, seconds) in [("", 3_600), ("90", 90), ("30m", 1_800), ("1h30m", 5_400), ("2d", 172_800), (" 45s ", 45)] {
            var state = Sample.state()
            let found = state.setSortAndSelect(hostname: "laptop-anna")  // pool lan: 3600 s
        #expect(found)
            _ = press(&state, .character("e"))
            type(&state, input)
            let effects = press(&state, .enter)
            guard case .send(let request) = effects.first else {
                Issue.record("'\(input)' sent nothing: \(state.mode)")
                continue
            }
            #expect(request.command == .extend)
            #expect(request.seconds == seconds, "input '\(input)'")
            #expect(state.mode == .table)
        }
    }

    @Test func invalidDurationShowsAnErrorAndEscCancels() {
        var state = Sample.state()
        _ = press(&state, .character("e"))
        type(&state, "soon")
        #expect(press(&state, .enter).isEmpty)
        guard case .prompt(let prompt) = state.mode else {
            Issue.record("left the prompt: \(state.mode)")
            return
        }
        #expect(prompt.error?.contains("not a duration") == true)
        #expect(press(&state, .escape).isEmpty)
        #expect(state.mode == .table)
        #expect(state.pendingRequests.isEmpty)
    }

    @Test func readonlyGreysOutChangesAndSaysSo() {
        var state = Sample.state(readonly: true)
        for key in ["r", "R", "e"] {
            #expect(press(&state, .character(Character(key))).isEmpty)
            #expect(state.mode == .table)
            #expect(state.message?.text.contains("read-only") == true)
        }
        let grid = DashboardRenderer.render(state, size: (80, 24), now: now, unicode: true)
        let lines = grid.text.split(separator: "\n").map(String.init)
        let roles = grid.roleMap.split(separator: "\n").map { Array($0) }
        let footer = lines.count - 2
        let release = lines[footer].range(of: "r release")!
        #expect(roles[footer][lines[footer].distance(from: lines[footer].startIndex, to: release.lowerBound)] == "g")
    }

    @Test func pauseBuffersTheStreamAndResumeAppliesIt() throws {
        var state = Sample.state()
        let before = state.leases.count
        _ = press(&state, .character("p"))
        #expect(state.paused)
        var lease = Lease.v4(IPv4Address(192, 0, 2, 99), expiresAt: now + 600, owner: "range", pool: "lan")
        lease.version = 100
        let change = LeaseChange(client: Sample.mac(0x99), kind: .created, lease: lease, previous: nil, byReclaimer: false)
        _ = state.apply(ControlResponse(id: 1, event: .change, change: change), now: now)
        #expect(state.leases.count == before)
        #expect(state.buffered.count == 1)
        _ = press(&state, .character("p"))
        #expect(!state.paused)
        #expect(state.leases.count == before + 1)
        #expect(state.buffered.isEmpty)

        // A resync while paused supersedes what was buffered before it.
        _ = press(&state, .character("p"))
        _ = state.apply(ControlResponse(id: 1, event: .change, change: change), now: now)
        _ = state.apply(ControlResponse(id: 1, event: .resync, leases: [Sample.records[0]]), now: now)
        #expect(state.buffered.count == 1)
        _ = press(&state, .character("p"))
        #expect(state.leases.count == 1)
    }

    @Test func quitHelpThemeAndDetail() {
        var state = Sample.state()
        #expect(press(&state, .character("q")) == [.quit])
        _ = press(&state, .character("?"))
        #expect(state.mode == .help)
        _ = press(&state, .escape)
        #expect(state.mode == .table)
        #expect(press(&state, .character("t")) == [.cycleTheme("light")])
        #expect(press(&state, .character("t"), .character("t")) == [.cycleTheme("mono"), .cycleTheme("default")])
        _ = press(&state, .enter)
        #expect(state.mode == .detail)
        _ = press(&state, .enter)
        #expect(state.mode == .table)
        // In the filter input, q is text, not quit.
        _ = press(&state, .character("/"))
        #expect(press(&state, .character("q")).isEmpty)
        #expect(state.mode == .filterInput("q"))
    }

    @Test func detailOfADeletedLeaseSaysItIsGone() throws {
        var state = Sample.state()
        let found = state.setSortAndSelect(hostname: "Printer")
        #expect(found)
        _ = press(&state, .enter)
        let key = try #require(state.selectedKey)
        let lease = try #require(state.leases[key]).record.lease
        _ = state.apply(
            ControlResponse(id: 1, event: .change, change: LeaseChange(client: key.client, kind: .deleted, lease: lease,
                                                                       previous: lease, byReclaimer: false)), now: now)
        state.refreshRows()
        #expect(state.selectedKey == key)
        let grid = DashboardRenderer.render(state, size: (80, 24), now: now, unicode: true)
        #expect(grid.text.contains("This lease is gone"))
        _ = press(&state, .escape)
        #expect(state.selectedLease != nil)  // back in the table the cursor lands on a lease
    }

    @Test func everyBindingIsReachableAndKeysAreUniquePerMode() {
        for mode in ModeKind.allCases {
            var seen: Set<Key> = []
            for binding in KeyBinding.table where binding.modes.contains(mode) {
                for key in binding.keys {
                    #expect(!seen.contains(key), "\(key) bound twice in \(mode)")
                    seen.insert(key)
                    #expect(KeyBinding.binding(for: key, in: mode)?.action == binding.action)
                }
            }
        }
    }

    @Test func readmeKeyListIsTheGeneratedOne() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let markdown = KeyBinding.markdown()
        // Golden/keys.md holds the generated list to paste (rewritten with LESSOR_UPDATE_GOLDEN=1).
        let pasteSource = Golden.directory.appendingPathComponent("keys.md")
        if ProcessInfo.processInfo.environment["LESSOR_UPDATE_GOLDEN"] == "1" {
            try markdown.write(to: pasteSource, atomically: true, encoding: .utf8)
        }
        #expect(try String(contentsOf: pasteSource, encoding: .utf8) == markdown)
        #expect(readme.contains(markdown), "README's 'Dashboard keys' is stale; paste Tests/DashboardTests/Golden/keys.md")
        for binding in KeyBinding.table { #expect(markdown.contains(binding.description)) }
    }
}
