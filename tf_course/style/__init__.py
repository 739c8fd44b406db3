"""Course 4 week 4: neural style transfer (costs, VGG19 features, the image-optimisation loop, the stylizer)."""
