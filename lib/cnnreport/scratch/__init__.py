"""A multilayer perceptron written from scratch in NumPy: layers with hand-written forward and
backward passes, softmax cross-entropy, optimizers and a training loop (assignment 001, question 2).

No torch, no autograd, no framework layers here: torch appears only in tests and in the report's
gradient check, to show that these hand gradients equal autograd's.
"""
