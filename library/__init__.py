"""The versioned material library, review workflow and delivery API."""
