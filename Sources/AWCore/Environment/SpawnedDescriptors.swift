import Glibc

extension posix_spawn_file_actions_t {
    /// Has the spawned program start without any descriptor of this process numbered `lowest`
    /// or higher: no socket, pipe or file of another thread reaches it (a connection a child
    /// holds stays open after this process closes it, and its peer waits for an end that never
    /// comes). Returns whether the C library can do it (glibc 2.34 and later).
    @discardableResult
    public mutating func closeDescriptors(from lowest: Int32) -> Bool {
        guard let addCloseFrom = glibcAddCloseFrom else { return false }
        return addCloseFrom(&self, lowest) == 0
    }
}

/// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which Swift's Glibc
/// module does not show; nil on an older C library.
private let glibcAddCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
    guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
    return unsafeBitCast(
        symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
}()
