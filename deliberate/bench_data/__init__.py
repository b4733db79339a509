"""`deliberate bench-data`: a reproducible benchmark dataset, bulk-loaded into an empty database.

`sizes` says how big, `bulk` writes rows in large executemany batches, `register`, `proposals`,
`meetings` and `votes` make the rows of their domain from one seeded random generator, and `load`
runs them in order, closes the votes through the app's own action and writes the URLs to load-test.
"""
