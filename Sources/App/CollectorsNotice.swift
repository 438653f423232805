import Collectors
import Forwarding
import Logging

/// Says at start-up which built-in collectors run and how they are labelled, and what a pasted
/// prometheus.yml asks for that this build does not do yet.
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
    if configuration.remoteWriteTargets.contains(where: { $0.receiver.queue.maxShards > 1 || $0.receiver.queue.minShards > 1 }) {
        logger.notice("remote_write sends one batch at a time per receiver, in the write-ahead log's order; max_shards and min_shards are read but not used yet")
    }
}
