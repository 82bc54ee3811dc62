import Dashboard
import Foundation
import Testing

@Suite("Themes")
struct ThemeTests {
    /// The repository's `themes/` folder: three levels above this file.
    static let themesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("themes").path

    static var themeFiles: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: themesDirectory)) ?? []).filter { $0.hasSuffix(".theme") }.sorted()
    }

    @Test func theShippedThemesAreThere() {
        #expect(Set(Self.themeFiles).isSuperset(of: ["default.theme", "light.theme", "high-contrast.theme", "mono.theme"]))
    }

    @Test(arguments: themeFiles)
    func everyThemeFileLoadsCompleteAndResolvesAtEveryDepth(_ file: String) throws {
        let theme = try Theme.load(contentsOf: "\(Self.themesDirectory)/\(file)")
        #expect(theme.missingRoles.isEmpty, "\(file) leaves out \(theme.missingRoles)")
        for depth in ColorDepth.allCases {
            let styles = ThemeResolver.resolve(theme, depth: depth)
            #expect(styles.count == ColorRole.allCases.count)
            for (role, style) in styles {
                for color in [style.foreground, style.background] {
                    switch (color, depth) {
                    case (.terminalDefault, _): break
                    case (.index(let index), .colors8): #expect((0..<8).contains(index), "\(file) \(role)")
                    case (.index(let index), .colors256), (.index(let index), .truecolor):
                        #expect((0..<256).contains(index), "\(file) \(role)")
                    case (.direct, .truecolor): break
                    default: Issue.record("\(file) \(role) at \(depth): \(color)")
                    }
                }
            }
            // The cursor must stand out from normal text at every depth.
            #expect(styles[.selected] != styles[.normal], "\(file) at \(depth)")
        }
    }

    @Test func monoThemeUsesOnlyTheTerminalsColours() throws {
        let theme = try Theme.load(contentsOf: "\(Self.themesDirectory)/mono.theme")
        for style in theme.styles.values {
            #expect(style.foreground == .terminalDefault && style.background == .terminalDefault)
        }
    }

    @Test func themeSetLoadsTheDirectoryDefaultFirst() throws {
        let set = try ThemeSet.load(directory: Self.themesDirectory)
        #expect(set.problems.isEmpty)
        #expect(set.names.first == "default")
        #expect(Set(set.names).isSuperset(of: ["default", "light", "high-contrast", "mono"]))
        #expect(ThemeSet.locate(candidates: ["/nonexistent/themes", Self.themesDirectory]).directory == Self.themesDirectory)
        let fallback = ThemeSet.locate(candidates: ["/nonexistent/themes"])
        #expect(fallback.directory == nil && fallback.names == ["default"])
    }

    @Test func searchPathPutsTheEnvironmentFirstThenTheWorkingDirectoryThenThePrefix() {
        #expect(
            ThemeSet.searchPath(environment: ["LESSOR_THEMES": "/etc/lessor/themes"], executablePath: "/opt/lessor/bin/lessor")
                == ["/etc/lessor/themes", "themes", "/opt/lessor/share/lessor/themes", "/usr/share/lessor/themes"])
        #expect(ThemeSet.searchPath(environment: [:], executablePath: "/usr/bin/lessor").first == "themes")
    }

    @Test func builtInThemeIsCompleteAndMatchesDefaultTheme() throws {
        #expect(Theme.builtIn.missingRoles.isEmpty)
        let file = try Theme.load(contentsOf: "\(Self.themesDirectory)/default.theme")
        #expect(file.styles == Theme.builtIn.styles)
    }

    @Test(arguments: [
        ("normal = red\nbogus = blue\n", 2, "unknown role 'bogus'"),
        ("# comment\n\nheader = purple\n", 3, "bad colour 'purple'"),
        ("normal = 256\n", 1, "colour index 256"),
        ("normal = #12345\n", 1, "bad colour '#12345'"),
        ("normal = red on\n", 1, "expected a colour after 'on'"),
        ("normal = red blinking\n", 1, "unexpected 'blinking'"),
        ("normal red\n", 1, "expected 'role = style'"),
        ("normal = red\nnormal = blue\n", 2, "set twice"),
        ("normal =\n", 1, "expected a style"),
    ])
    func invalidThemesFailWithFileAndLine(text: String, line: Int, message: String) {
        do {
            _ = try Theme.parse(text, file: "themes/broken.theme")
            Issue.record("parsed: \(text)")
        } catch {
            #expect(error.line == line)
            #expect(error.description.hasPrefix("themes/broken.theme:\(line): "))
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test func invalidFileInADirectoryIsReportedAndTheOthersStillLoad() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lessor-themes-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "normal = green\n".write(to: directory.appendingPathComponent("good.theme"), atomically: true, encoding: .utf8)
        try "normal = green\nkey = ultraviolet\n".write(
            to: directory.appendingPathComponent("bad.theme"), atomically: true, encoding: .utf8)
        let set = try ThemeSet.load(directory: directory.path)
        #expect(set.names == ["good"])
        #expect(set.problems.count == 1)
        #expect(set.problems.first?.description.hasSuffix("bad.theme:2: bad colour 'ultraviolet' (expected default, a name such as red or bright-blue, 0–255, or #rrggbb)") == true)
    }

    @Test func missingRolesFallBackToNormalAndSelectedStaysVisible() throws {
        let theme = try Theme.parse("name = tiny\nnormal = white on blue\n", file: "tiny.theme")
        #expect(theme.name == "tiny")
        #expect(theme.style(.warn) == theme.style(.normal))
        #expect(theme.style(.selected).reverse && theme.style(.selected).foreground == .indexed(7))
        #expect(theme.missingRoles.count == ColorRole.allCases.count - 1)
        let bare = try Theme.parse("", file: "x/empty.theme")
        #expect(bare.name == "empty")
        #expect(bare.style(.header) == ThemeStyle())
    }

    @Test func parsesEveryColourForm() throws {
        let theme = try Theme.parse(
            "normal = default on default\nheader = bright-white on blue bold underline\ndim = 244\nkey = #FF8700 on 16 reverse\nwarn = bold\nok = on green\n",
            file: "t.theme")
        #expect(theme.style(.normal) == ThemeStyle())
        #expect(theme.style(.header) == ThemeStyle(foreground: .indexed(15), background: .indexed(4), bold: true, underline: true))
        #expect(theme.style(.dim) == ThemeStyle(foreground: .indexed(244)))
        #expect(theme.style(.key) == ThemeStyle(foreground: .rgb(255, 135, 0), background: .indexed(16), reverse: true))
        #expect(theme.style(.warn) == ThemeStyle(bold: true))
        #expect(theme.style(.ok) == ThemeStyle(background: .indexed(2)))
    }
}

@Suite("Colour mapping")
struct ColorMappingTests {
    @Test(arguments: [
        ((255, 0, 0), 196), ((0, 0, 0), 16), ((255, 255, 255), 231), ((128, 128, 128), 244), ((95, 135, 175), 67),
        ((8, 8, 8), 232), ((238, 238, 238), 255), ((0, 95, 135), 24), ((250, 128, 114), 209),
    ])
    func rgbMapsToTheNearest256Entry(rgb: (Int, Int, Int), index: Int) {
        let (color, _) = ThemeResolver.resolve(.rgb(UInt8(rgb.0), UInt8(rgb.1), UInt8(rgb.2)), depth: .colors256)
        #expect(color == .index(index))
    }

    @Test func nearest256IsNeverFartherThanAnyOtherEntry() {
        func distance(_ a: (UInt8, UInt8, UInt8), _ b: (UInt8, UInt8, UInt8)) -> Int {
            let d = [Int(a.0) - Int(b.0), Int(a.1) - Int(b.1), Int(a.2) - Int(b.2)]
            return d.reduce(0) { $0 + $1 * $1 }
        }
        for r in stride(from: 0, through: 255, by: 17) {
            for g in stride(from: 0, through: 255, by: 51) {
                for b in stride(from: 0, through: 255, by: 85) {
                    let target = (UInt8(r), UInt8(g), UInt8(b))
                    let chosen = ThemeResolver.nearest256(target.0, target.1, target.2)
                    #expect((16..<256).contains(chosen))
                    let best = (16..<256).map { distance(ThemeResolver.rgb(ofIndex: $0), target) }.min()!
                    // The cube/grey shortcut may pick a near tie, never a clearly worse entry.
                    #expect(distance(ThemeResolver.rgb(ofIndex: chosen), target) <= best + 3 * 20 * 20, "\(target)")
                }
            }
        }
    }

    @Test func eightColoursUseTheNearestANSIColourAndBoldForBright() {
        func eight(_ color: ThemeColor) -> (ResolvedColor, Bool) { ThemeResolver.resolve(color, depth: .colors8) }
        #expect(eight(.indexed(1)) == (.index(1), false))
        #expect(eight(.indexed(9)) == (.index(1), true))  // bright red: red + bold
        #expect(eight(.indexed(15)) == (.index(7), true))
        #expect(eight(.rgb(200, 10, 10)) == (.index(1), false))
        #expect(eight(.rgb(255, 0, 0)) == (.index(1), true))
        #expect(eight(.rgb(0, 0, 90)) == (.index(0), false))  // dark navy is nearest black
        #expect(eight(.indexed(196)) == (.index(1), true))  // cube red = bright red
        #expect(eight(.indexed(28)) == (.index(2), false))  // (0,135,0): green
        let style = ThemeResolver.resolve(ThemeStyle(foreground: .indexed(12), background: .indexed(12)), depth: .colors8)
        #expect(style == ResolvedStyle(foreground: .index(4), background: .index(4), bold: true, underline: false, reverse: false))
    }

    @Test func truecolorKeepsRGBDirect() {
        #expect(ThemeResolver.resolve(.rgb(0x12, 0x34, 0x56), depth: .truecolor).0 == .direct(0x123456))
        #expect(ThemeResolver.resolve(.indexed(200), depth: .truecolor).0 == .index(200))
        #expect(ThemeResolver.resolve(.terminalDefault, depth: .truecolor).0 == .terminalDefault)
    }

    @Test func monoDropsColoursKeepsAttributesAndReversesSelection() throws {
        let theme = try Theme.parse("normal = red on blue\nselected = black on cyan\nwarn = yellow bold underline\n", file: "m.theme")
        let styles = resolve(theme, depth: .mono)
        for style in styles.values {
            #expect(style.foreground == .terminalDefault && style.background == .terminalDefault)
        }
        #expect(styles[.selected]?.reverse == true)
        #expect(styles[.warn] == ResolvedStyle(foreground: .terminalDefault, background: .terminalDefault, bold: true,
                                               underline: true, reverse: false))
        #expect(styles[.normal]?.reverse == false)
    }
}
