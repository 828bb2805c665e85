"""Flask-WTF forms: each carries a CSRF token and the checks a person's input needs."""
