// The layout the README promises, checked against the sources: each module imports only what
// Package.swift declares for it, nothing imports upward, nothing below the front ends reads the
// clock or a random source, and files stay small with a line on their role.
import Foundation
import KhoTesting
import Testing

@Suite struct ArchitectureTests {
    /// Our modules, lowest first: a module may depend only on modules before it.
    static let layers = ["KhoReference", "KhoCore", "CKhoSystem", "CArchive", "KhoPlatform", "KhoS3", "KhoStore", "KhoBundle", "KhoOperations", "KhoServer", "kho"]
    static let systemModules: Set<String> = ["Foundation", "FoundationXML", "Glibc", "Dispatch", "Synchronization", "Testing"]

    struct Target { var name: String; var folder: String; var dependencies: Set<String>; var isTest: Bool }

    /// The targets of Package.swift and the module names of their dependencies.
    static func targets() throws -> [Target] {
        let manifest = try String(contentsOf: repositoryRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
        var aliases: [String: String] = [:]   // `let crypto = Target.Dependency.product(name: "Crypto", …)`
        for match in manifest.matches(of: /let (\w+) = Target\.Dependency\.product\(name: "(\w+)"/) { aliases[String(match.1)] = String(match.2) }
        var out: [Target] = []
        for match in manifest.matches(of: /\.(target|executableTarget|testTarget)\(\s*name: "(\w+)"/) {
            let name = String(match.2)
            let isTest = match.1 == "testTarget"
            var rest = manifest[match.range.upperBound...]
            var deps: Set<String> = []
            if let open = rest.range(of: "dependencies: ["), rest[..<open.lowerBound].contains(".target(") == false,
               rest[..<open.lowerBound].contains("Target(") == false {
                rest = rest[open.upperBound...]
                let list = rest[..<(rest.firstIndex(of: "]") ?? rest.endIndex)]
                for item in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) }) {
                    if let product = item.firstMatch(of: /\.product\(name: "(\w+)"/) { deps.insert(String(product.1)) }
                    else if item.hasPrefix("\"") { deps.insert(item.trimmingCharacters(in: CharacterSet(charactersIn: "\""))) }
                    else if let alias = aliases[item] { deps.insert(alias) }
                }
            }
            let folder = manifest[match.range.upperBound...].firstMatch(of: /^[^)]*?path: "([^"]+)"/).map { String($0.1) }
                ?? (isTest ? "Tests/\(name)" : "Sources/\(name)")
            out.append(Target(name: name, folder: folder, dependencies: deps, isTest: isTest))
        }
        return out
    }

    static func swiftFiles(_ folder: String) -> [URL] {
        let root = repositoryRoot.appendingPathComponent(folder)
        let names = (FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String]) ?? []
        return names.filter { $0.hasSuffix(".swift") }.map { root.appendingPathComponent($0) }
    }

    static func imports(_ file: URL) -> Set<String> {
        let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        return Set(text.split(separator: "\n").compactMap { line in
            line.firstMatch(of: /^(?:@testable |@_exported )?import (\w+)/).map { String($0.1) }
        })
    }

    @Test func everyImportIsDeclaredAndEveryDeclarationUsed() throws {
        let targets = try Self.targets()
        #expect(targets.count >= 12, "\(targets.map(\.name))")
        for target in targets where !target.name.hasPrefix("C") {
            let used = Self.swiftFiles(target.folder).reduce(into: Set<String>()) { $0.formUnion(Self.imports($1)) }
            let undeclared = used.subtracting(target.dependencies).subtracting(Self.systemModules)
            #expect(undeclared.isEmpty, "\(target.name) imports \(undeclared.sorted()) without declaring them in Package.swift")
            // The CLI tests depend on `kho` to have the binary built; they run it, not import it.
            let unused = target.dependencies.subtracting(used).subtracting(target.name == "KhoCLITests" ? ["kho"] : [])
                .subtracting(["GRDBSQLite"].filter { _ in target.name == "KhoStore" && used.contains("GRDBSQLite") })
            #expect(unused.isEmpty, "\(target.name) declares \(unused.sorted()) and imports none of them")
        }
    }

    @Test func nothingImportsUpward() throws {
        for target in try Self.targets() where !target.isTest && target.name != "KhoTesting" {
            guard let level = Self.layers.firstIndex(of: target.name) else {
                Issue.record("\(target.name) is not in the list of layers")
                continue
            }
            for dependency in target.dependencies {
                if let other = Self.layers.firstIndex(of: dependency) {
                    #expect(other < level, "\(target.name) depends on \(dependency), which is above it")
                }
            }
        }
        // The store and the bundles stand side by side; only the operations join them.
        let byName = Dictionary(uniqueKeysWithValues: try Self.targets().map { ($0.name, $0) })
        #expect(byName["KhoStore"]?.dependencies.contains("KhoBundle") == false && byName["KhoBundle"]?.dependencies.contains("KhoStore") == false)
        #expect(byName["kho"]?.dependencies.isDisjoint(with: ["KhoStore", "KhoBundle", "GRDB", "Crypto"]) == true,
                "the command line parses and renders; it reaches the store only through KhoOperations")
    }

    @Test func onlyTheFrontEndsReadTheClockOrARandomSource() {
        let forbidden = ["Date()", ".random(", "UUID()", "SystemRandomNumberGenerator", "DispatchTime.now", "ProcessInfo.processInfo"]
        for folder in ["Sources/KhoCore", "Sources/KhoS3", "Sources/KhoStore", "Sources/KhoBundle", "Sources/KhoOperations"] {
            for file in Self.swiftFiles(folder) {
                let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
                for word in forbidden where text.contains(word) {
                    Issue.record("\(file.lastPathComponent) uses \(word): take the time and identifiers from the archive's Clock and IdentifierSource")
                }
            }
        }
    }

    @Test func filesAreSmallAndSayWhatTheyAreFor() {
        for folder in ["Sources/KhoCore", "Sources/KhoPlatform", "Sources/KhoS3", "Sources/KhoStore", "Sources/KhoBundle", "Sources/KhoOperations", "Sources/KhoServer",
                       "Sources/kho"] {
            for file in Self.swiftFiles(folder) {
                let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
                #expect(lines.count <= 400, "\(file.lastPathComponent) has \(lines.count) lines; split it")
                #expect(lines.first?.hasPrefix("//") == true, "\(file.lastPathComponent) does not start with a line on its role")
            }
        }
    }
}
