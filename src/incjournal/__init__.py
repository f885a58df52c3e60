"""incjournal: a command-line incident journal kept as TOML files in git."""

__version__ = "0.1.0"
