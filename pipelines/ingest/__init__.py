"""Job-posting ingestion: detect a feed's format, read it, normalise it, load it.

Pure parts (formats, fields, mapping, normalize, quality) take and return polars frames and know
nothing of Dagster; ``load`` is the only module that talks to PostgreSQL.
"""
