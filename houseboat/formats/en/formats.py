# houseboat's "en" is international English, not American: CLDR's world default (and
# ISO 8601) starts the week on Monday, where Django's "en" says Sunday.
FIRST_DAY_OF_WEEK = 1  # Monday
