import Foundation
import Grader

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Per-test outcomes from pytest's JUnit XML report (`--junitxml`, `-o junit_family=xunit1`
/// so each test case names its file). The report is written by the code under test, so it is
/// read defensively: a regular file only (a symlink or FIFO planted in its place is refused),
/// at most `maxBytes`, and malformed XML is an error, never a partial pass.
public struct JUnitReport: Sendable, Equatable {
    public enum Outcome: String, Sendable {
        case passed, failed, error, skipped
    }

    /// Outcome per pytest node id (`tests/test_x.py::TestClass::test_name[param]`).
    public var tests: [String: Outcome]

    public static func read(path: String, maxBytes: Int = 32 << 20) throws(GradeError) -> JUnitReport {
        // attributesOfItem uses lstat: a symlink is reported as one, not followed.
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            throw GradeError("\(path): no test report (the test command wrote none)")
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            throw GradeError("\(path): the test report is not a regular file (refused)")
        }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        guard size <= maxBytes else { throw GradeError("\(path): the test report is \(size) bytes (limit \(maxBytes))") }
        guard let data = FileManager.default.contents(atPath: path) else { throw GradeError("\(path): cannot read the test report") }
        return try parse(data, source: path)
    }

    public static func parse(_ data: Data, source: String) throws(GradeError) -> JUnitReport {
        let collector = Collector()
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.delegate = collector
        // Every element opened must be closed: a truncated report is malformed, not short.
        guard parser.parse(), parser.parserError == nil, collector.elements > 0, collector.depth == 0 else {
            throw GradeError("\(source): malformed test report (\(parser.parserError?.localizedDescription ?? "XML truncated"))")
        }
        return JUnitReport(tests: collector.tests)
    }

    /// Turns pytest's (file, classname, name) into the node id SWE-bench's lists use.
    static func nodeID(file: String?, classname: String, name: String) -> String {
        guard let file, !file.isEmpty else { return classname.isEmpty ? name : "\(classname)::\(name)" }
        // classname is the module's dotted path, then any classes: keep only the classes.
        let module = file.hasSuffix(".py") ? String(file.dropLast(3)) : file
        let dotted = module.replacingOccurrences(of: "/", with: ".")
        var classes = classname
        if classes.hasPrefix(dotted) { classes = String(classes.dropFirst(dotted.count)) }
        if classes.hasPrefix(".") { classes = String(classes.dropFirst()) }
        let middle = classes.isEmpty ? "" : "::" + classes.replacingOccurrences(of: ".", with: "::")
        return file + middle + "::" + name
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var tests: [String: Outcome] = [:]
        var depth = 0
        var elements = 0
        private var current: String?
        private var outcome: Outcome = .passed

        func parser(
            _ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            depth += 1
            elements += 1
            switch element {
            case "testcase":
                current = JUnitReport.nodeID(
                    file: attributes["file"], classname: attributes["classname"] ?? "", name: attributes["name"] ?? "")
                outcome = .passed
            case "failure" where current != nil: outcome = .failed
            case "error" where current != nil: if outcome == .passed { outcome = .error }
            case "skipped" where current != nil: if outcome == .passed { outcome = .skipped }
            default: break
            }
        }

        func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
            depth -= 1
            guard element == "testcase", let id = current else { return }
            // A test reported twice (an error in teardown after a pass) keeps its worst outcome.
            if let earlier = tests[id], earlier != .passed, outcome == .passed { return }
            tests[id] = outcome
            current = nil
        }
    }
}
