# Django's Malay formats say Sunday; CLDR (and Malaysia's calendars) start on Monday.
FIRST_DAY_OF_WEEK = 1  # Monday
