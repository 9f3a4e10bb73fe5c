"""Template tags of the projects app: the Projects card on a client's page."""
