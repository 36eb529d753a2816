"""The neural models: the sentence encoder that embeds passages and questions, and the cross-encoder reranker."""
