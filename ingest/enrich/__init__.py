"""Enrichment: what a document and each passage are about, who speaks, when, in what language."""
