import ArgumentParser
import HTTPAPI

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print Surge's version.")

    static var text: String {
        let info = BuildInfo.current
        return "surge \(info.version) (revision \(info.revision), swift \(info.swiftVersion))"
    }

    func run() {
        print(Self.text)
    }
}
