"""The span model's layers are the cross-encoder's own, read back out of its INT8 graph."""

from __future__ import annotations

import numpy as np
import torch

from embeddings.evaluation.span_model import span_model
from embeddings.models.cross_encoder import CrossEncoder, model_folder
from embeddings.models.onnx import cpu_session, features, load_tokenizer, with_output

LAST_LAYER = "/bert/encoder/layer.11/output/LayerNorm/Add_1_output_0"


def test_the_copied_layers_carry_the_cross_encoders_states_on_as_its_own_layers_do():
    question, passage = "who signed the pact?", "Vladimir Putin and Kim Jong-un signed the pact in Pyongyang."
    (reading,) = CrossEncoder().read(question, [passage])
    folder = model_folder()
    graph = cpu_session(with_output(folder / "model.onnx", LAST_LAYER), threads=1)
    encodings = load_tokenizer(folder / "tokenizer.json", 256).encode_batch([(question, passage)])
    (expected,) = graph.run([LAST_LAYER], features(encodings))
    model = span_model(folder / "model.onnx")
    states = torch.from_numpy(np.asarray(reading.states, dtype=np.float32))[None]
    with torch.no_grad():
        for layer in model.layers:
            states = layer(states, torch.zeros(1, 1, 1, states.shape[1]))
    # the graph quantizes activations to 8 bits on the way; the copy runs in float
    assert np.abs(states[0].numpy() - expected[0]).mean() < 0.02
