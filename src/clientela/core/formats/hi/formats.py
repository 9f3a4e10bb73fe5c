"""Hindi: Indian digit grouping (12,34,567.50), as amounts are written in India, and the
date-times Django leaves to English."""

# Three digits, then twos: lakh and crore.
NUMBER_GROUPING = (3, 2, 0)
DATETIME_FORMAT = "j F Y, g:i A"
SHORT_DATETIME_FORMAT = "d-m-Y g:i A"
YEAR_MONTH_FORMAT = "F Y"
