"""The match-score model on a small simulation: training, gate, write-back, recommendations."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import numpy as np
import polars as pl
import psycopg
import pytest
from polars.testing import assert_frame_equal

from pipelines.db.connection import DatabaseTarget, connect
from pipelines.ingest.load import feed_files, ingest_file
from pipelines.resources import PostgresResource
from pipelines.scoring import service
from pipelines.scoring.dataset import load_snapshot, training_frame
from pipelines.scoring.service import rollback, score_and_recommend, train_and_register
from pipelines.simulate.writer import write_simulation
from tests.integration.test_ingestion import FEEDS

VALIDATION = dt.date(2025, 6, 1)


def fetch(target: DatabaseTarget, sql: str, *params: object) -> list[tuple]:
    with psycopg.connect(**target.libpq_kwargs) as conn:  # type: ignore[arg-type]
        return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def model_db(databases, migrated_template, cipher) -> DatabaseTarget:  # type: ignore[no-untyped-def]
    target = databases.clone(migrated_template, "model")
    for path in feed_files(FEEDS):
        ingest_file(target, path)
    write_simulation(
        target, seed=21, scale_name="small", months=6, cipher=cipher, start=dt.date(2025, 1, 1)
    )
    return target


@pytest.fixture(scope="module")
def trained(model_db: DatabaseTarget, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    report = train_and_register(
        model_db, validation_month=VALIDATION, plots_dir=tmp_path_factory.mktemp("plots")
    )
    scoring = score_and_recommend(model_db)
    return report, scoring


def test_model_beats_both_baselines_and_is_promoted(trained) -> None:  # type: ignore[no-untyped-def]
    report, _ = trained
    result = report.result
    assert report.decision.promote and report.version == 1
    assert result.metrics.roc_auc > max(b.roc_auc for b in result.baselines.values())
    assert result.metrics.calibration_error < 0.1
    assert {p.name for p in report.plots.values()} == {
        "roc_curve.png",
        "calibration.png",
        "score_distribution.png",
    }
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in report.plots.values())


def test_the_snapshot_read_in_parts_is_the_snapshot_read_at_once(model_db: DatabaseTarget) -> None:
    with connect(model_db) as conn:
        whole, parts = load_snapshot(conn, readers=1), load_snapshot(conn, readers=3)
    assert whole.swipes.height > 1_000
    # The same rows (a hash join's output order is its own).
    assert parts.swipes.sort("swipe_id").equals(whole.swipes.sort("swipe_id"))
    assert parts.users.equals(whole.users)
    assert parts.postings.equals(whole.postings)


def test_training_is_deterministic(model_db: DatabaseTarget, trained) -> None:  # type: ignore[no-untyped-def]
    from models_ml.training import train_model

    with connect(model_db) as conn:
        frame = training_frame(load_snapshot(conn))
    first, second = train_model(frame, VALIDATION, seed=3), train_model(frame, VALIDATION, seed=3)
    assert np.array_equal(first.validation_scores, second.validation_scores)


def test_the_gate_refuses_a_model_that_does_not_beat_the_champion(
    model_db: DatabaseTarget, trained
) -> None:  # type: ignore[no-untyped-def]
    again = train_and_register(model_db, validation_month=VALIDATION)
    assert not again.decision.promote
    assert fetch(model_db, "SELECT version, status::text FROM model_registry ORDER BY version")[
        :2
    ] == [(1, "CHAMPION"), (again.version, "REJECTED")]


def test_scores_land_in_the_seed_columns(model_db: DatabaseTarget, trained) -> None:  # type: ignore[no-untyped-def]
    rows = fetch(
        model_db,
        """SELECT count(*), min(match_score), max(match_score), min(confidence), max(confidence),
                  count(*) FILTER (WHERE jsonb_array_length(match_factors -> 'top_factors') = 3),
                  count(*) FILTER (WHERE is_correct_match = ((match_score >= 50) = (direction <> 'LEFT')))
             FROM user_job_swipes s JOIN users u ON u.id = s.user_id AND u.data_consent""",
    )[0]
    total, low, high, least_sure, most_sure, with_factors, consistent = rows
    assert 0 <= low < high <= 100 and 0 <= least_sure <= most_sure <= 1
    assert with_factors == total == consistent
    # Users who withheld consent to data processing are not scored (about 5% of them here).
    assert fetch(
        model_db,
        """SELECT count(*), count(s.match_score) FROM user_job_swipes s
             JOIN users u ON u.id = s.user_id AND NOT u.data_consent""",
    )[0] == (
        fetch(
            model_db,
            "SELECT count(*) FROM user_job_swipes s JOIN users u ON u.id = s.user_id AND NOT u.data_consent",
        )[0][0],
        0,
    )
    factor = fetch(
        model_db,
        "SELECT match_factors -> 'top_factors' -> 0 FROM user_job_swipes WHERE match_factors IS NOT NULL LIMIT 1",
    )[0][0]
    assert set(factor) == {"factor", "label", "contribution"}


def test_posting_counters_and_quality_match_the_facts(model_db: DatabaseTarget, trained) -> None:  # type: ignore[no-untyped-def]
    mismatches = fetch(
        model_db,
        """SELECT count(*) FROM job_postings p
            WHERE p.right_swipe_count <> (SELECT count(*) FROM user_job_swipes s WHERE s.job_posting_id = p.id AND s.direction <> 'LEFT')
               OR p.left_swipe_count <> (SELECT count(*) FROM user_job_swipes s WHERE s.job_posting_id = p.id AND s.direction = 'LEFT')
               OR p.application_count <> (SELECT count(*) FROM job_applications a WHERE a.job_posting_id = p.id)
               OR p.quality_score IS NULL OR p.quality_score NOT BETWEEN 0 AND 100""",
    )
    assert mismatches == [(0,)]


def test_recommendations_exclude_swiped_and_closed_postings(
    model_db: DatabaseTarget, trained
) -> None:  # type: ignore[no-untyped-def]
    _, scoring = trained
    assert scoring.recommendations > 0
    bad = fetch(
        model_db,
        """SELECT count(*) FROM recommendations r
            WHERE EXISTS (SELECT 1 FROM user_job_swipes s WHERE s.user_id = r.user_id AND s.job_posting_id = r.job_posting_id)
               OR EXISTS (SELECT 1 FROM job_postings p WHERE p.id = r.job_posting_id AND NOT (p.is_active AND p.status = 'ACTIVE'))
               OR EXISTS (SELECT 1 FROM users u WHERE u.id = r.user_id AND (u.status <> 'ACTIVE' OR u.is_deleted))""",
    )
    assert bad == [(0,)]
    ranks = fetch(
        model_db,
        "SELECT bool_and(score >= next_score) FROM (SELECT score, lead(score) OVER (PARTITION BY user_id ORDER BY rank) AS next_score FROM recommendations) t WHERE next_score IS NOT NULL",
    )
    assert ranks == [(True,)]


def test_write_back_is_idempotent(model_db: DatabaseTarget, trained) -> None:  # type: ignore[no-untyped-def]
    before = fetch(
        model_db,
        "SELECT id, match_score, confidence, match_factors, updated_at FROM user_job_swipes ORDER BY id",
    )
    recommendations = fetch(
        model_db, "SELECT user_id, job_posting_id, score, rank FROM recommendations ORDER BY 1, 4"
    )
    again = score_and_recommend(model_db)
    assert (again.swipes_updated, again.postings_updated) == (0, 0)
    assert (
        fetch(
            model_db,
            "SELECT id, match_score, confidence, match_factors, updated_at FROM user_job_swipes ORDER BY id",
        )
        == before
    )
    assert (
        fetch(
            model_db,
            "SELECT user_id, job_posting_id, score, rank FROM recommendations ORDER BY 1, 4",
        )
        == recommendations
    )


def test_a_refresh_rewrites_recommendations_in_place(
    databases, model_db: DatabaseTarget, trained
) -> None:  # type: ignore[no-untyped-def]
    """A user's list reordered (ranks swapped between rows), a pair dropped and a new one added:
    afterwards the table holds exactly the new lists, the kept rows carry this refresh's time,
    and no other shard's rows are touched."""
    target = databases.clone(model_db, "in_place")
    rows = fetch(
        target,
        "SELECT user_id::text, job_posting_id::text, score, rank, model_version, generated_at, "
        "user_shard(user_id, %s) FROM recommendations ORDER BY 1, 4",
        service.SHARD_COUNT,
    )
    shard = rows[0][6]
    users = sorted({r[0] for r in rows if r[6] == shard})
    mine = [r for r in rows if r[0] == users[0]]
    assert len(mine) >= 3
    unseen = fetch(
        target,
        "SELECT id::text FROM job_postings p WHERE is_active AND NOT EXISTS (SELECT 1 FROM "
        "recommendations r WHERE r.job_posting_id = p.id AND r.user_id = %s::uuid) LIMIT 1",
        users[0],
    )[0][0]
    # The first two swap ranks, the last is dropped, a new posting comes in last.
    first, second, *middle, _dropped = mine
    lists = [
        (first[0], second[1], 99.0, 1),
        (first[0], first[1], 98.0, 2),
        *((r[0], r[1], float(r[2]), r[3]) for r in middle),
        (first[0], unseen, 1.0, len(mine)),
        *((r[0], r[1], float(r[2]), r[3]) for r in rows if r[6] == shard and r[0] != users[0]),
    ]
    fresh = pl.DataFrame(
        lists, schema=["user_id", "job_posting_id", "score", "rank"], orient="row"
    ).with_columns(pl.lit(first[4]).alias("model_version"))
    with connect(target) as conn, conn.cursor() as cur:
        service._refresh_recommendations(cur, fresh, [shard])
    after = fetch(
        target,
        "SELECT user_id::text, job_posting_id::text, score, rank, generated_at, "
        "user_shard(user_id, %s) FROM recommendations ORDER BY 1, 4",
        service.SHARD_COUNT,
    )
    assert sorted((r[0], r[1], r[2], r[3]) for r in after if r[5] == shard) == sorted(
        (u, p, pytest.approx(score), rank) for u, p, score, rank in lists
    )
    assert [r for r in after if r[5] != shard] == [
        (*r[:4], r[5], r[6]) for r in rows if r[6] != shard
    ]
    kept = {(r[0], r[1]): r[4] for r in after if r[5] == shard}
    assert kept[(first[0], first[1])] > first[5]  # updated in place, with this refresh's time


def test_feed_selections_take_whole_chunks_in_order() -> None:
    """The feed is selected over chunks gathered to a batch size, never splitting one: a user's
    candidates all arrive in one chunk, so the selection sees all of them."""
    chunks = [pl.DataFrame({"chunk": [n] * size}) for n, size in enumerate([3, 4, 1, 5, 2])]
    batches = list(service._gathered(chunks, 5))
    assert [b.get_column("chunk").unique(maintain_order=True).to_list() for b in batches] == [
        [0, 1],
        [2, 3],
        [4],
    ]
    assert pl.concat(batches).equals(pl.concat(chunks))
    assert list(service._gathered([], 5)) == []


@pytest.mark.parametrize("handed_over", ["one frame", "frames of 40 rows"])
def test_write_back_in_several_batches_writes_each_score_once(
    databases, model_db: DatabaseTarget, trained, monkeypatch: pytest.MonkeyPatch, handed_over
) -> None:  # type: ignore[no-untyped-def]
    """Whether the scores come as one frame or as frames one after another (the spooled
    slices of a rescoring), each batch writes its rows once and a second write changes none."""
    target = databases.clone(model_db, "write_back")
    swipes = pl.DataFrame(
        fetch(target, "SELECT id::text, created_at FROM user_job_swipes"),
        schema=["id", "at"],
        orient="row",
    ).sample(fraction=1.0, shuffle=True, seed=5)
    rng = np.random.default_rng(5)
    scores = swipes.with_columns(
        pl.Series("match_score", rng.uniform(0, 100, swipes.height).round(2)),
        pl.Series("confidence", rng.uniform(0, 1, swipes.height).round(4)),
        pl.format(
            '{{"top_factors": [{{"factor": "f", "contribution": {}}}]}}', pl.int_range(pl.len())
        ).alias("match_factors"),
        pl.Series("is_correct_match", rng.uniform(0, 1, swipes.height) > 0.5),
    )
    scored_at = dt.datetime(2030, 1, 1)
    monkeypatch.setattr(service, "WRITE_BATCH", 97)

    def given(frame: pl.DataFrame) -> pl.DataFrame | list[pl.DataFrame]:
        return frame if handed_over == "one frame" else list(frame.iter_slices(40))

    with connect(target) as conn, conn.cursor() as cur:
        assert service.write_swipe_scores(cur, given(scores), scored_at) == swipes.height
    stored = pl.DataFrame(
        fetch(
            target,
            """SELECT id::text, match_score, confidence,
                      (match_factors -> 'top_factors' -> 0 ->> 'contribution')::int, is_correct_match
                 FROM user_job_swipes WHERE updated_at = %s""",
            scored_at,
        ),
        schema=["id", "match_score", "confidence", "row", "is_correct_match"],
        orient="row",
    )
    expected = scores.with_row_index("row").select(
        "id", "match_score", "confidence", pl.col("row").cast(pl.Int32), "is_correct_match"
    )
    assert_frame_equal(stored.sort("id"), expected.sort("id"), check_dtypes=False, abs_tol=1e-4)
    with connect(target) as conn, conn.cursor() as cur:
        assert service.write_swipe_scores(cur, given(scores), dt.datetime(2031, 1, 1)) == 0


def test_rescoring_writes_only_unscored_swipes_until_a_full_rescore_is_due(
    databases, model_db: DatabaseTarget, trained
) -> None:  # type: ignore[no-untyped-def]
    target = databases.clone(model_db, "rescoring")
    assert fetch(
        target, "SELECT swipes_scored_at IS NOT NULL FROM model_registry WHERE status = 'CHAMPION'"
    ) == [(True,)]
    unscored = [
        row[0] for row in fetch(target, "SELECT id FROM user_job_swipes ORDER BY id LIMIT 10")
    ]
    (drifted,) = fetch(
        target, "SELECT id, match_score FROM user_job_swipes ORDER BY id DESC LIMIT 1"
    )
    with psycopg.connect(**target.libpq_kwargs) as conn:  # type: ignore[arg-type]
        conn.execute(
            "UPDATE user_job_swipes SET match_score = NULL, match_factors = NULL WHERE id = ANY(%s)",
            (unscored[:5],),
        )
        # A swipe the app stored with the score it showed, but no factors, is completed too.
        conn.execute(
            "UPDATE user_job_swipes SET confidence = NULL, match_factors = NULL WHERE id = ANY(%s)",
            (unscored[5:],),
        )
        conn.execute("UPDATE user_job_swipes SET match_score = -1 WHERE id = %s", (drifted[0],))

    incremental = score_and_recommend(target)
    assert not incremental.full_rescore
    assert (incremental.swipes_scored, incremental.swipes_updated) == (10, 10)
    assert fetch(
        target,
        """SELECT count(*) FROM user_job_swipes s JOIN users u ON u.id = s.user_id AND u.data_consent
            WHERE match_score IS NULL OR confidence IS NULL OR match_factors IS NULL""",
    ) == [(0,)]
    assert fetch(target, "SELECT match_score FROM user_job_swipes WHERE id = %s", drifted[0]) == [
        (-1,)
    ]

    full = score_and_recommend(target, full=True)
    assert full.full_rescore and full.swipes_updated == 1
    assert fetch(target, "SELECT match_score FROM user_job_swipes WHERE id = %s", drifted[0]) == [
        (drifted[1],)
    ]

    # A champion restored by rollback (or newly promoted) rescores every swipe on its next run.
    rollback(target, to_version=1)
    assert score_and_recommend(target).full_rescore


def test_rollback_serves_the_previous_model(model_db: DatabaseTarget, trained) -> None:  # type: ignore[no-untyped-def]
    with psycopg.connect(**model_db.libpq_kwargs) as conn:  # type: ignore[arg-type]
        latest = conn.execute("SELECT max(version) FROM model_registry").fetchone()[0]  # type: ignore[index]
        conn.execute("UPDATE model_registry SET status = 'RETIRED' WHERE status = 'CHAMPION'")
        conn.execute("UPDATE model_registry SET status = 'CHAMPION' WHERE version = %s", (latest,))
    assert rollback(model_db) == 1
    assert fetch(model_db, "SELECT version FROM model_registry WHERE status = 'CHAMPION'") == [(1,)]


def test_dagster_assets_train_gate_and_score(databases, migrated_template, cipher) -> None:  # type: ignore[no-untyped-def]
    from assets.match_model import match_model, match_scores

    target = databases.clone(migrated_template, "modelassets")
    write_simulation(
        target, seed=5, scale_name="small", months=4, cipher=cipher, start=dt.date(2025, 1, 1)
    )
    resources = {"postgres": PostgresResource(database_url=target.sqlalchemy_url)}
    trained = dg.materialize([match_model], resources=resources, partition_key="2025-04-01")
    checks = {e.check_name: e.passed for e in trained.get_asset_check_evaluations()}
    assert checks == {"beats_baselines": True, "promotion_gate": True}
    metadata = trained.asset_materializations_for_node("match_model")[0].metadata
    assert "roc_auc" in metadata["metrics"].value and metadata["plot_roc_curve"].value.startswith(
        "![roc_curve](data:image/png;base64,"
    )
    # One run over every user shard (what the rescoring sensor requests by default).
    scored = dg.materialize(
        [match_scores],
        resources=resources,
        tags={
            "dagster/asset_partition_range_start": "00",
            "dagster/asset_partition_range_end": "15",
        },
    )
    assert [e.passed for e in scored.get_asset_check_evaluations()] == [True]
    materialized = scored.get_asset_materialization_events()
    assert {e.asset_key.to_user_string() for e in materialized} == {
        "match_scores",
        "recommendations",
    }
    assert len({e.partition for e in materialized}) == 16


def test_compiled_scoring_equals_scikit_learn(model_db: DatabaseTarget, trained, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from models_ml.compiled import compile_model, verified
    from models_ml.features import matrix
    from pipelines.scoring.service import champion

    with connect(model_db) as conn:
        _, model = champion(conn)  # type: ignore[misc]
        frame = training_frame(load_snapshot(conn))
    compiled = compile_model(model, tmp_path)
    assert compiled is not None, "the booster should compile here (gcc is on the machine)"
    x = matrix(frame)
    assert np.abs(compiled.predict(x) - model.classifier.predict_proba(x)[:, 1]).max() < 1e-9
    assert verified(model, compiled, x) is compiled
    compile_model(model, tmp_path)  # cached: no second library
    assert len(list(tmp_path.glob("booster-*.so"))) == 1


def test_runs_compiling_one_model_at_once_each_get_a_working_library(
    model_db: DatabaseTarget, trained, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """Parallel scoring runs start by compiling the same champion into the same cache."""
    from concurrent.futures import ThreadPoolExecutor

    from models_ml.compiled import compile_model
    from models_ml.features import matrix
    from pipelines.scoring.service import champion

    with connect(model_db) as conn:
        _, model = champion(conn)  # type: ignore[misc]
        x = matrix(training_frame(load_snapshot(conn)).head(500))
    with ThreadPoolExecutor(max_workers=3) as pool:
        compiled = list(pool.map(lambda _: compile_model(model, tmp_path), range(3)))
    expected = model.classifier.predict_proba(x)[:, 1]
    assert all(c is not None for c in compiled), "a concurrent compile fell back to scikit-learn"
    for scorer in compiled:
        assert np.abs(scorer.predict(x) - expected).max() < 1e-9  # type: ignore[union-attr]
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []
    assert len(list(tmp_path.glob("booster-*.so"))) == 1


def test_served_features_equal_the_pairwise_definition(model_db: DatabaseTarget, trained) -> None:  # type: ignore[no-untyped-def]
    """The feed ranks candidates on features gathered from the retrievers' matrices; they are
    the features candidate_features defines pair by pair, which the model was trained on."""
    from models_ml.features import FEATURES
    from models_ml.retrieval import Candidates, RetrievalCounts
    from pipelines.scoring.dataset import candidate_features

    with connect(model_db) as conn:
        snapshot = load_snapshot(conn)
        _, model = service.champion(conn)  # type: ignore[misc]
    text = snapshot.text_index()
    attributes = snapshot.posting_attributes(text)
    now = dt.datetime(2025, 7, 1)
    users = snapshot.users.filter(pl.col("is_active")).head(120)
    retrieval = Candidates.build(
        users, snapshot.postings, snapshot.swipes, attributes, text, model.retriever, now,
        RetrievalCounts(linear=40, content=20, collaborative=20, fresh=10, popular=10),
    )  # fmt: skip
    served = pl.concat(list(retrieval.chunks(users_per_chunk=50)))
    assert served.height > 120 * 40
    prior = float(snapshot.swipes.get_column("label").mean())  # type: ignore[arg-type]
    reference = candidate_features(
        snapshot, served.select("user_id", "job_posting_id"), text, prior, now,
        retrieval.taste, attributes,
    )  # fmt: skip
    differing = [
        name
        for name in FEATURES
        if not np.allclose(
            served.get_column(name).to_numpy(),
            reference.get_column(name).to_numpy(),
            rtol=0,
            atol=1e-9,
            equal_nan=True,
        )
    ]
    assert differing == []
    # Every retriever contributes, and nothing already swiped is a candidate.
    assert set(served.get_column("retriever")) >= {"linear", "content", "collaborative", "popular"}
    swiped = snapshot.swipes.select("user_id", "job_posting_id")
    assert served.join(swiped, on=["user_id", "job_posting_id"]).height == 0


def test_the_factorised_linear_retriever_ranks_as_its_definition(
    model_db: DatabaseTarget, trained
) -> None:  # type: ignore[no-untyped-def]
    """Retrieval sums the linear retriever's terms as low-rank products; for every user it
    orders the open postings as LinearRetriever.score does on the pair-by-pair features (the
    two differ by a constant per user, which no ranking sees)."""
    from models_ml.retrieval import Candidates

    with connect(model_db) as conn:
        snapshot = load_snapshot(conn)
        _, model = service.champion(conn)  # type: ignore[misc]
    assert model.retriever is not None
    text = snapshot.text_index()
    attributes = snapshot.posting_attributes(text)
    users = snapshot.users.filter(pl.col("is_active")).head(40)
    retrieval = Candidates.build(
        users, snapshot.postings, snapshot.swipes, attributes, text, model.retriever,
        dt.datetime(2025, 7, 1),
    )  # fmt: skip
    chunk = retrieval.chunk_users(users)
    dense = retrieval.dense_scores(chunk)
    factorised = retrieval.linear_scores(chunk, dense)
    shape = factorised.shape
    r, c = (index.ravel() for index in np.indices(shape))
    reference = model.retriever.score(retrieval.pair_features(chunk, dense, r, c)).reshape(shape)
    offset = factorised - reference
    assert np.isfinite(factorised).all()
    assert np.abs(offset - offset[:, :1]).max() < 1e-9
    # The users differ in more than a constant: the check compares real rankings.
    assert np.std(reference, axis=1).min() > 0.1


def test_the_feed_is_the_same_whatever_the_threads(
    model_db: DatabaseTarget, trained, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Chunks computed by several threads come back in the users' order with the same values
    as one thread computes them."""
    from models_ml import retrieval
    from pipelines.scoring.service import ModelScorer, scored_candidates

    monkeypatch.setattr(retrieval, "CHUNK_CELLS", 1)  # one user a chunk: many chunks in flight

    with connect(model_db) as conn:
        snapshot = load_snapshot(conn)
        _, model = service.champion(conn)  # type: ignore[misc]
    text = snapshot.text_index()
    now = dt.datetime(2025, 7, 1)
    chunks = {
        n: list(scored_candidates(snapshot, model, text, compiled=ModelScorer(model), now=now, threads=n))
        for n in (1, 3)
    }  # fmt: skip
    assert len(chunks[3]) > 10
    one, several = pl.concat(chunks[1]), pl.concat(chunks[3])
    assert one.height > 1_000
    assert one.get_column("user_id").n_unique() > 10
    assert several.equals(one)


def test_the_feed_only_snapshot_recommends_what_the_whole_snapshot_does(
    model_db: DatabaseTarget, trained
) -> None:  # type: ignore[no-untyped-def]
    """A run with no swipe to score reads each swipe's feed columns only: the same rows, and
    the same recommendations from them."""
    from pipelines.scoring.service import ModelScorer, recommend

    with connect(model_db) as conn:
        whole, narrow = load_snapshot(conn), load_snapshot(conn, feed_only=True)
        version, model = service.champion(conn)  # type: ignore[misc]
    assert narrow.swipes.columns == ["user_id", "job_posting_id", "company_id", "label"]
    key = ["user_id", "job_posting_id"]
    assert narrow.swipes.sort(key).equals(whole.swipes.select(narrow.swipes.columns).sort(key))
    assert narrow.users.equals(whole.users) and narrow.postings.equals(whole.postings)
    now = dt.datetime(2025, 7, 1)
    served = {
        name: recommend(snapshot, model, snapshot.text_index(), version, 20, ModelScorer(model), now=now)
        for name, snapshot in (("whole", whole), ("narrow", narrow))
    }  # fmt: skip
    assert served["whole"].height > 1_000
    assert_frame_equal(served["narrow"], served["whole"])


def test_a_swipe_left_unscored_is_found_by_its_users_shard(
    databases, model_db: DatabaseTarget, trained
) -> None:  # type: ignore[no-untyped-def]
    """has_unscored_swipes: none once everything is scored; a swipe with no factors (as the app
    stores them) counts for its user's shard only; a non-consenting user's never counts, since
    the snapshot does not read it."""
    from pipelines.scoring.dataset import has_unscored_swipes
    from pipelines.scoring.shards import SHARD_COUNT, shard_of

    target = databases.clone(model_db, "unscored")
    everyone = list(range(SHARD_COUNT))
    with connect(target) as conn:
        assert not has_unscored_swipes(conn, everyone)
    (consenting,) = fetch(
        target,
        "SELECT s.id, s.user_id::text FROM user_job_swipes s JOIN users u ON u.id = s.user_id"
        " WHERE u.data_consent ORDER BY s.id LIMIT 1",
    )
    shard = shard_of(consenting[1])
    (withdrawn,) = fetch(
        target,
        "SELECT s.id, s.user_id::text FROM user_job_swipes s JOIN users u ON u.id = s.user_id"
        " WHERE u.data_consent AND user_shard(s.user_id, %s) <> %s ORDER BY s.id LIMIT 1",
        SHARD_COUNT,
        shard,
    )
    with psycopg.connect(**target.libpq_kwargs) as conn:  # type: ignore[arg-type]
        conn.execute(
            "UPDATE user_job_swipes SET match_factors = NULL WHERE id = ANY(%s)",
            ([consenting[0], withdrawn[0]],),
        )
        conn.execute("UPDATE users SET data_consent = false WHERE id = %s", (withdrawn[1],))
    with connect(target) as conn:
        assert has_unscored_swipes(conn, everyone)
        assert has_unscored_swipes(conn, [shard])
        assert not has_unscored_swipes(conn, [s for s in everyone if s != shard])
    with psycopg.connect(**target.libpq_kwargs) as conn:  # type: ignore[arg-type]
        conn.execute("UPDATE users SET data_consent = false WHERE id = %s", (consenting[1],))
    with connect(target) as conn:
        assert not has_unscored_swipes(conn, everyone)


def test_a_refresh_keeps_an_updated_recommendation_on_its_page(
    databases, model_db: DatabaseTarget, trained
) -> None:  # type: ignore[no-untyped-def]
    """Recommendation pages keep room (migration 0015): a row updated with its rank kept stays
    on its page as a heap-only tuple, with no new index entries, as each refresh's update of the
    pairs it keeps does."""
    target = databases.clone(model_db, "hot_updates")
    # The room left by the last refresh's row versions comes back when they are pruned, which
    # a later read of a page or autovacuum does at a time of its own: vacuum first, so the test
    # sees the room the fillfactor keeps, not whether a page happened to be pruned yet.
    with psycopg.connect(**target.libpq_kwargs, autocommit=True) as conn:  # type: ignore[arg-type]
        conn.execute("VACUUM recommendations")
    placed = "SELECT user_id, job_posting_id, (ctid::text::point)[0] FROM recommendations"
    before = dict(((u, p), page) for u, p, page in fetch(target, placed))
    index_pages = "SELECT pg_relation_size('recommendations_pkey')"
    (pkey_before,) = fetch(target, index_pages)
    with psycopg.connect(**target.libpq_kwargs) as conn:  # type: ignore[arg-type]
        conn.execute("UPDATE recommendations SET score = score + 1, generated_at = now()")
    after = dict(((u, p), page) for u, p, page in fetch(target, placed))
    assert len(before) > 1_000 and after.keys() == before.keys()
    stayed = sum(after[key] == page for key, page in before.items())
    assert stayed / len(before) > 0.9
    assert fetch(target, index_pages) == [pkey_before]


def test_the_monitoring_mart_compares_swipes_on_recommended_postings(
    databases, migrated_template, cipher
) -> None:  # type: ignore[no-untyped-def]
    """Recommend at the start of May, let May happen, build the marts: swipes on postings the
    feed had recommended to the swiping user are counted, and liked more often than the rest."""
    from pipelines.orchestration import build_marts

    target = databases.clone(migrated_template, "recommended")
    start = dt.date(2025, 1, 1)
    write_simulation(target, seed=23, scale_name="small", months=4, cipher=cipher, start=start)
    train_and_register(target, validation_month=dt.date(2025, 4, 1))
    served = score_and_recommend(target, as_of=dt.datetime(2025, 5, 1))
    assert served.recommendations > 0
    history = fetch(
        target, "SELECT count(*), min(first_recommended_at) FROM recommendation_history"
    )
    assert history == [(served.recommendations, dt.datetime(2025, 5, 1))]
    # Recommending again changes nothing in the history.
    score_and_recommend(target, as_of=dt.datetime(2025, 5, 1))
    assert fetch(target, "SELECT count(*) FROM recommendation_history")[0][0] == history[0][0]
    write_simulation(target, seed=23, scale_name="small", months=5, cipher=cipher, start=start)
    score_and_recommend(target, as_of=dt.datetime(2025, 6, 1))  # May's swipes get their scores
    assert build_marts(target, "2025-01-01", "2025-05-01").success
    may = fetch(
        target,
        "SELECT DISTINCT month_recommended_swipes, month_recommended_right_swipe_rate,"
        " month_other_right_swipe_rate, month_postings_recommended, month_users_recommended"
        " FROM marts.mart_model_monitoring_monthly WHERE month = '2025-05-01'",
    )
    assert len(may) == 1
    swipes, recommended_rate, other_rate, postings, users = may[0]
    expected = fetch(
        target,
        "SELECT count(*) FROM user_job_swipes s JOIN recommendation_history h USING (user_id, job_posting_id)"
        " JOIN users u ON u.id = s.user_id AND u.data_consent"
        " WHERE s.created_at >= '2025-05-01' AND s.created_at < '2025-06-01'",
    )[0][0]
    assert swipes == expected > 0
    assert recommended_rate > other_rate
    assert postings > 0 and users > 0
