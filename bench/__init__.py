"""The benchmarks. A package only so that the servers they start can import
bench.settings; the scripts themselves are run by path (`python bench/page.py`)."""
