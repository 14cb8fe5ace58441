"""Safety checks text and files and is called by publishing, never the reverse."""

import ast
from pathlib import Path

from houseboat.core.models import Team
from houseboat.safety import lockdown, regions

SAFETY = Path(lockdown.__file__).resolve().parent


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_no_safety_module_imports_publishing():
    offenders = {
        str(path.relative_to(SAFETY)): sorted(
            name for name in _imported_modules(path) if name.startswith("houseboat.publishing")
        )
        for path in SAFETY.rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_publishing_answers_the_lock_down_signal_and_the_region_hook(team_a):
    answers = lockdown.locking_down.send(sender=Team, team=team_a, dry_run=True)
    assert [(f"{r.__module__}.{r.__name__}", n) for r, n in answers] == [
        ("houseboat.publishing.receivers.on_locking_down", 0)
    ]
    assert [f"{c.__module__}.{c.__name__}" for c in regions._editable_checks] == [
        "houseboat.publishing.receivers.attachment_editable"
    ]


def test_a_lock_down_counts_what_every_receiver_answers(team_a, monkeypatch):
    def other_app(sender, *, team, dry_run, **kwargs):
        assert sender is Team and team == team_a
        return 2

    lockdown.locking_down.connect(other_app, dispatch_uid="test-other-app")
    try:
        assert lockdown.revoke_pending_releases(team_a, dry_run=True) == 2
    finally:
        lockdown.locking_down.disconnect(dispatch_uid="test-other-app")
