import Foundation
import SchemaCheck
import Testing
import ScratchFiles

@testable import Repository

/// Paths into the checkout, and scratch files and directories for the repository suites.
enum Checkout {
    /// Runs a repository grade and checks the reports it wrote against docs/results-schema.json.
    @discardableResult
    static func run(_ options: RepoGradeOptions) throws -> RepoGradeRun.Summary {
        defer { SchemaCheck.expectConforming(options.outDirectory) }
        return try RepoGradeRun(options).run()
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let scratch = "/tmp/proctor-repository-tests"

    static func outDirectory(_ name: String) -> String { ScratchFiles.directory(under: scratch, name) }

    static func file(_ name: String, _ lines: [String]) throws -> String { try ScratchFiles.file(under: scratch, name, lines) }
}
