"""Case fixtures live in the root conftest.py (open_case, case_a), since other apps build on cases."""
