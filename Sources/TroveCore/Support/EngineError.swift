/// Why an engine could not be opened or an operation failed: a status and a sentence.
///
/// The sentence names the offending value and what to do about it, so that a user who
/// only sees the message (through `trove_last_error`, a thrown Swift error or a Python
/// exception) can fix the call.
package struct EngineError: Error, Equatable, CustomStringConvertible {
    /// The status code the C ABI returns for this error.
    package var status: TroveStatus
    /// What went wrong and what to do.
    package var message: String

    package init(_ status: TroveStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    package init(_ error: SystemError) {
        self.init(error.status, error.description)
    }

    package var description: String { message }
}
