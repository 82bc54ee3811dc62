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

    /// Every damaged variant of the example (each line removed, each prefix) loads or fails with
    /// problems that say where they are: never a crash, never a silent success with an error.
    @Test func damagedExamplesFailCleanly() throws {
        let text = try String(contentsOfFile: Self.examples + "/lessor.yaml", encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var variants: [String] = []
        for index in lines.indices {
            var removed = lines
            removed.remove(at: index)
            variants.append(removed.joined(separator: "\n"))
            variants.append(lines[..<index].joined(separator: "\n"))
        }
        for variant in variants {
            do {
                _ = try ConfigurationLoader.parse(yaml: variant, file: "/etc/lessor/lessor.yaml")
            } catch {
                #expect(!error.problems.isEmpty)
                for problem in error.problems where problem.line == nil {
                    #expect(problem.message.hasPrefix("the file is empty"))
                }
            }
        }
    }
}
