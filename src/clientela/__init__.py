"""Clientela: an open-source CRM that a business runs on its own machine or servers."""

__version__ = "0.1.0"
