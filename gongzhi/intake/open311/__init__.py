"""Open311 GeoReport v2 server at /open311/v2/ (docs/api.md, docs/decisions/0040)."""
