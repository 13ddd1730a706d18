"""``migassist kb``: check, search and show the knowledge base; export/import its revisions.

``validate``, ``search`` and ``show`` read YAML content (the packaged content by default);
``export`` and ``import`` work on the published revisions in the database, which are seeded
from the configured content directory (``knowledge_base.content_dir``) the first time.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from bot.config import load_config
from bot.storage.content import ContentRejected, ContentStore
from bot.storage.database import create_engine, create_sessionmaker, is_sqlite
from bot.storage.migrate import ensure_schema
from knowledge_base import (
    DEFAULT_CONTENT_DIR,
    LANGUAGES,
    ArticleNotFound,
    ContentError,
    load,
    read_content_files,
)
from knowledge_base.validation import validate

T = TypeVar("T")


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("kb", help="knowledge base: validate, search, export/import", description=__doc__)
    sub = parser.add_subparsers(dest="kb_command", metavar="ACTION", required=True)

    check = sub.add_parser("validate", help="check content: schema, languages, intents, citations, amounts, freshness")
    _content_option(check)
    check.set_defaults(handler=_validate)

    search = sub.add_parser("search", help="ranked articles for a free-text query")
    search.add_argument("query")
    search.add_argument("--lang", choices=LANGUAGES, default="en", help="language of the query (default en)")
    search.add_argument("--limit", type=int, default=5)
    _content_option(search)
    search.set_defaults(handler=_search)

    show = sub.add_parser("show", help="print one article as the assistant would send it")
    show.add_argument("article_id")
    show.add_argument("--lang", choices=LANGUAGES, default="en")
    show.add_argument("--details", action="store_true", help="include the details part")
    _content_option(show)
    show.set_defaults(handler=_show)

    export = sub.add_parser("export", help="write the published content from the database to DIR (new or empty)")
    export.add_argument("directory", type=Path)
    export.set_defaults(handler=_export)

    imp = sub.add_parser("import", help="publish the content in DIR to the database (checked first)")
    imp.add_argument("directory", type=Path)
    imp.add_argument("--author", default="cli", help="who made the change (default: cli)")
    imp.add_argument("--comment", default="imported from YAML", help="what changed")
    imp.set_defaults(handler=_import)


def _content_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", type=Path, default=DEFAULT_CONTENT_DIR, help="content directory (default: packaged)")


def _validate(args: argparse.Namespace) -> int:
    try:
        kb = load(args.content)
    except ContentError as exc:
        print(f"invalid: {exc}", file=sys.stderr)
        return 1
    problems = validate(kb)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {args.content}", file=sys.stderr)
        return 1
    print(f"ok: {len(kb.articles)} articles, all checks passed ({args.content})")
    return 0


def _search(args: argparse.Namespace) -> int:
    kb = load(args.content)
    hits = kb.search(args.query, args.lang, args.limit)
    if not hits:
        print("no matching articles")
        return 1
    for rank, hit in enumerate(hits, start=1):
        print(f"{rank}. {hit.score:7.2f}  {hit.article.id:<24} {hit.article.title(args.lang)}")
    return 0


def _show(args: argparse.Namespace) -> int:
    kb = load(args.content)
    try:
        article = kb.article(args.article_id)
    except ArticleNotFound:
        print(f"no article {args.article_id!r}", file=sys.stderr)
        return 1
    print(article.title(args.lang))
    print()
    print(article.text(args.lang, with_details=args.details))
    return 0


def _export(args: argparse.Namespace) -> int:
    target: Path = args.directory
    if target.exists() and any(target.iterdir()):
        print(f"migassist kb export: {target} is not empty", file=sys.stderr)
        return 1
    files = asyncio.run(_with_store(args, _published))
    for path, body in sorted(files.items()):
        destination = target / path
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(body.encode("utf-8"))
    print(f"exported {len(files)} files to {target}")
    return 0


def _import(args: argparse.Namespace) -> int:
    try:
        files = read_content_files(args.directory)
    except ContentError as exc:
        print(f"migassist kb import: {exc}", file=sys.stderr)
        return 1

    async def publish(store: ContentStore) -> list[str]:
        return await store.import_files(files, author=args.author, comment=args.comment)

    try:
        changed = asyncio.run(_with_store(args, publish))
    except ContentRejected as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print("migassist kb import: nothing imported", file=sys.stderr)
        return 1
    print(f"imported {args.directory}: {len(changed)} file(s) changed" + "".join(f"\n  {path}" for path in changed))
    return 0


async def _published(store: ContentStore) -> dict[str, str]:
    return await store.published_files()


async def _with_store(args: argparse.Namespace, action: Callable[[ContentStore], Awaitable[T]]) -> T:
    """Run ``action(store)`` in one committed unit of work, seeding the content on first use."""
    settings = load_config(args.config).settings
    url = settings.database_url
    await ensure_schema(url, upgrade=is_sqlite(url))
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            store = ContentStore(session)
            await store.seed_if_empty(read_content_files(settings.knowledge_base.content_dir))
            return await action(store)
    finally:
        await engine.dispose()
