"""Each use of Whoosh internals, held equal to stock Whoosh on every path the library takes.

The product's index (InlineCodec) and a stock Whoosh index of the same schema go through the
same life — hundreds of small commits that merge segments, replacements, deletions,
reopening, Whoosh's optimise and its multi-process writer — and must hold the same postings,
stored fields and answers at every stage.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from whoosh import index
from whoosh.codec.whoosh3 import W3Codec

from indexer.search.schema import make_schema, to_fields
from indexer.search.store import INDEX_NAME, IndexStore
from indexer.search.whoosh_internals import InlineCodec, posting_blocks
from tests.indexer.documents import make_doc
from tests.indexer.test_index_life import unique_words

ROOT = Path(__file__).resolve().parent.parent.parent


class Twins:
    """The product's store and a stock Whoosh index, given the same writes."""

    def __init__(self, folder: Path):
        self.ours = IndexStore(folder / "ours")
        (folder / "stock").mkdir()
        self.stock = index.create_in(str(folder / "stock"), make_schema(), indexname=INDEX_NAME)

    def write(self, puts: list[dict], removes: list[str], procs: int = 1) -> None:
        with self.ours.writer() as writer:
            for doc in puts:
                writer.put(doc)
            for doc_id in removes:
                writer.remove(doc_id)
            writer.commit()
        options = {"procs": procs, "multisegment": True} if procs > 1 else {}
        stock = self.stock.writer(codec=W3Codec(), **options)
        for doc in puts:
            stock.update_document(**to_fields(doc))
        for doc_id in removes:
            stock.delete_by_term("id", doc_id)
        stock.commit()

    def assert_equal(self) -> None:
        """Every term's postings and every stored document are the same, document by document.

        Documents are compared by their id: the multi-process writer hands documents to its
        processes in whatever order they ask, so document numbers may differ after it.
        """
        with self.ours._ix.searcher() as ours, self.stock.searcher() as stock:
            ours_reader, stock_reader = ours.reader(), stock.reader()
            ours_ids, stock_ids = doc_ids(ours_reader), doc_ids(stock_reader)
            assert sorted(ours_ids.values()) == sorted(stock_ids.values())
            terms = list(ours_reader.all_terms())
            assert terms == list(stock_reader.all_terms())
            for field, btext in terms:
                assert by_id(postings(ours_reader, field, btext), ours_ids) == \
                    by_id(postings(stock_reader, field, btext), stock_ids), (field, btext)
            stock_stored = {stock_ids[d]: stock_reader.stored_fields(d) for d in stock_ids}
            assert {ours_ids[d]: ours_reader.stored_fields(d) for d in ours_ids} == stock_stored

    def inlined_terms(self) -> int:
        """Return how many term entries of the product's index hold their postings inline."""
        with self.ours._ix.searcher() as searcher:
            count = 0
            for sub, _ in searcher.leaf_searchers():
                reader = sub.reader()
                count += sum(reader.term_info(f, t).is_inlined() for f, t in reader.all_terms())
            return count


def doc_ids(reader) -> dict[int, str]:
    """Return docnum -> document id for the live documents of a reader."""
    return {docnum: reader.stored_fields(docnum)["id"] for docnum in reader.all_doc_ids()}


def by_id(found: list[tuple[int, float, bytes | None]], ids: dict[int, str]) -> list[tuple[str, float, bytes | None]]:
    """Return postings keyed by document id instead of number, in id order."""
    return sorted((ids[docnum], weight, value) for docnum, weight, value in found if docnum in ids)


def postings(reader, field: str, btext: bytes) -> list[tuple[int, float, bytes | None]]:
    """Return a term's postings as (docnum, weight, value), read the plain Whoosh way."""
    matcher = reader.postings(field, btext)
    out = []
    while matcher.is_active():
        value = matcher.value()
        assert value is None or isinstance(value, bytes), (field, btext, value)  # what merging accepts
        out.append((matcher.id(), matcher.weight(), value))
        matcher.next()
    return out


def test_the_inline_codec_equals_stock_whoosh_through_a_long_life(tmp_path):
    rng = random.Random(4)
    words = iter(unique_words(3000, seed=6))
    twins = Twins(tmp_path)
    live: list[str] = []
    next_id = 0
    for commit in range(240):
        puts, removes = [], []
        for _ in range(rng.choice([1, 1, 2, 3])):
            roll = rng.random()
            if roll < 0.6 or len(live) < 4:
                doc_id, next_id = str(next_id), next_id + 1
                live.append(doc_id)
            elif roll < 0.85:
                doc_id = rng.choice(live)  # a replacement
            else:
                doc_id = rng.choice(live)
                if doc_id not in removes and all(d["id"] != doc_id for d in puts):
                    live.remove(doc_id)
                    removes.append(doc_id)
                continue
            if any(d["id"] == doc_id for d in puts):
                continue
            word = next(words)
            body = f"{word} information sharing " * rng.randint(1, 40)
            puts.append(make_doc(doc_id, title=f"{word} report", body=body,
                                 authors=[f"Ann {word.title()}"], themes=[rng.choice(["families", "data"])],
                                 access=rng.choice(["open", "restricted"]), readers=["public"],
                                 year=2000 + commit % 20))
        twins.write(puts, removes)
        if commit % 60 == 59:
            twins.ours = IndexStore(twins.ours.path)  # reopened, as a restarted process would
            twins.assert_equal()
    assert twins.inlined_terms() > 1000  # the path under test was taken
    batch = [make_doc(str(n), body=f"batch {next(words)}") for n in range(9000, 9120)]
    twins.write(batch, [], procs=2)
    twins.assert_equal()
    twins.ours._ix.optimize()  # Whoosh's own optimise, with its stock codec, reading our segments
    twins.stock.optimize()
    twins.assert_equal()


def test_a_copied_inline_matcher_keeps_its_block_statistics(tmp_path):
    store = IndexStore(tmp_path)
    store.add_or_replace([make_doc("1", title="Genogram"), make_doc("2", title="Kinship")])
    [(sub, _)] = store.view().searcher.leaf_searchers()
    matcher = sub.reader().postings("title", "genogram")
    assert sub.reader().term_info("title", "genogram").is_inlined()
    copied = matcher.copy()
    assert (copied.block_min_length(), copied.block_max_weight()) == (matcher.block_min_length(),
                                                                      matcher.block_max_weight())
    assert list(copied.all_items()) == [(0, matcher.value())]


def test_fast_posting_reader_equals_stock_on_segments_with_deletions(tmp_path):
    store = IndexStore(tmp_path)
    # Enough documents that a common word's postings span several blocks (128 postings each).
    store.add_or_replace([make_doc(str(n), body="safeguarding " * (n % 5 + 1)) for n in range(400)])
    store.add_or_replace([make_doc(str(n), body="safeguarding hub") for n in range(400, 450)])
    store.add_or_replace([make_doc("rare", body="safeguarding genogram")])  # inlined terms, one segment
    store.delete([str(n) for n in range(0, 450, 7)])
    for sub, _ in store.view().searcher.leaf_searchers():
        reader = sub.reader()
        for field, text in (("text", "safeguard"), ("text", "genogram"), ("readers", "public")):
            if (field, text) not in reader:
                continue
            blocks = list(posting_blocks(reader, field, text))
            expected = postings(reader, field, text.encode())
            assert np.concatenate([ids for ids, _ in blocks]).tolist() == [docnum for docnum, _, _ in expected]
            assert np.concatenate([w for _, w in blocks]).tolist() == pytest.approx([w for _, w, _ in expected])


def test_another_whoosh_version_is_refused_with_a_clear_message():
    code = "import whoosh; whoosh.__version__ = (2, 7, 5); import indexer.search.whoosh_internals"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode != 0
    assert "proven against Whoosh 2.7.4 only; Whoosh 2.7.5 is installed" in result.stderr


def test_stock_whoosh_cannot_take_what_the_inline_codec_fixes(tmp_path):
    """Why InlineCodec exists: Whoosh's own inline option fails at the first commit that writes it."""
    ix = index.create_in(str(tmp_path), make_schema(), indexname=INDEX_NAME)
    writer = ix.writer(codec=W3Codec(inlinelimit=8))
    writer.add_document(**to_fields(make_doc("1", title="Genogram")))
    with pytest.raises(AttributeError, match="set_inline"):
        writer.commit()
    writer.cancel()
    assert isinstance(InlineCodec(), W3Codec)
