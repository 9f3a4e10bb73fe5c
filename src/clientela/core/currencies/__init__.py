"""Currencies: the installation's base currency, exchange rates by day, and sums across
currencies converted to the base at the rate of each document's day (R22)."""
