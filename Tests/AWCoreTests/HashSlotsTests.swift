import AWTestSupport
import Testing

@testable import AWCore

@Suite("Hash slots")
struct HashSlotsTests {
    @Test("every key added is found at its index through growth and collisions; keys not added are not")
    func findsWhatWasAdded() {
        var random = SplitMix(seed: 7)
        // Few distinct hashes for many keys: long probe runs that wrap around the slots.
        let keys = (0..<2_000).map { _ in random.next() }
        let distinct = Set(keys)
        let hash = { (key: UInt64) -> UInt64 in (key % 37) << 32 }
        var slots = HashSlots()
        var entries: [UInt64] = []
        for key in keys where slots.index(hash: hash(key), where: { entries[$0] == key }) == nil {
            entries.append(key)
            let added = entries
            slots.add(entries.count - 1, hash: hash(key)) { hash(added[$0]) }
        }
        #expect(entries.count == distinct.count)
        for (index, key) in entries.enumerated() {
            #expect(slots.index(hash: hash(key), where: { entries[$0] == key }) == index)
        }
        let absent = (0..<1_000).map { _ in random.next() }.filter { !distinct.contains($0) }
        #expect(absent.allSatisfy { key in slots.index(hash: hash(key), where: { entries[$0] == key }) == nil })
        #expect(HashSlots().index(hash: 1, where: { _ in true }) == nil)
    }
}
