import Glibc
import Synchronization

/// An exclusive advisory lock (`flock`) on a file, held until released, so that two processes
/// never share one database or one request queue.
public final class FileLock: Sendable {
    private let descriptor: Mutex<Int32?>

    /// Locks `path`, creating the file when missing.
    ///
    /// - Throws: `FileLockError.held` when another process holds the lock, `.cannotOpen` when
    ///   the file cannot be opened.
    public init(path: String) throws(FileLockError) {
        var descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if descriptor < 0 && (errno == EACCES || errno == EROFS) {
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
        }
        guard descriptor >= 0 else {
            throw .cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            close(descriptor)
            if code == EWOULDBLOCK { throw .held(path: path) }
            throw .cannotOpen(path: path, reason: String(cString: strerror(code)))
        }
        self.descriptor = Mutex(descriptor)
    }

    /// Releases the lock.
    public func release() {
        descriptor.withLock { descriptor in
            guard let open = descriptor else { return }
            flock(open, LOCK_UN)
            close(open)
            descriptor = nil
        }
    }

    deinit {
        release()
    }
}

/// Why a `FileLock` could not be taken.
public enum FileLockError: Error, Sendable, Equatable {
    /// Another process holds the lock.
    case held(path: String)
    /// The file cannot be opened or locked.
    case cannotOpen(path: String, reason: String)
}
