def sentence(data: dict) -> str:
    """The timeline sentence of a return-plan event; KeyError/ValueError for data it does not know."""
    raise KeyError("step")
