"""The insights app's own indicators (discovered like any app's ``indicators``).

Territory indicators live in ``territory.py`` here rather than in
``gongzhi/org``: they read the org models only, and keeping them beside the
registry lets the org app stay free of any dependency on insights.
"""

from . import territory  # noqa: F401  (registers on import)
