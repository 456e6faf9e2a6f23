from .archive_reader import register

__all__ = ["register"]
