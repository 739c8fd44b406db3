"""C4 W4 face recognition: the course's FaceNet (nn4.small2) and triplet loss, online triplet mining,
a face database with ``verify`` / ``who_is_it``, a synthetic-faces training and LFW-style evaluation.

Importing this package imports no TensorFlow; its modules do.
"""
