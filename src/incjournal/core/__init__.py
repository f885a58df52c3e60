"""The core: records, the pure fold, times, configuration and errors.

No file or git I/O beyond reading the configuration; never imports typer or rich.
"""
