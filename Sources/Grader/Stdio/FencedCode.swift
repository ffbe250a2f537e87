/// What of a chat answer is the program: `--extract last-fence` (LiveCodeBench's choice: the
/// last fenced block), `first-fence`, or `none` (the completion as it is). An answer with no
/// fence is taken whole.
public enum FencedCode: String, Sendable, CaseIterable, Codable {
    case lastFence = "last-fence"
    case firstFence = "first-fence"
    case none

    /// The program, and whether it came out of a fence.
    public func extract(_ answer: String) -> (code: String, fenced: Bool) {
        let block = extractBlock(answer)
        return (block.code, block.fenced)
    }

    /// The program, whether it came out of a fence, and the fence's tag (```cpp → `cpp`), which
    /// names its language when the sample does not.
    public func extractBlock(_ answer: String) -> (code: String, fenced: Bool, tag: String?) {
        guard self != .none else { return (answer, false, nil) }
        var blocks: [(code: String, tag: String?)] = []
        var current: [Substring]?
        var tag: String?
        for line in answer.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.hasPrefix("```") {
                if let open = current {
                    blocks.append((open.joined(separator: "\n") + "\n", tag))
                    current = nil
                } else {
                    current = []
                    let word = trimmed.dropFirst(3).prefix { !$0.isWhitespace && $0 != "{" }
                    tag = word.isEmpty ? nil : String(word).lowercased()
                }
            } else {
                current?.append(line)
            }
        }
        guard let chosen = self == .lastFence ? blocks.last : blocks.first else { return (answer, false, nil) }
        return (chosen.code, true, chosen.tag)
    }
}
