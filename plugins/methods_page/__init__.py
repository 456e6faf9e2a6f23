from .methods_page import register

__all__ = ["register"]
