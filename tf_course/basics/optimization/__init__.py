"""C2W2 optimization methods: Keras twins of :mod:`tf_course.scratch.optimization`."""
