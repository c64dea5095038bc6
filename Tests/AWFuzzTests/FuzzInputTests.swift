import AWFuzzTargets
import Foundation
import Testing

/// Replays every stored fuzzing input (the seeds in `Fuzz/corpus/` and the inputs that once
/// crashed or broke a promise, in `Fuzz/regressions/`) through the same targets libFuzzer runs,
/// in the ordinary build, so a fixed problem stays fixed.
@Suite struct FuzzInputTests {
    static let fuzzFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    /// The files of `Fuzz/<kind>/<target>/`, sorted.
    static func inputs(_ kind: String, _ target: FuzzTarget) -> [URL] {
        let folder = fuzzFolder.appendingPathComponent(kind).appendingPathComponent(target.rawValue)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().map { folder.appendingPathComponent($0) }
    }

    // One target at a time: the query targets wait for async work from synchronous code (as
    // libFuzzer calls them), which two at once on the test's few threads could deadlock.
    @Test(.serialized, arguments: FuzzTarget.allCases)
    func storedInputsKeepTheirPromises(target: FuzzTarget) throws {
        let seeds = Self.inputs("corpus", target)
        #expect(seeds.count >= 3, "Fuzz/corpus/\(target.rawValue) should hold seed inputs")
        for file in seeds + Self.inputs("regressions", target) {
            let input = try Data(contentsOf: file)
            do {
                try input.withUnsafeBytes { buffer in try target.run(buffer) }
            } catch {
                Issue.record("\(file.lastPathComponent): \(error)")
            }
        }
    }

    @Test func everyTargetHasADictionary() {
        for target in FuzzTarget.allCases {
            let path = Self.fuzzFolder.appendingPathComponent("dictionaries/\(target.rawValue).dict").path
            #expect(FileManager.default.fileExists(atPath: path), "missing \(path)")
        }
    }
}
