"""The landing page and the runner's dashboard."""
