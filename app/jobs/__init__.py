"""Background jobs: long exports prepared by a worker, their output kept in the database so any
app server can hand it to the person who asked for it."""
