"""A runner's own goals: SMART, checked against their history, counted from their runs."""
