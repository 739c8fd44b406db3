"""C1W3 planar data classification: Keras 3 twin of :mod:`tf_course.scratch.planar` (one tanh hidden layer)."""
