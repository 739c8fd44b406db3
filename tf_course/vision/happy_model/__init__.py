"""C4W2 Keras tutorial (Happy House): HappyModel, a one-conv-layer smile detector, with compile/fit/evaluate."""
