import DHCPServer
import Foundation
import Testing

/// Every YAML file under examples/ must load: configurations through `check` (which also loads the
/// reservations files they name), reservations files (a top-level list) through `ReservationsFile`.
@Suite("examples/")
struct ExampleFilesTests {
    static let examples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples").path

    static var files: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: examples)) ?? []
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
    }

    @Test func thereAreExamples() {
        #expect(Self.files.contains("lessor.yaml"))
        #expect(Self.files.contains("static.yaml"))
    }

    @Test(arguments: files)
    func exampleLoads(name: String) throws {
        let path = Self.examples + "/" + name
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let firstContent = text.split(separator: "\n").first { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return !trimmed.isEmpty && !trimmed.hasPrefix("#")
        }
        do {
            if firstContent?.hasPrefix("-") == true {
                _ = try ReservationsFile.load(path: path)
            } else {
                let checked = try ConfigurationLoader.check(file: path)
                #expect(checked.configuration.server4?.subnets.isEmpty == false)
            }
        } catch {
            Issue.record("\(error)")
        }
    }
}
