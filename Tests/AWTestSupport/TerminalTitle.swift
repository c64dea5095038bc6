import Foundation

/// Sets a terminal's title: each line goes to a loop in the terminal that prints it as an OSC 2
/// sequence.
public final class TerminalTitle: Sendable {
    let descriptor: Int32

    init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { close(descriptor) }

    /// Makes the FIFO `path` and, beside it, the shell script a terminal runs to take its titles
    /// from it (readable and runnable by any user, so a compositor's unprivileged user can run it).
    ///
    /// - Returns: The title setter, and the script's path.
    static func make(at path: String) throws -> (setter: TerminalTitle, shell: String) {
        guard mkfifo(path, 0o666) == 0 else { throw SessionError("cannot make the FIFO \(path)") }
        chmod(path, 0o666)
        let writer = open(path, O_RDWR)  // never blocks, and the reader sees no end between titles
        let script = path + ".sh"
        try
            "#!/bin/sh\nwhile IFS= read -r line; do printf '\\033]2;%s\\007' \"$line\"; done < \(path); exec sleep 100000\n"
            .write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        return (TerminalTitle(descriptor: writer), script)
    }

    /// Sets the title (one line of UTF-8).
    public func set(_ title: String) {
        let line = Array((title + "\n").utf8)
        _ = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }
}
