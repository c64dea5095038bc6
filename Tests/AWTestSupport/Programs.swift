import AWCore
import Foundation
import Glibc
import Synchronization

/// A program a test session started, reaped by a thread of its own and by nothing else.
///
/// Foundation's `Process` is not used for test programs: its SIGCHLD bookkeeping now and then never
/// noticed a child that had exited (sway, a weston-terminal), so that `waitUntilExit` waited forever
/// and the child stayed a zombie. Here the reaping thread first waits without reaping, records the
/// exit, and only then reaps, so that a signal sent while the program is recorded as running can
/// never reach another program given the same process id (pids are reused within seconds where
/// `pid_max` is 32768).
public final class TestProgram: Sendable {
    /// Where the program's standard output and error go.
    public enum Output: Sendable {
        /// Discarded.
        case discard
        /// Written to this file (created or emptied).
        case file(String)
        /// Standard output to a pipe read through `output`; standard error discarded, or written
        /// to `errors`.
        case pipe(errors: String? = nil)
    }

    /// The process id.
    public let pid: pid_t
    /// The read end of the output pipe, with `Output.pipe`.
    public let output: FileHandle?
    /// Whether it leads a process group of its own, which `kill()` kills whole.
    private let leadsGroup: Bool
    /// The raw wait status once it ended.
    private let status = Mutex<Int32?>(nil)
    private let ended = DispatchSemaphore(value: 0)

    private init(pid: pid_t, output: FileHandle?, leadsGroup: Bool) {
        self.pid = pid
        self.output = output
        self.leadsGroup = leadsGroup
    }

    /// Starts `arguments` (the program found on PATH) with this process's environment plus
    /// `environment` (whose values win), default signal handling and no input. With `processGroup`
    /// it leads a process group of its own, so that `kill()` also ends what it started (a bus's
    /// activated services, a shell's helpers).
    public static func start(
        _ arguments: [String], environment: [String: String] = [:], output: Output = .discard,
        processGroup: Bool = false
    ) throws -> TestProgram {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        var reader: FileHandle?
        var writeEnd: Int32 = -1
        defer { if writeEnd >= 0 { close(writeEnd) } }
        switch output {
        case .discard:
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        case .file(let path):
            posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        case .pipe(let errors):
            var ends: [Int32] = [-1, -1]
            guard pipe(&ends) == 0 else { throw SessionError("cannot make a pipe") }
            for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            posix_spawn_file_actions_adddup2(&actions, ends[1], 1)
            posix_spawn_file_actions_addopen(&actions, 2, errors ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            reader = FileHandle(fileDescriptor: ends[0], closeOnDealloc: true)
            writeEnd = ends[1]
        }

        // Nothing else this process has open reaches the program: another thread's pipe or a file
        // being written (a copied binary: exec'ing it while anyone holds it open for writing
        // fails with "Text file busy").
        guard actions.closeDescriptors(from: 3) else {
            throw SessionError("glibc 2.34 or later is needed (posix_spawn_file_actions_addclosefrom_np)")
        }

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
            &attributes,
            Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | (processGroup ? POSIX_SPAWN_SETPGROUP : 0)))

        let variables = ProcessInfo.processInfo.environment.merging(environment) { _, own in own }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var spawned: pid_t = 0
        let result = posix_spawnp(&spawned, arguments[0], &actions, &attributes, argv, envp)
        let pid = spawned
        guard result == 0 else {
            throw SessionError("cannot start \(arguments[0]): \(String(cString: strerror(result)))")
        }
        let program = TestProgram(pid: pid, output: reader, leadsGroup: processGroup)
        let reaper = Thread {
            var info = siginfo_t()
            while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
            var raw: Int32 = 0
            program.status.withLock { status in
                while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
                status = raw
            }
            program.ended.signal()
        }
        reaper.name = "test-program-\(pid)"
        reaper.start()
        return program
    }

    /// Whether it has not ended yet.
    public var isRunning: Bool { status.withLock { $0 == nil } }

    /// How it ended, once it has: "exit status N" or "signal N".
    public var exitDescription: String? {
        status.withLock { status in
            status.map { ($0 & 0x7f) == 0 ? "exit status \(($0 >> 8) & 0xff)" : "signal \($0 & 0x7f)" }
        }
    }

    /// Its exit status, once it exited (not when a signal ended it).
    public var exitCode: Int32? {
        status.withLock { status in status.flatMap { ($0 & 0x7f) == 0 ? ($0 >> 8) & 0xff : nil } }
    }

    /// Sends `signal` (to its whole group, with `toGroup` when it leads one) unless it has already
    /// ended.
    public func send(_ signal: Int32, toGroup: Bool = false) {
        status.withLock { status in
            if status == nil { _ = Glibc.kill(toGroup && leadsGroup ? -pid : pid, signal) }
        }
    }

    /// Waits until it has ended, or `timeout` seconds have passed.
    ///
    /// - Returns: Whether it has ended.
    @discardableResult
    public func wait(timeout: TimeInterval) -> Bool {
        guard isRunning else { return true }
        let deadline: DispatchTime = timeout.isFinite ? .now() + timeout : .distantFuture
        guard ended.wait(timeout: deadline) == .success else { return false }
        ended.signal()  // for the next waiter
        return true
    }

    /// Kills it (SIGKILL; its whole group when it leads one) and waits until it is gone.
    public func kill() {
        send(SIGKILL, toGroup: true)
        wait(timeout: 30)
    }
}

/// Programs a test session runs to the end.
public enum Programs {
    /// Runs `arguments` to the end, with this process's environment plus `environment`, and returns
    /// what it printed on stdout.
    ///
    /// - Throws: `SessionError` with the output when `requireSuccess` and it exits non-zero.
    /// A program still running after `timeout` seconds is killed and reported: a display server
    /// that takes connections but never answers must fail a test, not hang it.
    public static func run(
        _ arguments: [String], environment: [String: String], requireSuccess: Bool, timeout: TimeInterval = 60
    ) throws -> String {
        let program = try TestProgram.start(arguments, environment: environment, output: .pipe())
        let output = Mutex(Data())
        let read = DispatchSemaphore(value: 0)
        Thread {
            let data = program.output?.readDataToEndOfFile() ?? Data()
            output.withLock { $0 = data }
            read.signal()
        }.start()
        guard program.wait(timeout: timeout) else {
            program.kill()
            throw SessionError("\(arguments.joined(separator: " ")) did not finish within \(Int(timeout)) s")
        }
        // What the program started may keep its output open; what it wrote is there by now.
        _ = read.wait(timeout: .now() + 5)
        let text = output.withLock { String(decoding: $0, as: UTF8.self) }
        guard !requireSuccess || program.exitCode == 0 else {
            throw SessionError("\(arguments.joined(separator: " ")) failed: \(text)")
        }
        return text
    }

    /// Kills (SIGKILL) every process whose environment holds `variable` (`NAME=value`): what a test
    /// session started that left the process it started it from (a compositor's helpers, a daemon
    /// that made a process group of its own).
    static func killAll(withEnvironment variable: String) {
        let marker = Array("\(variable)\0".utf8)
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry), pid != getpid(),
                let environment = FileManager.default.contents(atPath: "/proc/\(entry)/environ"),
                Array(environment).firstRange(of: marker) != nil
            else { continue }
            kill(pid, SIGKILL)
        }
    }
}
