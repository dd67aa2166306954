import Foundation
import GRDB

/// Opens the goals database (users, goals, tasks) on a real SQLite file, every connection
/// traced by a `QueryCounter`.
enum GoalsDatabase {
    /// A serial queue: one connection, so a test's query counts cannot be touched by
    /// another connection's setup statements.
    static func queue(at path: String, counter: QueryCounter) throws -> DatabaseQueue {
        let queue = try DatabaseQueue(path: path, configuration: configuration(counter))
        try migrator.migrate(queue)
        return queue
    }

    /// A pool in WAL mode: concurrent readers beside one writer, as a service would run it.
    static func pool(at path: String, counter: QueryCounter) throws -> DatabasePool {
        let pool = try DatabasePool(path: path, configuration: configuration(counter))
        try migrator.migrate(pool)
        return pool
    }

    private static func configuration(_ counter: QueryCounter) -> Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        // Concurrent write-through tests have writers queue up on SQLite's lock.
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // WAL's usual setting for a service: a commit is durable at the next checkpoint.
            if db.configuration.readonly == false { try db.execute(sql: "PRAGMA synchronous = NORMAL") }
            counter.trace(db)
        }
        return configuration
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("users, goals and tasks") { db in
            try db.create(table: "user") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("name", .text).notNull()
            }
            try db.create(table: "goal") { table in
                table.autoIncrementedPrimaryKey("id")
                table.belongsTo("user", onDelete: .cascade).notNull()
                table.column("title", .text).notNull()
                table.column("isCompleted", .boolean).notNull().defaults(to: false)
                table.column("version", .integer).notNull().defaults(to: 1)
            }
            try db.create(table: "task") { table in
                table.autoIncrementedPrimaryKey("id")
                table.belongsTo("goal", onDelete: .cascade).notNull()
                table.belongsTo("user", onDelete: .cascade).notNull()
                table.column("title", .text).notNull()
                table.column("status", .text).notNull().defaults(to: TaskStatus.open.rawValue)
            }
        }
        return migrator
    }
}
