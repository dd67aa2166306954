import GRDB
import Synchronization

/// Counts the statements SQLite runs on every connection it traces (GRDB's `trace`), so a
/// test can tell a cache hit (no statement at all) from a miss (one `SELECT`).
final class QueryCounter: Sendable {
    /// Statements run so far: all of them (transactions and pragmas too), and the `SELECT`s.
    struct Counts: Equatable, Sendable {
        var statements = 0
        var selects = 0
    }

    private let counts = Mutex(Counts())

    /// What has run so far.
    var current: Counts { counts.withLock { $0 } }

    /// Traces `db`: called by the database configuration for every new connection.
    func trace(_ db: Database) {
        db.trace(options: .statement) { [self] event in
            guard case .statement(let statement) = event else { return }
            let isSelect = statement.sql.uppercased().hasPrefix("SELECT")
            counts.withLock { counts in
                counts.statements += 1
                if isSelect { counts.selects += 1 }
            }
        }
    }

    /// What ran during `body`, with its result. Meaningful only while nothing else uses the database.
    func counting<Result>(_ body: () throws -> Result) rethrows -> (Result, Counts) {
        let before = current
        let result = try body()
        let after = current
        return (
            result, Counts(statements: after.statements - before.statements, selects: after.selects - before.selects)
        )
    }
}
