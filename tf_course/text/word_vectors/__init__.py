"""C5W2 operations on word vectors: vectorised similarity and analogy search, the word2vec analogy
evaluator, debiasing over a vocabulary, skip-gram vectors trained offline, the pipeline."""
