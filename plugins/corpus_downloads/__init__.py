from .corpus_downloads import register

__all__ = ["register"]
