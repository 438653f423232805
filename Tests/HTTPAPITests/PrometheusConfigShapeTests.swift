import App
import Collectors
import Foundation
import Testing

/// A prometheus.yml pastes: `global`, `scrape_configs`, `rule_files`, `alerting` and `remote_write`
/// mean what they mean to Prometheus.
@Suite struct PrometheusConfigShapeTests {
    @Test func aPrometheusFileLoadsWithItsMeaning() throws {
        let config = try ConfigurationFile.parse("""
            global:
              scrape_interval: 30s
              scrape_timeout: 20s
              evaluation_interval: 45s
              external_labels: {cluster: eu-1, replica: a}
            alerting:
              alertmanagers:
                - static_configs:
                    - targets: ['127.0.0.1:9093']
            rule_files:
            scrape_configs:
              - job_name: defaults
                static_configs: [{targets: ['127.0.0.1:9100']}]
              - job_name: own
                scrape_interval: 5s
                static_configs:
                  - targets:
            remote_write:
              - url: https://central.example.com/api/v1/write
                name: central
                remote_timeout: 30s
                queue_config: {max_shards: 10}
                write_relabel_configs: [{source_labels: [__name__], regex: go_.*, action: drop}]
            storage:
              tsdb:
                out_of_order_time_window: 30m
            """, path: "prometheus.yml")
        #expect(config.scrapeConfigs.map(\.scrapeInterval) == [.seconds(30), .seconds(5)])
        #expect(config.scrapeConfigs.map(\.scrapeTimeout) == [.seconds(20), .seconds(5)])
        #expect(config.scrapeConfigs[1].staticConfigs.flatMap(\.targets).isEmpty)
        #expect(config.collectInterval == .seconds(30), "the built-in collectors are scrape jobs too")
        #expect(config.evaluationInterval == .seconds(45))
        #expect(config.externalLabels == ["cluster": "eu-1", "replica": "a"])
        #expect(config.ruleFiles.isEmpty)
        #expect(config.alertmanagers.map(\.staticTargets) == [["127.0.0.1:9093"]])
        let target = try #require(config.remoteWriteTargets.first)
        #expect(config.remoteWriteTargets.count == 1 && target.url == "https://central.example.com/api/v1/write" && target.name == "central")
        #expect(target.receiver.timeout == .seconds(30) && target.receiver.queue.maxShards == 10 && target.receiver.queue.maxSamplesPerSend == 500)
        #expect(target.relabel.count == 1)
        #expect(config.storage.outOfOrderWindow == 30 * 60_000)
        // The global interval alone caps the default timeout, as in Prometheus.
        let short = try ConfigurationFile.parse("global:\n  scrape_interval: 5s\nscrape_configs:\n  - job_name: a\n", path: "p.yml")
        #expect(short.scrapeConfigs[0].scrapeTimeout == .seconds(5))
        #expect(try ConfigurationFile.parse("collectors:\n  interval: 2s\nglobal:\n  scrape_interval: 1m\n", path: "p.yml").collectInterval == .seconds(2))
    }

    @Test func debiansExamplePrometheusFileLoads() throws {
        let example = "/usr/share/doc/prometheus/examples/prometheus.yml"
        guard FileManager.default.fileExists(atPath: example) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: example + " (Debian's prometheus package; scripts/install-deps installs it)"])
        }
        let config = try ConfigurationFile.load(path: example)
        #expect(config.scrapeConfigs.map(\.jobName) == ["prometheus"])
        #expect(config.evaluationInterval == .seconds(15))
    }

    @Test(arguments: [
        ("remote_write:\n  max_inflight_requests: 3\n",
         "p.yml:2: remote_write is the list of receivers to send samples to, as in Prometheus; the limits of Surge's own receiver moved to remote_write_receiver"),
        ("remote_write:\n  - name: x\n", "p.yml:2: a remote_write entry needs \"url\""),
        ("remote_write:\n  - url: ftp://x\n", "p.yml:2: url must be an http:// or https:// URL"),
        ("remote_write:\n  - url: http://x\n    queue_confg: {}\n", "p.yml:3: unknown field \"queue_confg\" in a remote_write entry"),
        ("remote_write:\n  - url: http://x\n    tls_config: {ca_file: /nonexistent/ca.pem}\n",
         "p.yml:3: unable to read CA certificate file /nonexistent/ca.pem"),
        ("remote_write:\n  - url: http://x\n    sigv4: {region: eu-west-1}\n", "p.yml:3: remote_write sigv4 is not supported yet"),
        ("remote_write:\n  - url: http://x\n    proxy_url: socks5://p:1080\n", "p.yml:3: proxy_url must be an http:// URL of an HTTP proxy"),
        ("query_source:\n  timeout: 5s\n", "p.yml:2: query_source needs \"url\""),
        ("query_source:\n  url: http://vm:8428\n  timeout: soon\n", "p.yml:3: timeout must be a duration such as 30s"),
        ("agent: maybe\n", "p.yml:1: agent must be true or false"),
        ("remote_write:\n  - url: http://x\n    queue_config: {min_shards: 3, max_shards: 2}\n", "p.yml:3: min_shards must not exceed max_shards"),
        ("remote_write:\n  - url: http://x\n  - url: http://x\n", "p.yml:3: remote_write http://x is given twice"),
        ("global:\n  scrape_interval: 5s\n  scrape_timeout: 10s\n", "p.yml:3: global scrape_timeout must not be greater than global scrape_interval"),
        ("global:\n  query_log_file: q.log\n", "p.yml:2: unknown field \"query_log_file\" in global"),
        ("global:\n  evaluation_interval: 1m\nrules:\n  evaluation_interval: 30s\n", "p.yml:2: evaluation_interval is set in both global and rules"),
        ("global:\n  external_labels: {a: b}\nexternal_labels: {c: d}\n", "p.yml:2: external_labels is set both at the top and in global"),
        ("storage:\n  tsdb:\n    out_of_order_time_window: soon\n", "p.yml:3: out_of_order_time_window must be a duration such as 10m, or 0"),
    ])
    func mistakesNameTheLine(text: String, message: String) {
        #expect {
            try ConfigurationFile.parse(text, path: "p.yml")
        } throws: { error in
            "\(error)".hasPrefix(message)
        }
    }

    @Test func collectorTargetsAreConfigurable() throws {
        let config = try ConfigurationFile.parse("""
            collectors:
              node_name: worker-7
              node: {job: node, labels: {team: infra}}
              cadvisor: {instance: "10.0.0.7:10250", labels: {metrics_path: "", service: kubelet}, path: /cadvisor}
            """, path: "c.yml")
        #expect(config.nodeCollectorTarget == CollectorTarget(job: "node", instance: "worker-7", labels: ["team": "infra"], path: "/metrics/node"))
        #expect(config.cadvisorCollectorTarget == CollectorTarget(job: "kubelet", instance: "10.0.0.7:10250", labels: ["node": "worker-7", "service": "kubelet"],
                                                                  path: "/cadvisor", timestamps: true))
        #expect {
            try ConfigurationFile.parse("collectors:\n  node: {labels: {job: x}}\n", path: "c.yml")
        } throws: { "\($0)".hasPrefix("c.yml:2: node labels: job is not a label name Surge can set here") }
        #expect {
            try ConfigurationFile.parse("collectors:\n  cadvisor: {path: /metrics/node}\n", path: "c.yml")
        } throws: { "\($0)".hasPrefix("c.yml:2: collectors node, cadvisor and kube_state must be served on different paths") }
        #expect {
            try ConfigurationFile.parse("collectors:\n  node: {path: /api/v1/query}\n", path: "c.yml")
        } throws: { "\($0)".hasPrefix("c.yml:2: node path must start with / and not be one of Surge's own paths") }
    }
}
