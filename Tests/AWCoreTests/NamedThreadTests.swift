import AWTestSupport
import Glibc
import Testing

@testable import AWCore

/// The stack size of the calling thread (glibc's `pthread_getattr_np`, which Swift's Glibc module
/// does not declare).
func currentThreadStackSize() -> Int {
    typealias GetAttributes = @convention(c) (pthread_t, UnsafeMutablePointer<pthread_attr_t>) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pthread_getattr_np") else { return 0 }
    var attributes = pthread_attr_t()
    guard unsafeBitCast(symbol, to: GetAttributes.self)(pthread_self(), &attributes) == 0 else { return 0 }
    defer { pthread_attr_destroy(&attributes) }
    var size = 0
    pthread_attr_getstacksize(&attributes, &size)
    return size
}

@Suite("Threads started under a name")
struct NamedThreadTests {
    /// What a started thread saw of itself: its name and its stack size.
    struct Seen: Sendable {
        var name: String
        var stackSize: Int
    }

    func seenFromThread(name: String, stackSize: Int? = nil) async -> Seen {
        await withCheckedContinuation { continuation in
            startDetachedThread(name: name, stackSize: stackSize) {
                continuation.resume(returning: Seen(name: currentThreadName(), stackSize: currentThreadStackSize()))
            }
        }
    }

    @Test("the system shows the thread under its name, and a longer name cut to its first 15 bytes")
    func named() async {
        #expect(await seenFromThread(name: "aw-test-1").name == "aw-test-1")
        #expect(await seenFromThread(name: "a-name-longer-than-15-bytes").name == "a-name-longer-t")
    }

    @Test("the thread gets the stack size asked for")
    func stackSize() async {
        #expect(await seenFromThread(name: "aw-stack", stackSize: 16 << 20).stackSize == 16 << 20)
    }
}
