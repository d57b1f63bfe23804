"""Where runs are kept: SQLite (default), CodeCarbon-compatible CSV, JSON."""
