import Glibc

/// The pages of program code and read-only data that only starting the process used.
///
/// Starting maps in far more of the binary, the plugins and their libraries than an idle server
/// touches again (argument parsing, configuration, migrations, plugin loading, and whatever the
/// kernel faults in around each of those pages): about half of the desktop host's resident memory
/// right after start. `release()` drops those pages from the process's memory now rather than
/// under memory pressure later; a page used again is mapped back from the page cache (or read from
/// the disk if the kernel has reclaimed it meanwhile).
///
/// Each private, read-only mapping of a file that holds no page of the process's own (so no
/// relocated data) is mapped afresh from the same file, at the same address, with the same
/// protection: one `mmap(MAP_FIXED)` replaces the old mapping in a single step, so a thread running
/// code there meanwhile only takes a page fault. This works whoever owns the file: the kernel's
/// own way, `madvise(MADV_PAGEOUT)`, only acts on files the process could write, which leaves an
/// installed `/usr/bin/aw-server` run by a user untouched. It remains the fallback for a mapping
/// whose file can no longer be opened as the one mapped (replaced by an upgrade, say).
public enum StartupPages {
    /// `MADV_PAGEOUT` (Linux 5.4 and later; older kernels refuse it with `EINVAL`).
    private static let pageOut: Int32 = 21

    /// Drops the pages; returns the resident memory before and after, in KiB (nil when `/proc`
    /// cannot be read).
    @discardableResult
    public static func release() -> (before: Int, after: Int)? {
        guard let before = residentKiB(), let smaps = readProcFile("/proc/self/smaps") else { return nil }
        for mapping in FileMapping.parse(smaps) where mapping.isStartupCode {
            if !mapping.mapAfresh() {
                _ = madvise(UnsafeMutableRawPointer(bitPattern: mapping.start), mapping.length, pageOut)
            }
        }
        return residentKiB().map { (before, $0) }
    }

    /// One mapping of a file, from `/proc/self/smaps`.
    struct FileMapping {
        var start: UInt
        var length: Int
        /// The four letters of its protection and sharing, `r-xp` say.
        var permissions: [UInt8]
        var offset: Int
        var device: (major: UInt, minor: UInt)
        var inode: UInt
        var path: String
        var residentKiB = 0
        /// Pages of the process's own: copies made on write, such as relocated data.
        var anonymousKiB = 0
        /// Pages of the process's own written out to swap.
        var swappedKiB = 0

        /// Private, not writable, resident, and all of it still the file's own pages.
        var isStartupCode: Bool {
            permissions.count == 4 && permissions[0] == UInt8(ascii: "r") && permissions[1] != UInt8(ascii: "w")
                && permissions[3] == UInt8(ascii: "p") && residentKiB > 0 && anonymousKiB == 0 && swappedKiB == 0
        }

        /// Replaces the mapping with a fresh one of the same file; false when the file at `path`
        /// is not the one mapped or the kernel refuses, and the old mapping is then left as it was.
        func mapAfresh() -> Bool {
            let file = open(path, O_RDONLY | O_CLOEXEC)
            guard file >= 0 else { return false }
            defer { close(file) }
            var status = stat()
            guard fstat(file, &status) == 0, status.st_mode & S_IFMT == S_IFREG, UInt(status.st_ino) == inode,
                Self.major(UInt(status.st_dev)) == device.major, Self.minor(UInt(status.st_dev)) == device.minor
            else { return false }
            let protection = PROT_READ | (permissions[2] == UInt8(ascii: "x") ? PROT_EXEC : 0)
            let address = UnsafeMutableRawPointer(bitPattern: start)
            let mapped = mmap(address, length, protection, MAP_PRIVATE | MAP_FIXED, file, off_t(offset))
            return mapped == address
        }

        /// glibc's encoding of a device number (`gnu_dev_major`, `gnu_dev_minor`).
        static func major(_ device: UInt) -> UInt { ((device >> 8) & 0xfff) | ((device >> 32) & ~0xfff) }
        static func minor(_ device: UInt) -> UInt { (device & 0xff) | ((device >> 12) & ~0xff) }

        /// The mappings of files in `smaps`, with their resident, anonymous and swapped sizes.
        static func parse(_ smaps: String) -> [FileMapping] {
            var mappings: [FileMapping] = []
            var current: FileMapping?
            for line in smaps.split(separator: "\n") {
                let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
                guard let first = fields.first else { continue }
                if first.hasSuffix(":") {
                    guard fields.count >= 2, let kiB = Int(fields[1]) else { continue }
                    switch first {
                    case "Rss:": current?.residentKiB = kiB
                    case "Anonymous:": current?.anonymousKiB = kiB
                    case "Swap:": current?.swappedKiB = kiB
                    default: break
                    }
                    continue
                }
                if let finished = current { mappings.append(finished) }
                current = header(fields)
            }
            if let finished = current { mappings.append(finished) }
            return mappings
        }

        /// `start-end perms offset major:minor inode path`; nil for a mapping that is not of a
        /// file, or whose file has been deleted or replaced since.
        private static func header(_ fields: [Substring]) -> FileMapping? {
            guard fields.count == 6 else { return nil }
            let path = fields[5].drop(while: { $0 == " " })
            guard path.hasPrefix("/"), !path.hasSuffix(" (deleted)") else { return nil }
            let bounds = fields[0].split(separator: "-")
            let device = fields[3].split(separator: ":")
            guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16),
                end > start, let offset = Int(fields[2], radix: 16), device.count == 2,
                let major = UInt(device[0], radix: 16), let minor = UInt(device[1], radix: 16),
                let inode = UInt(fields[4])
            else { return nil }
            return FileMapping(
                start: start, length: Int(end - start), permissions: Array(fields[1].utf8), offset: offset,
                device: (major, minor), inode: inode, path: String(path))
        }
    }

    /// `VmRSS` of this process, in KiB.
    private static func residentKiB() -> Int? {
        guard let status = readProcFile("/proc/self/status"),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return nil }
        return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
    }

    /// A file of `/proc`, which reports no size, read to its end.
    static func readProcFile(_ path: String) -> String? {
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
