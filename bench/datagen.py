"""The benchmarks' data generator is the demo generator: one source of realistic data."""

from app.demo import Officer, Unit, officers, org_tree

__all__ = ["Officer", "Unit", "officers", "org_tree"]
