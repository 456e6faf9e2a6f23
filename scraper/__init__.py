"""The scraping pipeline: fetch → decode → extract → clean → metadata → place → tag → write."""
