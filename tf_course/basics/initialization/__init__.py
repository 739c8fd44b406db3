"""C2W1 initialization: Keras 3 twins of :mod:`tf_course.scratch.initialization` (zeros, random x10, He)."""
