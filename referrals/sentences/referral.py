def sentence(data: dict) -> str:
    """The timeline sentence of a referral event; KeyError/ValueError for data it does not know."""
    raise KeyError("step")
