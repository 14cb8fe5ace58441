"""The shipped alert word lists: one ``<code>.txt`` per language houseboat offers.

``OFFERED_LANGUAGES`` names the languages that must have a list; a test fails when
it, or ``settings.LANGUAGES``, holds a language without one. The lists are read by
``houseboat.safety.alerts.builtin_terms``; their format is in README.md.
"""

# English, Arabic, Spanish, Persian, French, Malay, Hindi, Indonesian, Turkish.
OFFERED_LANGUAGES = ("en", "ar", "es", "fa", "fr", "ms", "hi", "id", "tr")
