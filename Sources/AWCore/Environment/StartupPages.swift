import Glibc

/// The pages of program code and read-only data that only starting the process used.
///
/// Starting maps in far more of the binary, the plugins and their libraries than an idle server
/// touches again (argument parsing, configuration, migrations, plugin loading, and whatever the
/// kernel faults in around each of those pages): about half of the desktop host's resident memory
/// right after start. `release()` tells the kernel to reclaim those pages now
/// (`madvise(MADV_PAGEOUT)` over the process's private, read-only file mappings) rather than
/// under memory pressure later; a page used again is read back from the page cache or the disk.
/// Pages shared with other processes (the C library's, say) are left alone by the kernel.
public enum StartupPages {
    /// `MADV_PAGEOUT` (Linux 5.4 and later; older kernels refuse it with `EINVAL`).
    private static let pageOut: Int32 = 21

    /// Reclaims the pages; returns the resident memory before and after, in KiB (nil when
    /// `/proc` cannot be read).
    @discardableResult
    public static func release() -> (before: Int, after: Int)? {
        guard let before = residentKiB(), let maps = readProcFile("/proc/self/maps") else { return nil }
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[5].hasPrefix("/") else { continue }
            let permissions = Array(fields[1].utf8)
            guard permissions.count == 4, permissions[1] != UInt8(ascii: "w"), permissions[3] == UInt8(ascii: "p")
            else { continue }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16),
                end > start
            else { continue }
            _ = madvise(UnsafeMutableRawPointer(bitPattern: start), Int(end - start), pageOut)
        }
        return residentKiB().map { (before, $0) }
    }

    /// `VmRSS` of this process, in KiB.
    private static func residentKiB() -> Int? {
        guard let status = readProcFile("/proc/self/status"),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return nil }
        return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
    }

    /// A file of `/proc`, which reports no size, read to its end.
    private static func readProcFile(_ path: String) -> String? {
        let file = open(path, O_RDONLY | O_CLOEXEC)
        guard file >= 0 else { return nil }
        defer { close(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = read(file, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes.append(contentsOf: chunk[..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
