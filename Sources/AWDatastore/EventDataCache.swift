import AWCore
import Glibc
import Synchronization

/// Parsed event data by its stored text, shared by all reads of a datastore: a window watcher
/// repeats the same few hundred app/title pairs thousands of times, so each distinct text is
/// parsed once and every event carrying it shares one dictionary.
///
/// Reads of a long range run on several threads at once and look up every row here, so the
/// texts are spread over independently locked shards by their hash, and each shard is an
/// open-addressing table keyed by that hash (no second hashing of the key).
package final class EventDataCache: Sendable {
    private struct Entry {
        var hash: UInt64
        var text: [UInt8]
        var data: [String: JSON]
    }

    /// One shard's texts.
    private struct Table {
        var entries: [Entry] = []
        var slots = HashSlots()

        func find(_ hash: UInt64, _ text: UnsafeBufferPointer<UInt8>) -> [String: JSON]? {
            slots.index(hash: hash) { index in
                entries[index].hash == hash && entries[index].text.count == text.count
                    && entries[index].text.withUnsafeBytes {
                        memcmp($0.baseAddress!, text.baseAddress!, text.count) == 0
                    }
            }.map { entries[$0].data }
        }

        mutating func insert(_ entry: Entry, capacity: Int) {
            if entries.count >= capacity { self = Table() }
            entries.append(entry)
            let entries = entries
            slots.add(entries.count - 1, hash: entry.hash) { entries[$0].hash }
        }
    }

    /// A shard on a cache line of its own, so that threads working on different shards do not
    /// slow each other down.
    private final class Shard: Sendable {
        let table = Mutex(Table())
        private let padding: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    }

    private static let shardCount = 16
    private let shards: [Shard] = (0..<EventDataCache.shardCount).map { _ in Shard() }
    /// How many distinct texts a shard keeps; when full, it starts over.
    private let shardCapacity: Int

    /// A cache of about `capacity` distinct texts.
    package init(capacity: Int = 50_000) {
        shardCapacity = max(1, capacity / Self.shardCount)
    }

    /// The parsed form of a stored data text (text that is not a JSON object reads as `{}`).
    package func data(_ text: UnsafeBufferPointer<UInt8>) -> [String: JSON] {
        guard !text.isEmpty else { return [:] }
        let hash = Self.hash(text)
        // The top four bits pick the shard, the bits from 32 up the slot in it.
        let shard = shards[Int(truncatingIfNeeded: hash >> 60) & (Self.shardCount - 1)]
        if let cached = shard.table.withLock({ $0.find(hash, text) }) { return cached }
        let data = (try? JSON.parse(UnsafeRawBufferPointer(text)))?.objectValue ?? [:]
        let entry = Entry(hash: hash, text: Array(text), data: data)
        shard.table.withLock { table in
            if table.find(hash, text) == nil { table.insert(entry, capacity: shardCapacity) }
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
