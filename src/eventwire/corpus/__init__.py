"""The corpus as a whole, after coding: near-duplicate articles (`dedupe`), event reports merged into
events (`merge`), and counts over time (`series` for a dyad, `panel` for country × period)."""
