import FuzzSupport
import WireFormat

// The exposition parser: Prometheus text 0.0.4 or OpenMetrics, chosen by the first byte.
let formats = [ExpositionFormat(contentType: "text/plain; version=0.0.4"),
               ExpositionFormat(contentType: "application/openmetrics-text; version=1.0.0")]
FuzzDriver.run { bytes in
    var input = FuzzInput(bytes)
    let format = formats[Int(input.byte() & 1)]
    _ = try? ExpositionParser.parse(input.rest, format: format)
}
