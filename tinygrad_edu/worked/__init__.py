"""Worked examples: hand-derived backpropagation checked step by step against autodiff."""
