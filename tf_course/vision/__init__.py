"""Course 4 vision: ConvNets, HappyModel, ResNet50."""
