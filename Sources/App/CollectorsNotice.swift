import Logging

/// Says at start-up which built-in collectors run, and which are not part of this build yet.
func announceCollectors(enabled: Bool, logger: Logger) {
    if enabled {
        logger.info("node collector reads /proc; container (cgroup) collection and application scraping are not implemented yet")
    } else {
        logger.info("collection disabled; storing only remote-written data")
    }
}
