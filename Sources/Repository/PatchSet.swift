import Foundation
import Grader

/// A unified diff (git's flavour or plain), parsed strictly into per-file changes and written
/// back out in one canonical form.
///
/// A model's patch is hostile data. GNU patch, the fallback when `git apply` refuses, accepts
/// far more than git would write: ed scripts, `.git` inside a sub-directory, names with
/// trailing spaces it trims, symlinks, git-style copies. So nothing the model wrote reaches a
/// tool as it was written: it is parsed here, every path it names is checked, and the tools get
/// `canonical` — only the sections understood here, re-emitted from the parse. What is not
/// understood is refused with the line that broke it, never skipped into a tool.
public struct PatchSet: Sendable {
    /// Size limits for a patch: big enough for any real fix, small enough to parse at once.
    public struct Limits: Sendable {
        public var bytes = 8 << 20
        public var files = 2_000
        public var hunkLines = 400_000
        public init() {}
    }

    /// One file's change.
    public struct FileChange: Sendable, Equatable {
        /// The path before (nil for a new file) and after (nil for a deleted file), relative to
        /// the tree, without git's a/ b/ prefixes.
        public var oldPath: String?
        public var newPath: String?
        public var oldMode: String?
        public var newMode: String?
        public var isRename = false
        public var isCopy = false
        public var similarity: String?
        /// Each hunk: its header line and its body lines (each with its leading ' ', '+', '-' or '\').
        public var hunks: [Hunk] = []

        public struct Hunk: Sendable, Equatable {
            public var header: String
            public var lines: [String]
        }

        /// The path the change leaves in the tree (or removes).
        public var path: String { newPath ?? oldPath ?? "" }
        /// Every path the change names.
        public var paths: [String] { [oldPath, newPath].compactMap { $0 }.uniqued() }
        public var isNewFile: Bool { oldPath == nil }
        public var isDeletion: Bool { newPath == nil }
        /// The line numbers (in the file as changed) of the lines the change adds.
        public var addedLineNumbers: [Int] {
            var numbers: [Int] = []
            for hunk in hunks {
                // "@@ -a,b +c,d @@": the new side starts at line c.
                guard let plus = hunk.header.split(separator: " ").first(where: { $0.hasPrefix("+") }),
                    var line = Int(plus.dropFirst().split(separator: ",").first ?? "")
                else { continue }
                for body in hunk.lines {
                    if body.hasPrefix("+") {
                        numbers.append(line)
                        line += 1
                    } else if body.hasPrefix(" ") || body.isEmpty {
                        line += 1
                    }
                }
            }
            return numbers
        }
        /// The text of the lines the change adds.
        public var addedLines: [Substring] {
            hunks.flatMap { $0.lines.filter { $0.hasPrefix("+") }.map { $0.dropFirst() } }
        }
    }

    public var files: [FileChange]

    public init(files: [FileChange]) { self.files = files }

    /// Every path any change names.
    public var paths: [String] { files.flatMap(\.paths).uniqued() }

    // MARK: Parsing

    /// Parses `text`; errors say what was wrong and on which line of the patch.
    public static func parse(_ text: String, limits: Limits = Limits()) throws(GradeError) -> PatchSet {
        guard text.utf8.count <= limits.bytes else {
            throw GradeError("patch refused: \(text.utf8.count) bytes, more than the \(limits.bytes)-byte limit")
        }
        guard !text.utf8.contains(0) else { throw GradeError("patch refused: it contains a NUL byte") }
        var parser = Parser(lines: text.split(separator: "\n", omittingEmptySubsequences: false), limits: limits)
        // A final newline leaves one empty element that is not a line.
        if parser.lines.last == "" { parser.lines.removeLast() }
        return PatchSet(files: try parser.parse())
    }

    private struct Parser {
        var lines: [Substring]
        let limits: Limits
        var index = 0
        var hunkLines = 0

        func fail(_ message: String) -> GradeError { GradeError("patch refused: line \(index + 1): \(message)") }

        var current: Substring? { index < lines.count ? lines[index] : nil }

        mutating func parse() throws(GradeError) -> [FileChange] {
            var files: [FileChange] = []
            while let line = current {
                if line.hasPrefix("diff --git ") {
                    files.append(try gitSection())
                } else if line.hasPrefix("--- ") && index + 1 < lines.count && lines[index + 1].hasPrefix("+++ ") {
                    files.append(try plainSection())
                } else {
                    try proseLine(line)
                    index += 1
                }
                guard files.count <= limits.files else { throw fail("more than \(limits.files) files") }
            }
            guard !files.isEmpty else { throw GradeError("patch refused: it changes no file (no diff sections found)") }
            return files
        }

        /// Text outside file sections (a commit message, a format-patch signature) is dropped,
        /// but what GNU patch would read as another kind of diff is refused.
        func proseLine(_ line: Substring) throws(GradeError) {
            if line.hasPrefix("GIT binary patch") || (line.hasPrefix("Binary files ") && line.hasSuffix(" differ")) {
                throw fail("binary patches are refused")
            }
            if line.hasPrefix("@@ ") || line.hasPrefix("*** ") || line.hasPrefix("***************") {
                throw fail("a hunk outside any file section (or a context diff), which is refused")
            }
            if Self.looksLikeEdCommand(line) { throw fail("an ed script or normal diff command ('\(line.prefix(40))'), which is refused") }
            if line.hasPrefix("Index: ") || line.hasPrefix("Prereq: ") { throw fail("'\(line.prefix(20))' lines are refused") }
        }

        /// `12a`, `3,5d`, `7c`, `1,2c3,4`, `w`, `.`-style commands of ed scripts and normal diffs.
        static func looksLikeEdCommand(_ line: Substring) -> Bool {
            let text = line.hasSuffix("\r") ? line.dropLast() : line
            guard let first = text.first, first.isASCII, first.isNumber else { return false }
            var sawCommand = false
            for character in text {
                if character.isASCII && (character.isNumber || character == ",") { continue }
                if !sawCommand && "acdis".contains(character) {
                    sawCommand = true
                    continue
                }
                return false
            }
            return sawCommand
        }

        mutating func gitSection() throws(GradeError) -> FileChange {
            var change = FileChange()
            let headerLine = index
            index += 1
            var sawMinus = false
            var minusPath: String?? = nil
            var plusPath: String?? = nil
            var renameFrom: String?, renameTo: String?, copyFrom: String?, copyTo: String?
            var deletedMode: String?, newFileMode: String?
            // Extended header lines, then optionally ---/+++ and hunks.
            while let line = current, !line.hasPrefix("diff --git ") {
                if line.hasPrefix("old mode ") {
                    change.oldMode = try mode(line.dropFirst(9))
                } else if line.hasPrefix("new mode ") {
                    change.newMode = try mode(line.dropFirst(9))
                } else if line.hasPrefix("deleted file mode ") {
                    deletedMode = try mode(line.dropFirst(18))
                } else if line.hasPrefix("new file mode ") {
                    newFileMode = try mode(line.dropFirst(14))
                } else if line.hasPrefix("similarity index ") || line.hasPrefix("dissimilarity index ") {
                    change.similarity = String(line)
                } else if line.hasPrefix("rename from ") {
                    renameFrom = try path(line.dropFirst(12), prefixed: false)
                } else if line.hasPrefix("rename to ") {
                    renameTo = try path(line.dropFirst(10), prefixed: false)
                } else if line.hasPrefix("copy from ") {
                    copyFrom = try path(line.dropFirst(10), prefixed: false)
                } else if line.hasPrefix("copy to ") {
                    copyTo = try path(line.dropFirst(8), prefixed: false)
                } else if line.hasPrefix("index ") {
                    // `index abc..def 100644`: the mode, if any, must be one we accept.
                    let fields = line.split(separator: " ")
                    if fields.count == 3 { _ = try mode(fields[2]) }
                } else if line.hasPrefix("GIT binary patch") || line.hasPrefix("Binary files ") {
                    throw fail("binary patches are refused")
                } else if line.hasPrefix("--- ") && sawMinus && index + 1 < lines.count && lines[index + 1].hasPrefix("+++ ") {
                    break  // a plain section follows this one
                } else if line.hasPrefix("--- ") && !sawMinus {
                    guard index + 1 < lines.count, lines[index + 1].hasPrefix("+++ ") else { throw fail("'---' without '+++'") }
                    minusPath = .some(try sidePath(line.dropFirst(4), side: "a/"))
                    index += 1
                    plusPath = .some(try sidePath(lines[index].dropFirst(4), side: "b/"))
                    sawMinus = true
                } else if line.hasPrefix("@@ ") {
                    guard sawMinus else { throw fail("a hunk before the file's ---/+++ lines") }
                    change.hunks.append(try hunk())
                    continue
                } else if sawMinus || change.hunks.count > 0 {
                    // After the hunks: the next section, or prose (a signature) until it.
                    try proseLine(line)
                } else {
                    throw fail("unknown line in a git file header: '\(line.prefix(60))'")
                }
                index += 1
            }
            if deletedMode != nil && newFileMode != nil { throw fail("a file both deleted and created") }
            if renameFrom != nil || renameTo != nil {
                guard let from = renameFrom, let to = renameTo else { throw fail("a rename without both 'rename from' and 'rename to'") }
                change.isRename = true
                change.oldPath = from
                change.newPath = to
            } else if copyFrom != nil || copyTo != nil {
                guard let from = copyFrom, let to = copyTo else { throw fail("a copy without both 'copy from' and 'copy to'") }
                change.isCopy = true
                change.oldPath = from
                change.newPath = to
            } else if let minus = minusPath, let plus = plusPath {
                change.oldPath = minus
                change.newPath = plus
            } else {
                // A mode-only change or an empty new/deleted file: the names come from the header.
                let name = try headerPath(lines[headerLine])
                change.oldPath = name
                change.newPath = name
            }
            if newFileMode != nil {
                change.oldPath = nil
                change.newMode = newFileMode
            }
            if deletedMode != nil {
                change.newPath = nil
                change.oldMode = deletedMode
            }
            if let minus = minusPath, let plus = plusPath {
                // The ---/+++ names must be the ones the header (or rename/copy lines) gave: a
                // tool that reads one and not the other must not be steered to another file.
                let expectedOld = change.isRename || change.isCopy ? change.oldPath : (try? headerPath(lines[headerLine]))
                let expectedNew = change.isRename || change.isCopy ? change.newPath : expectedOld
                if let expectedOld, let old = minus, old != expectedOld {
                    throw GradeError("patch refused: line \(headerLine + 1): '---' names another file than the header")
                }
                if let expectedNew, let new = plus, new != expectedNew {
                    throw GradeError("patch refused: line \(headerLine + 1): '+++' names another file than the header")
                }
            }
            if let minus = minusPath, let plus = plusPath, !change.isRename && !change.isCopy {
                // ---/+++ must agree with the header's kind of change.
                if (minus == nil) != change.isNewFile || (plus == nil) != change.isDeletion {
                    throw GradeError("patch refused: line \(headerLine + 1): ---/+++ disagree with the file header")
                }
                if let old = minus, let new = plus, old != new {
                    throw GradeError("patch refused: line \(headerLine + 1): ---/+++ name different files without a rename")
                }
            }
            if change.oldPath == nil && change.newPath == nil { throw fail("a file section without a path") }
            return change
        }

        mutating func plainSection() throws(GradeError) -> FileChange {
            var change = FileChange()
            change.oldPath = try sidePath(lines[index].dropFirst(4), side: "a/")
            index += 1
            change.newPath = try sidePath(lines[index].dropFirst(4), side: "b/")
            index += 1
            if change.oldPath == nil && change.newPath == nil { throw fail("both sides are /dev/null") }
            if let old = change.oldPath, let new = change.newPath, old != new {
                throw fail("---/+++ name different files ('\(old)', '\(new)')")
            }
            while current?.hasPrefix("@@ ") == true { change.hunks.append(try hunk()) }
            guard !change.hunks.isEmpty else { throw fail("a file section with no hunk") }
            return change
        }

        /// `@@ -a[,b] +c[,d] @@ …` and exactly the lines it counts.
        mutating func hunk() throws(GradeError) -> FileChange.Hunk {
            let header = lines[index]
            let fields = header.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
            guard fields.count >= 4, fields[0] == "@@", fields[3].hasPrefix("@@"),
                let old = Self.range(fields[1], sign: "-"), let new = Self.range(fields[2], sign: "+")
            else { throw fail("malformed hunk header '\(header.prefix(60))'") }
            index += 1
            var oldLeft = old, newLeft = new
            var body: [String] = []
            while oldLeft > 0 || newLeft > 0 {
                guard let line = current else { throw fail("the patch ends inside a hunk") }
                switch line.first {
                case " ":
                    oldLeft -= 1
                    newLeft -= 1
                    body.append(String(line))
                case _ where line.isEmpty || line == "\r":
                    // An empty context line (whitespace stripped by a mailer or an editor).
                    oldLeft -= 1
                    newLeft -= 1
                    body.append(" " + line)
                case "-":
                    oldLeft -= 1
                    body.append(String(line))
                case "+":
                    newLeft -= 1
                    body.append(String(line))
                case "\\":
                    body.append("\\ No newline at end of file")
                default:
                    throw fail("a hunk line that is not context, addition or removal: '\(line.prefix(60))'")
                }
                guard oldLeft >= 0, newLeft >= 0 else { throw fail("more lines than the hunk header counts") }
                index += 1
            }
            if current?.hasPrefix("\\") == true {
                body.append("\\ No newline at end of file")
                index += 1
            }
            // A body line right after the counted ones: the header undercounts (GNU patch and git
            // disagree on what such a hunk means).
            if let next = current, next.hasPrefix("+") || next.hasPrefix(" ") || (next.hasPrefix("-") && !next.hasPrefix("--")) {
                throw fail("a hunk line beyond what the hunk header counts")
            }
            hunkLines += body.count
            guard hunkLines <= limits.hunkLines else { throw fail("more than \(limits.hunkLines) hunk lines") }
            return FileChange.Hunk(header: Self.canonicalHeader(header), lines: body)
        }

        /// "-12,3" → 3; "-12" → 1.
        static func range(_ field: Substring, sign: Character) -> Int? {
            guard field.first == sign else { return nil }
            let parts = field.dropFirst().split(separator: ",", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && Int($0) != nil }),
                let start = Int(parts[0]), start >= 0, start < 1 << 31
            else { return nil }
            guard parts.count == 2 else { return 1 }
            guard let count = Int(parts[1]), count >= 0, count < 1 << 31 else { return nil }
            return count
        }

        /// The header without its section text (a function name from the old file, sample-written).
        static func canonicalHeader(_ header: Substring) -> String {
            let fields = header.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
            return "@@ \(fields[1]) \(fields[2]) @@"
        }

        func mode(_ text: Substring) throws(GradeError) -> String {
            let mode = text.trimmingCharacters(in: .whitespaces)
            guard mode == "100644" || mode == "100755" else {
                throw fail(
                    mode == "120000"
                        ? "symbolic links are refused" : mode == "160000" ? "submodules are refused" : "file mode '\(mode)' is refused")
            }
            return mode
        }

        /// A `---`/`+++` name: /dev/null (nil), or a/PATH or b/PATH, possibly quoted, possibly
        /// followed by a tab and a timestamp.
        func sidePath(_ raw: Substring, side: String) throws(GradeError) -> String? {
            var text = raw
            if !text.hasPrefix("\""), let tab = text.firstIndex(of: "\t") { text = text[..<tab] }
            if text.hasSuffix("\r") { text = text.dropLast() }
            if text == "/dev/null" { return nil }
            let name = try Self.unquote(text, fail: fail)
            guard name.hasPrefix("a/") || name.hasPrefix("b/") else {
                throw fail("'\(name.prefix(60))' lacks git's a/ or b/ prefix")
            }
            return try Self.checked(String(name.dropFirst(2)), fail: fail)
        }

        /// A rename/copy name: no prefix, possibly quoted.
        func path(_ raw: Substring, prefixed: Bool) throws(GradeError) -> String {
            try Self.checked(try Self.unquote(raw.hasSuffix("\r") ? raw.dropLast() : raw, fail: fail), fail: fail)
        }

        /// `diff --git a/X b/X` when nothing else names the file (mode changes, empty files).
        func headerPath(_ line: Substring) throws(GradeError) -> String {
            let rest = line.dropFirst("diff --git ".count)
            if rest.hasPrefix("\"") { throw fail("a quoted name with nothing else naming the file") }
            // Unquoted and identical on both sides: "a/X b/X", so X is half of what is left.
            let count = rest.count
            guard count % 2 == 1 else { throw fail("cannot tell the file's name from the header") }
            let half = (count - 1) / 2
            let first = rest.prefix(half), second = rest.suffix(half)
            guard first.hasPrefix("a/"), second.hasPrefix("b/"), first.dropFirst(2) == second.dropFirst(2) else {
                throw fail("cannot tell the file's name from the header")
            }
            return try Self.checked(String(first.dropFirst(2)), fail: fail)
        }

        /// git's C-style quoting ("a/na\303\257ve\tname"); unquoted text is taken as it is.
        static func unquote(_ text: Substring, fail: (String) -> GradeError) throws(GradeError) -> String {
            guard text.hasPrefix("\"") else { return String(text) }
            guard text.count >= 2, text.hasSuffix("\"") else { throw fail("an unterminated quoted name") }
            var bytes: [UInt8] = []
            var iterator = Array(text.utf8.dropFirst().dropLast()).makeIterator()
            while let byte = iterator.next() {
                guard byte == UInt8(ascii: "\\") else {
                    if byte == UInt8(ascii: "\"") { throw fail("a stray quote in a quoted name") }
                    bytes.append(byte)
                    continue
                }
                guard let escape = iterator.next() else { throw fail("a quoted name ends in a backslash") }
                switch escape {
                case UInt8(ascii: "\\"), UInt8(ascii: "\""): bytes.append(escape)
                case UInt8(ascii: "t"): bytes.append(9)
                case UInt8(ascii: "n"): bytes.append(10)
                case UInt8(ascii: "r"): bytes.append(13)
                case UInt8(ascii: "a"): bytes.append(7)
                case UInt8(ascii: "b"): bytes.append(8)
                case UInt8(ascii: "f"): bytes.append(12)
                case UInt8(ascii: "v"): bytes.append(11)
                case UInt8(ascii: "0")...UInt8(ascii: "3"):
                    guard let second = iterator.next(), let third = iterator.next(),
                        (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(second), (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(third)
                    else { throw fail("a malformed octal escape in a quoted name") }
                    bytes.append((escape - 48) << 6 | (second - 48) << 3 | (third - 48))
                default: throw fail("an unknown escape in a quoted name")
                }
            }
            guard let name = String(validating: bytes, as: UTF8.self) else { throw fail("a name that is not UTF-8") }
            return name
        }

        static func checked(_ path: String, fail: (String) -> GradeError) throws(GradeError) -> String {
            if let problem = PatchSet.problem(withPath: path) { throw fail("'\(path.prefix(80))': \(problem)") }
            return path
        }
    }

    /// Why a tree-relative path may not be written, or nil when it may. Checked for every path a
    /// patch names: no absolute path, no `.` or `..`, no `.git` at any depth in any spelling a
    /// tool might trim to `.git` (trailing spaces or dots, any case, the 8.3 short name), no
    /// control characters or backslashes, no empty components.
    public static func problem(withPath path: String) -> String? {
        if path.isEmpty { return "an empty path" }
        if path.hasPrefix("/") { return "an absolute path" }
        if path.utf8.count > 4096 { return "a path longer than 4096 bytes" }
        if path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f || $0 == "\\" }) {
            return "a control character or backslash in a path"
        }
        for component in path.split(separator: "/", omittingEmptySubsequences: false) {
            if component.isEmpty { return "an empty path component" }
            if component == "." || component == ".." { return "a '\(component)' component" }
            if component.utf8.count > 255 { return "a path component longer than 255 bytes" }
            if component.first?.isWhitespace == true || component.last?.isWhitespace == true {
                return "a path component that begins or ends with white space"
            }
            var folded = Substring(component.lowercased())
            while let last = folded.last, last == "." || last.isWhitespace { folded = folded.dropLast() }
            if folded == ".git" || folded == "git~1" { return "a .git component (git's own directory)" }
        }
        return nil
    }

    // MARK: Writing

    /// The patch as the tools get it: git's format, rebuilt from the parse (no prose, no
    /// section text from hunk headers, names quoted where git would quote them).
    public var canonical: String {
        var out = ""
        for file in files { out += Self.render(file) }
        return out
    }

    static func render(_ file: FileChange) -> String {
        let old = file.oldPath ?? file.newPath ?? "", new = file.newPath ?? file.oldPath ?? ""
        var out = "diff --git \(quoted("a/" + old)) \(quoted("b/" + new))\n"
        if file.isNewFile {
            out += "new file mode \(file.newMode ?? "100644")\n"
        } else if file.isDeletion {
            out += "deleted file mode \(file.oldMode ?? "100644")\n"
        } else if let oldMode = file.oldMode, let newMode = file.newMode, oldMode != newMode {
            out += "old mode \(oldMode)\nnew mode \(newMode)\n"
        }
        if file.isRename || file.isCopy {
            let verb = file.isRename ? "rename" : "copy"
            out += "\(file.similarity ?? "similarity index 100%")\n"
            out += "\(verb) from \(quoted(old))\n\(verb) to \(quoted(new))\n"
        }
        if !file.hunks.isEmpty {
            out += "--- \(file.oldPath.map { quoted("a/" + $0) } ?? "/dev/null")\n"
            out += "+++ \(file.newPath.map { quoted("b/" + $0) } ?? "/dev/null")\n"
            for hunk in file.hunks {
                out += hunk.header + "\n"
                for line in hunk.lines { out += line + "\n" }
            }
        }
        return out
    }

    /// git's quoting: names with a quote, a space at either end, or bytes outside printable
    /// ASCII are written "…" with C escapes.
    static func quoted(_ name: String) -> String {
        let needs = name.utf8.contains { $0 < 0x21 || $0 >= 0x7f || $0 == UInt8(ascii: "\"") }
        guard needs else { return name }
        var out = "\""
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += "\\\""
            case 0x21..<0x7f, UInt8(ascii: " "): out.unicodeScalars.append(Unicode.Scalar(byte))
            default: out += "\\" + String(byte, radix: 8).leftPadded(to: 3)
            }
        }
        return out + "\""
    }
}

extension Array where Element: Hashable {
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
