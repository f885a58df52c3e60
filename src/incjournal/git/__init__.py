"""The only package that runs git: commits, and the transport behind `ij sync`."""
