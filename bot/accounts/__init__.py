"""Staff accounts for the web consoles: password hashing, signed session cookies, CSRF and roles."""
