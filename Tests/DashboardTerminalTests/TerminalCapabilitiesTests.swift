import Dashboard
@testable import DashboardTerminal
import Testing

@Suite struct TerminalCapabilitiesTests {
    @Test(arguments: [
        // (colors, RGB capability, expected)
        (16_777_216, true, ColorDepth.truecolor),
        (16_777_216, false, .truecolor),
        (256, false, .colors256),
        (256, true, .colors256),
        (88, false, .colors8),
        (8, false, .colors8),
        (2, false, .mono),
    ])
    func depthFollowsTheTerminfoColourCount(colors: Int, rgb: Bool, expected: ColorDepth) {
        let decided = TerminalCapabilities.decide(environment: [:], hasColors: true, colors: colors, directColor: rgb, codeset: "UTF-8")
        #expect(decided.colorDepth == expected)
    }

    @Test func truecolorNeedsADirectColourEntryNotJustCOLORTERM() {
        let environment = ["COLORTERM": "truecolor"]
        let decided = TerminalCapabilities.decide(environment: environment, hasColors: true, colors: 256, directColor: false, codeset: "UTF-8")
        #expect(decided.colorDepth == .colors256)
        #expect(TerminalCapabilities.colortermWantsTruecolor(environment))
        #expect(TerminalCapabilities.colortermWantsTruecolor(["COLORTERM": "24bit"]))
        #expect(!TerminalCapabilities.colortermWantsTruecolor(["COLORTERM": "yes"]))
        #expect(!TerminalCapabilities.colortermWantsTruecolor([:]))
    }

    @Test func noColorOrNoColourSupportMeansMono() {
        #expect(TerminalCapabilities.decide(environment: ["NO_COLOR": "1"], hasColors: true, colors: 16_777_216, directColor: true, codeset: "UTF-8").colorDepth == .mono)
        #expect(TerminalCapabilities.decide(environment: [:], hasColors: false, colors: 256, directColor: false, codeset: "UTF-8").colorDepth == .mono)
        // An empty NO_COLOR does not count (no-color.org).
        #expect(TerminalCapabilities.decide(environment: ["NO_COLOR": ""], hasColors: true, colors: 8, directColor: false, codeset: "UTF-8").colorDepth == .colors8)
    }

    @Test(arguments: [
        ("UTF-8", true), ("utf8", true), ("UTF8", true), ("ANSI_X3.4-1968", false), ("ISO-8859-1", false), ("", false),
    ])
    func unicodeOnlyInAUTF8Locale(codeset: String, unicode: Bool) {
        #expect(TerminalCapabilities.decide(environment: [:], hasColors: false, colors: 0, directColor: false, codeset: codeset).unicode == unicode)
    }
}
