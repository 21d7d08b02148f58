"""A time limit for DuckDB queries: one thread interrupts cursors that ran past their deadline.

DuckDB has no statement timeout, but `connection.interrupt()` may be called from another thread and
makes the running query raise `duckdb.InterruptException`. Each request's cursor is registered with a
deadline; a single watchdog thread sleeps until the earliest one and interrupts what is still running,
so a query that would scan for minutes (a free-text filter on a huge store) frees its thread instead.
"""
from __future__ import annotations

import heapq
import itertools
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator, Optional


class QueryWatchdog:
    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._heap: list[tuple[float, int]] = []   # (deadline, token), earliest first
        self._watched: dict[int, Any] = {}          # token -> cursor, while its query may run
        self._tokens = itertools.count()
        self._thread: Optional[threading.Thread] = None
        self._stopping = False
        self.interrupted = 0                         # how many queries were cut off (for tests and logs)

    def watch(self, cursor: Any, seconds: Optional[float]) -> Optional[int]:
        """Interrupt `cursor` if it is still watched `seconds` from now; returns the token for `release`."""
        if not seconds or seconds <= 0:
            return None
        with self._lock:
            token = next(self._tokens)
            self._watched[token] = cursor
            heapq.heappush(self._heap, (time.monotonic() + seconds, token))
            if self._thread is None or not self._thread.is_alive():
                self._stopping = False
                self._thread = threading.Thread(target=self._run, name="eventwire-query-watchdog", daemon=True)
                self._thread.start()
            self._lock.notify()
            return token

    def release(self, token: Optional[int]) -> None:
        if token is not None:
            with self._lock:
                self._watched.pop(token, None)  # its heap entry is skipped when it comes up

    @contextmanager
    def limit(self, cursor: Any, seconds: Optional[float]) -> Iterator[None]:
        token = self.watch(cursor, seconds)
        try:
            yield
        finally:
            self.release(token)

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            self._lock.notify()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        with self._lock:
            while not self._stopping:
                while self._heap and self._heap[0][1] not in self._watched:
                    heapq.heappop(self._heap)  # released before its deadline
                if not self._heap:
                    self._lock.wait()
                    continue
                deadline, token = self._heap[0]
                wait = deadline - time.monotonic()
                if wait > 0:
                    self._lock.wait(wait)
                    continue
                heapq.heappop(self._heap)
                cursor = self._watched.pop(token)
                self.interrupted += 1
                try:
                    cursor.interrupt()
                except Exception:  # closed meanwhile: nothing left to stop
                    pass
