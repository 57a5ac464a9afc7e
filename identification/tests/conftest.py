"""Identification fixtures live in the root conftest.py (org_us, liaison, cmm_coordinator, present,
deciders, identified_case), since reflection and later apps build on them."""
