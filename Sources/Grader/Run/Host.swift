import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Facts about the grading host recorded in every row's audit block.
enum Host {
    static var kernel: String {
        var info = utsname()
        uname(&info)
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
        }
        return "\(text(info.sysname)) \(text(info.release)) \(text(info.machine))"
    }

    /// `python3 --version` of the profile's interpreter (run by the grader, not sandboxed: it
    /// executes no sample code).
    static func pythonVersion(_ interpreter: String) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: interpreter)
        process.arguments = ["-I", "-S", "-c", "import sys; print(sys.version.split()[0])"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return "unknown" }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
