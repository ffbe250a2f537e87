/// The escaping every field of a control record uses (`proctor_runtime/channel.py`'s `escape`, the repository
/// runner's `escape`): backslash, newline, tab and carriage return are written `\\`, `\n`, `\t`,
/// `\r`, so a field can never end a record or start another, whatever text a sample put in it.
public enum ControlText {
    public static func unescape<S: StringProtocol>(_ text: S) -> String {
        var result = ""
        var escaping = false
        for character in text {
            if escaping {
                switch character {
                case "n": result.append("\n")
                case "t": result.append("\t")
                case "r": result.append("\r")
                default: result.append(character)
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                result.append(character)
            }
        }
        return result
    }
}
