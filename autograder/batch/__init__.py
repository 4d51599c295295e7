"""Grading a whole class: finding the submissions, grading them in parallel, the gradebook and the report.

- ``discover``: the submissions of a class folder or a Gradescope export.
- ``run``:      ``grade_all``, resumable, with progress.
- ``gradebook``: the CSV gradebook.
- ``report``:    the HTML class report.
- ``simulate``:  a synthetic class for demos, tests and the benchmark.
"""
