"""Coding posted documents off the event loop, one batch at a time, within a time budget.

`POST /api/documents` hands its documents to a single worker thread (one spaCy pipeline, which is not
thread-safe) and awaits the result without holding a request thread, so reads never wait on a write.
The budget covers coding: the worker checks it between documents, and a batch that runs over is
dropped before anything is stored (422). Once coding is done the batch is stored whatever the clock
says, so an answer never claims "nothing stored" for a batch that was. After each write the merged
tables are brought up to date (`EventStore.ensure_merged()`) by a follow-up job on the same worker,
so the POST answers without waiting for the merge and back-to-back posts share one merge.
"""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from .db import Database

log = logging.getLogger("eventwire.serve")


class CodingFailed(Exception):
    """The documents could not be coded (422); the message says why. Nothing was stored."""


class CodingBusy(Exception):
    """The worker was busy with other posts for the whole budget (503); nothing was coded or stored."""


class _Batch:
    """One POST's documents and where the worker is with them: coding -> storing, or cancelled."""

    def __init__(self, documents: list) -> None:
        self.documents = documents
        self.state = "queued"
        self.lock = threading.Lock()

    def move(self, new: str, allowed: tuple[str, ...]) -> bool:
        with self.lock:
            if self.state not in allowed:
                return False
            self.state = new
            return True


class CodingWorker:
    def __init__(self, db: Database, pipeline_factory: Callable[[], Any], budget: float = 0.0):
        self.db = db
        self.budget = budget  # seconds (0: no limit)
        self._pipeline_factory = pipeline_factory
        self._pipeline: Any = None
        self._merge_lock = threading.Lock()
        self._merge_pending = False
        self.start()

    def start(self) -> None:
        """Take posts (again, after close(): an app can be started, stopped and started)."""
        if getattr(self, "_executor", None) is None or self._closed:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="eventwire-coder")
            self._closed = False

    def update_merged(self) -> None:
        """Bring merged_events up to date in the background (a no-op when it is): after writes, and on start."""
        self._schedule_merge()

    # -- the event loop side ------------------------------------------------------------------------

    async def code_and_store(self, documents: list) -> list:
        """Code `documents` and store them; returns the coded documents. Raises CodingFailed (422) or
        CodingBusy (503)."""
        if self._closed:
            raise CodingBusy("the server is shutting down")
        batch = _Batch(documents)
        future = self._executor.submit(self._run, batch, time.monotonic())
        try:
            return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(future)), self.budget or None)
        except asyncio.TimeoutError:
            if batch.move("cancelled", ("queued",)):
                future.cancel()
                raise CodingBusy(f"the server was busy coding other documents for {self.budget:g} s; "
                                 "try again shortly") from None
            if batch.move("cancelled", ("coding",)):
                raise CodingFailed(f"coding took longer than the server's budget of {self.budget:g} s; nothing "
                                   "was stored: send fewer or shorter documents") from None
            return await asyncio.wrap_future(future)  # already storing: its answer is the truth

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Block until every job queued so far (merges included) is done; for tests and shutdown."""
        done = self._executor.submit(lambda: None)
        try:
            done.result(timeout=timeout)
            return True
        except Exception:
            return False

    def close(self, timeout: float = 10.0) -> None:
        """Stop taking posts, let the running job finish (a batch being coded stops at its next document)."""
        self._closed = True
        stopper = threading.Thread(target=self._executor.shutdown, kwargs={"wait": True, "cancel_futures": True},
                                   daemon=True)
        stopper.start()
        stopper.join(timeout)  # past it the store is closed anyway; a late batch then refuses to store

    # -- the worker thread ----------------------------------------------------------------------------

    def _run(self, batch: _Batch, submitted: float) -> list:
        if not batch.move("coding", ("queued",)):
            raise CodingBusy("cancelled before it started")
        deadline = submitted + self.budget if self.budget else None
        try:
            pipeline = self._pipeline or self._load_pipeline()
            coded = []
            for item in pipeline.code_documents(batch.documents):
                coded.append(item)
                if batch.state == "cancelled" or self._closed or (deadline and time.monotonic() > deadline):
                    raise CodingFailed(f"coding took longer than the server's budget of {self.budget:g} s; "
                                       "nothing was stored: send fewer or shorter documents")
        except CodingFailed:
            raise
        except Exception as exc:  # the pipeline may fail on any input: the caller gets the reason, not a 500
            log.warning("coding a posted batch failed", exc_info=True)
            raise CodingFailed(f"the documents could not be coded: {type(exc).__name__}: {exc}") from exc
        if self._closed or not batch.move("storing", ("coding",)):
            raise CodingFailed("cancelled: coding took longer than the server's budget; nothing was stored")
        with self.db.write() as store:
            for c in coded:
                store.save_document(c.document, c.sentences, c.events)
        self._schedule_merge()
        return coded

    def _load_pipeline(self) -> Any:
        self._pipeline = self._pipeline_factory()
        return self._pipeline

    def _schedule_merge(self) -> None:
        with self._merge_lock:
            if self._merge_pending or self._closed:
                return
            self._merge_pending = True
        try:
            self._executor.submit(self._merge)
        except RuntimeError:  # shutting down: the next start or `eventwire merge` brings it up to date
            with self._merge_lock:
                self._merge_pending = False

    def _merge(self) -> None:
        with self._merge_lock:
            self._merge_pending = False
        try:
            with self.db.write() as store:
                store.ensure_merged()
        except Exception:  # the posted documents are stored; a failed merge is redone after the next write
            log.warning("bringing merged_events up to date failed", exc_info=True)

