"""Demo content: realistic practices (practices.json) and demo users, dev only."""
