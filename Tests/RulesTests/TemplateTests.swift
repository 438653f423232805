import Rules
import Testing
import TimeSeriesCore

/// Rule templates expand as Prometheus expands them (cases from Prometheus' template tests and
/// the mixins' annotations).
@Suite struct TemplateTests {
    static func expand(_ text: String, labels: [String: String] = ["instance": "a:9100", "job": "node"], value: Double = 0) -> String {
        Template.expandForAlert(text, Template.Data(labels: labels, value: value))
    }

    @Test(arguments: [
        ("{{ $labels.instance }} is down", 0.0, "a:9100 is down"),
        ("{{ $labels.missing }}x", 0, "x"),
        ("{{ .Labels.job }}/{{ .Value }}", 2.5, "node/2.5"),
        ("{{ $value }}", 1234567, "1.234567e+06"),
        ("{{ $value }}", 0.5, "0.5"),
        ("{{ $value | humanize }}", 1234567, "1.235M"),
        ("{{ $value | humanize }}", 0.000001, "1u"),
        ("{{ $value | humanize }}", 0, "0"),
        ("{{ $value | humanize }}", 999, "999"),
        ("{{ $value | humanize1024 }}", 1048576, "1Mi"),
        ("{{ $value | humanize1024 }}", 1, "1"),
        ("{{ $value | humanizeDuration }}", 0.1, "100ms"),
        ("{{ $value | humanizeDuration }}", 1, "1s"),
        ("{{ $value | humanizeDuration }}", 60.5, "1m 0s"),
        ("{{ $value | humanizeDuration }}", 3600, "1h 0m 0s"),
        ("{{ $value | humanizeDuration }}", 90061, "1d 1h 1m 1s"),
        ("{{ $value | humanizeDuration }}", 0, "0s"),
        ("{{ $value | humanizePercentage }}", 0.123456, "12.35%"),
        ("{{ $value | humanizeTimestamp }}", 1435065584.128, "2015-06-23 13:19:44.128 +0000 UTC"),
        ("{{ printf \"%.2f\" $value }}", 3.14159, "3.14"),
        ("{{ printf \"%d%% of %s\" 50 $labels.job }}", 0, "50% of node"),
        ("{{ if gt $value 10.0 }}high{{ else }}low{{ end }}", 11, "high"),
        ("{{ if gt $value 10.0 }}high{{ else if gt $value 5.0 }}mid{{ else }}low{{ end }}", 7, "mid"),
        ("{{ with $labels.job }}job {{ . }}{{ end }}", 0, "job node"),
        ("{{ range $labels }}[{{ . }}]{{ end }}", 0, "[a:9100][node]"),
        ("{{ reReplaceAll \"(.*):.*\" \"$1\" $labels.instance }}", 0, "a"),
        ("{{ reReplaceAll \"a*\" \"X\" \"baaac\" }}", 0, "XbXcX"),
        ("{{ if match \"^a\" $labels.instance }}yes{{ end }}", 0, "yes"),
        ("{{ toUpper \"aBc\" }} {{ toLower \"ABC\" }} {{ title \"aa bb\" }}", 0, "ABC abc Aa Bb"),
        ("{{ $labels.instance | stripPort }}", 0, "a"),
        ("a  {{- \" b \" -}}  c", 0, "a b c"),
        ("no template", 0, "no template"),
    ])
    func expandsAsPrometheus(template: String, value: Double, expected: String) {
        #expect(Self.expand(template, value: value) == expected, "\(template)")
    }

    @Test(arguments: [
        ("{{ $labels.instance ", "unclosed action"),
        ("{{ nosuch $value }}", "function \"nosuch\" not defined"),
        ("{{ if $value }}x", "unexpected EOF"),
        ("{{ $undefined }}", "undefined variable \"$undefined\""),
        ("{{ humanize \"abc\" }}", "error calling humanize"),
        ("{{ query \"up\" }}", "error calling query: no query engine"),
        (String(repeating: "{{ if 1 }}", count: 5000) + String(repeating: "{{ end }}", count: 5000), "nested deeper than 100"),
        ("{{ " + String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000) + " }}", "nested deeper than 100"),
    ])
    func errorsAreShownInTheAnnotation(template: String, message: String) {
        let text = Self.expand(template)
        #expect(text.hasPrefix("<error expanding template: ") && text.contains(message), "\(text)")
    }
}

/// Templates that query, as Prometheus' `query`, `first`, `value`, `label`, `sortByLabel` work.
@Suite struct TemplateQueryTests {
    static let data = Template.Data(labels: ["instance": "b"], value: 0.9, externalURL: "https://surge.example/prom") { expression in
        switch expression {
        case "up": return .vector([VectorElement(labels: Labels(["__name__": "up", "instance": "b"]), timestamp: 0, value: 1),
                                   VectorElement(labels: Labels(["__name__": "up", "instance": "a"]), timestamp: 0, value: 0)])
        case "scalar(1)": return .scalar(timestamp: 0, value: 7)
        case "nothing": return .vector([])
        case "bad(": throw QueryError(.badData, "1:5: parse error: unclosed left parenthesis")
        default: return .string(timestamp: 0, value: "x")
        }
    }

    @Test(arguments: [
        (#"{{ query "up" | first | value }}"#, "1"),
        (#"{{ query "up" | first | label "instance" }}"#, "b"),
        (#"{{ range query "up" }}{{ .Labels.instance }}:{{ .Value }} {{ end }}"#, "b:1 a:0 "),
        (#"{{ range sortByLabel "instance" (query "up") }}{{ .Labels.instance }} {{ end }}"#, "a b "),
        (#"{{ query "scalar(1)" | first | value }}"#, "7"),
        (#"{{ with query "nothing" }}some{{ else }}none{{ end }}"#, "none"),
        (#"{{ query "nothing" | first | value }}"#, nil),
        (#"{{ query "bad(" }}"#, nil),
        (#"{{ pathPrefix }} {{ externalURL }}"#, "/prom https://surge.example/prom"),
        (#"{{ parseDuration "1m30s" }}"#, "90"),
    ] as [(String, String?)])
    func queries(_ text: String, _ expected: String?) throws {
        let expanded = Template.expandForAlert(text, Self.data)
        if let expected {
            #expect(expanded == expected)
        } else {
            #expect(expanded.hasPrefix("<error expanding template: "), "\(expanded)")
        }
    }

    @Test func withoutAQueryEngineQueryFailsWithItsError() {
        let expanded = Template.expandForAlert(#"{{ query "up" }}"#, Template.Data(labels: [:], value: 0))
        #expect(expanded == "<error expanding template: error calling query: no query engine>")
    }
}
