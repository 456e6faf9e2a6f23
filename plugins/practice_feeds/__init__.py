from .practice_feeds import register

__all__ = ["register"]
