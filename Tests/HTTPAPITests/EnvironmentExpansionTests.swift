import App
import Testing
import YAMLFiles

/// `${NAME}` in the configuration file, filled in from the environment.
@Suite struct EnvironmentExpansionTests {
    @Test func variablesDefaultsAndLiteralsAreFilledIn() throws {
        let text = """
            # ${NOT_EXPANDED} in a comment stays
            collectors: {node_name: "${NODE_NAME}"}
            listen: "${POD_IP:-0.0.0.0}:${PORT:-9470}"
            external_labels: {cluster: "${CLUSTER:-lab}", price: "$5", literal: "$${HOME}"}
            """
        let config = try ConfigurationFile.parse(text, path: "d.yml", environment: ["NODE_NAME": "worker-7", "PORT": "9471", "CLUSTER": ""])
        #expect(config.nodeCollectorTarget.instance == "worker-7")
        #expect(config.listen.description == "0.0.0.0:9471")
        #expect(config.externalLabels == ["cluster": "lab", "price": "$5", "literal": "${HOME}"])
    }

    @Test(arguments: [
        ("a: 1\nlisten: \"${POD_IP}:9470\"\n", "d.yml:2: environment variable POD_IP is not set; set it, or write ${POD_IP:-default}"),
        ("listen: \"${POD IP}\"\n", "d.yml:1: ${POD IP} does not name an environment variable"),
        ("listen: \"${POD_IP\"\n", "d.yml:1: unterminated ${"),
        ("external_labels: {a: \"${MULTI}\"}\n", "d.yml:1: environment variable MULTI holds a line break"),
    ])
    func mistakesNameTheLine(text: String, message: String) {
        #expect {
            try ConfigurationFile.parse(text, path: "d.yml", environment: ["MULTI": "a\nb"])
        } throws: { error in
            "\(error)".hasPrefix(message)
        }
    }
}
