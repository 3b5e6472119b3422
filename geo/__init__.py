"""Geometry without Flask: load and check boundaries, place points in districts, aggregate."""
