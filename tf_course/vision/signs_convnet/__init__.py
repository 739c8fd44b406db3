"""C4W1 convolution model application: the SIGNS ConvNet in Keras 3."""
