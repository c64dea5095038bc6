import Glibc

/// The name the system shows for the calling thread (`top -H`, `ps -L`), from
/// `/proc/thread-self/comm`; empty when it cannot be read.
public func currentThreadName() -> String {
    let file = open("/proc/thread-self/comm", O_RDONLY | O_CLOEXEC)
    guard file >= 0 else { return "" }
    defer { close(file) }
    var bytes = [UInt8](repeating: 0, count: 64)
    let count = max(0, read(file, &bytes, bytes.count))
    return String(decoding: bytes.prefix(count).filter { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
}
