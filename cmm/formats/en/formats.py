"""English date formats for CMM: day before month, never the US order.

Danish readers of English pages (and partners abroad) read 05/02/2027 as the 5th of February: every English
date is written "5 Feb 2027" (or ISO 8601 in files), and typed dates are read day first or as ISO.
"""

DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

# The first format is the one Django writes into a date field; no month-first format is accepted.
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2027-02-05
    "%d/%m/%Y",  # 05/02/2027
    "%d.%m.%Y",  # 05.02.2027
    "%d-%m-%Y",  # 05-02-2027
    "%d %b %Y",  # 5 Feb 2027
    "%d %B %Y",  # 5 February 2027
]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S", "%H.%M"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%d/%m/%Y %H:%M",
    "%d.%m.%Y %H:%M",
    "%Y-%m-%d",
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
