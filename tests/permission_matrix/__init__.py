"""The permission matrix of issue 11: every URL and API operation x principals x objects (see registry.py)."""
