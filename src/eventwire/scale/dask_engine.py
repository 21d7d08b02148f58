"""Code a corpus on a Dask cluster: shards of documents out to workers, Parquet shards back, merged into DuckDB.

    code_into_store(documents, store)                            # a local cluster, one worker per core
    code_into_store(documents, store, scheduler="tcp://host:8786")

1. The client cuts the input into shards of ``shard_size`` documents and submits one task per shard,
   keeping only a few shards per worker in flight, so any size of input streams through.
2. Each worker loads the coding pipeline once, when it starts (`PipelinePlugin`, a Dask worker plugin;
   a worker that is restarted loads it again), codes its shard with `Pipeline.code_batch` and writes a
   Parquet shard into the run directory (eventwire.scale.shards). Workers on other machines need the
   run directory on a shared file system.
3. The client merges finished shards into the store in input order, so the store ends up with the same
   rows as a single-process run; each merge is one transaction.

A document the pipeline skips (it raised, or ran over `CodingOptions.time_budget_s`: `CodedDocument.skipped`)
goes into its shard's manifest instead of its tables; merging the shard adds it to the store's ``skipped``
table (once, however often the shard is merged) and passes it to ``on_skipped``, and the run goes on.

A worker that dies mid-run loses nothing: the scheduler gives its tasks to another worker, shards are
written atomically, and merging is idempotent. The run directory is removed after a successful run; after
an interrupted one, running the same input again reuses the shards that were finished.
"""
from __future__ import annotations

import importlib
import os
import tempfile
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional

from ..records import Document, Skipped
from eventwire.store import EventStore
from . import shards

PLUGIN_NAME = "eventwire-pipeline"
DEFAULT_FACTORY = "eventwire.pipeline:Pipeline"
DEFAULT_TIME_BUDGET_S = 60.0  # eventwire.pipeline.DEFAULT_TIME_BUDGET_S (not imported: that loads spaCy)


@dataclass
class RunStats:
    documents: int = 0
    events: int = 0
    shards: int = 0
    reused_shards: int = 0  # finished by an earlier, interrupted run
    workers: int = 0
    skipped: list[Skipped] = field(default_factory=list)  # documents the pipeline could not code, in input order


@dataclass
class CodingOptions:
    """How workers code: passed to each worker once, and part of every shard's name."""
    prefilter: bool = True
    include_negated: bool = True
    batch_size: int = 16
    min_confidence: Optional[float] = None  # None: the scorer's threshold
    factory: str = DEFAULT_FACTORY  # "module:callable" building the pipeline from these options
    extra: dict[str, Any] = field(default_factory=dict)  # more keyword arguments for the factory
    time_budget_s: Optional[float] = DEFAULT_TIME_BUDGET_S  # per document; None: no limit

    def as_dict(self) -> dict[str, Any]:
        return {"prefilter": self.prefilter, "include_negated": self.include_negated,
                "batch_size": self.batch_size, "min_confidence": self.min_confidence, "factory": self.factory,
                "extra": self.extra, "time_budget_s": self.time_budget_s}


def build_pipeline(options: CodingOptions):
    module_name, _, name = options.factory.partition(":")
    factory = getattr(importlib.import_module(module_name), name)
    kwargs = dict(options.extra)
    if options.min_confidence is not None:  # factories that predate the scorer need not know the option
        kwargs["min_confidence"] = options.min_confidence
    if options.time_budget_s != DEFAULT_TIME_BUDGET_S:  # nor those that predate the time budget
        kwargs["time_budget_s"] = options.time_budget_s
    pipeline = factory(batch_size=options.batch_size, prefilter=options.prefilter, **kwargs)
    prepare = getattr(pipeline, "prepare", None)
    if prepare is not None:
        prepare(warm_up=True)  # load everything now, not during the first shard
    return pipeline


try:  # the worker plugin needs distributed; the rest of this module must import without it
    from distributed.diagnostics.plugin import WorkerPlugin as _WorkerPlugin
except ImportError:  # pragma: no cover
    _WorkerPlugin = object


class PipelinePlugin(_WorkerPlugin):
    """Loads the coding pipeline when a worker starts. The pipeline is kept per process and options, so
    registering the plugin again (a second run on the same cluster) does not load the model again."""

    name = PLUGIN_NAME

    def __init__(self, options: CodingOptions):
        self.options = options
        self.pipeline = None

    def setup(self, worker=None) -> None:
        self.pipeline = _process_pipeline(self.options)

    def __getstate__(self):  # sent to workers without a loaded model
        return {"options": self.options, "pipeline": None}


def code_shard(documents: list[Document], path: str, options: CodingOptions) -> shards.ShardInfo:
    """The task run on a worker: code ``documents`` and write them as the Parquet shard at ``path``."""
    done = shards.read_shard(Path(path))
    if done is not None:
        return done
    pipeline = _worker_pipeline(options)
    coded = pipeline.code_batch(documents)
    skipped = [item.skipped for item in coded if getattr(item, "skipped", None) is not None]

    def triples():
        for item in coded:
            if getattr(item, "skipped", None) is not None:
                continue  # not stored: listed in the shard's manifest instead
            events = item.events
            if not options.include_negated:
                events = [e for e in events if not (e.negated or e.hypothetical)]
            yield item.document, item.sentences, events

    return shards.write_shard(Path(path), triples(), skipped=skipped)


def _worker_pipeline(options: CodingOptions):
    from distributed import get_worker

    try:
        plugin = get_worker().plugins.get(PLUGIN_NAME)
    except ValueError:  # not on a worker (a synchronous scheduler): keep one per process
        plugin = None
    if plugin is not None and plugin.options == options and plugin.pipeline is not None:
        return plugin.pipeline
    return _process_pipeline(options)


_process_pipelines: dict[str, Any] = {}  # the worker-level cache: one loaded pipeline per process and options


def _process_pipeline(options: CodingOptions):
    key = repr(options.as_dict())
    if key not in _process_pipelines:
        _process_pipelines[key] = build_pipeline(options)
    return _process_pipelines[key]


def code_into_store(documents: Iterable[Document], store: EventStore,
                    on_document: Optional[Callable[[Document, int], None]] = None, *,
                    scheduler: Optional[str] = None, workers: Optional[int] = None,
                    options: Optional[CodingOptions] = None, shard_size: Optional[int] = None,
                    run_dir: Optional[Path] = None, keep_shards: bool = False,
                    client=None, on_skipped: Optional[Callable[[Skipped], None]] = None) -> RunStats:
    """Code ``documents`` on a Dask cluster and merge the results into ``store``.

    ``scheduler``: address of a running scheduler; without it a local cluster of ``workers`` processes
    (default: one per core, one thread each) is started and stopped. ``client``: an existing
    `distributed.Client` to use instead. ``on_document(document, n_events)`` is called for each document
    once it is in the store; ``on_skipped(skipped)`` for each document the pipeline skipped (a
    `records.Skipped`, also stored in the ``skipped`` table and listed in ``RunStats.skipped``), in input order.
    ``run_dir``: where shards go (default: next to the store).
    """
    options = options or CodingOptions()
    shard_size = shard_size or options.batch_size
    run_dir = Path(run_dir) if run_dir else _default_run_dir(store)
    stats = RunStats()
    with _client(client, scheduler, workers) as dask_client:
        dask_client.register_plugin(PipelinePlugin(options), name=PLUGIN_NAME)
        stats.workers = len(dask_client.scheduler_info().get("workers", {})) or 1
        window = 2 * stats.workers + 1
        pending: deque = deque()
        for number, batch in enumerate(_batches(documents, shard_size)):
            path = run_dir / shards.shard_name(number, batch, options.as_dict())
            if shards.read_shard(path) is not None:
                stats.reused_shards += 1
            future = dask_client.submit(code_shard, batch, str(path), options, key=f"eventwire-{path.name}",
                                        retries=2, pure=False)
            pending.append((batch, future))
            while len(pending) >= window:
                _merge(store, *pending.popleft(), on_document, stats, on_skipped)
        while pending:
            _merge(store, *pending.popleft(), on_document, stats, on_skipped)
    if not keep_shards:
        shards.remove_shards(run_dir)
    return stats


def _merge(store: EventStore, batch: list[Document], future, on_document, stats: RunStats,
           on_skipped: Optional[Callable[[Skipped], None]] = None) -> None:
    info: shards.ShardInfo = future.result()
    shards.merge_shard(store, info)
    counts = dict(info.documents)
    skipped = {s.doc_id: s for s in info.skipped}
    stats.shards += 1
    for document in batch:
        if document.id not in counts and document.id in skipped:
            item = skipped.pop(document.id)
            stats.skipped.append(item)
            if on_skipped is not None:
                on_skipped(item)
            continue
        stats.documents += 1
        stats.events += counts.get(document.id, 0)
        if on_document is not None:
            on_document(document, counts.get(document.id, 0))


def _batches(documents: Iterable[Document], size: int) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for document in documents:
        batch.append(document)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _default_run_dir(store: EventStore) -> Path:
    if store.path in ("", ":memory:"):
        return Path(tempfile.mkdtemp(prefix="eventwire-shards-"))
    return Path(store.path + ".shards")


class _client:
    """A context manager giving a Client: the one passed in, one connected to ``scheduler``, or one on a
    LocalCluster started here (processes, one thread each) and shut down on exit."""

    def __init__(self, client, scheduler: Optional[str], workers: Optional[int]):
        self.given, self.scheduler, self.workers = client, scheduler, workers
        self.client = self.cluster = None

    def __enter__(self):
        if self.given is not None:
            return self.given
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover
            raise ImportError("the Dask engine needs dask.distributed: pip install 'eventwire[scale]'") from exc
        if self.scheduler:
            self.client = Client(self.scheduler)
        else:
            self.cluster = LocalCluster(n_workers=self.workers or os.cpu_count() or 1, threads_per_worker=1,
                                        processes=True, dashboard_address=":0")
            self.client = Client(self.cluster)
            self.client.wait_for_workers(self.workers or 1)
        return self.client

    def __exit__(self, *exc_info) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
