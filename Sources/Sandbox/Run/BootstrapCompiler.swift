import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Compiles the profile's Python bootstrap to bytecode once per ``Sandbox``, with the profile's
/// own interpreter, so no run pays for compiling it. Only our own trusted bootstrap is compiled
/// here; no sample code ever runs outside the sandbox.
enum BootstrapCompiler {
    static func compile(_ source: [UInt8], interpreter: String, workBase: String) -> [UInt8]? {
        let directory = "\(workBase)/.bootstrap-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard mkdir(directory, 0o700) == 0 else { return nil }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sourcePath = directory + "/bootstrap.py"
        let compiledPath = directory + "/bootstrap.pyc"
        guard FileManager.default.createFile(atPath: sourcePath, contents: Data(source)) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: interpreter)
        process.arguments = [
            "-I", "-S", "-c",
            "import sys, py_compile; py_compile.compile(sys.argv[1], cfile=sys.argv[2], dfile='.proctor-bootstrap.py', doraise=True)",
            sourcePath, compiledPath,
        ]
        process.environment = [:]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        process.waitUntilExit()
        guard process.terminationStatus == 0, let data = FileManager.default.contents(atPath: compiledPath) else { return nil }
        return [UInt8](data)
    }
}
