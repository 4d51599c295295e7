"""Running student code in a separate, limited worker process.

- ``protocol``:   the wire format; plain data only, never pickle.
- ``handler``:    executes one command (import, call, construct, method, attribute) on student modules.
- ``worker``:     the worker process's main loop.
- ``forkserver``: the process that has imported NumPy and forks a fresh worker per submission.
- ``jail``:       confinement: what the worker may see, reach and leave behind.
- ``client``:     the trusted side: starts, limits, times out and restarts the worker.
- ``progress``:   which call of a batch the worker runs, so that each keeps its own time limit.
- ``cpus``:       how grading uses the CPUs: one for a grading loop and its workers, one BLAS thread.
"""
