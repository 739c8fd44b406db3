"""C4W1 Convolutional model step by step: NumPy CONV/POOL layers checked against TensorFlow, and a served conv model."""
