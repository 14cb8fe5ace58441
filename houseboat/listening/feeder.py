"""Read and prepare an import's records in a second process, feeding the single writer.

Parsing a file, mapping its records and preparing them (entities, language, canonical
JSON, SHA-256, compression, media files copied in) is about half an import's work
and touches no database; the other half is the writer's, and a database takes one
writer at a time. So on a machine with two cores a large import runs both halves at
once: a child process (forked, so it shares the importer and the settings) reads and
prepares batches and sends them down a pipe; the parent writes them. The pipe holds
little, so the child is never more than about a batch ahead and memory stays flat.

What the child learns about bad records (``Problems``) comes back with its last
message; an error it meets comes back as the same exception, raised in the parent.
Small files, and systems without ``fork``, are read in the writer's own process.
"""

from __future__ import annotations

import multiprocessing
import pickle
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from django.utils import timezone

from houseboat.listening.importers.base import MiB, Problems
from houseboat.listening.ingest import MAX_MEDIA_BYTES, Prepared, batched, prepare
from houseboat.listening.records import Captured

# Below this a second process costs more than it saves (and most tests stay in one).
PARALLEL_FROM_BYTES = 4 * MiB

Reader = Callable[[Problems], Iterable[Captured]]


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def prepared_batches(
    read: Reader,
    problems: Problems,
    *,
    start: int,
    batch_size: int,
    max_media_bytes: int = MAX_MEDIA_BYTES,
    parallel: bool = False,
    before_prepare: Callable[[list[Captured]], None] | None = None,
) -> Iterator[list[Prepared]]:
    """Yield the records read past position ``start``, prepared, in batches.

    ``parallel``: read and prepare in a second process (where fork is available).
    ``before_prepare`` sees each batch of records first; it may use the database, so
    it runs in the writer's process and the import then stays in one process.
    """
    if before_prepare is not None or not (parallel and can_fork()):
        yield from _prepare_all(read, problems, start, batch_size, max_media_bytes, before_prepare)
        return
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(
        target=_child,
        args=(send, read, problems, start, batch_size, max_media_bytes),
        name="houseboat-import-reader",
        daemon=True,
    )
    child.start()
    send.close()
    try:
        while True:
            try:
                kind, payload = receive.recv()
            except EOFError:
                raise RuntimeError(
                    "the process reading the file stopped without a word (out of memory?)"
                ) from None
            if kind == "batch":
                yield payload
            elif kind == "done":
                vars(problems).update(payload)
                return
            else:
                raise payload
    finally:
        receive.close()
        if child.is_alive():
            child.terminate()
        child.join()


def _prepare_all(
    read: Reader,
    problems: Problems,
    start: int,
    batch_size: int,
    max_media_bytes: int,
    before_prepare: Callable[[list[Captured]], None] | None = None,
) -> Iterator[list[Prepared]]:
    for batch in batched(islice(read(problems), start, None), batch_size):
        if before_prepare is not None:
            before_prepare(batch)
        now = timezone.now()
        yield [prepare(record, now, max_media_bytes=max_media_bytes) for record in batch]


def _child(
    send: Any,
    read: Reader,
    problems: Problems,
    start: int,
    batch_size: int,
    max_media_bytes: int,
) -> None:
    """The second process: send each prepared batch, then what was learnt of the file."""
    try:
        for batch in _prepare_all(read, problems, start, batch_size, max_media_bytes):
            send.send(("batch", batch))
        send.send(("done", dict(vars(problems))))
    except BaseException as exc:  # every error goes to the writer, which decides
        send.send(("error", exc if picklable(exc) else RuntimeError(str(exc))))
    finally:
        send.close()


def picklable(value: Any) -> bool:
    try:
        pickle.dumps(value)
    except Exception:  # any failure: send a plain copy instead
        return False
    return True
