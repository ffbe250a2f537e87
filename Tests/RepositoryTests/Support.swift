import Foundation
import ScratchFiles

/// Paths into the checkout, and scratch files and directories for the repository suites.
enum Checkout {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let scratch = "/tmp/proctor-repository-tests"

    static func outDirectory(_ name: String) -> String { ScratchFiles.directory(under: scratch, name) }

    static func file(_ name: String, _ lines: [String]) throws -> String { try ScratchFiles.file(under: scratch, name, lines) }
}
