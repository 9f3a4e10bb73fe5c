"""Formats of dates and numbers where Django's own for a language need a correction
(FORMAT_MODULE_PATH); everything not set here is Django's."""
