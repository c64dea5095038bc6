import AWCore
import Foundation
import Glibc
import Synchronization

/// How a child process ended.
public enum ExitStatus: Sendable, Equatable, CustomStringConvertible {
    /// It exited with this status.
    case exited(Int32)
    /// A signal ended it.
    case signalled(Int32)

    public var description: String {
        switch self {
        case .exited(let code): "exit status \(code)"
        case .signalled(let signal):
            "signal \(signal)\(signal == SIGKILL ? " (SIGKILL)" : signal == SIGSEGV ? " (SIGSEGV)" : "")"
        }
    }
}

/// A program started by `aw-server`, in a process group of its own, with default signal
/// handling restored (the server ignores SIGTERM and SIGINT to handle them itself, and ignored
/// signals would otherwise be inherited), stdin from /dev/null, its stdout and stderr copied into
/// a log file by a thread of its own, and no other descriptor of the server (its connections,
/// its database) open.
public final class ChildProcess: Sendable {
    /// The process id (also its process group id).
    public let pid: pid_t
    private let exit = Mutex<(status: ExitStatus?, waiters: [CheckedContinuation<ExitStatus, Never>])>((nil, []))
    /// Whether its output has ended (every writer closed the pipe), and who waits for that.
    private let outputEnd = Mutex<(ended: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    private init(pid: pid_t) {
        self.pid = pid
    }

    /// Starts `path` with `arguments`.
    ///
    /// - Parameter output: Called with its stdout and stderr as they arrive (on a thread of its
    ///   own); `nil` discards them.
    /// - Throws: `ChildProcessError` when the program cannot be started.
    public static func spawn(
        path: String, arguments: [String], output: (@Sendable (UnsafeRawBufferPointer) -> Void)?
    ) throws(ChildProcessError)
        -> ChildProcess
    {
        var pipeEnds: [Int32] = [-1, -1]
        guard pipe(&pipeEnds) == 0 else { throw ChildProcessError(path: path, errno: errno) }
        let (readEnd, writeEnd) = (pipeEnds[0], pipeEnds[1])
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 2)
        actions.closeDescriptors(from: 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var spawned: pid_t = 0
        let result = posix_spawn(&spawned, path, &actions, &attributes, argv, environ)
        let pid = spawned
        close(writeEnd)
        guard result == 0 else {
            close(readEnd)
            throw ChildProcessError(path: path, errno: result)
        }
        let child = ChildProcess(pid: pid)
        startDetachedThread(name: "aw-out-\(pid)") {
            var buffer = [UInt8](repeating: 0, count: 16384)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                buffer.withUnsafeBytes { output?(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            }
            close(readEnd)
            let waiters = child.outputEnd.withLock { state in
                state.ended = true
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
        startDetachedThread(name: "aw-wait-\(pid)") {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            let exitStatus: ExitStatus =
                (status & 0x7f) == 0 ? .exited((status >> 8) & 0xff) : .signalled(status & 0x7f)
            let waiters = child.exit.withLock { state in
                state.status = exitStatus
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume(returning: exitStatus) }
        }
        return child
    }

    /// Waits until it ends.
    public func waitForExit() async -> ExitStatus {
        await withCheckedContinuation { continuation in
            let status = exit.withLock { state -> ExitStatus? in
                if state.status == nil { state.waiters.append(continuation) }
                return state.status
            }
            if let status { continuation.resume(returning: status) }
        }
    }

    /// Waits until all of its output has been handed on (it and anything it started have
    /// closed their standard output and error).
    public func waitForOutputEnd() async {
        await withCheckedContinuation { continuation in
            let ended = outputEnd.withLock { state -> Bool in
                if !state.ended { state.waiters.append(continuation) }
                return state.ended
            }
            if ended { continuation.resume() }
        }
    }

    /// Waits until all of its output has been handed on, or `timeout` has passed.
    ///
    /// - Returns: Whether the output ended in time.
    public func waitForOutputEnd(within timeout: Duration) async -> Bool {
        await Task { await self.waitForOutputEnd() }.result(within: timeout) != nil
    }

    /// Waits until it ends, or `timeout` has passed.
    ///
    /// - Returns: How it ended, or `nil` when it is still running.
    public func waitForExit(within timeout: Duration) async -> ExitStatus? {
        await Task { await self.waitForExit() }.result(within: timeout)
    }

    /// Sends `signal` to its process group (the program and anything it started), unless it has
    /// already ended.
    public func signal(_ signal: Int32) {
        exit.withLock { state in
            if state.status == nil { _ = kill(-pid, signal) }
        }
    }
}

/// A program that could not be started.
public struct ChildProcessError: Error, CustomStringConvertible {
    /// The program.
    public let path: String
    /// The system's reason.
    public let errno: Int32

    public var description: String { "cannot start \(path): \(String(cString: strerror(errno)))" }
}
