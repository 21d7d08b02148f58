"""The Dask engine: Parquet shards, idempotent merging, a killed worker, and the same store as one process."""
import datetime as dt
import os
import signal
import time

import pytest

from eventwire.pipeline import CodedDocument
from eventwire.records import Actor, Document, Event, Skipped
from eventwire.scale import CodingOptions, code_into_store, differences
from eventwire.scale import shards
from eventwire.store import EventStore


class FakePipeline:
    """Codes each document into one event without spaCy; `delay` seconds per document."""

    def __init__(self, batch_size=16, prefilter=True, delay=0.0):
        self.delay = delay

    def code_batch(self, documents):
        out = []
        for doc in documents:
            time.sleep(self.delay)
            sentence = doc.text.split(".")[0] + "."
            event = Event(doc_id=doc.id, sentence_index=0, sentence=sentence, sentence_start=0,
                          source=Actor("Russia", "RUS", "RUS", span=(0, 6)), target=Actor("Ukraine", "UKR", "UKR"),
                          cameo="112", trigger="accused", rule="fake", trigger_span=(7, 14), date=doc.date,
                          negated=doc.id.endswith("7"))
            out.append(CodedDocument(doc, [(0, len(sentence), sentence)], [event]))
        return out

    def code_documents(self, documents):
        for doc in documents:
            yield from self.code_batch([doc])


class SkippingPipeline(FakePipeline):
    """Skips the documents whose id ends in "3", as Pipeline does with one that fails or runs over its time budget."""

    def code_batch(self, documents):
        out = super().code_batch(documents)
        for i, coded in enumerate(out):
            doc = coded.document
            if doc.id.endswith("3"):
                out[i] = CodedDocument(doc, [], [], skipped=Skipped(origin=doc.origin or doc.id, doc_id=doc.id,
                                                                    reason="coding failed in test: RuntimeError: boom"))
        return out


class FailingStage:
    """A pipeline stage that raises for the document with id "bad"."""
    name = "failing"

    def __call__(self, parsed, document, events):
        if document.id == "bad":
            raise RuntimeError("boom")


def corpus(n):
    return [Document(id=f"doc-{i}", text=f"Russia accused Ukraine, story {i}. More text.",
                     date=dt.date(2024, 1, 1 + i % 28)) for i in range(n)]


def single_process_store(path, documents, pipeline, include_negated=True):
    with EventStore(path) as store:
        for coded in pipeline.code_documents(documents):
            events = [e for e in coded.events if include_negated or not (e.negated or e.hypothetical)]
            store.save_document(coded.document, coded.sentences, events)
    return path


def test_shards_are_written_once_and_merge_idempotently(tmp_path):
    docs = corpus(6) + [Document(id="doc-1", text="Russia accused Ukraine again. Updated.")]  # a repeated id
    coded = [(c.document, c.sentences, c.events) for c in FakePipeline().code_batch(docs)]
    path = tmp_path / "run" / shards.shard_name(0, docs, {"x": 1})
    info = shards.write_shard(path, coded)
    assert shards.write_shard(path, []) == info  # a second attempt finds the finished shard
    assert [d for d, _ in info.documents] == [f"doc-{i}" for i in (0, 2, 3, 4, 5, 1)]
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".tmp")]
    with EventStore(tmp_path / "merged.duckdb") as store:
        shards.merge_shard(store, info)
        shards.merge_shard(store, info)  # merging again changes nothing
        assert store.counts()["documents"] == 6
    reference = single_process_store(tmp_path / "single.duckdb", docs, FakePipeline())
    assert differences(reference, tmp_path / "merged.duckdb") == []
    assert shards.shard_name(0, docs, {"x": 1}) != shards.shard_name(0, docs, {"x": 2})


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as local, distributed.Client(local) as client:
        client.wait_for_workers(2)
        yield client


def test_a_killed_worker_loses_no_document(cluster, tmp_path):
    docs = corpus(24)
    options = CodingOptions(factory="test_scale:FakePipeline", extra={"delay": 0.05}, include_negated=False)
    pids = list(cluster.run(os.getpid).values())
    killed = []

    def kill_one(document, n_events):
        if not killed:
            os.kill(pids[0], signal.SIGKILL)  # the nanny restarts it; its tasks go to the other worker
            killed.append(document.id)

    with EventStore(tmp_path / "dask.duckdb") as store:
        stats = code_into_store(docs, store, kill_one, client=cluster, options=options, shard_size=2,
                                run_dir=tmp_path / "shards")
    assert killed and stats.documents == 24 and stats.shards == 12
    assert pids[0] not in cluster.run(os.getpid).values()  # the worker really died mid-run
    assert not (tmp_path / "shards").exists()  # removed after a successful run
    reference = single_process_store(tmp_path / "single.duckdb", docs, FakePipeline(), include_negated=False)
    assert differences(reference, tmp_path / "dask.duckdb") == []


def test_interrupted_run_reuses_finished_shards(cluster, tmp_path):
    docs = corpus(6)
    options = CodingOptions(factory="test_scale:FakePipeline")
    run_dir = tmp_path / "shards"
    with EventStore(tmp_path / "first.duckdb") as store:
        code_into_store(docs[:4], store, client=cluster, options=options, shard_size=2, run_dir=run_dir,
                        keep_shards=True)
    with EventStore(tmp_path / "second.duckdb") as store:
        stats = code_into_store(docs, store, client=cluster, options=options, shard_size=2, run_dir=run_dir)
    assert stats.reused_shards == 2 and stats.documents == 6


@pytest.mark.slow
def test_dask_store_equals_the_single_process_store(cluster, tmp_path):
    from eventwire.pipeline import Pipeline

    texts = [
        "Russia accused Ukraine of shelling the Zaporizhzhia plant. The weather was mild. "
        "It also said Kyiv attacked a convoy.",
        "Pakistan will attend a meeting in Moscow convened by Russia.\nChina and Iran are expected to attend.",
        "Police arrested 12 protesters in Nairobi on Tuesday. Kenya's president condemned the violence.",
        "Israeli troops raided a camp near Jenin, killing two Palestinians, the ministry said.",
        "The talks ended without agreement.",
    ]
    docs = [Document(id=f"t{i}", text=t, title=f"Story {i}" if i % 2 else None, date=dt.date(2024, 5, 1 + i))
            for i, t in enumerate(texts)]
    options = CodingOptions(batch_size=2)
    with EventStore(tmp_path / "dask.duckdb") as store:
        stats = code_into_store(docs, store, client=cluster, options=options)
    assert stats.events > 0
    reference = single_process_store(tmp_path / "single.duckdb", docs, Pipeline(batch_size=2))
    assert differences(reference, tmp_path / "dask.duckdb") == []


@pytest.mark.slow
def test_cli_dask_engine_gives_the_local_result(tmp_path):
    pytest.importorskip("distributed")
    import json

    from typer.testing import CliRunner

    from eventwire.cli import app

    source = tmp_path / "news.jsonl"
    texts = ["Russia accused Ukraine of shelling the plant. It denied the claim.",
             "Police arrested 12 protesters in Nairobi on Tuesday.", "The weather was mild."]
    source.write_text("".join(json.dumps({"id": f"n{i}", "text": text, "date": f"2024-05-0{i + 1}"}) + "\n"
                              for i, text in enumerate(texts)))
    runner = CliRunner()
    local = runner.invoke(app, ["code", str(source), "--db", str(tmp_path / "local.duckdb"), "--format", "jsonl",
                                "--no-prefilter"])
    dask = runner.invoke(app, ["code", str(source), "--db", str(tmp_path / "dask.duckdb"), "--format", "jsonl",
                               "--engine", "dask", "--workers", "1", "--batch-size", "2"])
    assert local.exit_code == 0 and dask.exit_code == 0, dask.output
    assert differences(tmp_path / "local.duckdb", tmp_path / "dask.duckdb") == []
    events = [json.loads(line) for line in dask.stdout.splitlines() if line.startswith("{")]
    assert events and {e["doc_id"] for e in events} <= {"n0", "n1"}
    bad = runner.invoke(app, ["code", str(source), "--db", str(tmp_path / "x.duckdb"), "--engine", "spark"])
    assert bad.exit_code != 0


def test_skipped_documents_are_listed_in_the_shard_and_recorded_once(tmp_path):
    docs = corpus(6)
    coded = SkippingPipeline().code_batch(docs)
    stored = [(c.document, c.sentences, c.events) for c in coded if c.skipped is None]
    path = tmp_path / "run" / shards.shard_name(0, docs, {"x": 1})
    info = shards.write_shard(path, stored, skipped=[c.skipped for c in coded if c.skipped is not None])
    assert [d for d, _ in info.documents] == ["doc-0", "doc-1", "doc-2", "doc-4", "doc-5"]
    assert shards.read_shard(path).skipped == (Skipped("doc-3", "coding failed in test: RuntimeError: boom", "doc-3"),)
    with EventStore(tmp_path / "merged.duckdb") as store:
        shards.merge_shard(store, info)
        shards.merge_shard(store, info)  # merging again records the skipped document once
        assert store.counts()["documents"] == 5
        assert store.query("SELECT origin, doc_id, reason FROM skipped") == [
            {"origin": "doc-3", "doc_id": "doc-3", "reason": "coding failed in test: RuntimeError: boom"}]


def test_a_dask_run_reports_skipped_documents_and_goes_on(cluster, tmp_path):
    docs = corpus(12)
    seen, coded = [], []
    options = CodingOptions(factory="test_scale:SkippingPipeline")
    with EventStore(tmp_path / "dask.duckdb") as store:
        stats = code_into_store(docs, store, lambda doc, n: coded.append(doc.id), client=cluster, options=options,
                                shard_size=4, run_dir=tmp_path / "shards", on_skipped=seen.append)
        counts = store.counts()
    assert [s.doc_id for s in seen] == ["doc-3"] and stats.skipped == seen
    assert coded == [d.id for d in docs if d.id != "doc-3"] and stats.documents == 11
    assert (counts["documents"], counts["skipped"]) == (11, 1)


@pytest.mark.slow
def test_dask_engine_with_the_real_pipeline_skips_a_failing_document(cluster, tmp_path):
    docs = [Document(id=i, text="Nigeria accused Niger of closing the border.", date=dt.date(2024, 5, 1))
            for i in ("a", "bad", "c")]
    options = CodingOptions(batch_size=3, extra={"stages": [FailingStage()]})
    seen = []
    with EventStore(tmp_path / "dask.duckdb") as store:
        stats = code_into_store(docs, store, client=cluster, options=options, on_skipped=seen.append)
        stored = {row["doc_id"] for row in store.query("SELECT doc_id FROM documents")}
    assert [(s.doc_id, s.reason) for s in seen] == [("bad", "coding failed in failing: RuntimeError: boom")]
    assert stored == {"a", "c"} and stats.documents == 2 and stats.events > 0
