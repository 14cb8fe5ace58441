import pytest

from houseboat.core.devices import describe

CHROME_LINUX = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/140.0.0.0 Safari/537.36"
)
EDGE_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/140.0.0.0 Safari/537.36 Edg/140.0.0.0"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"
)
FIREFOX_ANDROID = "Mozilla/5.0 (Android 15; Mobile; rv:140.0) Gecko/140.0 Firefox/140.0"
TOR_BROWSER = "Mozilla/5.0 (Windows NT 10.0; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.mark.parametrize(
    ("user_agent", "words"),
    [
        (CHROME_LINUX, "Chrome on Linux"),
        (EDGE_WINDOWS, "Edge on Windows"),
        (SAFARI_IPHONE, "Safari on iPhone"),
        (FIREFOX_ANDROID, "Firefox on Android"),
        (TOR_BROWSER, "Firefox on Windows"),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0)", "A browser on macOS"),
        ("curl/8.5.0", "Unknown browser"),
        ("", "—"),
    ],
)
def test_a_browser_is_named_the_way_a_person_would_recognise_it(user_agent, words):
    assert describe(user_agent) == words
