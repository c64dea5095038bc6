import GRDB
import Synchronization

/// Counts the commits of a database connection twice each: once as a commit begins (the count
/// turns odd) and once when it has ended (even again).
///
/// Reads that run on several connections at once may each see a different state of the
/// database. Taken before they begin and after they have all begun, two equal even counts prove
/// that no commit took effect in between, so all of them saw the same state.
final class CommitCounter: TransactionObserver, Sendable {
    private let value = Atomic<Int>(0)

    /// The count now; odd while a commit is under way.
    var count: Int { value.load(ordering: .sequentiallyConsistent) }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }

    func databaseDidChange(with event: DatabaseEvent) {}

    func databaseWillCommit() throws {
        value.add(1, ordering: .sequentiallyConsistent)
    }

    func databaseDidCommit(_ db: Database) {
        value.add(1, ordering: .sequentiallyConsistent)
    }

    func databaseDidRollback(_ db: Database) {
        // A rollback after `databaseWillCommit` (a failed commit) ends the odd phase too.
        if !count.isMultiple(of: 2) { value.add(1, ordering: .sequentiallyConsistent) }
    }
}
