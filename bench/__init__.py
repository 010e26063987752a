"""Reproducible performance benchmarks (`python -m bench.practices`).

Each benchmark builds its own throwaway SQLite database in a temporary directory,
generates content in bulk, and measures server time in-process with Django's test
client. Nothing here touches the developer's database under var/.
"""
