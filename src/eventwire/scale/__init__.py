"""Coding big corpora: the Dask engine (`eventwire code --engine dask`) and its Parquet shards.

Needs the ``scale`` extra (``pip install 'eventwire[scale]'``: dask.distributed). See dask_engine for
how a run works and shards for the on-disk format.
"""
from .dask_engine import CodingOptions, RunStats, code_into_store
from .shards import differences

__all__ = ["CodingOptions", "RunStats", "code_into_store", "differences"]
