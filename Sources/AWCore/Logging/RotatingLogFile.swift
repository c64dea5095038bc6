import Glibc
import Synchronization

/// An append-only log file that is rotated when it grows past `maximumBytes`:
/// `name.log` becomes `name.log.1`, `name.log.1` becomes `name.log.2`, and so on up to
/// `backupCount` old files (the same policy as aw-core: 10 MB, 3 backups).
public final class RotatingLogFile: Sendable {
    private struct State {
        var descriptor: Int32
        var size: Int
    }

    /// The current file's path.
    public let path: String
    /// The size at which the file is rotated.
    public let maximumBytes: Int
    /// How many rotated files are kept.
    public let backupCount: Int
    private let state: Mutex<State>

    /// Opens (creating or appending to) the file at `path`.
    ///
    /// - Returns: `nil` when the file cannot be opened.
    public init?(path: String, maximumBytes: Int = 10 * 1024 * 1024, backupCount: Int = 3) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return nil }
        var status = stat()
        fstat(descriptor, &status)
        self.path = path
        self.maximumBytes = maximumBytes
        self.backupCount = backupCount
        self.state = Mutex(State(descriptor: descriptor, size: Int(status.st_size)))
    }

    deinit {
        state.withLock { _ = close($0.descriptor) }
    }

    /// Appends `text`, rotating first if it would make the file too large.
    public func write(_ text: String) {
        var text = text
        text.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }

    /// Appends raw bytes (a program's output, say), rotating first if they would make the file
    /// too large.
    public func write(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        state.withLock { state in
            if state.size > 0 && state.size + bytes.count > maximumBytes {
                rotate(&state)
            }
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(state.descriptor, base + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
            state.size += bytes.count
        }
    }

    private func rotate(_ state: inout State) {
        close(state.descriptor)
        if backupCount > 0 {
            unlink("\(path).\(backupCount)")
            for index in stride(from: backupCount - 1, through: 1, by: -1) {
                rename("\(path).\(index)", "\(path).\(index + 1)")
            }
            rename(path, "\(path).1")
        } else {
            unlink(path)
        }
        state.descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        state.size = 0
    }
}
