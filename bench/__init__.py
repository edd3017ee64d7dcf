"""Balcão's benchmarks: measurements to read, not tests to pass. Run them with ``./dev bench``
(all of them) or ``python -m bench NAME [options]``; figures are printed and written, as JSON, to
``bench/results/`` (not versioned)."""
