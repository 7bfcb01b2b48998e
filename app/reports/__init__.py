"""Reports: read-only queries over the other domains (no tables of their own), and the tables
they hand to exports."""
