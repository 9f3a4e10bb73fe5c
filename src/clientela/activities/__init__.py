"""The timeline, tasks, reminders and files of every record."""
