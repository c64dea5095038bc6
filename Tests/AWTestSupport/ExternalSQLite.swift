import Foundation

/// Runs SQL on a database file from another process (Python's sqlite3 module), as another program
/// touching the file would.
///
/// - Returns: The result rows, each as its column values in text form.
@discardableResult
public func runSQLiteInAnotherProcess(_ path: String, _ sql: String) throws -> [[String]] {
    let text = try Programs.run(
        [
            "python3", "-c",
            "import sqlite3,sys; c = sqlite3.connect(sys.argv[1]); [print('|'.join(map(str, r))) for r in c.execute(sys.argv[2])]; c.commit()",
            path, sql,
        ], environment: [:], requireSuccess: true)
    return text.split(separator: "\n").map {
        $0.split(separator: "|").map(String.init)
    }
}
