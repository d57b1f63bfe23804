"""One module per CLI command (or group); see ``carbontrail.cli.COMMANDS``."""
