import GRDB

/// One cacheable read: where its value is cached, for how long, with which tags, and the
/// SQL that finds it. The repository runs it through the cache or straight on the database.
struct RepositoryQuery<Value: Codable & Sendable>: Sendable {
    var key: String
    var timeToLive: Duration
    var tags: [String]
    /// Reads the value; `nil` when there is none (nothing is cached then).
    var fetch: @Sendable (Database) throws -> Value?
}
