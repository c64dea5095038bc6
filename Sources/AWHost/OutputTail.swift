import Synchronization

/// The last bytes a program wrote, kept to quote why it stopped.
final class OutputTail: Sendable {
    private let capacity: Int
    private let bytes = Mutex<[UInt8]>([])

    init(capacity: Int = 8192) {
        self.capacity = capacity
    }

    func append(_ chunk: UnsafeRawBufferPointer) {
        bytes.withLock { bytes in
            bytes.append(contentsOf: chunk)
            if bytes.count > capacity { bytes.removeFirst(bytes.count - capacity) }
        }
    }

    func clear() {
        bytes.withLock { $0.removeAll(keepingCapacity: true) }
    }

    /// What was kept, as text.
    var text: String { String(decoding: bytes.withLock { $0 }, as: UTF8.self) }
}
