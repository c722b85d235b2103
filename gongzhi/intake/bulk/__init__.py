"""Bulk import at province scale (issue 4 item 6; docs/decisions/0032).

``formats`` — the seven channels' file layouts and their column parsers;
``generate`` — synthetic records over the real grids with real message texts;
``pipeline`` — parse → validate → locate → classify → dedupe → route →
persist (cases + first timeline event, executemany, batches), idempotent on
(channel, source_ref), with a per-record error report.
"""
