from .stable_order import register

__all__ = ["register"]
