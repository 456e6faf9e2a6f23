from .content_check import register

__all__ = ["register"]
