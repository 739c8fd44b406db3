"""C5W2 Emojify: sentence indices, the frozen pretrained Embedding, V1 (average + softmax) and V2 (two
LSTMs), the confusion-matrix plot, the raw-sentence SavedModel, the pipeline."""
