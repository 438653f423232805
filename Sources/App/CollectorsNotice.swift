import Collectors
import Logging

/// Says at start-up which built-in collectors run and how they are labelled, and what a pasted
/// prometheus.yml asks for that this build does not do.
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
    if !configuration.remoteWriteTargets.isEmpty {
        logger.warning("remote_write lists receivers, but sending samples to other receivers is not implemented yet: nothing is sent to them",
                       metadata: ["receivers": "\(configuration.remoteWriteTargets.map(\.url).joined(separator: ", "))"])
    }
}
