"""Case-timeline sentences of referral and return events (called by cases.templatetags.case_events)."""
