/// What of a chat answer is the program: `--extract last-fence` (LiveCodeBench's choice: the
/// last fenced block), `first-fence`, or `none` (the completion as it is). An answer with no
/// fence is taken whole.
public enum FencedCode: String, Sendable, CaseIterable, Codable {
    case lastFence = "last-fence"
    case firstFence = "first-fence"
    case none

    /// The program, and whether it came out of a fence.
    public func extract(_ answer: String) -> (code: String, fenced: Bool) {
        guard self != .none else { return (answer, false) }
        var blocks: [String] = []
        var current: [Substring]?
        for line in answer.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.hasPrefix("```") {
                if let open = current {
                    blocks.append(open.joined(separator: "\n") + "\n")
                    current = nil
                } else {
                    current = []
                }
            } else {
                current?.append(line)
            }
        }
        guard let chosen = self == .lastFence ? blocks.last : blocks.first else { return (answer, false) }
        return (chosen, true)
    }
}
