"""Gradescope packaging: the autograder zip and Gradescope's results.json format.

- ``build``        writes the zip (``autograder build``): setup.sh, run_autograder,
                   pinned requirements, the package, the graders and the reference.
- ``schema``       Gradescope's results.json format (``results.schema.json``) and its check.
- ``fallback``     run by run_autograder: a valid results.json even when grading fails.
- ``requirements`` pins the runtime dependencies to the versions installed here.

Nothing is imported here, so that ``fallback`` runs even when dependencies are broken.
"""
