"""Gradients derived by hand for the theory questions of assignments, each beside autograd's."""
