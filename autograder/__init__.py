"""Autograder for the regularization-and-optimization unit of a deep-learning course.

Where things live:

- ``course``   finds the assignments and the reference on disk.
- ``markers``  parses nbgrader's solution markers in the reference.
- ``release``  writes the student release (stubs, public tests, README).
- ``gradcheck`` the numerical gradient checker shipped to students.
- ``cli``      the one command line, ``autograder <command>``.
"""

__version__ = "0.1.0"
