import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Compiles the profile's Python bootstrap and its runtime package (`proctor_runtime`) to one
/// bytecode file once per ``Sandbox``, with the profile's own interpreter, so no run pays for
/// compiling them. Only our own trusted code is compiled here; no sample code ever runs outside
/// the sandbox.
///
/// Why one file: every run (a cold run of `proctor grade`, `proctor run`) gets the bootstrap
/// placed in its workdir; a package of files would be several files to place, open and stat per
/// run, and a zip archive costs the interpreter ~6 ms more to start (measured). So each module's
/// code is marshalled into a dictionary (`_RUNTIME`) written above the bootstrap's source, and
/// the bootstrap serves the package from it with an import finder of its own: a run unmarshals
/// only the modules its mode imports.
enum BootstrapCompiler {
    /// The bundling step, run by the profile's interpreter: the package's modules compiled and
    /// marshalled, the bootstrap's source after them, the whole compiled to one .pyc.
    static let bundler = """
        import marshal, os, sys, py_compile
        entry, package, bundled, compiled = sys.argv[1:5]
        codes = {}
        for name in sorted(os.listdir(package)):
            if name.endswith(".py"):
                module = "proctor_runtime" + ("" if name == "__init__.py" else "." + name[:-3])
                with open(os.path.join(package, name), encoding="utf-8") as handle:
                    code = compile(handle.read(), "proctor_runtime/" + name, "exec", dont_inherit=True)
                codes[module] = marshal.dumps(code)
        with open(entry, encoding="utf-8") as handle:
            source = handle.read()
        with open(bundled, "w", encoding="utf-8") as handle:
            handle.write(("_RUNTIME = %r\\n" % codes if codes else "") + source)
        py_compile.compile(bundled, cfile=compiled, dfile=".proctor-bootstrap.py", doraise=True)
        """

    static func compile(_ source: [UInt8], runtime: [RuntimeSource], interpreter: String, workBase: String) -> [UInt8]? {
        let directory = "\(workBase)/.bootstrap-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard mkdir(directory, 0o700) == 0, mkdir(directory + "/" + RuntimeSource.packageName, 0o700) == 0 else { return nil }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sourcePath = directory + "/bootstrap.py"
        guard FileManager.default.createFile(atPath: sourcePath, contents: Data(source)) else { return nil }
        for module in runtime {
            let path = directory + "/" + RuntimeSource.packageName + "/" + module.name
            guard FileManager.default.createFile(atPath: path, contents: Data(module.bytes)) else { return nil }
        }
        let compiledPath = directory + "/bootstrap.pyc"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: interpreter)
        process.arguments = [
            "-I", "-S", "-c", bundler, sourcePath, directory + "/" + RuntimeSource.packageName, directory + "/bundle.py",
            compiledPath,
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
