import Foundation

/// A conda `environment.yml` read as pip requirements, best effort: SWE-bench builds some
/// versions (xarray's, some of matplotlib's) from one with conda, which a layer does not have.
/// Each dependency becomes the PyPI package of the same project at the same version — conda's
/// `name=1.2` (a prefix match) as `name==1.2.*`, a build string dropped, a channel prefix
/// dropped, the few names that differ mapped — and the `pip:` list is taken as it is. What has no
/// PyPI package (compilers, C libraries, Python itself) is left out and named, once.
public struct CondaEnvironment: Sendable, Equatable {
    /// Requirement lines for pip.
    public var requirements: [String]
    /// Dependencies left out, as the file wrote them, with why.
    public var leftOut: [String]

    /// conda names whose PyPI project is named otherwise.
    static let pypiNames: [String: String] = [
        "pytorch": "torch", "pytables": "tables", "msgpack-python": "msgpack", "matplotlib-base": "matplotlib",
        "dask-core": "dask", "python-graphviz": "graphviz", "pyqt": "PyQt5", "iris": "scitools-iris", "pyyaml": "PyYAML",
        "typing_extensions": "typing-extensions", "importlib_metadata": "importlib-metadata", "netcdf4": "netCDF4",
        "python-dateutil": "python-dateutil", "pillow": "Pillow", "jpype1": "JPype1", "beautifulsoup4": "beautifulsoup4",
        "backports.zoneinfo": "backports.zoneinfo", "ruamel_yaml": "ruamel.yaml", "ruamel.yaml": "ruamel.yaml",
        "tensorflow-base": "tensorflow", "numpy-base": "numpy",
    ]

    /// conda packages with no PyPI counterpart: the interpreter, compilers, C/C++ libraries and
    /// tools a layer takes from Debian (or goes without).
    static let condaOnly: Set<String> = [
        "python", "pip", "cudatoolkit", "mkl", "mkl-service", "blas", "openblas", "libblas", "liblapack", "compilers",
        "c-compiler", "cxx-compiler", "fortran-compiler", "gcc", "gxx", "gfortran", "make", "git", "hdf5", "libnetcdf",
        "netcdf-fortran", "proj", "geos", "gdal", "libgdal", "graphviz", "pandoc", "nodejs", "openjdk", "r-base",
        "cairo", "pango", "ffmpeg", "imagemagick", "ghostscript", "texlive-core", "freetype", "libpng", "zlib", "xz",
        "bzip2", "sqlite", "openssl", "ca-certificates", "certifi-conda", "tk", "qt", "libxml2", "libxslt", "eccodes",
        "udunits2", "esmf", "xesmf", "cdo", "nco",
    ]

    /// Reads the `dependencies:` list of `text` (a conda environment file).
    public init(yaml text: String) {
        requirements = []
        leftOut = []
        var inDependencies = false
        var pipIndent: Int?
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = Self.withoutComment(String(raw))
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let indent = line.prefix { $0 == " " || $0 == "\t" }.count
            if indent == 0 {
                inDependencies = trimmed == "dependencies:"
                pipIndent = nil
                continue
            }
            guard inDependencies, trimmed.hasPrefix("-") else { continue }
            let item = trimmed.dropFirst().trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
            if let level = pipIndent, indent > level {
                requirements.append(item)  // pip's own requirement syntax
                continue
            }
            pipIndent = nil
            if item == "pip:" {
                pipIndent = indent
                continue
            }
            add(conda: item)
        }
    }

    private mutating func add(conda item: String) {
        var spec = item
        if let channel = spec.range(of: "::") { spec = String(spec[channel.upperBound...]) }
        // name, then an optional version (after `=`, a space, or a comparison), then a build.
        let nameEnd = spec.firstIndex { " =<>!~".contains($0) } ?? spec.endIndex
        let name = String(spec[..<nameEnd]).lowercased()
        var version = spec[nameEnd...].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { return }
        if Self.condaOnly.contains(name) || name.hasPrefix("lib") && !name.hasPrefix("libcst") {
            if name != "python" && name != "pip" { leftOut.append("\(item) (no PyPI package)") }
            return
        }
        let project = Self.pypiNames[name] ?? name
        if version.isEmpty {
            requirements.append(project)
            return
        }
        if version.contains("|") {
            leftOut.append("\(item) (its version choice has no pip form; taken unpinned)")
            requirements.append(project)
            return
        }
        if version.hasPrefix("=") && !version.hasPrefix("==") {
            // conda's `=1.2` (and `=1.2=build`): the 1.2 series.
            let number = version.dropFirst().split(separator: "=").first.map(String.init) ?? ""
            version = number.isEmpty ? "" : number.hasSuffix("*") ? "==\(number)" : "==\(number).*"
        } else if let first = version.first, first.isNumber {
            // `name 1.2` or `name 1.2 build`: the 1.2 series.
            let number = version.split(separator: " ").first.map(String.init) ?? ""
            version = number.hasSuffix("*") ? "==\(number)" : "==\(number).*"
        } else if version.hasPrefix("==") {
            version = "==" + (version.dropFirst(2).split(separator: "=").first.map(String.init) ?? "")
        }
        requirements.append(project + version.replacingOccurrences(of: " ", with: ""))
    }

    private static func withoutComment(_ line: String) -> String {
        guard let hash = line.range(of: " #") ?? (line.hasPrefix("#") ? line.startIndex..<line.index(after: line.startIndex) : nil) else {
            return line
        }
        return String(line[..<hash.lowerBound])
    }
}
