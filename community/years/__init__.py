"""A year in running: a runner's year looked back on, theirs, or shared as a public page."""
