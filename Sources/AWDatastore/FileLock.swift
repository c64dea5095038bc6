import Glibc
import Synchronization

/// An exclusive advisory lock (`flock`) on the database file, held while the datastore is open,
/// so that two aw-server processes never share one database.
final class FileLock: Sendable {
    private let descriptor: Mutex<Int32?>

    /// Locks `path`, creating the file when missing.
    ///
    /// - Throws: `DatastoreError.alreadyInUse` when another process holds the lock,
    ///   `.cannotOpen` when the file cannot be opened.
    init(path: String) throws(DatastoreError) {
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
            if code == EWOULDBLOCK { throw .alreadyInUse(path: path) }
            throw .cannotOpen(path: path, reason: String(cString: strerror(code)))
        }
        self.descriptor = Mutex(descriptor)
    }

    /// Releases the lock (once the database itself is closed).
    func release() {
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
