"""Pelican settings for publishing: the development settings, absolute URLs."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: F403

SITEURL = os.environ.get("ARCHIVE_SITEURL", "")
RELATIVE_URLS = False
FEED_DOMAIN = SITEURL  # feeds and the sitemap need absolute addresses
DELETE_OUTPUT_DIRECTORY = True
