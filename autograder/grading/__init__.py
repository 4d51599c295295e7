"""Grading: the submission API the graders use, the pytest plugin, checks, points and results."""
