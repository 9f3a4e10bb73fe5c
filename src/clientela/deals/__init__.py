"""The sales pipeline: pipelines and their stages, deals, the board, the funnel."""
