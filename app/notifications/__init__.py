"""Reminders and notifications: the e-mail outbox, its delivery, and in-app notices."""
