"""``python -m autograder`` is the same command line as ``autograder``."""

from autograder.cli import main

if __name__ == "__main__":
    main()
