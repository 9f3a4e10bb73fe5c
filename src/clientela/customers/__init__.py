"""Companies and contacts: who the business works with."""
