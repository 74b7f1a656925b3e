"""Data: the dataset registry, images as uint8 tensors, label maps, stand-ins and splits."""
