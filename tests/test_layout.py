"""The layout rules, checked so they stay true: the engine (embeddings/) imports none of its front ends, and
modules and functions stay small enough to read."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGES = ("embeddings", "bot", "benchmarks")
FRONT_ENDS = ("bot", "telegram")  # the engine may not import these
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60  # from `def` to the last line, docstring included


def modules(*packages: str) -> list[Path]:
    return sorted(path for package in packages for path in (ROOT / package).rglob("*.py"))


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text("utf-8"), filename=str(path))


def imported(tree: ast.Module) -> set[str]:
    """The absolute module names a module imports, anywhere in it (a lazy import inside a function included)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def where(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_the_engine_imports_no_front_end():
    offenders = [
        f"{where(path)} imports {name}"
        for path in modules("embeddings")
        for name in sorted(imported(parse(path)))
        if name.split(".")[0] in FRONT_ENDS
    ]
    assert not offenders, "embeddings/ must not import the front ends:\n" + "\n".join(offenders)


def test_no_module_is_over_the_line_limit():
    lengths = {where(path): len(path.read_text("utf-8").splitlines()) for path in modules(*PACKAGES)}
    offenders = [f"{name}: {lines} lines" for name, lines in lengths.items() if lines > MAX_MODULE_LINES]
    assert not offenders, f"modules over {MAX_MODULE_LINES} lines (split them):\n" + "\n".join(offenders)


def test_no_function_is_over_the_line_limit():
    offenders = []
    for path in modules(*PACKAGES):
        for node in ast.walk(parse(path)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                if lines > MAX_FUNCTION_LINES:
                    offenders.append(f"{where(path)}:{node.lineno} {node.name}: {lines} lines")
    assert not offenders, f"functions over {MAX_FUNCTION_LINES} lines (split them):\n" + "\n".join(offenders)


def test_the_checker_sees_imports_and_function_lengths():
    tree = ast.parse("import bot.render\ndef f():\n    from telegram import Bot\n    return Bot\nfrom . import x\n")
    assert imported(tree) == {"bot.render", "telegram"}
    (function,) = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    assert function.end_lineno - function.lineno + 1 == 3
