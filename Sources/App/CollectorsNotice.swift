import Logging

/// Says at start-up which built-in collectors run, and which are not part of this build yet.
func announceCollectors(enabled: Bool, scrapeJobs: Int, logger: Logger) {
    if enabled {
        logger.info("collecting node metrics from /proc and container metrics from cgroups; scraping the configured jobs; container image and runtime-name labels are not implemented yet",
                    metadata: ["scrapeJobs": "\(scrapeJobs)"])
    } else {
        logger.info("collection disabled; storing only remote-written data")
    }
}
