from .raw_pages import register

__all__ = ["register"]
