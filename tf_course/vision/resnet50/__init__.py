"""C4W2 Residual networks: the course's identity and convolutional blocks and ResNet50 in Keras 3."""
