"""custlens: customer research notes in, triangulated evidence out."""

__version__ = "0.1.0"
