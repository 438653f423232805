import Logging

/// Says at start-up which built-in collectors run, and which are not part of this build yet.
func announceCollectors(enabled: Bool, scrapeJobs: Int, logger: Logger) {
    if enabled {
        logger.info("node collector reads /proc; scraping the configured jobs; container (cgroup) collection is not implemented yet",
                    metadata: ["scrapeJobs": "\(scrapeJobs)"])
    } else {
        logger.info("collection disabled; storing only remote-written data")
    }
}
