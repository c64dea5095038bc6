import AWTestSupport
import Foundation
import Testing

@testable import AWCore

@Suite("Handing back the pages only starting used")
struct StartupPagesTests {
    @Test("smaps lines become file mappings: paths with spaces, deleted files and the process's own pages")
    func parsesSmaps() {
        let smaps = """
            55d0c0000000-55d0c0100000 r-xp 00002000 fe:00 20504                      /home/u/Downloads with space/bin/aw-server
            Size:               1024 kB
            Rss:                 256 kB
            Anonymous:             0 kB
            Swap:                  0 kB
            VmFlags: rd ex mr mw me
            55d0c0100000-55d0c0104000 r--p 00102000 fe:00 20504                      /home/u/Downloads with space/bin/aw-server
            Rss:                  16 kB
            Anonymous:            16 kB
            Swap:                  0 kB
            7f0000000000-7f0000001000 r--p 00000000 08:11 99                         /usr/lib/libold.so (deleted)
            Rss:                   4 kB
            Anonymous:             0 kB
            7f0000002000-7f0000003000 rw-p 00000000 00:00 0 
            Rss:                   4 kB
            Anonymous:             4 kB
            7f0000004000-7f0000006000 r--p 00000000 103:02 7                         /usr/lib/libswapped.so
            Rss:                   4 kB
            Anonymous:             0 kB
            Swap:                  4 kB
            7f0000008000-7f000000a000 rw-p 00000000 103:02 8                         /usr/lib/libdata.so
            Rss:                   8 kB
            Anonymous:             0 kB
            """
        let mappings = StartupPages.FileMapping.parse(smaps)
        #expect(
            mappings.map(\.path) == [
                "/home/u/Downloads with space/bin/aw-server", "/home/u/Downloads with space/bin/aw-server",
                "/usr/lib/libswapped.so", "/usr/lib/libdata.so",
            ])
        let code = mappings[0]
        #expect(code.start == 0x55d0_c000_0000 && code.length == 0x10_0000 && code.offset == 0x2000)
        #expect(code.device == (0xfe, 0) && code.inode == 20504 && code.residentKiB == 256)
        #expect(mappings[2].device == (0x103, 2))
        // Only the code is mapped afresh: relocated data, swapped-out pages and writable data stay.
        #expect(mappings.map(\.isStartupCode) == [true, false, false, false])
    }

    @Test(
        "a released mapping reads the same and is resident again only where read; written pages keep what was written")
    func releasesFilePages() async throws {
        let folder = TemporaryDirectory()
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let length = 64 * pageSize
        let contents = Data((0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 / pageSize) })
        let path = folder.file("pages.bin")
        try contents.write(to: URL(fileURLWithPath: path))
        let file = open(path, O_RDONLY)
        try #require(file >= 0)
        defer { close(file) }
        let code: UnsafeMutableRawPointer = mmap(nil, length, PROT_READ, MAP_PRIVATE, file, 0)
        let written: UnsafeMutableRawPointer = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE, file, 0)
        try #require(code != MAP_FAILED && written != MAP_FAILED)
        defer {
            munmap(code, length)
            munmap(written, length)
        }
        written.storeBytes(of: 0xAB, toByteOffset: 3 * pageSize + 5, as: UInt8.self)
        try #require(mprotect(written, length, PROT_READ) == 0)
        #expect(checksum(code, length) == checksum(contents))
        #expect(resident(at: code) == length / 1024)

        // Threads keep running code of this process while its mappings are replaced under them.
        let work = Task.detached { (0..<200).map { checksum(Data(String(repeating: "\($0)", count: 500).utf8)) } }
        let released = try #require(StartupPages.release())
        let expected = (0..<200).map { checksum(Data(String(repeating: "\($0)", count: 500).utf8)) }
        #expect(await work.value == expected)

        #expect(released.after < released.before)
        #expect(resident(at: code) == 0)
        #expect(code.load(fromByteOffset: 10 * pageSize + 1, as: UInt8.self) == contents[10 * pageSize + 1])
        // The page read, and at most what the kernel maps around it.
        #expect((4..<length / 1024).contains(resident(at: code) ?? 0))
        #expect(checksum(code, length) == checksum(contents))
        #expect(written.load(fromByteOffset: 3 * pageSize + 5, as: UInt8.self) == 0xAB)
        #expect(written.load(fromByteOffset: 3 * pageSize + 6, as: UInt8.self) == contents[3 * pageSize + 6])
    }

    /// Resident KiB of the mapping that starts at `address`.
    private func resident(at address: UnsafeMutableRawPointer) -> Int? {
        let smaps = StartupPages.readProcFile("/proc/self/smaps") ?? ""
        return StartupPages.FileMapping.parse(smaps).first { $0.start == UInt(bitPattern: address) }?.residentKiB
    }
}

private func checksum(_ pointer: UnsafeMutableRawPointer, _ length: Int) -> UInt64 {
    checksum(Data(bytes: pointer, count: length))
}

private func checksum(_ data: Data) -> UInt64 {
    data.reduce(14_695_981_039_346_656_037) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
}
