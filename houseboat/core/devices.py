"""Name a browser from its User-Agent the way a person would: "Firefox on Windows".

"Where you are signed in" exists so that someone who lost a phone can find it in the
list. A raw User-Agent string does not help with that; these few names do. The full
string stays in the page as a tooltip.
"""

from django.utils.translation import gettext as _

# First match wins: Edge and Opera also say "Chrome", and Chrome also says "Safari".
BROWSERS = [
    ("Edg", "Edge"),
    ("OPR/", "Opera"),
    ("Opera", "Opera"),
    ("SamsungBrowser", "Samsung Internet"),
    ("FxiOS", "Firefox"),
    ("Firefox/", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
]
# iPhones and iPads also say "Mac OS X", Android also says "Linux".
SYSTEMS = [
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("CrOS", "ChromeOS"),
    ("Macintosh", "macOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
]


def first_match(user_agent: str, table: list[tuple[str, str]]) -> str | None:
    return next((name for marker, name in table if marker in user_agent), None)


def describe(user_agent: str) -> str:
    """Return "Browser on System", or as much of it as the User-Agent tells."""
    browser = first_match(user_agent, BROWSERS)
    system = first_match(user_agent, SYSTEMS)
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    if browser or system:
        return browser or _("A browser on %(system)s") % {"system": system}
    return _("Unknown browser") if user_agent else "—"
