import Trove

/// Why a replay could not run or finish.
enum ReplayError: Error, CustomStringConvertible {
    /// The capacity is outside what the engine can be opened with; the message says the limits.
    case badCapacity(String)
    /// The engine would not open with these options.
    case engineOpen(TroveError)
    /// The engine answered a get, a put or a request for statistics with an error replay has no meaning for;
    /// `request` says which, e.g. `a get of object 7`.
    case engineRefused(request: String, error: TroveError)

    /// What went wrong and what to do.
    var description: String {
        switch self {
        case .badCapacity(let message):
            message
        case .engineOpen(let error):
            "the engine would not open for this replay: \(error.message)"
        case .engineRefused(let request, let error):
            "the engine refused \(request) during replay: \(error.message)"
        }
    }
}
