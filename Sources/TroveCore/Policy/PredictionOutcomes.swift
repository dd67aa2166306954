/// How a policy's predictions of reuse ("requested again within the horizon") fared
/// against what the cache observed afterwards.
package struct PredictionOutcomes: Sendable, Equatable {
    /// Predictions whose outcome is known.
    package var checked = 0
    /// Of `checked`, those that were right.
    package var correct = 0
    /// Of `checked`, those whose entry was in fact reused.
    package var reused = 0

    package init(checked: Int = 0, correct: Int = 0, reused: Int = 0) {
        self.checked = checked
        self.correct = correct
        self.reused = reused
    }

    /// The share of predictions that were right, or `nil` before any was checked.
    package var accuracy: Double? {
        checked == 0 ? nil : Double(correct) / Double(checked)
    }

    /// The accuracy of always guessing the more common outcome: what `accuracy` must beat
    /// to show the model learned something. `nil` before any prediction was checked.
    package var constantGuessAccuracy: Double? {
        checked == 0 ? nil : Double(max(reused, checked - reused)) / Double(checked)
    }
}
