"""The assignments' notebooks, and their exports to nbgrader and otter-grader."""
