import Collectors
import Logging

/// Says at start-up which built-in collectors run and how they are labelled, and where samples go
/// and rules and policies read from when that is not the embedded store.
func announceCollectors(_ configuration: SurgeConfiguration, logger: Logger) {
    if configuration.collect {
        let node = configuration.nodeCollectorTarget, cadvisor = configuration.cadvisorCollectorTarget
        logger.info("collecting node metrics from /proc and container metrics from cgroups, labelled as their scrape jobs; scraping the configured jobs",
                    metadata: ["scrapeJobs": "\(configuration.scrapeConfigs.count)", "nodeJob": "\(node.job)", "nodePath": "\(node.path)",
                               "cadvisorJob": "\(configuration.collectCgroups ? cadvisor.job : "off")", "cadvisorPath": "\(cadvisor.path)"])
        if configuration.collectCgroups && configuration.kubelet == nil {
            logger.info("container image and name labels need the kubelet's pods endpoint (collectors.kubelet); containers get pod, namespace and container from the kubelet's log links")
        }
    } else {
        logger.info("collection disabled; storing only remote-written data")
    }
    if configuration.agent {
        logger.info("agent mode: samples are kept in the write-ahead log only, until every remote_write receiver has them; nothing is queryable here",
                    metadata: ["receivers": "\(configuration.remoteWriteTargets.count)"])
    }
    if let source = configuration.querySource {
        logger.info("rules and scaling policies read metrics from the query source, not the embedded store", metadata: ["url": "\(source.url)"])
    }
}
