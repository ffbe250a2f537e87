import Foundation
import Grader
import Testing

@testable import Repository

/// The model patch parser: every way a patch can name a path it may not write, or smuggle in
/// another kind of diff, is refused before any tool sees it; real patches survive the
/// canonical re-emission unchanged in meaning.
struct PatchSetTests {
    static func hunk(_ path: String, header: String = "diff --git a/%@ b/%@\n") -> String {
        header.replacingOccurrences(of: "%@", with: path) + "--- a/\(path)\n+++ b/\(path)\n@@ -1 +1 @@\n-old\n+new\n"
    }

    static func newFile(_ quotedPlus: String) -> String {
        "diff --git a/x b/x\nnew file mode 100644\n--- /dev/null\n+++ \(quotedPlus)\n@@ -0,0 +1 @@\n+data\n"
    }

    static func created(_ path: String) -> String {
        "diff --git a/\(path) b/\(path)\nnew file mode 100644\n--- /dev/null\n+++ b/\(path)\n@@ -0,0 +1 @@\n+data\n"
    }

    /// Each hostile patch and a word its refusal must contain.
    static let hostile: [(String, String, String)] = [
        ("git dir at the root", newFile("b/.git/config"), ".git"),
        ("git dir in a sub-directory", newFile("b/sub/.git/config"), ".git"),
        ("git file in a sub-directory", newFile("b/sub/.git"), ".git"),
        ("upper-case .GIT", newFile("b/sub/.GIT/config"), ".git"),
        ("trailing space after .git", newFile("\"b/sub/.git /config\""), "white space"),
        ("trailing dot after .git", newFile("b/sub/.git./hooks/x"), ".git"),
        ("8.3 short name", newFile("b/GIT~1/config"), ".git"),
        ("quoted octal .git", newFile("\"b/sub/\\056git/config\""), ".git"),
        ("absolute path", newFile("b//etc/cron.d/x"), "absolute path"),
        ("dot-dot", newFile("b/../outside.py"), "'..'"),
        ("dot-dot deeper", newFile("b/src/../../outside.py"), "'..'"),
        ("control character", newFile("\"b/src/a\\nb.py\""), "control character"),
        ("no prefix", "--- src/x.py\n+++ src/x.py\n@@ -1 +1 @@\n-a\n+b\n", "prefix"),
        (
            "symlink", "diff --git a/link b/link\nnew file mode 120000\n--- /dev/null\n+++ b/link\n@@ -0,0 +1 @@\n+/etc/passwd\n",
            "symbolic links"
        ),
        ("submodule", "diff --git a/m b/m\nnew file mode 160000\nindex 0000000..1111111\n", "submodules"),
        (
            "binary", "diff --git a/x.bin b/x.bin\nnew file mode 100644\nindex 0000000..1111111\nGIT binary patch\nliteral 3\nKcmZ?wh5-Nq0RR91\n\n",
            "binary"
        ),
        ("binary files differ", "diff --git a/x b/x\nBinary files a/x and b/x differ\n", "binary"),
        ("ed script", "1,2c\nimport os\n.\nw\n", "ed script"),
        ("normal diff", "3c3\n< a\n---\n> b\n", "ed script"),
        ("context diff", "*** a/x.py\n--- b/x.py\n***************\n", "context diff"),
        ("rename into .git", "diff --git a/x b/.git/config\nsimilarity index 100%\nrename from x\nrename to .git/config\n", ".git"),
        ("copy out of the tree", "diff --git a/x b/y\nsimilarity index 100%\ncopy from ../../etc/shadow\ncopy to y\n", "'..'"),
        ("hunk longer than its header", "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n+c\n", "hunk line"),
        ("truncated hunk", "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n", "ends inside a hunk"),
        ("nothing", "just some prose\n", "changes no file"),
        ("names that differ without a rename", "--- a/x\n+++ b/y\n@@ -1 +1 @@\n-a\n+b\n", "different files"),
        ("--- naming another file than the header", "diff --git a/x b/x\n--- a/.bashrc\n+++ b/.bashrc\n@@ -1 +1 @@\n-a\n+b\n", "another file"),
        ("a NUL byte", "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\u{0}\n", "NUL"),
    ]

    @Test(arguments: hostile.indices)
    func hostilePatchesAreRefusedWithTheReason(_ index: Int) {
        let (name, patch, reason) = Self.hostile[index]
        let error = #expect(throws: GradeError.self, "\(name)") { try PatchSet.parse(patch) }
        #expect(error?.message.contains(reason) == true, "\(name): \(error?.message ?? "accepted")")
    }

    @Test func sizeAndCountLimitsHold() {
        var limits = PatchSet.Limits()
        limits.files = 3
        let many = (0..<4).map { Self.hunk("f\($0).py") }.joined()
        #expect(throws: GradeError.self) { try PatchSet.parse(many, limits: limits) }
        limits = PatchSet.Limits()
        limits.bytes = 100
        #expect(throws: GradeError.self) { try PatchSet.parse(String(repeating: "x", count: 101), limits: limits) }
    }

    @Test func prosePlainDiffsRenamesAndModesParse() throws {
        let patch = """
            From 1234 Mon Sep 17 00:00:00 2001
            Subject: [PATCH] fix it

            ---
             src/a.py | 2 +-
            diff --git a/src/a.py b/src/a.py
            index 1111111..2222222 100644
            --- a/src/a.py
            +++ b/src/a.py
            @@ -1,2 +1,2 @@ def f():
             keep
            -old
            +new
            --- a/plain.py\t2024-01-01 00:00:00
            +++ b/plain.py\t2024-01-01 00:00:00
            @@ -1 +1 @@
            -x
            +y
            \\ No newline at end of file
            diff --git a/old name.py b/new name.py
            similarity index 90%
            rename from old name.py
            rename to new name.py
            diff --git a/run.sh b/run.sh
            old mode 100644
            new mode 100755
            diff --git "a/caf\\303\\251.py" "b/caf\\303\\251.py"
            deleted file mode 100644
            --- "a/caf\\303\\251.py"
            +++ /dev/null
            @@ -1 +0,0 @@
            -gone
            --\u{20}
            2.39.5

            """
        let parsed = try PatchSet.parse(patch)
        #expect(parsed.files.map(\.path) == ["src/a.py", "plain.py", "new name.py", "run.sh", "café.py"])
        try #require(parsed.files.count == 5)
        #expect(parsed.files[2].isRename && parsed.files[2].oldPath == "old name.py")
        #expect(parsed.files[3].newMode == "100755" && parsed.files[3].hunks.isEmpty)
        #expect(parsed.files[4].isDeletion)
        // The canonical form drops the prose and hunk-header text and parses back to the same changes.
        #expect(!parsed.canonical.contains("Subject") && !parsed.canonical.contains("def f()"))
        #expect(try PatchSet.parse(parsed.canonical).files == parsed.files)
    }

    @Test func policyKeepsTestsConfigurationPluginsAndShadowingModulesOut() throws {
        let modules: Set<String> = ["unittest", "os", "pytest", "_pytest", "io"]
        let policy = PatchPolicy(testPaths: ["tests/test_x.py"], allowTestConfig: false, protectedModules: modules)
        func verdict(_ patch: String, packages: Set<String> = []) throws -> [String] {
            try policy.split(PatchSet.parse(patch), isPackage: packages.contains).dropped
        }
        #expect(try verdict(Self.hunk("tests/test_x.py")).count == 1)
        for path in [
            "conftest.py", "a/b/conftest.py", "sub/pytest.ini", "pkg/setup.cfg", "deep/pyproject.toml", "tox.ini",
            "x.pth", "lib/sitecustomize.py", "usercustomize.py", "pkg.dist-info/entry_points.txt",
            "pkg.egg-info/entry_points.txt", "tests/__init__.py", "src/pkg/testing/__init__.py",
        ] {
            #expect(try verdict(Self.created(path)).count == 1, "\(path)")
        }
        #expect(try verdict(Self.hunk("src/m.py").replacingOccurrences(of: "+new", with: "+pytest_plugins = ['evil']")).count == 1)
        // New modules that would shadow the standard library or pytest where sys.path finds them.
        #expect(try verdict(Self.created("unittest.py")).count == 1)
        #expect(try verdict(Self.created("_pytest/__init__.py")).count == 1)
        #expect(try verdict(Self.created("tests/os.py")).count == 1)
        // Inside a package they shadow nothing and are kept, as is ordinary code.
        #expect(try verdict(Self.created("pkg/io.py"), packages: ["pkg"]).isEmpty)
        #expect(try verdict(Self.created("pkg/io/__init__.py"), packages: ["pkg"]).isEmpty)
        #expect(try verdict(Self.hunk("src/pkg/core.py")).isEmpty)
        // An instance that allows configuration edits still never lets the tests change.
        let lenient = PatchPolicy(testPaths: ["tests/test_x.py"], allowTestConfig: true, protectedModules: modules)
        #expect(try lenient.split(PatchSet.parse(Self.hunk("conftest.py")), isPackage: { _ in false }).dropped.isEmpty)
        #expect(try lenient.split(PatchSet.parse(Self.hunk("tests/test_x.py")), isPackage: { _ in false }).dropped.count == 1)
    }
}
