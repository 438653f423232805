import ArgumentParser
import HTTPAPI

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print Surge's version.")

    func run() {
        let info = BuildInfo.current
        print("surge \(info.version) (revision \(info.revision), swift \(info.swiftVersion))")
    }
}
