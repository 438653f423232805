import Logging

/// Built-in collectors (cgroups, /proc, scraping) are not part of this build yet; say so at start-up
/// instead of silently collecting nothing.
func announceCollectors(enabled: Bool, logger: Logger) {
    if enabled {
        logger.warning("built-in collectors and the self-scrape are not implemented yet; only remote-written data is stored")
    } else {
        logger.info("collection disabled; storing only remote-written data")
    }
}
