"""E-mail: an outbox written with the action, delivery over SMTP or to the console, notices."""
