"""Reports: read-only queries over the other domains, the tables they hand to exports, and the
yearly training-hours requirements the compliance report measures against (its one table)."""
