"""Every connector is complete: a manifest of plain data, fixtures, tests and a doc page."""

from importlib import resources
from pathlib import Path

import pytest

from houseboat.connectors import text
from houseboat.connectors.base import Connector, NotSupported
from houseboat.connectors.registry import CONNECTORS, connector_class

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS.parent / "fixtures"
NETWORKS = sorted(CONNECTORS)
COUNTING_RULES = {"characters", "mastodon", "graphemes", "weighted", "utf16"}
CAPABILITIES = {"publish", "delete", "read", "threads", "media", "metrics", "check", "message"}


@pytest.mark.parametrize("network", NETWORKS)
def test_every_connector_has_a_manifest_of_plain_data(network):
    cls = connector_class(network)
    assert issubclass(cls, Connector)
    manifest = cls.manifest
    assert manifest["network"] == network
    assert set(manifest["can"]) <= CAPABILITIES
    assert manifest["rate_limits"]
    limits = manifest["limits"]
    if limits["text"] is not None:
        assert limits["text"]["counted"] in COUNTING_RULES
        assert limits["text"]["max"] > 0
    for spec in manifest["credentials"]:
        assert spec["secret"] is True, f"{network}: credential {spec['name']} must be secret"
    for spec in manifest["settings"] + manifest["credentials"]:
        assert spec["label"] and spec["help"], f"{network}: {spec['name']} needs words"


@pytest.mark.parametrize("network", NETWORKS)
def test_every_connector_has_a_doc_page(network):
    package = connector_class(network).__module__.rsplit(".", 1)[0]
    doc = resources.files(package).joinpath("doc.md").read_text(encoding="utf-8")
    assert len(doc.split()) > 40, f"{network}: doc.md should explain where credentials come from"


@pytest.mark.parametrize("network", [n for n in NETWORKS if n != "own_site"])
def test_every_network_connector_has_fixtures_and_tests(network):
    assert any((FIXTURES / network).glob("*")), f"tests/fixtures/{network}/ is empty"
    assert (TESTS / f"test_{network}.py").exists()


@pytest.mark.parametrize("network", NETWORKS)
def test_what_a_connector_does_not_do_is_a_clear_not_supported(network):
    cls = connector_class(network)
    connector = cls(config={}, secrets={})
    calls = {"publish": (None,), "read": (None, None), "metrics": ((),), "delete": (None,)}
    for method, args in calls.items():
        if getattr(cls, method) is getattr(Connector, method):
            assert method not in cls.manifest["can"], f"{network} declares {method}"
            with pytest.raises(NotSupported) as caught:
                getattr(connector, method)(*args)
            assert cls.manifest["label"] in str(caught.value)
        else:
            assert method in cls.manifest["can"], f"{network} implements {method} undeclared"


def test_the_counting_rules_in_manifests_are_all_implemented():
    for rule in COUNTING_RULES:
        assert text.length("abc", rule) == 3
