import AWFuzzTargets

#if FUZZING
    // Built by Fuzz/run.sh with `--sanitize fuzzer -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING` (see Fuzz/run.sh):
    // libFuzzer provides `main` and calls the target named by AW_FUZZ_TARGET for each input.
    import Foundation

    nonisolated(unsafe) private var selectedTarget: FuzzTarget?

    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneInput(_ data: UnsafeRawPointer?, _ count: Int) -> CInt {
        if selectedTarget == nil {
            let name = ProcessInfo.processInfo.environment["AW_FUZZ_TARGET"] ?? ""
            guard let target = FuzzTarget(rawValue: name) else {
                fatalError(
                    "set AW_FUZZ_TARGET to one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            selectedTarget = target
        }
        do {
            try selectedTarget!.run(UnsafeRawBufferPointer(start: data, count: count))
        } catch {
            fatalError("fuzz finding in \(selectedTarget!.rawValue): \(error)")
        }
        return 0
    }
#else
    // The ordinary build replays inputs, for a stack trace without sanitizers:
    //   aw-fuzz TARGET FILE...
    import Foundation

    @main
    struct ReplayInputs {
        static func main() {
            let arguments = CommandLine.arguments.dropFirst()
            guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
                let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
                print("usage: aw-fuzz \(names) FILE...\n(to fuzz, run Fuzz/run.sh)")
                exit(2)
            }
            var failures = 0
            for path in arguments.dropFirst() {
                guard let input = FileManager.default.contents(atPath: path) else {
                    print("\(path): cannot read")
                    failures += 1
                    continue
                }
                do {
                    try input.withUnsafeBytes { buffer in try target.run(buffer) }
                    print("\(path): ok")
                } catch {
                    print("\(path): \(error)")
                    failures += 1
                }
            }
            exit(failures == 0 ? 0 : 1)
        }
    }
#endif
