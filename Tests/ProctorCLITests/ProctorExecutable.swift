import Foundation
import SchemaCheck
import Testing

/// The built `proctor` executable, run the way a user runs it.
enum ProctorExecutable {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let path = root + "/.build/debug/proctor"
    static var isBuilt: Bool { FileManager.default.isExecutableFile(atPath: path) }

    struct Invocation {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs proctor with `arguments` from the checkout's root; `whileRunning` gets the process.
    static func run(_ arguments: [String], whileRunning: (Process) -> Void = { _ in }) throws -> Invocation {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        whileRunning(process)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // Whatever a command wrote results to is checked against docs/results-schema.json (when
        // it ran: a refused --out may name anything, an input file included).
        if [0, 1, 75].contains(process.terminationStatus),
            let flag = arguments.firstIndex(where: { $0 == "--out" || $0 == "-o" }), flag + 1 < arguments.count
        {
            let out = arguments[flag + 1].hasPrefix("/") ? arguments[flag + 1] : root + "/" + arguments[flag + 1]
            if FileManager.default.fileExists(atPath: out) { SchemaCheck.expectConforming(out) }
        }
        return Invocation(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Runs another tool (curl, say) and returns its standard output.
    static func runTool(_ path: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
