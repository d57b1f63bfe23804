"""Grid carbon intensity: locations, static tables, series files, live providers."""
