import Dashboard
import Testing

@Suite("Cell grid")
struct CellGridTests {
    @Test func textIsClippedAtTheEdgeAndRolesFollowIt() {
        var grid = CellGrid(width: 6, height: 2)
        let end = grid.put("lessor top", x: 1, y: 0, role: .title)
        #expect(end == 6)
        grid.paint(x: 0, y: 1, width: 3, role: .warn)
        #expect(grid.text == " lesso\n      ")
        #expect(grid.roleMap == ".TTTTT\nwww...")
    }
}
