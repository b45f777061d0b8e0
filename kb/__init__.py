"""kb: a searchable knowledge base over the WIPO Conversation on IP and Frontier Technologies."""

import os

__version__ = "0.1.0"

# kb never multiplies matrices, yet importing numpy starts OpenBLAS with a thread per core,
# which costs every new process (a `kb search`, each server worker) about a third of numpy's
# import time on a busy two-core machine, and OpenBLAS's threads are a known hazard in
# processes that fork (`kb serve`'s workers, ingest's readers). One thread, unless the
# environment chose otherwise; this runs before any kb module imports numpy.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
