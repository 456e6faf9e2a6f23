from .search_export import register

__all__ = ["register"]
