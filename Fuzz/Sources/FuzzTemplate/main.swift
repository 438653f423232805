import FuzzSupport
import Rules

// Rule templates: parsed and expanded for an alert; every input gives text or an error shown in
// the annotation, never a crash.
let data = Template.Data(labels: ["__name__": "up", "instance": "10.0.0.1:9100", "job": "node"], value: 0.987654321,
                         externalLabels: ["cluster": "lab"], externalURL: "http://surge:9470")
FuzzDriver.run { bytes in
    _ = Template.expandForAlert(String(decoding: bytes, as: UTF8.self), data)
}
