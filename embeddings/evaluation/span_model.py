"""The span reader as a torch model, for training: the cross-encoder's top layers, copied out of its INT8 ONNX graph.

The cross-encoder (ms-marco-MiniLM-L-12-v2) ships only as INT8 ONNX. Its layers above `STATES_LAYER` are read back
from the graph's initializers (weights dequantized: int8 x scale), rebuilt as BERT layers, topped with a small MLP
that scores each token as the answer's start or end, and fine-tuned together (train_span.py). `export` writes the
result as INT8 ONNX, which models/span_head.py runs with onnxruntime: no torch at run time.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from embeddings.models.cross_encoder import STATES_LAYER

LAYERS = 12  # ms-marco-MiniLM-L-12-v2
HEADS = 12
HIDDEN = 384
EPSILON = 1e-12  # BERT's LayerNorm epsilon
HEAD_HIDDEN = 256  # the MLP between the last layer and the start/end logits
_DENSE = {  # our name -> the layer's ONNX node path and the bias's initializer name
    "query": ("attention/self/query", "attention.self.query"),
    "key": ("attention/self/key", "attention.self.key"),
    "value": ("attention/self/value", "attention.self.value"),
    "attention_out": ("attention/output/dense", "attention.output.dense"),
    "intermediate": ("intermediate/dense", "intermediate.dense"),
    "out": ("output/dense", "output.dense"),
}


def layer_weights(model_path: Path, layers: range) -> list[dict[str, np.ndarray]]:
    """BERT layers' float weights from the INT8 ONNX graph (read once): per layer, "<name>.weight" as (in, out),
    "<name>.bias", and the two LayerNorms' "attention_norm.*" / "out_norm.*"."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(model_path)).graph
    values = {item.name: numpy_helper.to_array(item) for item in graph.initializer}
    nodes = {node.name: node for node in graph.node}
    found = []
    for layer in layers:
        prefix = f"bert.encoder.layer.{layer}."
        weights = {}
        for name, (path, bias) in _DENSE.items():
            quantized = nodes[f"/bert/encoder/layer.{layer}/{path}/MatMul_quant"].input[1]
            base = quantized.removesuffix("_quantized")
            zero = values[base + "_zero_point"].astype(np.float32)
            weights[f"{name}.weight"] = (values[quantized].astype(np.float32) - zero) * values[base + "_scale"]
            weights[f"{name}.bias"] = values[f"{prefix}{bias}.bias"]
        for name, norm in (("attention_norm", "attention.output.LayerNorm"), ("out_norm", "output.LayerNorm")):
            weights[f"{name}.weight"] = values[f"{prefix}{norm}.weight"]
            weights[f"{name}.bias"] = values[f"{prefix}{norm}.bias"]
        found.append(weights)
    return found


def span_model(model_path: Path, seed: int = 0) -> Any:
    """A torch module: (states of layer STATES_LAYER, mask) -> start/end logits per token, its BERT layers initialised
    from the cross-encoder's and its MLP at random."""
    import torch

    torch.manual_seed(seed)

    class Layer(torch.nn.Module):
        """A BERT encoder layer (post-LayerNorm, GELU), written out: the ONNX export needs nothing from transformers."""

        def __init__(self, weights: dict[str, np.ndarray]) -> None:
            super().__init__()
            self.dense = torch.nn.ModuleDict({name: _linear(weights, name) for name in _DENSE})
            self.attention_norm = _norm(weights, "attention_norm")
            self.out_norm = _norm(weights, "out_norm")

        def forward(self, states: torch.Tensor, blocked: torch.Tensor) -> torch.Tensor:
            batch, tokens, _ = states.shape

            def heads(x: torch.Tensor) -> torch.Tensor:
                return x.view(batch, tokens, HEADS, HIDDEN // HEADS).transpose(1, 2)

            query, key, value = (heads(self.dense[name](states)) for name in ("query", "key", "value"))
            attention = (query @ key.transpose(-1, -2)) / math.sqrt(HIDDEN // HEADS) + blocked
            context = (attention.softmax(-1) @ value).transpose(1, 2).reshape(batch, tokens, HIDDEN)
            states = self.attention_norm(self.dense["attention_out"](context) + states)
            inner = torch.nn.functional.gelu(self.dense["intermediate"](states))
            return self.out_norm(self.dense["out"](inner) + states)

    class SpanModel(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layers = torch.nn.ModuleList(
                Layer(weights) for weights in layer_weights(model_path, range(STATES_LAYER + 1, LAYERS))
            )
            self.hidden = torch.nn.Linear(HIDDEN, HEAD_HIDDEN)
            self.logits = torch.nn.Linear(HEAD_HIDDEN, 2)

        def forward(self, states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            blocked = (1.0 - mask[:, None, None, :]) * -10000.0  # padding is never attended to
            for layer in self.layers:
                states = layer(states, blocked)
            return self.logits(torch.nn.functional.gelu(self.hidden(states), approximate="tanh"))

    return SpanModel()


def _linear(weights: dict[str, np.ndarray], name: str) -> Any:
    import torch

    weight = weights[f"{name}.weight"]
    linear = torch.nn.Linear(*weight.shape)
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(weight.T)))
        linear.bias.copy_(torch.from_numpy(np.array(weights[f"{name}.bias"])))
    return linear


def _norm(weights: dict[str, np.ndarray], name: str) -> Any:
    import torch

    norm = torch.nn.LayerNorm(HIDDEN, eps=EPSILON)
    with torch.no_grad():
        norm.weight.copy_(torch.from_numpy(np.array(weights[f"{name}.weight"])))
        norm.bias.copy_(torch.from_numpy(np.array(weights[f"{name}.bias"])))
    return norm


def export(model: Any, target: Path, no_answer: bool = False) -> None:
    """Write the model as INT8 ONNX (weights quantized like the cross-encoder's), recording the layer it reads and
    whether it learnt to say "no answer here" at [CLS]."""
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    float_model = target.with_suffix(".float.onnx")
    axes = {0: "batch", 1: "tokens"}
    model.eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter is deprecated in favour of one that needs onnxscript
        torch.onnx.export(
            model,
            (torch.zeros(2, 5, HIDDEN), torch.ones(2, 5)),
            str(float_model),
            input_names=["states", "mask"],
            output_names=["logits"],
            dynamic_axes={"states": axes, "mask": axes, "logits": axes},
            opset_version=17,
            dynamo=False,
        )
    try:
        quantize_dynamic(str(float_model), str(target), weight_type=QuantType.QInt8)
    finally:
        float_model.unlink(missing_ok=True)
    quantized = onnx.load(str(target))
    onnx.helper.set_model_props(quantized, {"reads_layer": str(STATES_LAYER), "no_answer": "1" if no_answer else "0"})
    onnx.save(quantized, str(target))
