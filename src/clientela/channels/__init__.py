"""Conversations with customers through e-mail (and later messengers), on their timelines."""
