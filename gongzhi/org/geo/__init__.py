"""Geometry of the territory: coordinate systems, shapes and the locate index."""
