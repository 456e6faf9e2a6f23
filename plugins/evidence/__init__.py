from .evidence import register

__all__ = ["register"]
