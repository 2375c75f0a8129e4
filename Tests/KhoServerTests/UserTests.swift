// Users as the operations keep them: names, roles, units of today's table, password rules,
// duplicates, new passwords and disabling, each recorded as an event.
import KhoCore
import KhoOperations
import KhoStore
import Testing

@Suite struct UserTests {
    func error(_ body: () throws -> Any) -> KhoError? {
        do { _ = try body() } catch let e as KhoError { return e } catch { return nil }
        return nil
    }

    @Test func addingChecksEveryField() throws {
        let f = try ServerFixture()
        let user = try f.addUser("Lan.Nguyen", role: "Auditor", unit: "51")
        #expect(user == UserAccount(name: "lan.nguyen", role: .auditor, unit: "51", disabled: false, createdAt: user.createdAt))
        #expect(error { try f.addUser("lan.nguyen") }?.code == .userExists)
        #expect(error { try f.addUser("nguyễn.văn.a") }?.code == .invalidUserName)
        #expect(error { try f.addUser("9lives") }?.code == .invalidUserName)
        #expect(error { try f.addUser("hoa.tran", role: "boss") }?.code == .unknownRole)
        // Kon Tum (62) is no longer a unit: its users belong to Quảng Ngãi (51) now.
        let old = error { try f.addUser("hoa.tran", unit: "62") }
        #expect(old?.code == .unknownUnit && old?.message.contains("51") == true)
        #expect(error { try f.addUser("hoa.tran", unit: "99999") }?.code == .unknownUnit)
        for weak in ["short", "hoa.tran-password", "aaaaaaaaaaaaa", String(repeating: "ữ", count: 30)] {
            let e = error { try AddUser(name: "hoa.tran", role: "staff", unit: nil, password: weak, hashing: ServerFixture.hashing).run(in: f.session) }
            #expect(e?.code == .weakPassword && e?.message.contains(weak) == false, "\(weak)")
        }
        #expect(try ListUsers().run(in: f.session).map(\.name) == ["lan.nguyen"])
        let whole = try f.addUser("admin", role: "admin", unit: nil)
        #expect(whole.unit == nil)
    }

    @Test func loginChecksThePasswordAndTheAccount() throws {
        let f = try ServerFixture()
        try f.addUser("lan.nguyen")
        #expect(try Authenticate(name: "LAN.NGUYEN", password: ServerFixture.password).run(in: f.session).name == "lan.nguyen")
        #expect(error { try Authenticate(name: "lan.nguyen", password: "wrong password 1").run(in: f.session) }?.code == .notAuthenticated)
        _ = try SetPassword(name: "lan.nguyen", password: "a new long password", hashing: ServerFixture.hashing).run(in: f.session)
        #expect(error { try Authenticate(name: "lan.nguyen", password: ServerFixture.password).run(in: f.session) }?.code == .notAuthenticated)
        #expect(try Authenticate(name: "lan.nguyen", password: "a new long password").run(in: f.session).role == .staff)
        _ = try SetUserDisabled(name: "lan.nguyen", disabled: true).run(in: f.session)
        #expect(error { try Authenticate(name: "lan.nguyen", password: "a new long password").run(in: f.session) }?.code == .notAuthenticated)
        #expect(error { try SetUserDisabled(name: "nobody", disabled: true).run(in: f.session) }?.code == .unknownUser)
        #expect(error { try SetPassword(name: "nobody", password: "a new long password").run(in: f.session) }?.code == .unknownUser)
    }

    @Test func everyChangeToAUserIsAnEvent() throws {
        let f = try ServerFixture()
        try f.addUser("lan.nguyen")
        _ = try SetPassword(name: "lan.nguyen", password: "a new long password", hashing: ServerFixture.hashing).run(in: f.session)
        _ = try SetUserDisabled(name: "lan.nguyen", disabled: true).run(in: f.session)
        let events = try f.session.archive.events(object: "user:lan.nguyen")
        #expect(events.map(\.type) == [.userAdministration, .userAdministration, .userAdministration])
        #expect(events.map(\.detail) == ["user added: role staff, unit 51", "password changed; sessions ended", "user disabled; sessions ended"])
        #expect(events.allSatisfy { $0.agent == "kho test" })
    }
}
