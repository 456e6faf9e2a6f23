from .unwritten_listings import register

__all__ = ["register"]
