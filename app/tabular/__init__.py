"""Tabular output that any domain hands to its exports and the background jobs write: the Table
(typed columns and a stream of rows), the CSV and XLSX writers, and the plan of an export job.
It sits below the domains that make tables (reports) and the jobs that write them, so neither
imports the other for it."""
