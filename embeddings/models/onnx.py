"""ONNX models run by onnxruntime on the CPU, with their Hugging Face `tokenizers` tokenizer.

Shared by the question encoder and the cross-encoder. onnxruntime and tokenizers are imported on first use, so
importing the models package stays cheap; a missing package raises ImportError from these functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")


def load_tokenizer(path: Path, max_length: int, pad_id: int = 0, pad_token: str = "[PAD]") -> Any:
    """A tokenizer from its tokenizer.json that cuts to `max_length` tokens and pads a batch to its longest text.

    Truncation is longest_first: text pairs longer than `max_length` (a pasted question) are cut, never refused.
    """
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.enable_truncation(max_length=max_length, strategy="longest_first")
    tokenizer.enable_padding(pad_id=pad_id, pad_token=pad_token)
    return tokenizer


def cpu_session(model: Path | bytes, threads: int | None = None, spinning: bool = True, log_severity: int | None = None) -> Any:
    """An onnxruntime session on the CPU for a model file (or its serialized bytes). `threads` caps intra-op threads
    (and runs one inter-op thread); `spinning=False` lets idle threads sleep (on a shared or busy CPU spinning
    doubles a question's latency)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    if log_severity is not None:
        options.log_severity_level = log_severity
    if not spinning:
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    if threads is not None:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    source = model if isinstance(model, bytes) else str(model)
    return onnxruntime.InferenceSession(source, options, providers=["CPUExecutionProvider"])


def with_output(path: Path, name: str) -> bytes | None:
    """The model at `path`, serialized with the intermediate tensor `name` added as an output; None when the graph
    has no such tensor (another model)."""
    import onnx

    model = onnx.load(str(path))
    if not any(name in node.output for node in model.graph.node):
        return None
    model.graph.output.append(onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None))
    return model.SerializeToString()


def features(encodings: Sequence[Any], names: Sequence[str] = INPUT_NAMES) -> dict[str, np.ndarray]:
    """The int64 model inputs named `names` for a batch of tokenizer encodings."""
    columns = {
        "input_ids": lambda e: e.ids,
        "attention_mask": lambda e: e.attention_mask,
        "token_type_ids": lambda e: e.type_ids,
    }
    return {name: np.array([columns[name](e) for e in encodings], dtype=np.int64) for name in names}
