"""Compare houseboat's X count and Bluesky tag facets with the networks' official libraries.

    npm install --prefix /tmp/official twitter-text@3.1.0 @atproto/api
    bash scripts/uv run python scripts/compare_with_official.py /tmp/official [EXAMPLES]

Draws texts the way tests/connectors/test_text_properties.py does (arbitrary Unicode
mixed with emoji sequences, combining marks, right-to-left text, full-width signs,
control characters, links and mentions run together), asks Node's official twitter-text
(parseTweet) and @atproto/api (RichText.detectFacetsWithoutResolution) about each, and
prints how many answers differ, with the first few. Needs `node`; the test suite does
not (this is a check a person runs when a library or a network's rules change).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "connectors"))

from test_text_properties import texts

from houseboat.connectors import text
from houseboat.connectors.bluesky.facets import build_facets, detect_spans

ORACLE = """
const { RichText } = require('@atproto/api');
const twitter = require('twitter-text');
const lines = require('fs').readFileSync(0, 'utf8').split('\\n').filter(Boolean);
for (const line of lines) {
  const sample = JSON.parse(line);
  const rich = new RichText({ text: sample });
  rich.detectFacetsWithoutResolution();
  const tags = (rich.facets || [])
    .filter((f) => f.features[0].$type.endsWith('#tag'))
    .map((f) => [f.index.byteStart, f.index.byteEnd, f.features[0].tag]);
  console.log(JSON.stringify([twitter.parseTweet(sample).weightedLength, tags]));
}
"""


def draw(examples: int) -> list[str]:
    found: list[str] = []

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(texts)
    def collect(sample: str) -> None:
        found.append(sample)

    collect()
    return found


def ours(sample: str) -> list:
    spans = [span for span in detect_spans(sample) if span.kind == "tag"]
    tags = [
        [f["index"]["byteStart"], f["index"]["byteEnd"], f["features"][0]["tag"]]
        for f in build_facets(sample, spans, {})
    ]
    return [text.x_weighted(sample), tags]


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    modules = Path(argv[0]) / "node_modules"
    samples = draw(int(argv[1]) if len(argv) > 1 else 3000)
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "oracle.js"
        script.write_text(ORACLE)
        answer = subprocess.run(  # noqa: S603 (our own script, texts on stdin)
            ["node", str(script)],  # noqa: S607 (the node on PATH, as npm installed for)
            input="\n".join(json.dumps(sample) for sample in samples),
            capture_output=True,
            text=True,
            env={"NODE_PATH": str(modules), "PATH": "/usr/bin:/bin:/usr/local/bin"},
            check=True,
        )
    # Split on "\n" only: JSON leaves U+2028 and U+0085 as they are.
    official = [json.loads(line) for line in answer.stdout.split("\n") if line]
    x_differ = [(s, o[0], ours(s)[0]) for s, o in zip(samples, official, strict=True)
                if ours(s)[0] != o[0]]  # fmt: skip
    tag_differ = [(s, o[1], ours(s)[1]) for s, o in zip(samples, official, strict=True)
                  if ours(s)[1] != o[1]]  # fmt: skip
    print(f"{len(samples)} texts: X count differs on {len(x_differ)}, "
          f"Bluesky tags differ on {len(tag_differ)}")  # fmt: skip
    for sample, theirs, mine in (x_differ + tag_differ)[:10]:
        print(f"  {sample!r:.90}  official {theirs}  houseboat {mine}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
