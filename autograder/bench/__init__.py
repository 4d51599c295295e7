"""``make bench``: what grading costs, measured side by side in one run (``python -m autograder.bench``).

- ``measure``: running a command and reading its wall time, CPU time and peak memory.
- ``engine``:  this autograder: one submission cold, one call across the boundary, a whole class.
- ``tools``:   nbgrader ``autograde`` and otter-grader ``otter run`` on the same assignment.

``__main__`` runs them and prints one line per figure. ``BENCH_N`` (default
100) is the size of the simulated class; ``BENCH_N=1000`` gives the full figure.
"""
