import Foundation
import Grader

/// Which of a model patch's file changes may reach the tree the tests run in.
///
/// Decided from the patch itself — never from `git status`, which a `.gitignore` the patch adds
/// can blind. A change is dropped (its file stays as at the base commit) when it touches:
/// - a file the instance's test patch touches (the tests are the instance's);
/// - anything pytest reads as configuration or loads as a plugin: `conftest.py` at any depth,
///   `pytest.ini`/`tox.ini`/`setup.cfg`/`pyproject.toml` at any depth, `__init__.py` in a test
///   directory, `*.pth`, `sitecustomize`/`usercustomize`, anything inside `*.dist-info` or
///   `*.egg-info` (entry points), and any file whose added lines mention `pytest_plugins`;
/// - a new module named like one of the standard library's or pytest's (`protectedModules`),
///   which would shadow the real one on `sys.path`.
/// `allowTestConfig` (an instance whose fix legitimately edits configuration) lifts the second
/// and third rules, never the first.
public struct PatchPolicy: Sendable {
    public var testPaths: Set<String>
    public var allowTestConfig: Bool
    public var protectedModules: Set<String>

    public init(testPaths: Set<String>, allowTestConfig: Bool, protectedModules: Set<String>) {
        self.testPaths = testPaths
        self.allowTestConfig = allowTestConfig
        self.protectedModules = protectedModules
    }

    /// Reads the module names from a file: one per line, `#` comments.
    public static func protectedModules(file: String) throws(GradeError) -> Set<String> {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw GradeError("\(file): missing or unreadable") }
        return Set(
            text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") })
    }

    static let configNames: Set<String> = ["conftest.py", "pytest.ini", ".pytest.ini", "tox.ini", "setup.cfg", "pyproject.toml"]

    /// Why `change` may not reach the tree, or nil when it may.
    public func refusal(_ change: PatchSet.FileChange, isPackage: (String) -> Bool = { _ in false }) -> String? {
        if let path = change.paths.first(where: testPaths.contains) { return "\(path): a test file of the instance" }
        if allowTestConfig { return nil }
        for path in change.paths {
            if let reason = Self.configReason(path) { return "\(path): \(reason)" }
        }
        if change.addedLines.contains(where: { $0.contains("pytest_plugins") }) {
            return "\(change.path): adds a pytest_plugins line (loads a plugin)"
        }
        if let created = change.newPath, change.isNewFile || change.isRename || change.isCopy,
            let module = shadowedModule(created, isPackage: isPackage)
        {
            return "\(created): a new module named like '\(module)' (shadows the real one)"
        }
        return nil
    }

    static func configReason(_ path: String) -> String? {
        let components = path.split(separator: "/").map(String.init)
        guard let name = components.last else { return nil }
        if configNames.contains(name) { return "test configuration" }
        if name.hasSuffix(".pth") { return "a .pth file (runs code at interpreter start)" }
        if name.hasPrefix("sitecustomize") || name.hasPrefix("usercustomize") { return "runs at interpreter start" }
        if components.dropLast().contains(where: { $0.hasSuffix(".dist-info") || $0.hasSuffix(".egg-info") })
            || name.hasSuffix(".dist-info") || name.hasSuffix(".egg-info")
        {
            return "package metadata (can declare pytest plugins)"
        }
        if name == "__init__.py" && components.dropLast().contains(where: isTestDirectory) {
            return "__init__.py in a test directory (changes how pytest imports the tests)"
        }
        return nil
    }

    static func isTestDirectory(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower == "test" || lower == "tests" || lower == "testing" || lower.hasPrefix("test_") || lower.hasSuffix("_test")
            || lower.hasSuffix("_tests")
    }

    /// The protected module a created path would define where it could be found first on
    /// `sys.path`, or nil. Only a directory that is not itself a package can be a `sys.path`
    /// entry (the tree's root, `src/`, a test directory pytest inserts), so `django/http/x.py`
    /// or a new `astropy/io/types.py` inside a package is fine, while `unittest.py`,
    /// `_pytest/__init__.py` or `tests/os.py` beside non-package test files is not.
    /// `isPackage` says whether a tree-relative directory ("" is the root) holds an `__init__.py`.
    func shadowedModule(_ path: String, isPackage: (String) -> Bool) -> String? {
        var components = path.split(separator: "/").map(String.init)
        guard let name = components.popLast() else { return nil }
        let stem = name.split(separator: ".", maxSplits: 1).first.map(String.init) ?? name
        let isModuleFile = [".py", ".pyc", ".so", ".pyd"].contains { name.hasSuffix($0) }
        if isModuleFile && stem != "__init__" && protectedModules.contains(stem) && !isPackage(components.joined(separator: "/")) {
            return stem
        }
        // A package named like a protected module, sitting where a sys.path entry could be.
        for depth in components.indices where protectedModules.contains(components[depth]) {
            if !isPackage(components[..<depth].joined(separator: "/")) { return components[depth] }
        }
        return nil
    }

    /// The patch split into what reaches the tree and what was dropped (with why).
    /// `isPackage` as for `shadowedModule`; the patch's own new `__init__.py` files count.
    public func split(_ patch: PatchSet, isPackage basePackage: (String) -> Bool) -> (kept: PatchSet, dropped: [String]) {
        let created = Set(
            patch.files.compactMap { $0.isDeletion ? nil : $0.newPath }.filter { $0 == "__init__.py" || $0.hasSuffix("/__init__.py") }
                .map { ($0 as NSString).deletingLastPathComponent })
        // The root is on sys.path whatever it holds (`python -m pytest` puts it there).
        let isPackage = { (directory: String) in !directory.isEmpty && (created.contains(directory) || basePackage(directory)) }
        var kept: [PatchSet.FileChange] = []
        var dropped: [String] = []
        for change in patch.files {
            if let reason = refusal(change, isPackage: isPackage) { dropped.append(reason) } else { kept.append(change) }
        }
        return (PatchSet(files: kept), dropped)
    }
}
