import AWCore
import Glibc
import Synchronization

/// Parsed event data by its stored text, shared by all reads of a datastore: a window watcher
/// repeats the same few hundred app/title pairs thousands of times, so each distinct text is
/// parsed once and every event carrying it shares one dictionary.
package final class EventDataCache: Sendable {
    private struct Entry {
        var text: [UInt8]
        var data: [String: JSON]
    }

    private struct Table {
        var entries: [UInt64: [Entry]] = [:]
        var count = 0
    }

    /// How many distinct texts are kept; when full, the cache starts over.
    let capacity: Int
    private let table = Mutex(Table())

    package init(capacity: Int = 50_000) {
        self.capacity = capacity
    }

    /// The parsed form of a stored data text (text that is not a JSON object reads as `{}`).
    package func data(_ text: UnsafeBufferPointer<UInt8>) -> [String: JSON] {
        guard !text.isEmpty else { return [:] }
        let hash = Self.hash(text)
        let cached = table.withLock { table -> [String: JSON]? in
            table.entries[hash]?.first { entry in
                entry.text.count == text.count
                    && entry.text.withUnsafeBytes { memcmp($0.baseAddress!, text.baseAddress!, text.count) == 0 }
            }?.data
        }
        if let cached { return cached }
        let data = (try? JSON.parse(UnsafeRawBufferPointer(text)))?.objectValue ?? [:]
        let entry = Entry(text: Array(text), data: data)
        table.withLock { table in
            if table.count >= capacity {
                table.entries.removeAll(keepingCapacity: true)
                table.count = 0
            }
            table.entries[hash, default: []].append(entry)
            table.count += 1
        }
        return data
    }

    /// A 64-bit hash of the bytes, eight at a time.
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        let raw = UnsafeRawBufferPointer(bytes)
        var offset = 0
        while offset + 8 <= raw.count {
            let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            hash = (hash ^ word) &* 0xFF51_AFD7_ED55_8CCD
            hash ^= hash >> 32
            offset += 8
        }
        var tail: UInt64 = 0
        while offset < raw.count {
            tail = tail << 8 | UInt64(raw[offset])
            offset += 1
        }
        hash = (hash ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        return hash ^ (hash >> 29)
    }
}
