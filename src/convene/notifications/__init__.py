"""In-app notifications and the mail they lead to: one `notify()` every app calls (docs/notifications.md)."""
