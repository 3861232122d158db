"""Batch ingest: readers, declarative mappings, normalisers, quarantine, the synthetic generator."""
