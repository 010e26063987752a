"""Demo roster: fictional experts, institutions and exchange requests (experts.json)."""
