import FuzzSupport
import PromQL

// The PromQL parser, and its printer: what parses prints as text that parses to the same text.
FuzzDriver.run { bytes in
    let text = String(decoding: bytes, as: UTF8.self)
    guard let expression = try? Parser.parse(text) else { return }
    let printed = expression.description
    guard let again = try? Parser.parse(printed) else {
        fatalError("printed form does not parse: \(text.debugDescription) printed as \(printed.debugDescription)")
    }
    if again.description != printed {
        fatalError("printing is not stable: \(printed.debugDescription) then \(again.description.debugDescription)")
    }
}
