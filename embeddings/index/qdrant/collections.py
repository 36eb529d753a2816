"""Qdrant collections as index versions: one collection per build, and an alias that names the live one.

    <alias>                      what bots read (Settings.collection), switched atomically by a build
    <alias>--<time>-<id>         one complete version (names sort by time); never written to once the alias names it

A build writes a new collection and only then moves the alias, in one `update_collection_aliases` call, so a
killed build leaves the old version serving; the next build deletes what it left behind.
"""

from __future__ import annotations

import atexit
import datetime as dt
import threading
import uuid
from pathlib import Path

from qdrant_client import QdrantClient, models

from embeddings.errors import NewsQAError
from embeddings.settings import Settings

TEXT_FIELD = "terms"  # stemmed words of the passage (what BM25 scores); the verbatim text is in "text"
FORMAT = 1
_CLIENTS: dict[tuple, QdrantClient] = {}
_CLIENTS_LOCK = threading.Lock()
_INTEGER_FIELDS = ("article_id", "paragraph")
_KEYWORD_FIELDS = ("file", "source_id")


class QdrantUnavailable(NewsQAError):
    """Qdrant cannot be reached or is not configured; the message says what to set."""


def connect(settings: Settings) -> QdrantClient:
    """One client per server or local folder per process (local mode locks its folder: a second client would fail)."""
    if settings.qdrant_url:
        key: tuple = ("url", settings.qdrant_url, settings.qdrant_api_key)
    elif settings.qdrant_path:
        key = ("path", str(Path(settings.qdrant_path).resolve()))
    else:
        raise QdrantUnavailable("the qdrant backend needs QDRANT_URL (a server or cluster) or QDRANT_PATH (local mode)")
    with _CLIENTS_LOCK:
        if key not in _CLIENTS:
            try:
                if key[0] == "url":
                    _CLIENTS[key] = QdrantClient(url=settings.qdrant_url, api_key=settings.qdrant_api_key)
                else:
                    Path(key[1]).mkdir(parents=True, exist_ok=True)
                    _CLIENTS[key] = QdrantClient(path=key[1], force_disable_check_same_thread=True)
            except (RuntimeError, OSError) as error:  # local mode: another process holds the folder
                raise QdrantUnavailable(f"cannot open Qdrant at {key[1]} ({error})") from None
        return _CLIENTS[key]


def forget_clients() -> None:
    """Close every cached client (tests; a process that is about to hand a local folder to another one)."""
    with _CLIENTS_LOCK:
        for client in _CLIENTS.values():
            client.close()
        _CLIENTS.clear()


atexit.register(forget_clients)  # local mode flushes on close; closing it at interpreter teardown fails noisily


def live_collection(client: QdrantClient, alias: str) -> str | None:
    """The collection the alias names now, or None before the first build."""
    for entry in client.get_aliases().aliases:
        if entry.alias_name == alias:
            return entry.collection_name
    return None


def new_collection_name(alias: str) -> str:
    return f"{alias}--{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"  # sorts by time


def _layout(text: str) -> dict[str, str]:
    """ "shards=6,replicas=2,on_disk=1,quantization=int8" as a dict (Settings.qdrant_layout)."""
    pairs = [item.split("=", 1) for item in text.replace(" ", "").split(",") if item]
    layout = {name: value for name, value in pairs}
    unknown = set(layout) - {"shards", "replicas", "on_disk", "quantization"}
    if unknown or any(len(pair) != 2 for pair in pairs):
        raise QdrantUnavailable(f"NEWSQA_QDRANT_LAYOUT {text!r}: use shards=N,replicas=N,on_disk=0|1,quantization=int8|none")
    return layout


def create_collection(client: QdrantClient, name: str, dimension: int, layout_text: str) -> None:
    """A new, empty version: cosine vectors, BM25 over the stemmed words, and the payload indexes filters use."""
    layout = _layout(layout_text)
    quantization = None
    if layout.get("quantization", "none") == "int8":
        quantization = models.ScalarQuantization(scalar=models.ScalarQuantizationConfig(type=models.ScalarType.INT8))
    client.create_collection(
        name,
        vectors_config=models.VectorParams(
            size=dimension, distance=models.Distance.COSINE, on_disk=layout.get("on_disk") == "1" or None
        ),
        shard_number=int(layout["shards"]) if "shards" in layout else None,
        replication_factor=int(layout["replicas"]) if "replicas" in layout else None,
        quantization_config=quantization,
    )
    # Default tokenization: local mode scores nothing else, and the words are stemmed by us (lexical.terms) already.
    client.create_payload_index(name, TEXT_FIELD, models.TextIndexParams(type=models.TextIndexType.TEXT, scoring=True))
    if client.init_options.get("url"):  # local mode warns that it has no payload indexes (it filters by scanning)
        for field in _INTEGER_FIELDS:
            client.create_payload_index(name, field, models.PayloadSchemaType.INTEGER)
        for field in _KEYWORD_FIELDS:
            client.create_payload_index(name, field, models.PayloadSchemaType.KEYWORD)
        client.create_payload_index(name, "first", models.PayloadSchemaType.BOOL)


def switch_alias(client: QdrantClient, alias: str, collection: str) -> None:
    """Point the alias at `collection` in one call: readers see the old version or the new one, never neither."""
    operations: list = []
    if live_collection(client, alias) is not None:
        operations.append(models.DeleteAliasOperation(delete_alias=models.DeleteAlias(alias_name=alias)))
    operations.append(models.CreateAliasOperation(create_alias=models.CreateAlias(collection_name=collection, alias_name=alias)))
    client.update_collection_aliases(operations)


def versions(client: QdrantClient, alias: str) -> list[str]:
    """Every version collection of this alias, oldest first."""
    return sorted(c.name for c in client.get_collections().collections if c.name.startswith(f"{alias}--"))


def remove_versions(client: QdrantClient, alias: str, keep: set[str]) -> None:
    """Delete this alias's versions except `keep` (the live one and the one before it: questions in flight use it)."""
    for name in versions(client, alias):
        if name not in keep:
            client.delete_collection(name)
