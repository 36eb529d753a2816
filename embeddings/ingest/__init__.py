"""Reading the corpus: files on disk -> parsed articles -> verbatim passages."""
