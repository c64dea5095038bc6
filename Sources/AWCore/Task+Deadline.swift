import Synchronization

extension Task where Failure == Never {
    /// The task's value, or `nil` when it is not ready within `timeout`; the task is then
    /// cancelled and left to stop on its own. Cancelling the caller cancels the task too.
    ///
    /// Unlike a task group, which waits for all its children, this returns at the deadline even
    /// while the task is busy in code that does not look at cancellation.
    public func result(within timeout: Duration) async -> Success? {
        let first = FirstAnswer<Success?>()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                first.waiting(continuation)
                let timer = Task<Void, Never> {
                    try? await Task<Never, Never>.sleep(for: timeout)
                    guard !Task<Never, Never>.isCancelled else { return }
                    first.answer(nil)
                    self.cancel()
                }
                Task<Void, Never> {
                    let value = await self.value
                    timer.cancel()
                    first.answer(value)
                }
            }
        } onCancel: {
            self.cancel()
        }
    }
}

/// A continuation resumed by whichever of several parties answers first; later answers are
/// dropped.
private final class FirstAnswer<Value: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<Value, Never>?>(nil)

    func waiting(_ continuation: CheckedContinuation<Value, Never>) {
        self.continuation.withLock { $0 = continuation }
    }

    func answer(_ value: Value) {
        continuation.withLock { $0.take() }?.resume(returning: value)
    }
}
