import Trove

extension CacheStatistics {
    /// The share of the policy's checked reuse predictions that always guessing the more common outcome would have
    /// got right: what `predictionAccuracy` must beat to show the model learned something. `nil` before any
    /// prediction was checked.
    var constantGuessAccuracy: Double? {
        guard predictionsChecked > 0 else { return nil }
        return Double(max(predictionsReused, predictionsChecked - predictionsReused)) / Double(predictionsChecked)
    }
}
