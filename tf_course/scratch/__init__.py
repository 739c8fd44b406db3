"""NumPy-only course code (the course's function names, shapes and return values).

Nothing in this package imports TensorFlow or Keras; a test checks it.
"""
