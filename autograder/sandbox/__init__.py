"""Running student code in a separate, limited worker process.

- ``protocol``: the wire format; plain data only, never pickle.
- ``handler``:  executes one command (import, call, construct, method, attribute) on student modules.
- ``worker``:   the worker process's main loop (``python -m autograder.sandbox.worker``).
- ``client``:   the trusted side: starts, limits, times out and restarts the worker.
"""
