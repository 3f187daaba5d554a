"""TurkMood's REST API: a thin FastAPI face over the ``turkmood`` library (routes only).

Start it with ``python -m turkmood serve``; the routes validate, call one ``turkmood`` function
and serialise its result. CPU-bound work runs in a bounded pool of warmed worker processes
(:mod:`api.capacity`); past capacity the service answers 503 with Retry-After.
"""
