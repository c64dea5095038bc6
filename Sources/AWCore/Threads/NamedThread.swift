import Glibc

/// Starts a detached thread that names itself `name` (as `top -H`, `ps -L` and debuggers show
/// it; Linux keeps the first 15 bytes) and then runs `body`.
///
/// Foundation's `Thread.name` set before `start()` never reaches the system on Linux, so threads
/// started through it show their parent's name; this sets it from the thread itself.
///
/// - Parameters:
///   - name: The thread's name, at most 15 bytes to be shown whole.
///   - stackSize: The thread's stack size in bytes; `nil` for the platform's default.
///   - body: What the thread runs; it ends when `body` returns.
package func startDetachedThread(
    name: String, stackSize: Int? = nil, _ body: @escaping @Sendable () -> Void
) {
    let work = Unmanaged.passRetained(ThreadWork(name: name, body: body)).toOpaque()
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    if let stackSize { pthread_attr_setstacksize(&attributes, stackSize) }
    var thread = pthread_t()
    let result = pthread_create(&thread, &attributes, runThreadWork, work)
    precondition(result == 0, "cannot start the thread \(name): \(String(cString: strerror(result)))")
}

/// What a thread started by `startDetachedThread` runs.
private final class ThreadWork: Sendable {
    let name: String
    let body: @Sendable () -> Void

    init(name: String, body: @escaping @Sendable () -> Void) {
        self.name = name
        self.body = body
    }
}

/// A started thread's entry: names the thread, then runs its work.
private func runThreadWork(_ argument: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let work = Unmanaged<ThreadWork>.fromOpaque(argument!).takeRetainedValue()
    nameThisThread(work.name)
    work.body()
    return nil
}

/// Names the calling thread through `/proc/thread-self/comm`, which keeps the first 15 bytes.
private func nameThisThread(_ name: String) {
    let file = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
    guard file >= 0 else { return }
    let bytes = Array(name.utf8.prefix(15))
    _ = write(file, bytes, bytes.count)
    close(file)
}
