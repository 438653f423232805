import App
import Collectors
import Kubernetes
import Foundation
import Storage
import Testing

@Suite struct ConfigurationFileTests {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test func theExampleFileStatesTheDefaults() throws {
        let parsed = try ConfigurationFile.load(path: Self.root.appendingPathComponent("surge.example.yml").path)
        #expect(parsed == SurgeConfiguration())
    }

    @Test func storageKeysAreRead() throws {
        let config = try ConfigurationFile.parse("""
            storage:
              block_duration: 30m
              retention_time: 7d
              retention_size: 1000000
              out_of_order_window: 10m
              max_series: 10
            remote_write_receiver:
              max_inflight_requests: 3
            """, path: "s.yml")
        #expect(config.storage.blockRange == Int64(30 * 60_000))
        #expect(config.storage.retentionTime == Int64(7 * 86_400_000))
        #expect(config.storage.retentionBytes == 1_000_000)
        #expect(config.storage.outOfOrderWindow == Int64(10 * 60_000))
        #expect(config.storage.limits.maxSeries == 10)
        #expect(config.remoteWriteLimits.maxInflightRequests == 3)
        #expect(config.storage.walSync == .never, "the default, as in Prometheus")
        #expect(try ConfigurationFile.parse("storage:\n  wal_fsync: always\n", path: "s.yml").storage.walSync == .always)
        #expect(try ConfigurationFile.parse("storage:\n  retention_time: 0\n", path: "s.yml").storage.retentionTime == nil)
        #expect(config.storage.futureWindow == Int64(10 * 60_000), "the default")
        #expect(try ConfigurationFile.parse("storage:\n  future_window: 2m\n", path: "s.yml").storage.futureWindow == Int64(120_000))
        #expect(try ConfigurationFile.parse("storage:\n  future_window: 0\n", path: "s.yml").storage.futureWindow == nil)
    }

    @Test(arguments: [
        ("storage:\n  block_duration: soon\n", "s.yml:2: block_duration must be a duration of at least 1m, such as 2h"),
        ("storage:\n  max_series: -1\n", "s.yml:2: expected a positive integer"),
        ("storage:\n  retension_time: 1d\n", "s.yml:2: unknown key \"retension_time\""),
        ("storage:\n  wal_fsync: sometimes\n", "s.yml:2: wal_fsync must be one of always, never"),
        ("storage:\n  future_window: later\n", "s.yml:2: future_window must be a duration such as 10m, or 0"),
    ])
    func badStorageKeysNameTheLine(text: String, message: String) {
        #expect {
            try ConfigurationFile.parse(text, path: "s.yml")
        } throws: { error in
            "\(error)".hasPrefix(message)
        }
    }

    @Test func scrapeConfigsInPrometheusShape() throws {
        let config = try ConfigurationFile.parse("""
            collectors:
              interval: 5s
              proc_path: /host/proc
            scrape_configs:
              - job_name: app
                scrape_interval: 30s
                metrics_path: /stats
                params:
                  format: [prometheus]
                honor_labels: true
                sample_limit: 1000
                static_configs:
                  - targets: ["10.0.0.1:8080", "10.0.0.2:8080"]
                    labels: {env: prod}
                metric_relabel_configs:
                  - source_labels: [__name__]
                    regex: go_.*
                    action: DROP
              - job_name: other
                scrape_interval: 5s
                basic_auth: {username: prom, password_file: /etc/surge/password}
                static_configs: [{targets: ["localhost:9100"]}]
            """, path: "s.yml")
        #expect(config.collectInterval == .seconds(5) && config.procPath == "/host/proc")
        #expect(config.scrapeConfigs.map(\.jobName) == ["app", "other"])
        let app = config.scrapeConfigs[0]
        #expect(app.scrapeInterval == .seconds(30) && app.scrapeTimeout == .seconds(10) && app.honorLabels && app.sampleLimit == 1000)
        #expect(app.targets.map(\.url) == ["http://10.0.0.1:8080/stats?format=prometheus", "http://10.0.0.2:8080/stats?format=prometheus"])
        #expect(app.targets[0].labels == ["job": "app", "instance": "10.0.0.1:8080", "env": "prod"])
        #expect(app.metricRelabelConfigs.map(\.action) == [.drop] && app.metricRelabelConfigs[0].regex.pattern == "go_.*")
        // Without its own timeout, a job scraped more often than every 10 s times out at its interval.
        #expect(config.scrapeConfigs[1].scrapeTimeout == .seconds(5))
        #expect(config.scrapeConfigs[1].authorization == .basic(username: "prom", password: nil, passwordFile: "/etc/surge/password"))
    }

    @Test func kubeletNamesSource() throws {
        let config = try ConfigurationFile.parse("""
            collectors:
              kubelet:
                url: https://127.0.0.1:10250
                bearer_token_file: /var/run/token
                tls_config: {insecure_skip_verify: true}
                refresh_interval: 1m
            """, path: "s.yml")
        #expect(config.kubelet == KubeletConfig(url: "https://127.0.0.1:10250", tokenFile: "/var/run/token",
                                                tls: TLSSettings(insecureSkipVerify: true), refreshInterval: .seconds(60)))
        #expect(throws: (any Error).self) { try ConfigurationFile.parse("collectors:\n  kubelet: {url: 127.0.0.1:10250}\n", path: "s.yml") }
    }

    @Test func kubernetesPodDiscoveryInPrometheusShape() throws {
        let config = try ConfigurationFile.parse("""
            scrape_configs:
              - job_name: pods
                kubernetes_sd_configs:
                  - role: pod
                    api_server: https://10.0.0.1:6443
                    bearer_token_file: /var/run/token
                    tls_config: {insecure_skip_verify: true}
                    namespaces: {names: [shop, web], own_namespace: true}
                    selectors:
                      - role: pod
                        label: app=web
                        field: spec.nodeName=node-1
            """, path: "s.yml")
        let sd = try #require(config.scrapeConfigs.first?.kubernetesSDConfigs.first)
        #expect(sd.apiServer == "https://10.0.0.1:6443")
        #expect(sd.namespaces == ["shop", "web"] && sd.ownNamespace)
        #expect(sd.labelSelector == "app=web" && sd.fieldSelector == "spec.nodeName=node-1")
        #expect(sd.tls.insecureSkipVerify)
        let credentials = try sd.credentials()
        #expect(credentials.server == "https://10.0.0.1:6443" && credentials.tokenFile == "/var/run/token")
        #expect(sd.watchedNamespaces(own: "monitoring") == ["shop", "web", "monitoring"])
        #expect(KubernetesSDConfig().watchedNamespaces(own: "monitoring") == [nil])
    }

    @Test(arguments: [
        ("scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: hashmod\n        target_label: s\n        modulus: -1\n", "s.yml:6: modulus must not be negative"),
        ("scrape_configs:\n  - job_name: a\n    consul_sd_configs: []\n", "s.yml:3: consul_sd_configs is not supported yet"),
        ("scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs:\n      - role: service\n", "s.yml:4: role service is not supported yet"),
        ("scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs:\n      - role: pods\n", "s.yml:4: unknown Kubernetes SD role \"pods\""),
        ("scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs:\n      - role: pod\n", "s.yml:4: not running in a cluster"),
        ("scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs:\n      - role: pod\n        kubeconfig_file: /nonexistent/kubeconfig\n",
         "s.yml:4: unable to read kubeconfig /nonexistent/kubeconfig"),
        ("scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs:\n      - role: pod\n        api_server: https://k:6443\n        kubeconfig_file: /k\n",
         "s.yml:6: cannot use 'kubeconfig_file' and 'api_server' simultaneously"),
        ("scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs:\n      - role: pod\n        bearer_token: x\n",
         "s.yml:4: to use custom HTTP client configuration please provide the 'api_server' URL explicitly"),
        ("scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs:\n      - role: pod\n        api_server: https://k:6443\n        selectors:\n          - role: node\n",
         "s.yml:7: pod role supports only pod selectors"),
        ("scrape_configs:\n  - job_name: a\n    scheme: https\n    tls_config:\n      ca_file: /nonexistent/ca.pem\n", "s.yml:5: unable to read CA certificate file /nonexistent/ca.pem"),
        ("scrape_configs:\n  - job_name: a\n    tls_config:\n      server_name: x\n", "s.yml:4: tls_config server_name is not supported yet"),
        ("scrape_configs:\n  - job_name: a\n    tls_config:\n      cert_file: /etc/hostname\n", "s.yml:4: a client certificate needs its key"),
        ("scrape_configs:\n  - job_name: a\n    tls_config:\n      cert_file: /etc/hostname\n      key_file: /etc/hostname\n", "s.yml:4: cannot use the client certificate and key"),
        ("scrape_configs:\n  - job_name: a\n    file_sd_configs:\n      - files: [targets.txt]\n", "s.yml:4: path \"targets.txt\" is not valid for file discovery"),
        ("scrape_configs:\n  - job_name: a\n    bearer_token: x\n    basic_auth: {username: u}\n", "s.yml:4: at most one of basic_auth, bearer_token"),
        ("scrape_configs:\n  - job_name: a\n    authorization: {type: Basic, credentials: x}\n", "s.yml:3: authorization type cannot be set to \"basic\""),
        ("scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: hashmod\n        target_label: shard\n", "s.yml:4: relabel configuration for hashmod requires non-zero modulus"),
        ("scrape_configs:\n  - job_name: a\n    metric_relabel_configs:\n      - source_labels: [a]\n        regex: '(('\n        target_label: b\n", "s.yml:5: invalid regex"),
        ("scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - source_labels: [a]\n", "s.yml:4: relabel configuration for replace action requires 'target_label'"),
        ("scrape_configs:\n  - scrape_interval: 1m\n", "s.yml:2: job_name is required"),
        ("scrape_configs:\n  - job_name: a\n    scrape_interval: 5s\n    scrape_timeout: 10s\n", "s.yml:4: scrape_timeout greater than scrape_interval"),
        ("scrape_configs:\n  - job_name: a\n  - job_name: a\n", "s.yml:3: found multiple scrape configs"),
        ("scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: [http://x/metrics]\n", "s.yml:4: targets must be a list of host:port"),
        ("scrape_configs:\n  - job_name: a\n    scheme: ftp\n", "s.yml:3: scheme must be http or https"),
    ])
    func badScrapeConfigsNameTheLine(text: String, message: String) {
        #expect {
            try ConfigurationFile.parse(text, path: "s.yml")
        } throws: { error in
            "\(error)".hasPrefix(message)
        }
    }
}
