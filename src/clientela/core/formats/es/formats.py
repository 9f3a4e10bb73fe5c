"""Spanish: thousands grouped with a point, as the amounts of the same page are
(clientela.core.money, CLDR's es), not Django's non-breaking space."""

THOUSAND_SEPARATOR = "."
