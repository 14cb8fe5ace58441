"""houseboat's own corrections to Django's locale formats (settings.FORMAT_MODULE_PATH).

Django reads each format from here first and falls back to its own module for the rest,
so each file holds only what houseboat decides differently, with the reason. The first
day of the week follows CLDR's week data (the calendar starts on it, issue 16).
"""
