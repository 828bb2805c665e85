"""The relevance benchmark measures the very search the site serves."""

import bench.relevance
import indexer.search
import repository.services.search
from indexer.search import SearchRequest
from indexer.search.store import IndexStore


def test_page_api_and_benchmark_call_one_search_function():
    assert bench.relevance.search is indexer.search.search
    assert repository.services.search.search is indexer.search.search


def test_switching_off_snippets_facets_and_suggestions_leaves_the_ranking_alone(tmp_path):
    store = IndexStore(tmp_path / "index")
    store.add_or_replace([
        {"id": str(n), "title": title, "body": body, "readers": ["public"]}
        for n, (title, body) in enumerate([
            ("Domestic abuse and risk", "Risk conferences share information on domestic abuse."),
            ("Information sharing", "Sharing information between agencies about families."),
            ("Abuse of data", "Data protection and the abuse of personal information."),
            ("Family consent", "Families give consent to share their information."),
        ])
    ])
    query = "domestic abuse information sharing"
    full = indexer.search.search(store, SearchRequest(q=query, per_page=100))
    lean = indexer.search.search(store, SearchRequest(q=query, per_page=100, highlight=False, facets=False,
                                                      suggest=False))
    assert [(h.id, round(h.score, 9)) for h in full.hits] == [(h.id, round(h.score, 9)) for h in lean.hits]
    assert len(full.hits) == 4 and full.hits[0].id == "0"
