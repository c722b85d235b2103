"""Bulk import at province scale (issue 4 item 6; docs/decisions/0032).

``formats`` — the seven channels' file layouts and their column parsers;
``generate`` — synthetic records over the real grids with real message texts;
``pipeline`` — parse → validate → locate → classify → dedupe → route →
persist (cases + first timeline event, executemany, batches), idempotent on
(channel, source_ref), with a per-record error report; it runs the stages
of ``stages`` (worker pool, parse, idempotency, classify, chat location),
``dedupe_arrays``, ``router``, ``persist`` (rows, reserved ids and numbers)
and ``writer`` (the writer process), counting in ``report``.
"""
