"""Course 5 sequence models: RNN cells, Dinosaur Island, date translation with attention (one subpackage each)."""
