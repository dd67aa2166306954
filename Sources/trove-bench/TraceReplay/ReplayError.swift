import TroveCore

/// Why a replay could not run or finish.
enum ReplayError: Error, CustomStringConvertible {
    /// The capacity is outside what the engine can be opened with; the message says the limits.
    case badCapacity(String)
    /// The engine would not open with these options.
    case engineOpen(EngineError)
    /// The engine answered a get or put with a status replay has no meaning for.
    case engineRefused(operation: String, objectID: UInt64, status: TroveStatus)

    /// What went wrong and what to do.
    var description: String {
        switch self {
        case .badCapacity(let message):
            message
        case .engineOpen(let error):
            "the engine would not open for this replay: \(error.message)"
        case .engineRefused(let operation, let objectID, let status):
            "the engine refused a \(operation) of object \(objectID) during replay: \(status.message)"
        }
    }
}
