"""Security by default: login lockout, idle sessions, second factor, CSP helpers."""
