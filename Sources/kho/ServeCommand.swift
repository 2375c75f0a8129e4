// kho serve: the web app, until Ctrl-C (SIGINT) or SIGTERM, which stop it gracefully.
import ArgumentParser
import Foundation
import KhoCore
import KhoOperations
import KhoServer
import Logging

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the web app for staff and auditors.",
        discussion: """
            Listens on --host and --port (default 127.0.0.1:8080: this machine only; give \
            --host 0.0.0.0 to serve the office's network). --base-url is the address people \
            type (behind a proxy, the proxy's); with https the session cookie is Secure. Add \
            users with: kho users add NAME --role admin.
            """)

    @Option(name: .long, help: "The address to listen on.") var host = "127.0.0.1"
    @Option(name: .long, help: "The port to listen on.") var port = 8080
    @Option(name: .long, help: ArgumentHelp("The address users reach the server at, e.g. https://kho.example.gov.vn.", valueName: "URL"))
    var baseUrl: String?
    @Option(name: .long, help: ArgumentHelp("The largest file one upload may bring, in MiB (refused before any byte is sent).", valueName: "MIB"))
    var maxUploadMib: Int64 = ServerOptions.defaultMaxUploadBytes >> 20
    @Option(name: .long, help: ArgumentHelp("A reverse proxy whose X-Forwarded-For is believed (repeat for several); behind it, logins are slowed per client, not for the whole office.", valueName: "ADDRESS"))
    var trustedProxy: [String] = []
    @OptionGroup var options: ArchiveOptions

    func run() throws {
        guard (0...65535).contains(port) else { throw KhoError(.usage, "--port \(port): a port from 1 to 65535, or 0 for any free one") }
        let base = try baseUrl.map { url throws(KhoError) in try parseOption(url, option: "--base-url", ServerOptions.checkBaseURL)! }
        guard (1...(1 << 30)).contains(maxUploadMib) else {
            throw KhoError(.usage, "--max-upload-mib: '\(maxUploadMib)' is not a size in MiB from 1 up")
        }
        var serverOptions = ServerOptions(host: host, port: port, baseURL: base, maxUploadBytes: maxUploadMib << 20)
        for proxy in trustedProxy {
            serverOptions.trustedProxies.insert(try parseOption(proxy, option: "--trusted-proxy", ServerOptions.checkAddress)!)
        }
        let session = try options.open()
        defer { session.archive.close() }
        var logger = Logger(label: "kho.serve")
        logger.logLevel = .info
        if try ListUsers().run(in: session).isEmpty {
            Console.note("no users yet: add the first with: kho users add admin --role admin --generate-password")
        }
        if session.archive.config.oai.adminEmails.isEmpty || session.archive.config.oai.repositoryIdentifier == nil {
            Console.note("OAI-PMH is at <base URL>/oai: give harvesters a real contact and name in kho-config.json, \"oai\": {\"repositoryIdentifier\": \"kho.example.gov.vn\", \"adminEmail\": \"luutru@example.gov.vn\"} (see the README)")
        }
        let root = session.archive.root.description
        let listening = host.contains(":") ? "[\(host)]" : host
        let given = baseUrl == nil ? nil : serverOptions.baseURL
        let app = try makeApplication(session, options: serverOptions, logger: logger) { bound in
            Console.note("serving \(root) at \(given ?? "http://\(listening):\(bound)") (Ctrl-C stops)")
        }
        let done = DispatchSemaphore(value: 0)
        let failure = Failure()
        Task {
            do { try await app.runService() } catch { failure.set(error) }
            done.signal()
        }
        done.wait()
        if let error = failure.get() {
            let text = String(describing: error)
            if text.contains("Address already in use") {
                throw KhoError(.systemError, "the server stopped: port \(port) on \(host) is in use by another program; choose another with --port")
            }
            throw KhoError(.systemError, "the server stopped: \(text)")
        }
    }
}

/// The server's error, handed from its task to the command.
private final class Failure: @unchecked Sendable {
    private let lock = NSLock()
    private var error: (any Error)?
    func set(_ e: any Error) { lock.withLock { error = e } }
    func get() -> (any Error)? { lock.withLock { error } }
}
