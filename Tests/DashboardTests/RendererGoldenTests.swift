import Dashboard
import Foundation
import LeaseStore
import Testing

/// Golden grids: the rendered text and its colour roles, compared with files in `Golden/`.
///
/// To regenerate after an intended change: `LESSOR_UPDATE_GOLDEN=1 swift test --filter DashboardTests`,
/// then review `git diff Tests/DashboardTests/Golden`. Without the variable a difference fails.
enum Golden {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func check(_ grid: CellGrid, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let actual = grid.text + "\n=== roles ===\n" + grid.roleMap + "\n"
        let url = directory.appendingPathComponent("\(name).golden")
        if ProcessInfo.processInfo.environment["LESSOR_UPDATE_GOLDEN"] == "1" {
            try? actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("no golden file \(url.path); run with LESSOR_UPDATE_GOLDEN=1 to create it", sourceLocation: sourceLocation)
            return
        }
        if actual != expected {
            let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let line = Array(zip(a, e)).firstIndex { $0 != $1 } ?? min(a.count, e.count)
            Issue.record(
                """
                \(name) differs from its golden file at line \(line + 1):
                expected: \(line < e.count ? String(e[line]) : "<end>")
                actual:   \(line < a.count ? String(a[line]) : "<end>")
                (LESSOR_UPDATE_GOLDEN=1 rewrites the golden files)
                """, sourceLocation: sourceLocation)
        }
    }
}

@Suite("Renderer golden grids")
struct RendererGoldenTests {
    static let sizes: [(String, Int, Int, Bool)] = [
        ("table-80x24", 80, 24, true), ("table-160x48", 160, 48, true), ("too-small-40x10", 40, 10, true),
        ("table-80x24-ascii", 80, 24, false),
    ]

    @Test(arguments: sizes.map { $0.0 })
    func tableMatchesGolden(_ name: String) {
        let (_, width, height, unicode) = Self.sizes.first { $0.0 == name }!
        let state = Sample.state(width: width, height: height)
        let grid = DashboardRenderer.render(state, size: (width, height), now: Sample.now, unicode: unicode)
        #expect(grid.width == width && grid.height == height)
        Golden.check(grid, name)
    }

    @Test func overlaysMatchGolden() {
        let now = Sample.now
        var state = Sample.state()
        _ = state.handle(.character("?"), now: now)
        Golden.check(DashboardRenderer.render(state, size: (80, 24), now: now, unicode: true), "help-80x24")

        state = Sample.state()
        _ = state.setSortAndSelect(hostname: "phone-bob")
        _ = state.handle(.character("R"), now: now)
        Golden.check(DashboardRenderer.render(state, size: (80, 24), now: now, unicode: true), "confirm-force-80x24")

        state = Sample.state()
        _ = state.setSortAndSelect(hostname: "ws-carol")
        _ = state.handle(.enter, now: now)
        Golden.check(DashboardRenderer.render(state, size: (80, 24), now: now, unicode: true), "detail-80x24")

        state = Sample.state()
        _ = state.setSortAndSelect(hostname: "phone-bob")
        _ = state.handle(.enter, now: now)
        let released = DashboardRenderer.render(state, size: (80, 24), now: now, unicode: true)
        #expect(released.text.contains("released: the address is held for this client"))
        #expect(released.text.contains("active→released"))  // the client's own event
        Golden.check(released, "detail-released-80x24")

        state = Sample.state(readonly: true)
        _ = state.handle(.character("e"), now: now)
        for key in "2x" { _ = state.handle(.character(key), now: now) }
        Golden.check(DashboardRenderer.render(state, size: (80, 24), now: now, unicode: true), "readonly-80x24")

        state = Sample.state()
        _ = state.handle(.character("e"), now: now)
        for key in "2x" { _ = state.handle(.character(key), now: now) }
        _ = state.handle(.enter, now: now)
        Golden.check(DashboardRenderer.render(state, size: (80, 24), now: now, unicode: true), "prompt-error-80x24")
    }
}

extension DashboardState {
    /// Moves the cursor onto the first lease with `hostname` (by walking with `j`).
    mutating func setSortAndSelect(hostname: String) -> Bool {
        refreshRows()
        _ = handle(.character("g"), now: Sample.now)
        for _ in 0..<rowCount {
            if selectedLease?.record.lease.hostname == hostname { return true }
            _ = handle(.character("j"), now: Sample.now)
        }
        return selectedLease?.record.lease.hostname == hostname
    }
}

/// What the golden files show, checked as behaviour, so a wrong golden cannot pass.
@Suite("Renderer content")
struct RendererContentTests {
    let state = Sample.state()

    func render(_ width: Int, _ height: Int, unicode: Bool = true) -> CellGrid {
        DashboardRenderer.render(state, size: (width, height), now: Sample.now, unicode: unicode)
    }

    func line(_ grid: CellGrid, containing text: String) -> Int? {
        grid.text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(text) }
    }

    @Test func releasedLeaseSaysItsAddressIsHeldWithACountdown() {
        let grid = render(80, 24)
        // 754 s left: 12:34 in the mm:ss form used under an hour.
        #expect(grid.text.contains("released (held 12:34)"))
    }

    @Test func countdownsUseCoarseFormsOverAnHour() {
        let grid = render(160, 48)
        #expect(grid.text.contains("3h12m"))  // laptop-anna: 3h12m05s left
        #expect(grid.text.contains("2d04h"))  // the declined lease
        #expect(grid.text.contains("expired"))
        #expect(grid.text.contains("00:45"))  // the offer
    }

    @Test func wideScreenShowsMoreColumnsAndEvents() {
        let narrow = render(80, 24)
        let wide = render(160, 48)
        #expect(!narrow.text.contains("changed"))
        #expect(wide.text.contains("changed"))
        let events = { (grid: CellGrid) in grid.text.components(separatedBy: "deleted").count }
        #expect(events(wide) >= events(narrow))
        #expect(wide.text.contains("2001:db8:100::/56"))
        #expect(wide.text.contains("2001:db8:1::105 +1"))
        #expect(wide.text.contains("renewed  laptop-anna"))  // a later expiry on an active lease
        #expect(wide.text.contains("active→released"))
    }

    @Test func poolsAreColouredByThreshold() throws {
        let grid = render(80, 24)
        let roles = grid.roleMap.split(separator: "\n").map { Array($0) }
        let iot = try #require(line(grid, containing: " iot "))
        let guest = try #require(line(grid, containing: " guest "))
        let lan = try #require(line(grid, containing: " lan "))
        #expect(roles[iot].contains("c"))  // 2 free < 3: critical
        #expect(roles[guest].contains("w") && !roles[guest].contains("c"))  // 8 free < 10: warn
        #expect(!roles[lan].contains("w") && !roles[lan].contains("c"))  // 75 %, 50 free
    }

    @Test func selectedRowIsPaintedSelectedAcrossTheWidth() throws {
        let grid = render(80, 24)
        let selected = try #require(state.selectedLease)
        let row = try #require(line(grid, containing: selected.record.lease.elements[0].resource.description))
        let roles = Array(grid.roleMap.split(separator: "\n")[row])
        #expect(roles.allSatisfy { $0 == "S" })
    }

    @Test func tooSmallSaysTheMinimum() {
        let grid = render(40, 10)
        #expect(grid.text.contains("terminal too small"))
        #expect(grid.text.contains("60×16"))
        #expect(render(59, 24).text.contains("terminal too small"))
        #expect(!render(60, 16).text.contains("terminal too small"))
    }

    @Test func asciiModeWritesOnlyASCII() {
        for (width, height) in [(80, 24), (160, 48), (40, 10)] {
            #expect(render(width, height, unicode: false).text.allSatisfy { $0.isASCII })
        }
    }

    @Test func sparklineShowsRecentActivity() throws {
        let grid = render(160, 48)
        let header = String(grid.text.split(separator: "\n")[1])
        let spark = header.filter { "▁▂▃▄▅▆▇█".contains($0) }
        #expect(spark.count == 30)
        #expect(spark.contains { $0 != "▁" })
    }

    @Test func renderFrameRefreshesRowsAndRecordsTheSize() {
        var state = Sample.state()
        state.setSort(.hostname, reversed: true)
        #expect(!state.rowsAreCurrent)
        let grid = state.renderFrame(width: 100, height: 30, now: Sample.now, unicode: true)
        #expect(state.rowsAreCurrent)
        #expect(state.screenWidth == 100 && state.screenHeight == 30)
        #expect(grid == DashboardRenderer.render(state, size: (100, 30), now: Sample.now, unicode: true))
    }

    @Test func rendersEverySizeBetweenTooSmallAndLarge() {
        for width in stride(from: 20, through: 200, by: 7) {
            for height in stride(from: 5, through: 60, by: 5) {
                let grid = render(width, height)
                #expect(grid.width == width && grid.height == height)
            }
        }
    }
}
