"""Content revisions in the database: seeding, publishing, withdrawing, and exact round-trips."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

import knowledge_base
from bot.cli import main
from bot.storage.base import Base
from bot.storage.content import (
    ContentRejected,
    ContentRevision,
    ContentStore,
    published_knowledge_base,
)
from bot.storage.database import create_engine, create_sessionmaker
from bot.storage.migrate import upgrade_async
from tests.knowledge_base.conftest import edited

CONTACTS = "tables/contacts.yml"


@pytest_asyncio.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'content.db'}")
    table = Base.metadata.tables[ContentRevision.__tablename__]
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: Base.metadata.create_all(sync, tables=[table]))
    yield engine
    await engine.dispose()


@pytest_asyncio.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with create_sessionmaker(engine)() as session, session.begin():
        yield session


@pytest.mark.asyncio
async def test_startup_seeds_then_serves_published_revisions(engine: AsyncEngine, tmp_path: Path) -> None:
    sessions = create_sessionmaker(engine)
    kb = await published_knowledge_base(sessions, knowledge_base.DEFAULT_CONTENT_DIR)
    assert kb.articles_for_intent("registration")
    # The database now holds the content: a later start ignores the directory.
    empty = tmp_path / "empty"
    empty.mkdir()
    again = await published_knowledge_base(sessions, empty)
    assert [a.id for a in again.articles] == [a.id for a in kb.articles]


@pytest.mark.asyncio
async def test_seeds_once_and_serves_the_published_content(session: AsyncSession, seed_files: Mapping[str, str]) -> None:
    store = ContentStore(session)
    assert await store.seed_if_empty(seed_files) is True
    assert await store.seed_if_empty({"acts.yml": "changed"}) is False
    assert await store.published_files() == dict(seed_files)
    kb = await store.knowledge_base()
    assert kb.article("registration_overview").intents == ("registration",)


@pytest.mark.asyncio
async def test_import_records_changes_and_withdrawals(session: AsyncSession, seed_files: Mapping[str, str]) -> None:
    store = ContentStore(session)
    await store.seed_if_empty(seed_files)
    changed_files = edited(seed_files, CONTACTS, "contacts:\n", "# reviewed\ncontacts:\n")
    assert await store.import_files(changed_files, author="alice", comment="note") == [CONTACTS]
    assert await store.import_files(changed_files, author="alice", comment="again") == []
    history = await store.history(CONTACTS)
    assert [(r.revision, r.status, r.author) for r in history] == [(2, "published", "alice"), (1, "published", "seed")]
    assert history[0].body == changed_files[CONTACTS]

    extra = dict(changed_files, **{"articles/extra.yml": "topic: nothing\narticles: []\n"})
    assert await store.import_files(extra, author="bob", comment="add") == ["articles/extra.yml"]
    assert await store.import_files(changed_files, author="bob", comment="remove") == ["articles/extra.yml"]
    assert (await store.history("articles/extra.yml"))[0].status == "withdrawn"
    assert await store.published_files() == changed_files


@pytest.mark.asyncio
async def test_invalid_content_is_not_imported(session: AsyncSession, seed_files: Mapping[str, str]) -> None:
    store = ContentStore(session)
    await store.seed_if_empty(seed_files)
    stale = edited(seed_files, "articles/registration.yml", "Registration is free.", "Registration is gratis.")
    with pytest.raises(ContentRejected) as rejected:
        await store.import_files(stale, author="alice", comment="typo")
    assert {p.where for p in rejected.value.problems} == {
        "article registration_overview.text.az",
        "article registration_overview.text.ru",
    }
    assert await store.published_files() == dict(seed_files)


@pytest.mark.asyncio
async def test_draft_review_publish(session: AsyncSession, seed_files: Mapping[str, str]) -> None:
    store = ContentStore(session)
    await store.seed_if_empty(seed_files)
    body = edited(seed_files, CONTACTS, "contacts:\n", "# checked\ncontacts:\n")[CONTACTS]
    draft = await store.propose(CONTACTS, body, author="editor", comment="checked numbers")
    assert (await store.published_files())[CONTACTS] == seed_files[CONTACTS]
    with pytest.raises(ValueError, match="not in review"):
        await store.publish(draft.id)
    await store.submit_for_review(draft.id)
    published = await store.publish(draft.id)
    assert published.status == "published" and published.published_at is not None
    assert (await store.published_files())[CONTACTS] == body

    broken = await store.propose(CONTACTS, body.replace("value: \"919\"", "value: \"\""), author="editor", comment="oops")
    await store.submit_for_review(broken.id)
    with pytest.raises(ContentRejected):
        await store.publish(broken.id)
    assert (await store.published_files())[CONTACTS] == body


def test_cli_export_import_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MIGASSIST_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MIGASSIST_DATABASE_URL", f"sqlite:///{tmp_path / 'kb.db'}")
    seeded = tmp_path / "seeded"
    assert main(["--log-level", "WARNING", "kb", "export", str(seeded)]) == 0

    # Edit a file the way an editor's tool might (CRLF line ends included), import, export again.
    contacts = seeded / CONTACTS
    contacts.write_bytes(b"# edited\r\n" + contacts.read_bytes())
    assert main(["--log-level", "WARNING", "kb", "import", str(seeded), "--author", "alice"]) == 0
    exported = tmp_path / "exported"
    assert main(["--log-level", "WARNING", "kb", "export", str(exported)]) == 0
    originals = {p.relative_to(seeded): p.read_bytes() for p in seeded.rglob("*.yml")}
    copies = {p.relative_to(exported): p.read_bytes() for p in exported.rglob("*.yml")}
    assert copies == originals
    assert "1 file(s) changed" in capsys.readouterr().out

    assert main(["--log-level", "WARNING", "kb", "export", str(exported)]) == 1  # not empty: refused


@pytest.mark.postgres
@pytest.mark.asyncio
async def test_workers_starting_together_on_a_new_postgresql_database_seed_it_once(postgres_url: str) -> None:
    await upgrade_async(postgres_url)
    engines = [create_engine(postgres_url) for _ in range(3)]
    try:
        bases = await asyncio.gather(
            *(published_knowledge_base(create_sessionmaker(e), knowledge_base.DEFAULT_CONTENT_DIR) for e in engines)
        )
        assert len({len(kb.articles) for kb in bases}) == 1
        async with create_sessionmaker(engines[0])() as session:
            counts = (
                await session.execute(select(ContentRevision.path, func.count()).group_by(ContentRevision.path))
            ).all()
        assert counts and all(count == 1 for _, count in counts)  # revision 1 of each file, once
    finally:
        for engine in engines:
            await engine.dispose()
