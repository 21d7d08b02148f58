"""Near-duplicate articles: MinHash over word shingles, with LSH bands kept in DuckDB.

Each document's body text is cut into word 5-gram shingles and summarised by a MinHash signature (120
hash functions). Signatures are split into 40 LSH bands of 3 rows; documents that share a band bucket are
candidates and are compared on their signatures. Two documents are near-duplicates when the estimated
Jaccard similarity of their shingle sets is >= ``threshold`` (0.5), or when the shorter one is mostly
contained in the longer one (estimated containment >= ``containment``, 0.8): wire copies and updated
versions of a story. Texts that are equal after lower-casing and dropping punctuation are matched exactly,
without LSH. Near-duplicates form clusters (connected components); every document gets a row in
``document_clusters`` whose ``cluster_id`` is the cluster's earliest document (by publication date, then
doc_id). Signatures and band buckets live in DuckDB (``document_minhash``, ``document_bands``), so
``update_clusters`` only shingles documents it has not seen (or whose content changed) and compares them
with the stored bands: it is incremental, and gives the same clusters as a rebuild.

``eventwire.corpus.merge`` uses the clusters so that copies of an article count once.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import zlib
from dataclasses import dataclass
from typing import Any, Optional, Sequence

import duckdb
import numpy as np

# -- MinHash parameters (changing any of them makes stored signatures useless: they are rebuilt) ------
SHINGLE_WORDS = 5
NUM_PERM = 120
BANDS = 40
ROWS_PER_BAND = NUM_PERM // BANDS
MINHASH_PARAMS = f"words={SHINGLE_WORDS};perm={NUM_PERM};bands={BANDS};hash=crc32-splitmix-v1"

DEFAULT_THRESHOLD = 0.5  # estimated Jaccard similarity of shingle sets
DEFAULT_CONTAINMENT = 0.8  # share of the shorter article's shingles found in the longer one
MIN_SHINGLES_FOR_CONTAINMENT = 20  # a two-line brief is "contained" in many articles; don't count that

_BATCH = 5000
_SHINGLE_CHUNK = 20_000  # shingles per MinHash block, bounds memory for very long documents
_WORD = re.compile(r"\w+")


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """A bijective 64-bit mixer: spreads combined hashes over all bits."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _constants(n: int, seed: int) -> np.ndarray:
    """n fixed odd 64-bit numbers (the hash family must not change between runs: signatures are stored)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    return rng.integers(0, 2**63, size=n, dtype=np.uint64) * np.uint64(2) + np.uint64(1)


_SHINGLE_MULT = _constants(SHINGLE_WORDS, 11)
_PERM_A = _constants(NUM_PERM, 12)
_PERM_B = _constants(NUM_PERM, 13)
_BAND_MULT = _constants(ROWS_PER_BAND, 14)


def words(text: str) -> list[str]:
    """Lower-cased word tokens: what shingles and the exact-text hash are built from."""
    return _WORD.findall(text.lower())


def shingle_hashes(tokens: Sequence[str]) -> np.ndarray:
    """Distinct 64-bit hashes of the word 5-grams (a text shorter than that is one shingle)."""
    if not tokens:
        return np.empty(0, dtype=np.uint64)
    ids = np.fromiter(map(zlib.crc32, map(str.encode, tokens)), dtype=np.uint64, count=len(tokens))
    k = min(SHINGLE_WORDS, len(ids))
    n = len(ids) - k + 1
    combined = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            combined ^= _splitmix64(ids[j : j + n] * _SHINGLE_MULT[j] + np.uint64(j))
        return np.unique(_splitmix64(combined))


def minhash(shingles: np.ndarray) -> Optional[np.ndarray]:
    """The MinHash signature (NUM_PERM uint32) of a shingle set; None for an empty set.

    Hash family: h_i(x) = (a_i * x + b_i) mod 2^64, top 32 bits (multiply-add-shift).
    """
    if len(shingles) == 0:
        return None
    sig = np.full(NUM_PERM, np.iinfo(np.uint64).max, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i in range(0, len(shingles), _SHINGLE_CHUNK):
            values = np.multiply.outer(shingles[i : i + _SHINGLE_CHUNK], _PERM_A)  # in place: much faster
            values += _PERM_B
            np.minimum(sig, values.min(axis=0), out=sig)
    sig >>= np.uint64(32)  # the top bits of the minimum are the minimum of the top bits
    return sig.astype(np.uint32)


def band_buckets(signatures: np.ndarray) -> np.ndarray:
    """(n_docs, BANDS) int64 bucket keys: one hash of each band's ROWS_PER_BAND signature values."""
    rows = signatures.astype(np.uint64).reshape(len(signatures), BANDS, ROWS_PER_BAND)
    with np.errstate(over="ignore"):
        combined = np.zeros(rows.shape[:2], dtype=np.uint64)
        for j in range(ROWS_PER_BAND):
            combined ^= _splitmix64(rows[:, :, j] * _BAND_MULT[j] + np.uint64(j))
    return _splitmix64(combined).view(np.int64)


def similarity(sig_a: np.ndarray, n_a: int, sig_b: np.ndarray, n_b: int) -> tuple[float, float]:
    """(estimated Jaccard, estimated containment of the smaller shingle set in the larger one)."""
    jaccard = float(np.mean(sig_a == sig_b))
    smaller = min(n_a, n_b)
    if smaller <= 0:
        return jaccard, 0.0
    shared = jaccard * (n_a + n_b) / (1.0 + jaccard)
    return jaccard, min(1.0, shared / smaller)


def is_near_duplicate(jaccard: float, containment: float, n_a: int, n_b: int,
                      threshold: float = DEFAULT_THRESHOLD, min_containment: float = DEFAULT_CONTAINMENT) -> bool:
    if jaccard >= threshold:
        return True
    return containment >= min_containment and min(n_a, n_b) >= MIN_SHINGLES_FOR_CONTAINMENT


@dataclass
class Fingerprint:
    """What the index keeps of a document: its shingle-set summary and how to order it among copies."""

    doc_id: str
    content_hash: Optional[str]
    order_key: str
    text_hash: Optional[str]
    n_shingles: int
    signature: Optional[np.ndarray]


def _order_key(doc_id: str, pub_date: Optional[dt.date]) -> str:
    """Sorts by publication date (undated last), then doc_id: decides which copy is the 'original'."""
    return (pub_date.isoformat() if pub_date else "9999-99-99") + doc_id


def fingerprint(doc_id: str, text: str, content_hash: Optional[str] = None,
                pub_date: Optional[dt.date] = None) -> Fingerprint:
    tokens = words(text)
    shingles = shingle_hashes(tokens)
    text_hash = hashlib.sha1(" ".join(tokens).encode()).hexdigest()[:20] if tokens else None
    return Fingerprint(doc_id, content_hash, _order_key(doc_id, pub_date), text_hash, len(shingles), minhash(shingles))


# -- document clusters -----------------------------------------------------------------------------------

DEDUPE_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS document_minhash (
        doc_id VARCHAR PRIMARY KEY,
        content_hash VARCHAR,   -- documents.content_hash when indexed: a change means re-index
        text_hash VARCHAR,      -- hash of the lower-cased words: equal for exact copies
        n_shingles INTEGER,
        signature BLOB,         -- NUM_PERM little-endian uint32; NULL for a text without words
        banded BOOLEAN          -- has rows in document_bands (exact copies of a banded text don't)
    )""",
    """CREATE TABLE IF NOT EXISTS document_bands (
        band SMALLINT,
        bucket BIGINT,
        doc_id VARCHAR
    )""",
    """CREATE TABLE IF NOT EXISTS document_clusters (
        doc_id VARCHAR PRIMARY KEY,
        cluster_id VARCHAR,     -- the cluster's earliest document; = doc_id for an article with no copies
        duplicate_of VARCHAR,   -- the earlier-indexed document this one matched best (NULL: an original)
        similarity DOUBLE,      -- estimated Jaccard similarity with duplicate_of
        method VARCHAR          -- 'exact' or 'minhash'
    )""",
]


@dataclass
class ClusterStats:
    indexed: int  # documents shingled in this run
    documents: int  # documents with a cluster row
    clusters: int
    duplicates: int  # documents whose cluster_id is another document

    def __str__(self) -> str:
        return (f"{self.indexed} documents indexed; {self.documents} documents in {self.clusters} clusters "
                f"({self.duplicates} near-duplicates)")


def meta_value(con: duckdb.DuckDBPyConnection, key: str) -> Optional[str]:
    rows = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall()
    return rows[0][0] if rows else None


def set_meta_value(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("DELETE FROM meta WHERE key = ?", [key])
    con.execute("INSERT INTO meta VALUES (?, ?)", [key, value])


def _sig_from_blob(blob: Optional[bytes]) -> Optional[np.ndarray]:
    return None if blob is None else np.frombuffer(blob, dtype="<u4")


def in_transaction(con: duckdb.DuckDBPyConnection, work) -> Any:
    con.begin()
    try:
        result = work()
    except BaseException:
        con.rollback()
        raise
    con.commit()
    return result


def update_clusters(con: duckdb.DuckDBPyConnection, *, threshold: Optional[float] = None,
                    containment: Optional[float] = None, rebuild: bool = False,
                    batch_size: int = _BATCH) -> ClusterStats:
    """Index documents not seen yet (or changed) and assign them to near-duplicate clusters.

    `threshold` and `containment` default to the values the index was built with (else the defaults);
    other values rebuild the index, as does `rebuild`, so every pair is judged by the same rule.
    """
    stored = json.loads(meta_value(con, "dedupe_params") or "{}")
    params = {
        "minhash": MINHASH_PARAMS,
        "threshold": threshold if threshold is not None else stored.get("threshold", DEFAULT_THRESHOLD),
        "containment": containment if containment is not None else stored.get("containment", DEFAULT_CONTAINMENT),
    }
    if rebuild or params != stored:
        def reset() -> None:
            for table in ("document_minhash", "document_bands", "document_clusters"):
                con.execute(f"DELETE FROM {table}")
            set_meta_value(con, "dedupe_params", json.dumps(params))
        in_transaction(con, reset)
    threshold, containment = params["threshold"], params["containment"]
    in_transaction(con, lambda: _drop_stale(con))
    # Ids first, then texts batch by batch: re-running the anti-join would rescan every text each time.
    pending = con.execute(
        """SELECT d.doc_id FROM documents d ANTI JOIN document_minhash m USING (doc_id)
           ORDER BY d.pub_date NULLS LAST, d.doc_id"""
    ).fetchall()
    for i in range(0, len(pending), batch_size):
        ids = [r[0] for r in pending[i : i + batch_size]]
        rows = con.execute(
            """SELECT doc_id, coalesce(nullif(text, ''), title, '') AS body, content_hash, pub_date
               FROM documents WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))
               ORDER BY pub_date NULLS LAST, doc_id""",
            [ids],
        ).fetchall()
        prints = [fingerprint(doc_id, body, content_hash, pub_date) for doc_id, body, content_hash, pub_date in rows]
        in_transaction(con, lambda: _index_batch(con, prints, threshold, containment))
    indexed = len(pending)
    documents, clusters, duplicates = con.execute(
        "SELECT count(*), count(DISTINCT cluster_id), count(*) FILTER (cluster_id <> doc_id) FROM document_clusters"
    ).fetchall()[0]
    return ClusterStats(indexed, documents, clusters, duplicates)


def _drop_stale(con: duckdb.DuckDBPyConnection) -> None:
    """Forget documents that are gone or were re-coded with other content; keep the remaining copies banded."""
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _stale AS
           SELECT m.doc_id FROM document_minhash m LEFT JOIN documents d USING (doc_id)
           WHERE d.doc_id IS NULL OR d.content_hash IS DISTINCT FROM m.content_hash"""
    )
    if con.execute("SELECT count(*) FROM _stale").fetchall()[0][0] == 0:
        return
    for table in ("document_minhash", "document_bands", "document_clusters"):
        con.execute(f"DELETE FROM {table} WHERE doc_id IN (SELECT doc_id FROM _stale)")
    # A cluster named after a dropped document takes its earliest remaining member's name: the dropped id
    # may come back as a different story. (A cluster that the dropped document bridged stays one; a
    # rebuild splits it.)
    con.execute(
        """UPDATE document_clusters SET cluster_id = r.new_id
           FROM (SELECT c.cluster_id AS old_id,
                        substr(min(coalesce(strftime(d.pub_date, '%Y-%m-%d'), '9999-99-99') || c.doc_id), 11) AS new_id
                 FROM document_clusters c LEFT JOIN documents d USING (doc_id)
                 WHERE c.cluster_id IN (SELECT doc_id FROM _stale) GROUP BY c.cluster_id) r
           WHERE document_clusters.cluster_id = r.old_id"""
    )
    con.execute("UPDATE document_clusters SET duplicate_of = NULL, similarity = NULL, method = NULL "
                "WHERE duplicate_of IN (SELECT doc_id FROM _stale)")
    # A text whose banded copy was dropped: band one of its remaining copies, or new copies go unseen.
    orphans = con.execute(
        """SELECT min(doc_id) AS doc_id FROM document_minhash m
           WHERE signature IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM document_minhash b WHERE b.text_hash = m.text_hash AND b.banded)
           GROUP BY text_hash"""
    ).fetchall()
    if orphans:
        ids = [r[0] for r in orphans]
        sigs = con.execute(
            "SELECT doc_id, signature FROM document_minhash WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))", [ids]
        ).fetchall()
        _insert_bands(con, [d for d, _ in sigs], np.stack([_sig_from_blob(s) for _, s in sigs]), "document_bands")
        con.execute("UPDATE document_minhash SET banded = true WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))", [ids])


def _insert_bands(con: duckdb.DuckDBPyConnection, doc_ids: list[str], signatures: np.ndarray, table: str) -> None:
    buckets = band_buckets(signatures)
    n = len(doc_ids)
    con.execute(
        f"""INSERT INTO {table} (band, bucket, doc_id)
            SELECT b.band, b.bucket, b.doc_id FROM (
              SELECT unnest(?::SMALLINT[]) AS band, unnest(?::BIGINT[]) AS bucket, unnest(?::VARCHAR[]) AS doc_id) b""",
        [np.tile(np.arange(BANDS), n).tolist(), buckets.reshape(-1).tolist(), np.repeat(np.array(doc_ids, dtype=object), BANDS).tolist()],
    )


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[Any, Any] = {}

    def find(self, x: Any) -> Any:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: Any, b: Any) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def _index_batch(con: duckdb.DuckDBPyConnection, prints: list[Fingerprint], threshold: float,
                 containment: float) -> None:
    by_id = {p.doc_id: p for p in prints}
    rank = {p.doc_id: i for i, p in enumerate(prints)}  # batch order = date order: earlier is the original
    edges: list[tuple[str, str, float, str]] = []  # (doc, matched earlier doc, similarity, method)

    # 1. Exact copies (same words): no LSH needed, and banding them would make buckets huge.
    hashes = sorted({p.text_hash for p in prints if p.text_hash})
    existing_by_hash = dict(con.execute(
        """SELECT text_hash, arg_max(doc_id, banded) FROM document_minhash
           WHERE text_hash IN (SELECT unnest(?::VARCHAR[])) GROUP BY text_hash""", [hashes],
    ).fetchall()) if hashes else {}
    first_in_batch: dict[str, str] = {}
    banded: list[Fingerprint] = []
    for p in prints:
        if p.signature is None:
            continue
        earlier = existing_by_hash.get(p.text_hash) or first_in_batch.get(p.text_hash)
        if earlier is not None:
            edges.append((p.doc_id, earlier, 1.0, "exact"))
        else:
            first_in_batch[p.text_hash] = p.doc_id
            banded.append(p)

    # 2. Near-duplicates among the banded texts: candidates share a band bucket, then signatures decide.
    if banded:
        con.execute("CREATE OR REPLACE TEMP TABLE _new_bands (band SMALLINT, bucket BIGINT, doc_id VARCHAR)")
        _insert_bands(con, [p.doc_id for p in banded], np.stack([p.signature for p in banded]), "_new_bands")
        pairs = con.execute(
            """SELECT DISTINCT n.doc_id, b.doc_id, false FROM _new_bands n JOIN document_bands b USING (band, bucket)
               UNION
               SELECT DISTINCT n1.doc_id, n2.doc_id, true FROM _new_bands n1 JOIN _new_bands n2 USING (band, bucket)
               WHERE n1.doc_id <> n2.doc_id"""
        ).fetchall()
        old_ids = sorted({b for _, b, in_batch in pairs if not in_batch})
        old = {
            doc_id: (_sig_from_blob(sig), n)
            for doc_id, sig, n in con.execute(
                "SELECT doc_id, signature, n_shingles FROM document_minhash WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))",
                [old_ids],
            ).fetchall()
        } if old_ids else {}
        for a, b, in_batch in pairs:
            if in_batch and rank[b] > rank[a]:
                continue  # each in-batch pair once, pointing at the earlier document
            pa = by_id[a]
            sig_b, n_b = (by_id[b].signature, by_id[b].n_shingles) if in_batch else old[b]
            jac, cont = similarity(pa.signature, pa.n_shingles, sig_b, n_b)
            if is_near_duplicate(jac, cont, pa.n_shingles, n_b, threshold, containment):
                edges.append((a, b, jac, "minhash"))
        con.execute("INSERT INTO document_bands SELECT * FROM _new_bands")
        con.execute("DROP TABLE _new_bands")

    # 3. Store the signatures.
    banded_ids = {p.doc_id for p in banded}
    con.execute(
        """INSERT INTO document_minhash
           SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::INTEGER[]),
                  unnest(?::BLOB[]), unnest(?::BOOLEAN[])""",
        [[p.doc_id for p in prints], [p.content_hash for p in prints], [p.text_hash for p in prints],
         [p.n_shingles for p in prints],
         [None if p.signature is None else p.signature.astype("<u4").tobytes() for p in prints],
         [p.doc_id in banded_ids for p in prints]],
    )

    # 4. Clusters: connected components over new documents and the existing clusters they touch.
    _assign_clusters(con, prints, edges)


def _assign_clusters(con: duckdb.DuckDBPyConnection, prints: list[Fingerprint],
                     edges: list[tuple[str, str, float, str]]) -> None:
    new_ids = {p.doc_id for p in prints}
    old_ids = sorted({b for _, b, _, _ in edges if b not in new_ids})
    cluster_of = dict(con.execute(
        "SELECT doc_id, cluster_id FROM document_clusters WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))", [old_ids],
    ).fetchall()) if old_ids else {}

    def node(doc_id: str) -> tuple[str, str]:
        return ("doc", doc_id) if doc_id in new_ids else ("cluster", cluster_of.get(doc_id, doc_id))

    uf = _UnionFind()
    for p in prints:
        uf.find(node(p.doc_id))
    for a, b, _, _ in edges:
        uf.union(node(a), node(b))

    # The label of a component is its earliest document: for an existing cluster that is its label.
    old_clusters = sorted({c for kind, c in uf.parent if kind == "cluster"})
    label_key = {
        c: key for c, key in con.execute(
            """SELECT c.cluster_id,
                      min(coalesce(strftime(d.pub_date, '%Y-%m-%d'), '9999-99-99') || c.doc_id)
               FROM document_clusters c LEFT JOIN documents d USING (doc_id)
               WHERE c.cluster_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY c.cluster_id""", [old_clusters],
        ).fetchall()
    } if old_clusters else {}
    order_of = {p.doc_id: p.order_key for p in prints}
    best: dict[Any, tuple[str, str]] = {}  # component root -> (order key, doc_id) of its earliest document
    for kind, ident in list(uf.parent):
        root = uf.find((kind, ident))
        if kind == "doc":
            key = (order_of[ident], ident)
        else:
            stored = label_key.get(ident)
            key = (stored, stored[10:]) if stored else ("9999-99-99" + ident, ident)
        if root not in best or key < best[root]:
            best[root] = key

    relabel = [(c, best[uf.find(("cluster", c))][1]) for c in old_clusters]
    relabel = [(old, new) for old, new in relabel if old != new]
    if relabel:
        con.execute(
            """UPDATE document_clusters SET cluster_id = m.new_id
               FROM (SELECT unnest(?::VARCHAR[]) AS old_id, unnest(?::VARCHAR[]) AS new_id) m
               WHERE document_clusters.cluster_id = m.old_id""",
            [[o for o, _ in relabel], [n for _, n in relabel]],
        )
    matched: dict[str, tuple[str, float, str]] = {}
    for a, b, sim, method in edges:  # the best earlier match of each new document
        if a not in matched or sim > matched[a][1]:
            matched[a] = (b, sim, method)
    rows = []
    for p in prints:
        dup = matched.get(p.doc_id)
        rows.append((p.doc_id, best[uf.find(("doc", p.doc_id))][1], *(dup if dup else (None, None, None))))
    con.execute(
        """INSERT INTO document_clusters
           SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::DOUBLE[]),
                  unnest(?::VARCHAR[])""",
        [list(col) for col in zip(*rows)],
    )
