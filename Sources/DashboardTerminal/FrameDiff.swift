import Dashboard

/// What to paint for a new frame, given the last one painted.
enum Repaint: Equatable {
    /// Clear and paint every cell: the first frame, a new size, new styles, or a redraw.
    case full
    /// Only these cells (row-major indices into the grid) changed.
    case cells([Int])

    /// Compares cell by cell (character and role). `previous` is nil when nothing trustworthy
    /// is on the screen.
    static func between(_ previous: CellGrid?, _ next: CellGrid) -> Repaint {
        guard let previous, previous.width == next.width, previous.height == next.height else { return .full }
        var changed: [Int] = []
        for (index, (old, new)) in zip(previous.cells, next.cells).enumerated() where old != new {
            changed.append(index)
        }
        return .cells(changed)
    }
}
