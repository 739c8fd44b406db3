"""C2W3 TensorFlow introduction: the course's TF1 session code in TF2 and the SIGNS classifier."""
