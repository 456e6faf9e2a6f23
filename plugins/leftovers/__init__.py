from .leftovers import register

__all__ = ["register"]
