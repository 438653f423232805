import App
import FuzzSupport
import Rules
import Scaling
import ScalingRuntime

// The YAML loaders: the server configuration, the web configuration, promtool's HTTP client
// configuration, scaling policies, decision snapshots and rule files, chosen by the first byte. Relative paths
// the text names resolve under a directory that does not exist; absolute ones are read as the
// server would read them.
FuzzDriver.run { bytes in
    var input = FuzzInput(bytes)
    let choice = input.byte() % 6
    let text = input.restText
    let path = "/nonexistent-fuzz/config.yml"
    switch choice {
    case 0: _ = try? ConfigurationFile.parse(text, path: path, checkCredentials: false)
    case 1: _ = try? WebConfigFile.parse(text, path: path)
    case 2: _ = try? HTTPClientConfigFile.parse(text, path: path)
    case 3: _ = try? PolicyFile.parse(text, path: path, validateQuery: PolicyLoader.checkQuery)
    case 4: _ = try? DecisionSnapshot.parse(text, path: path, validateQuery: PolicyLoader.checkQuery)
    default: _ = try? RuleFile.parse(text, path: path, validateQuery: PolicyLoader.checkQuery)
    }
}
