"""Norwegian bokmål: 06.12.2026, 6. desember 2026, 06.12.2026 14:05, 1 234,5."""

DATE_FORMAT = "j. F Y"
SHORT_DATE_FORMAT = "d.m.Y"
DATETIME_FORMAT = "d.m.Y H:i"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
TIME_FORMAT = "H:i"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # a non-breaking space: 1 234 never breaks across lines
NUMBER_GROUPING = 3
