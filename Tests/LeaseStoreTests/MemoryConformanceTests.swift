import LeaseStore
import LeaseStoreConformance
import Testing

@Suite("Memory provider conformance")
struct MemoryConformanceTests {
    @Test(arguments: ConformanceSuite.cases)
    func conformance(_ check: ConformanceCase) async throws {
        try await check.run { options in MemoryLeaseStore(options: options) }
    }
}
