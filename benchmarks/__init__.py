"""Synth benchmarks (not part of the installed package): see BENCHMARKS.md."""
