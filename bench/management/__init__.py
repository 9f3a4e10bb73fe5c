"""Management commands of the bench app."""
