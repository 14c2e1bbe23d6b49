"""Activities: the runs that runners log, by hand or from GPX/TCX/FIT files."""
