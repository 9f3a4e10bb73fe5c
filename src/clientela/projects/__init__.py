"""Projects per client: work done for a company or a person, with its tasks and timeline."""
