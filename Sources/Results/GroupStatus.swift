/// How one group of an inputs problem's inputs went (`base_status`, `plus_status` in a row):
/// EvalPlus's words, so its users read rows as they read EvalPlus's results, and `skipped` for a
/// group that did not run because an earlier one failed. Apart from `SampleStatus`: a sample's
/// status says how the sample ended, a group's how one group of its inputs did.
public enum GroupStatus: String, Sendable, Codable, CaseIterable, Hashable, CustomStringConvertible {
    /// Every input of the group gave the reference's output.
    case pass
    /// An input gave another output or raised.
    case fail
    /// An input ran past its own time limit.
    case timeout
    /// The group did not run: an earlier group failed.
    case skipped

    public var description: String { rawValue }
}
