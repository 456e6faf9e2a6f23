"""Full-text search of the archive: one Whoosh index for the CLI, Python and the static page.

from archive_search import search
results = search("软弱涣散", tag="rectification", limit=50)
"""
