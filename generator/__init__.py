"""Static-site transparency publisher: YAML records in, a searchable Chinese public site out."""

__version__ = "0.1.0"
