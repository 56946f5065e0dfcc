"""Live updates: changes announced by PostgreSQL, fanned out to each process's streams."""
