import ArgumentParser

/// The checks of cache flags that several commands take, written once.
///
/// The engine refuses the same values when a cache opens; checking them as the flags are validated makes a bad
/// value a usage error before any work starts (a trace is read, a baseline measured).
enum CacheFlagValidation {
    /// The memory budgets the engine accepts: 1 MiB to 1 TiB.
    static let budgets = (1 << 20)...(1 << 40)
    /// The most lock stripes the engine accepts.
    static let maximumStripes = 1024

    /// Checks a memory budget.
    ///
    /// - Parameters:
    ///   - bytes: The budget given.
    ///   - flag: The option's name as typed.
    ///   - hint: Appended to the message, e.g. what to use instead.
    /// - Throws: `ValidationError` naming the flag, the range and the value given.
    static func checkBudget(_ bytes: Int, flag: String = "--capacity-bytes", hint: String = "") throws {
        guard budgets.contains(bytes) else {
            throw ValidationError(
                "\(flag) must be in \(budgets.lowerBound)...\(budgets.upperBound), got \(bytes)\(hint)"
            )
        }
    }

    /// Checks a stripe count: a power of two up to `maximumStripes`.
    ///
    /// - Throws: `ValidationError` naming `--stripes` and the value given.
    static func checkStripes(_ stripes: Int) throws {
        guard stripes > 0, stripes.nonzeroBitCount == 1, stripes <= maximumStripes else {
            throw ValidationError("--stripes must be a power of two up to \(maximumStripes), got \(stripes)")
        }
    }
}
