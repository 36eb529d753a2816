"""A small news corpus for the Qdrant backend tests (no Qdrant import here: see conftest.py)."""

from __future__ import annotations

from pathlib import Path

ARTICLES = {
    "water.md": "# Springfield signs the water pact\n\nThe mayor of Springfield signed the water pact with Shelbyville on "
    "Monday.\n\nThe pact costs 3 million dollars and runs for ten years.\n",
    "rail.md": "# New rail line opens\n\nThe northern rail line opened on Friday after six years of work.\n\n"
    "Trains will run every ten minutes between the harbour and the airport.\n",
    "storm.md": "# Storm closes schools\n\nA winter storm closed every school in the county on Tuesday.\n\n"
    "Forecasters expect twenty centimetres of snow by the evening.\n",
}


def write_corpus(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, "utf-8")
    return folder
