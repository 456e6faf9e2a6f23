from .unchanged_pages import register

__all__ = ["register"]
