"""In-app notifications (the bell) and e-mail, with per-user preferences and reminders."""
