from .search_index import register

__all__ = ["register"]
