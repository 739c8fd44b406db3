"""C1W4 deep neural network: Keras 3 twins of the cat classifiers in :mod:`tf_course.scratch.deep_nn`."""
