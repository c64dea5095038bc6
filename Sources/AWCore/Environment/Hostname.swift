#if canImport(Glibc)
    import Glibc
#endif

/// This machine's name.
public enum Hostname {
    /// The hostname as `gethostname` reports it (what watchers put in bucket ids such as
    /// `aw-watcher-window_<hostname>`), or `unknown`.
    public static var local: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "unknown" : name
    }
}
